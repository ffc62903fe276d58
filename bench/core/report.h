#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

/// The result model shared by every bench mode (sim, load, net) and every report
/// writer (terminal, JSON, HTML). Modes fill a `run_report`; writers only read it.
namespace switchboard::bench {

/// One sample of a time series, taken every `run_report::sample_every_s` of the
/// run's clock (virtual time in sim, wall time in load/net).
struct series_point {
  double t_s = 0;              ///< since the start of the replication
  double waiting = 0;          ///< contacts in line
  double service_level = 0;    ///< cumulative fraction answered within the threshold
  double occupancy = 0;        ///< busy capacity / staffed capacity, all groups
};

/// Per agent group of one replication.
struct group_result {
  std::string group;
  double occupancy = 0;         ///< mean over the group's agents of busy time / staffed time
  double occupancy_spread = 0;  ///< standard deviation of per-agent occupancy (fairness)
  std::uint64_t served = 0;
};

/// One replication (one independent run with its own seed).
struct replication_result {
  int index = 0;
  std::uint64_t seed = 0;
  std::uint64_t arrivals = 0;
  std::uint64_t served = 0;         ///< answered (reached an agent)
  std::uint64_t abandoned = 0;      ///< left before answer (patience or max wait)
  /// Of `abandoned`, those that left after waiting longer than the threshold: with
  /// it, SL = within / (served + abandoned_after_threshold) is the other common
  /// definition (abandons before the threshold not counted against it). Counted by
  /// the sim mode; unset in load and net.
  std::optional<std::uint64_t> abandoned_after_threshold;
  double service_level = 0;         ///< answered within threshold / (served + abandoned)
  double asa_s = 0;                 ///< mean wait of answered contacts, seconds
  double p_wait = 0;                ///< fraction of arrivals that waited (> 0 s)
  double abandon_rate = 0;          ///< abandoned / arrivals
  double occupancy = 0;             ///< all groups
  double fairness_spread = 0;       ///< std dev of per-agent occupancy, all agents
  double resolution_rate = 0;       ///< of served
  double sale_rate = 0;             ///< of served
  double csat_mean = 0;             ///< of rated, 1..5
  /// sim, under the live on/off comparison: profile's resolution uplift over the
  /// baseline as measured live (points 0..1) and its 95% interval; unset otherwise.
  struct live_uplift {
    double uplift = 0;
    double low = 0;
    double high = 0;
    bool enough = false;  ///< each arm had at least 2 slices
  };
  std::optional<live_uplift> live;
  std::vector<group_result> groups;
  std::vector<series_point> series;
  double cpu_s = 0;                 ///< CPU time this replication took
  double wall_s = 0;
};

/// Mean with a 95% confidence interval half-width across replications
/// (Student t with n-1 degrees of freedom; half_width 0 when n < 2).
struct metric_ci {
  double mean = 0;
  double half_width = 0;
  int n = 0;
};

/// A theoretical value next to the simulated one.
struct theory_row {
  std::string metric;      ///< e.g. "p_wait", "asa_s", "abandon_rate", "service_level"
  std::string model;       ///< "Erlang C" or "Erlang A"
  double theory = 0;
  metric_ci simulated;
  double rel_error = 0;    ///< (simulated.mean - theory) / theory
};

/// Latency histogram in microseconds (log-spaced buckets; counts per bucket).
struct latency_histogram {
  std::vector<double> upper_us;       ///< bucket upper bounds, ascending
  std::vector<std::uint64_t> counts;  ///< same size as upper_us; last may be +inf
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  std::uint64_t samples = 0;
};

/// One policy's summary when a scenario compares routing policies.
struct policy_row {
  std::string policy;
  std::map<std::string, metric_ci> summary;
};

struct run_report {
  std::string scenario;
  std::string mode;                   ///< sim | load | net
  std::uint64_t seed = 0;
  std::string build_type;             ///< CMAKE_BUILD_TYPE the tool was built with
  unsigned cores = 0;                 ///< std::thread::hardware_concurrency()
  std::map<std::string, std::string> parameters;  ///< effective scenario settings
  double sl_threshold_s = 20;
  double sample_every_s = 60;
  std::vector<replication_result> replications;
  /// Keys: service_level, asa_s, p_wait, abandon_rate, occupancy, fairness_spread,
  /// served, abandoned, arrivals, resolution_rate, sale_rate, csat_mean; and
  /// abandoned_after_threshold when every replication counted it (sim).
  std::map<std::string, metric_ci> summary;
  std::vector<theory_row> theory;
  std::vector<policy_row> policies;
  /// load/net: named figures with units in the name, e.g. "routed_per_s",
  /// "rss_bytes", "bytes_per_session", "journal_events_per_s".
  std::map<std::string, double> figures;
  std::optional<latency_histogram> latency;
  std::vector<std::string> notes;     ///< free text lines shown in every report
  double cpu_s = 0;
  double wall_s = 0;
};

/// Fills `r.summary` from `r.replications` (95% CIs).
void summarize(run_report& r);

/// Human-readable summary for the terminal.
std::string to_text(const run_report& r);
/// Machine-readable report (stable keys; see docs/benchmarks.md).
std::string to_json(const run_report& r);
/// Self-contained HTML page with inline SVG charts (no external resources).
std::string to_html(const run_report& r);

}  // namespace switchboard::bench
