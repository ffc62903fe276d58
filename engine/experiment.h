#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/profiles.h"

/// The live on/off comparison of the `profile` policy (the recommender) against a
/// baseline policy, per queue: time is cut into slices of `experiment_config::slice`;
/// of each pair of slices one, drawn at random per queue, routes by `profile` and
/// the other by the baseline. Every outcome counts for the arm of the slice its
/// offer was made in. The uplift in resolution rate comes with a 95% confidence
/// interval that treats slices, not contacts, as the units (outcomes within a
/// slice share its load and its agents, so they are not independent). Pure.
namespace switchboard::engine {

/// One queue's comparison so far.
struct experiment_report {
  std::string queue;
  policy_kind baseline = policy_kind::longest_idle;
  /// Index 0: the baseline; 1: profile.
  std::array<std::uint64_t, 2> slices{};    ///< slices with at least one outcome
  std::array<std::uint64_t, 2> contacts{};  ///< outcomes
  std::array<double, 2> resolution{};       ///< resolution rate (0..1)
  /// profile's rate minus the baseline's (0..1), and its 95% interval. Valid when
  /// `enough`: at least 2 slices with outcomes in each arm.
  double uplift = 0;
  double low = 0;
  double high = 0;
  bool enough = false;
};

class experiment {
 public:
  /// Slices kept per queue; older ones are dropped (about 7 weeks of 30 min).
  static constexpr std::size_t max_slices = 2400;

  experiment() = default;
  experiment(std::string tenant, experiment_config config)
    : tenant_(std::move(tenant)), config_(config) {}

  bool on() const { return config_.slice > 0; }
  const experiment_config& config() const { return config_; }
  /// The slice `now` falls in (-1 when off).
  std::int64_t slice_of(time_ms now) const;
  /// True when `queue` is routed by `profile` in `slice`, false for the baseline.
  bool treated(std::string_view queue, std::int64_t slice) const;
  /// One outcome of an offer made in `slice` of `queue`, under the arm `treated`.
  void record(std::string_view queue, std::int64_t slice, bool treated, bool resolved);
  /// Every queue's comparison, by queue id.
  std::vector<experiment_report> report() const;
  /// All queues together (queue "*"): each queue's slice is a unit of its own.
  experiment_report overall() const;

 private:
  struct cell {
    std::uint64_t n = 0;
    std::uint64_t resolved = 0;
  };
  using slices = std::map<std::int64_t, std::array<cell, 2>>;

  std::string tenant_;
  experiment_config config_;
  std::map<std::string, slices, std::less<>> queues_;
};

/// The 97.5% quantile of Student's t with `df` degrees of freedom (1.96 beyond 30).
double t_quantile_975(std::uint64_t df);

}  // namespace switchboard::engine
