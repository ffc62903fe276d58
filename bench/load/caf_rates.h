#pragma once

#include <cstddef>
#include <cstdint>

/// The raw message rate of CAF on this machine, measured by the load mode beside the
/// engine's own lifecycle rate, so the two can be compared in one run.
namespace switchboard::bench {

struct caf_rates {
  /// Messages per second over `pairs` actor pairs bouncing one message each
  /// (every message is one mailbox enqueue + one behavior call).
  double ping_pong_per_s = 0;
  std::uint64_t ping_pong_messages = 0;
  std::size_t pairs = 0;
  /// Messages per second of one coordinator sending to `fan_out` workers and
  /// collecting their replies, round after round (requests + replies).
  double fan_out_per_s = 0;
  std::uint64_t fan_out_messages = 0;
  std::size_t fan_out = 0;
};

/// Runs both measurements in an actor system of its own with `threads` scheduler
/// threads (0: one per core), each for about `seconds` of wall time.
caf_rates measure_caf_rates(std::size_t threads, double seconds);

}  // namespace switchboard::bench
