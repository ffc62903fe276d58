#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/modes.h"
#include "bench/scenario/scenario.h"
#include "bench/sim/random.h"
#include "engine/contact.h"
#include "engine/profiles.h"
#include "engine/types.h"

/// What the simulator's files share (bench/sim only): constants, the counters
/// summed over replications, progress, and the checked `plan` of a scenario.
namespace switchboard::bench::sim {

using engine::time_ms;

inline constexpr std::string_view tenant_id = "sim";
/// An agent set away after too many unanswered offers comes back after this long.
inline constexpr time_ms away_pause_ms = 60'000;
/// At most this many points per replication's time series (the interval grows).
inline constexpr double max_series_points = 2000;
/// Progress is reported every this many events.
inline constexpr std::uint64_t progress_every = 1u << 16;

inline time_ms to_ms(double s) {
  return static_cast<time_ms>(std::llround(s * 1000.0));
}


/// CPU time of the calling thread, seconds.
double thread_cpu_s();

/// Counters beyond the report's standard metrics, summed over replications and
/// reported as figures (they let tests and readers check overflow, crowd and VIP
/// behaviour of the engine).
struct extra_counts {
  std::uint64_t contacts = 0;                 ///< arrivals incl. warmup
  std::uint64_t events = 0;
  std::uint64_t offers = 0;
  std::uint64_t expired_offers = 0;
  std::uint64_t blocked = 0;                  ///< queue full at arrival
  std::uint64_t timed_out = 0;                ///< queue max wait reached
  std::uint64_t overflow_moves = 0;
  std::uint64_t served_in_other_queue = 0;    ///< answered from a queue moved to
  std::uint64_t served_under_step = 0;        ///< answered under an overflow step
  std::uint64_t crowd_served = 0;
  std::uint64_t crowd_before_admission = 0;   ///< must stay 0: the engine gates the crowd
  std::uint64_t manager_contacts = 0;         ///< answered contacts of customers with a manager
  std::uint64_t manager_reached = 0;          ///< ... answered by that manager

  /// Adds every counter of `o`.
  void add(const extra_counts& o);
};

/// Reports virtual-time progress across all replications and policies.
struct progress_tracker {
  const progress_fn* fn = nullptr;
  double done_before = 0;  ///< virtual seconds of finished replications
  double total = 0;

  void report(double now_s) const {
    if (fn != nullptr && *fn)
      (*fn)(done_before + now_s, total);
  }
};

/// Everything of a scenario that does not change between replications, checked
/// and precomputed once.
struct plan {
  struct queue_plan {
    engine::queue_config config;
    time_ms crowd_admission = -1;  ///< waiting time from which the crowd may serve; -1 never
    time_ms first_deadline = -1;   ///< first overflow step or max wait of a new contact
  };
  struct type_plan {
    engine::contact tmpl;
    std::uint32_t queue = 0;
    std::vector<double> rate_per_s;          ///< per period
    std::vector<duration_sampler> handle;    ///< per period
    std::vector<duration_sampler> patience;  ///< per period
    std::vector<duration_sampler> wrap;      ///< per period
    std::vector<double> segment_cdf;         ///< cumulative shares
  };

  const scenario* s = nullptr;
  std::vector<double> period_start_s;
  double day_s = 0;
  double horizon_s = 0;
  double sample_every_s = 60;
  std::vector<queue_plan> queues;
  std::vector<type_plan> types;
  std::vector<int> manager_group;  ///< per segment, -1 when none
  /// outcome[group][type][segment]: the hidden true outcome rates drawn from.
  std::vector<std::vector<std::vector<true_outcome>>> outcome;
};

/// Checks `s` and precomputes what every replication uses.
engine::result<plan> make_plan(const scenario& s);

}  // namespace switchboard::bench::sim
