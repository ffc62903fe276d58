#include "net/internal/log_throttle.h"

namespace switchboard::net::internal {

log_throttle::log_throttle(std::shared_ptr<spdlog::logger> log,
                           std::shared_ptr<const engine::clock> clock, std::uint32_t per_second)
  : log_(std::move(log)), clock_(std::move(clock)), per_second_(per_second) {}

log_throttle::~log_throttle() {
  std::lock_guard lock{mu_};
  for (auto& [kind, w] : kinds_)
    summarise(kind, w);
}

bool log_throttle::log(spdlog::level::level_enum level, std::string_view kind,
                       std::string_view line) {
  std::lock_guard lock{mu_};
  auto now = clock_->steady();
  auto it = kinds_.find(kind);
  if (it == kinds_.end())
    it = kinds_.emplace(std::string{kind}, window{now, 0, 0}).first;
  auto& w = it->second;
  if (now - w.start >= std::chrono::seconds(1)) {
    summarise(kind, w);
    w = window{now, 0, 0};
  }
  if (w.written >= per_second_) {
    ++w.suppressed;
    ++suppressed_total_;
    return false;
  }
  ++w.written;
  log_->log(level, "{}", line);
  return true;
}

std::uint64_t log_throttle::suppressed() const {
  std::lock_guard lock{mu_};
  return suppressed_total_;
}

void log_throttle::summarise(std::string_view kind, window& w) {
  if (w.suppressed == 0)
    return;
  log_->warn("suppressed {} similar lines ({})", w.suppressed, kind);
  w.suppressed = 0;
}

}  // namespace switchboard::net::internal
