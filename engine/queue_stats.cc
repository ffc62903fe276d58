#include "engine/queue_stats.h"

#include <algorithm>

namespace switchboard::engine {

namespace {
// Handle time assumed before any contact completed. Default: 3 min.
constexpr double default_handle_ms = 180'000.0;
}  // namespace

double service_level(double answered_within, double answered_or_abandoned) {
  return answered_or_abandoned > 0 ? answered_within / answered_or_abandoned : 1.0;
}

void queue_stats::on_answered(time_ms waited) {
  ++answered_;
  if (waited <= threshold_)
    ++answered_in_sl_;
  wait_sum_ms_ += static_cast<double>(waited);
}

void queue_stats::on_abandoned(time_ms) {
  ++abandoned_;
}

void queue_stats::on_completed(time_ms handle_ms) {
  ++completed_;
  handle_sum_ms_ += static_cast<double>(handle_ms);
}

double queue_stats::service_level() const {
  return engine::service_level(static_cast<double>(answered_in_sl_),
                               static_cast<double>(answered_ + abandoned_));
}

double queue_stats::average_speed_of_answer_ms() const {
  return answered_ == 0 ? 0.0 : wait_sum_ms_ / static_cast<double>(answered_);
}

double queue_stats::average_handle_ms() const {
  return completed_ == 0 ? default_handle_ms : handle_sum_ms_ / static_cast<double>(completed_);
}

time_ms queue_stats::estimated_wait(std::int64_t position, std::size_t agents) const {
  if (position < 0)
    return 0;
  auto servers = static_cast<double>(std::max<std::size_t>(1, agents));
  return static_cast<time_ms>(average_handle_ms() * static_cast<double>(position + 1) / servers);
}

}  // namespace switchboard::engine
