#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The one reader of Prometheus text exposition (`/metrics`) for tests and the
/// bench: sample values and histograms.
namespace switchboard::client {

/// The value of the first sample line `series value` in `text`, where `series`
/// is the metric name with its labels exactly as written (e.g.
/// `switchboard_connections{role="agent"}`); nullopt when absent or unparsable.
std::optional<double> prom_value(std::string_view text, std::string_view series);

/// A Prometheus histogram: cumulative counts per upper bound (the last bound is +inf).
struct prom_histogram {
  std::vector<double> le;
  std::vector<double> cumulative;

  double count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  /// `*this - earlier` bucket by bucket (same bounds), for a window between scrapes.
  prom_histogram minus(const prom_histogram& earlier) const;
  /// The q-quantile, interpolated linearly within its bucket (the last finite
  /// bound when it falls in the +inf bucket); -1 when empty.
  double quantile(double q) const;
};

/// The histogram `name` (its `name_bucket{le="..."}` lines) in `text`; empty
/// when absent or when a line does not parse.
prom_histogram parse_prom_histogram(std::string_view text, std::string_view name);

}  // namespace switchboard::client
