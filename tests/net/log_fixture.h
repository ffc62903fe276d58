#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>

namespace switchboard::testing {

/// A spdlog sink that counts lines by level and keeps no text (tests count lines,
/// they do not read them).
class counting_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  /// Lines written at `level` so far.
  int lines(spdlog::level::level_enum level) const { return counts_[level].load(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& m) override { ++counts_[m.level]; }
  void flush_() override {}

 private:
  std::array<std::atomic<int>, spdlog::level::n_levels> counts_{};
};

/// A logger at `trace` writing into `sink`.
inline std::shared_ptr<spdlog::logger> counted_logger(std::shared_ptr<counting_sink> sink) {
  auto log = std::make_shared<spdlog::logger>("counted", std::move(sink));
  log->set_level(spdlog::level::trace);
  return log;
}

}  // namespace switchboard::testing
