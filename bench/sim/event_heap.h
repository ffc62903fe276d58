#pragma once

#include <cstdint>
#include <vector>

#include "engine/types.h"

/// The simulator's future event list: a binary min-heap keyed by (time, seq), so
/// events at the same virtual millisecond run in the order they were scheduled.
namespace switchboard::bench::sim {

/// What a scheduled event does; see sim.cc for each handler.
enum class event_kind : std::uint8_t {
  arrival,     ///< idx: contact type
  accept,      ///< idx: contact slot, gen, aux: offer id
  expire,      ///< idx: contact slot, gen, aux: offer id (ring-no-answer)
  handle_end,  ///< idx: contact slot, gen
  wrap_end,    ///< idx: contact slot, gen
  patience,    ///< idx: contact slot, gen
  staffing,    ///< idx: period index within the day, gen: day
  back,        ///< idx: agent, returns from away after ring-no-answer
  tick,        ///< the routing domain's next deadline (overflow, max wait)
  sample,      ///< time-series sample
};

struct event {
  engine::time_ms t = 0;
  std::uint64_t seq = 0;
  std::uint64_t aux = 0;
  std::uint32_t idx = 0;
  std::uint32_t gen = 0;
  event_kind kind = event_kind::arrival;
};

/// Binary heap over a reused vector: no allocation per event once it has grown.
class event_heap {
 public:
  bool empty() const { return v_.empty(); }
  std::size_t size() const { return v_.size(); }
  void clear() {
    v_.clear();
    seq_ = 0;
  }

  /// Schedules `e` at `e.t`; the sequence number is assigned here.
  void push(event e) {
    e.seq = seq_++;
    v_.push_back(e);
    auto i = v_.size() - 1;
    while (i > 0) {
      auto parent = (i - 1) / 2;
      if (!less(v_[i], v_[parent]))
        break;
      std::swap(v_[i], v_[parent]);
      i = parent;
    }
  }

  const event& top() const { return v_.front(); }

  event pop() {
    event out = v_.front();
    v_.front() = v_.back();
    v_.pop_back();
    std::size_t i = 0, n = v_.size();
    for (;;) {
      auto l = 2 * i + 1, r = l + 1, m = i;
      if (l < n && less(v_[l], v_[m]))
        m = l;
      if (r < n && less(v_[r], v_[m]))
        m = r;
      if (m == i)
        break;
      std::swap(v_[i], v_[m]);
      i = m;
    }
    return out;
  }

 private:
  static bool less(const event& a, const event& b) {
    return a.t != b.t ? a.t < b.t : a.seq < b.seq;
  }
  std::vector<event> v_;
  std::uint64_t seq_ = 0;
};

}  // namespace switchboard::bench::sim
