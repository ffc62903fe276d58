#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/core/report.h"

/// Formatting helpers shared by the report writers (text, JSON, HTML) of bench/core.
namespace switchboard::bench::internal {

/// The summary keys `summarize` fills, in display order.
inline constexpr std::array<std::string_view, 12> summary_keys = {
    "service_level", "asa_s",           "p_wait",    "abandon_rate",
    "occupancy",     "fairness_spread", "served",    "abandoned",
    "arrivals",      "resolution_rate", "sale_rate", "csat_mean"};

/// `v` with `sig` significant digits (printf %g); "nan", "inf" or "-inf" when not
/// finite.
std::string fmt(double v, int sig = 4);

/// A figure: integers (|v| < 1e15) in full without exponent, else 6 significant
/// digits.
std::string fmt_number(double v);

/// `v` with exactly `decimals` digits after the point (printf %f).
std::string fixed(double v, int decimals);

/// True for metrics that are fractions in [0, 1] (shown as percentages).
bool is_fraction(std::string_view metric);

/// A metric value for people: "81.23%" for fractions, "12.3 s" for *_s, else %g.
std::string fmt_metric(std::string_view metric, double v);

/// "mean ± half-width" in the metric's unit, both rounded to two significant
/// digits of the half-width ("± ..." omitted when n < 2).
std::string fmt_ci(std::string_view metric, const metric_ci& ci);

/// Per group over all replications: mean occupancy, mean spread, mean served.
struct group_summary {
  std::string group;
  metric_ci occupancy;
  double spread = 0;   ///< mean over replications of the group's fairness spread
  double served = 0;   ///< mean over replications
};

/// Groups in first-seen order, aggregated across `r.replications`.
std::vector<group_summary> summarize_groups(const run_report& r);

/// Union of the summary keys of all policies: the known keys first in display
/// order, then any others alphabetically.
std::vector<std::string> policy_metrics(const run_report& r);

}  // namespace switchboard::bench::internal
