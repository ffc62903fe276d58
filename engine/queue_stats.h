#pragma once

#include <cstdint>

#include "engine/types.h"

namespace switchboard::engine {

/// The service level, the one definition used by the live statistics (per queue and
/// per tenant) and the simulator, as docs/protocol.md states it: contacts answered
/// within the threshold over all contacts answered or abandoned. Every abandonment
/// counts against it, within the threshold or after. 1 before any contact was
/// answered or abandoned (nothing has missed the target yet). Takes doubles so a
/// weighted total over queues goes through it too.
double service_level(double answered_within, double answered_or_abandoned);

/// Service statistics of one queue since start: answered within the service-level
/// threshold, abandoned, average speed of answer and handle time. Confined to its
/// owner (the queue actor).
class queue_stats {
 public:
  explicit queue_stats(time_ms sl_threshold = 20000) : threshold_(sl_threshold) {}
  void set_threshold(time_ms t) { threshold_ = t; }

  void on_enqueued() { ++entered_; }
  void on_answered(time_ms waited);
  /// Every abandonment counts against the service level, whatever the wait.
  void on_abandoned(time_ms waited);
  void on_completed(time_ms handle_ms);
  void on_offer_expired() { ++offers_expired_; }

  std::uint64_t entered() const { return entered_; }
  std::uint64_t answered() const { return answered_; }
  std::uint64_t abandoned() const { return abandoned_; }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t offers_expired() const { return offers_expired_; }
  /// `engine::service_level` of this queue: answered within the threshold over
  /// (answered + abandoned).
  double service_level() const;
  std::uint64_t answered_within_threshold() const { return answered_in_sl_; }
  double average_speed_of_answer_ms() const;
  double average_handle_ms() const;
  /// Estimated wait of a contact at 0-based `position` with `agents` serving.
  time_ms estimated_wait(std::int64_t position, std::size_t agents) const;

 private:
  time_ms threshold_;
  std::uint64_t entered_ = 0;
  std::uint64_t answered_ = 0;
  std::uint64_t answered_in_sl_ = 0;
  std::uint64_t abandoned_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t offers_expired_ = 0;
  double wait_sum_ms_ = 0;
  double handle_sum_ms_ = 0;
};

}  // namespace switchboard::engine
