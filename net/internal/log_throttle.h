#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <spdlog/logger.h>
#include <string>
#include <string_view>

#include "engine/clock.h"

namespace switchboard::net::internal {

/// Rate-limits the lines a flood of bad input would write: at most `per_second`
/// lines of one kind (`malformed_frame`, ...) in each one-second window, counted on
/// the injected clock's steady time. The lines over that are counted, not written;
/// the next line of that kind written after its window closed is preceded by one
/// `suppressed K similar lines (kind)` line, and so is the destruction of the
/// throttle. Owned by the edge's context; thread-safe (frames of all connections
/// arrive on every io thread). Kinds are a small fixed set (error code labels).
class log_throttle {
 public:
  /// `log` and `clock` must not be null. `per_second` 0 writes nothing but the
  /// summaries.
  log_throttle(std::shared_ptr<spdlog::logger> log, std::shared_ptr<const engine::clock> clock,
               std::uint32_t per_second);
  ~log_throttle();
  log_throttle(const log_throttle&) = delete;
  log_throttle& operator=(const log_throttle&) = delete;

  /// Writes `line` at `level` unless `kind` has used up this second's lines.
  /// Returns whether the line was written.
  bool log(spdlog::level::level_enum level, std::string_view kind, std::string_view line);

  /// Lines left out so far, all kinds together.
  [[nodiscard]] std::uint64_t suppressed() const;

 private:
  struct window {
    std::chrono::microseconds start{0};
    std::uint32_t written = 0;
    std::uint64_t suppressed = 0;  ///< in this window, not yet summarised
  };
  void summarise(std::string_view kind, window& w);

  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const engine::clock> clock_;
  const std::uint32_t per_second_;
  mutable std::mutex mu_;
  std::map<std::string, window, std::less<>> kinds_;  ///< guarded by mu_
  std::uint64_t suppressed_total_ = 0;                ///< guarded by mu_
};

}  // namespace switchboard::net::internal
