#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

/// The load mode's per-contact bookkeeping, indexed by contact number. The driver
/// thread appends; the node's event thread and call-back threads read and update
/// slots. Slots never move (fixed-size chunks), so no lock is needed to reach one.
namespace switchboard::bench {

class live_table {
 public:
  static constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
  enum state_t : std::uint8_t { waiting, offered, connected, done };

  struct slot {
    std::atomic<std::int64_t> submitted_ns{0};  ///< since the run's start
    std::atomic<std::uint8_t> state{waiting};
    bool offered_once = false;  ///< event thread only
    std::uint32_t type = 0;
    std::uint32_t segment = 0;
  };

  live_table() : chunks_(max_chunks) {}

  /// Driver thread: the slot of contact `n`, which must be the next number.
  slot& add(std::uint64_t n) {
    auto c = n / chunk_size;
    if (!chunks_.at(c))
      chunks_[c] = std::make_unique<std::array<slot, chunk_size>>();
    size_.store(n + 1, std::memory_order_release);
    return (*chunks_[c])[n % chunk_size];
  }
  bool has(std::uint64_t n) const { return n < size_.load(std::memory_order_acquire); }
  slot& at(std::uint64_t n) { return (*chunks_[n / chunk_size])[n % chunk_size]; }

 private:
  static constexpr std::uint64_t chunk_size = 1 << 16;
  static constexpr std::uint64_t max_chunks = 1 << 16;  ///< 4G contacts per run
  std::vector<std::unique_ptr<std::array<slot, chunk_size>>> chunks_;
  std::atomic<std::uint64_t> size_{0};
};

}  // namespace switchboard::bench
