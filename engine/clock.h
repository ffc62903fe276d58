#pragma once

#include <atomic>

#include "engine/types.h"

namespace switchboard::engine {

/// Source of time, injected so tests and the simulator run in virtual time.
class clock {
 public:
  virtual ~clock() = default;
  /// Current time in milliseconds; monotonic for a given clock.
  virtual time_ms now() const = 0;
};

/// Wall-clock milliseconds since the Unix epoch (stored timestamps survive restarts).
class system_clock final : public clock {
 public:
  time_ms now() const override;
};

/// A clock that moves only when told to; thread-safe.
class manual_clock final : public clock {
 public:
  explicit manual_clock(time_ms start = 0) : now_(start) {}
  time_ms now() const override { return now_.load(); }
  void set(time_ms t) { now_.store(t); }
  void advance(time_ms d) { now_.fetch_add(d); }

 private:
  std::atomic<time_ms> now_;
};

}  // namespace switchboard::engine
