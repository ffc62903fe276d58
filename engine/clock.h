#pragma once

#include <atomic>
#include <chrono>

#include "engine/types.h"

namespace switchboard::engine {

/// Source of time, injected so tests and the simulator run in virtual time. Two
/// reads, never mixed:
/// - `wall()`: milliseconds since the Unix epoch. Stored in records (enqueue
///   times, deadlines, token expiry), so it survives restarts and is comparable
///   across nodes; it may jump when the host's clock is set.
/// - `steady()`: microseconds from an arbitrary origin that never goes back. For
///   durations inside one process only (rates, latencies, token buckets).
class clock {
 public:
  virtual ~clock() = default;
  virtual time_ms wall() const = 0;
  virtual std::chrono::microseconds steady() const = 0;
};

/// The host's clocks: `std::chrono::system_clock` and `std::chrono::steady_clock`.
class system_clock final : public clock {
 public:
  time_ms wall() const override;
  std::chrono::microseconds steady() const override;
};

/// A clock that moves only when told to; thread-safe. Both reads move together
/// (steady() is wall() in microseconds), and `set` must not move it backwards
/// in a test that relies on steady().
class manual_clock final : public clock {
 public:
  explicit manual_clock(time_ms start = 0) : now_(start) {}
  time_ms wall() const override { return now_.load(); }
  std::chrono::microseconds steady() const override {
    return std::chrono::milliseconds(now_.load());
  }
  void set(time_ms t) { now_.store(t); }
  void advance(time_ms d) { now_.fetch_add(d); }

 private:
  std::atomic<time_ms> now_;
};

}  // namespace switchboard::engine
