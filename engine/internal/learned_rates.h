#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/internal/string_map.h"

namespace switchboard::engine::internal {

/// Dense ids for strings (intents, segments), so the routing hot path keys by
/// integer. Holds at most `capacity` strings: ids come from contacts, i.e. from
/// outside, and must not grow without bound; past that, `id` returns `none` and
/// the caller takes its string-keyed path. Confined to the routing_domain owning it.
class interner {
 public:
  static constexpr std::uint32_t none = ~std::uint32_t{0};
  /// Distinct strings interned at most. Default: 4096.
  static constexpr std::size_t capacity = 4096;

  /// The id of `s`, interning it when new; `none` when full.
  std::uint32_t id(std::string_view s) {
    if (auto i = ids_.find(s); i != ids_.end())
      return i->second;
    if (ids_.size() >= capacity)
      return none;
    auto n = static_cast<std::uint32_t>(ids_.size());
    ids_.emplace(std::string{s}, n);
    return n;
  }

 private:
  string_map<std::uint32_t> ids_;
};

/// Memoized learned resolution rates per (agent slot, intent id, segment id).
/// A rate is a pure function of the learned statistics, so a cached value is the
/// one `learned_stats::resolution_rate` would return, as long as the owner calls
/// `forget` whenever an (agent, intent) records an outcome (its parent cell, hence
/// every segment's rate, changes) and `clear` when cells are restored.
class rate_cache {
 public:
  /// The rate of (agent, intent, segment), from `compute()` on a miss. Ids equal
  /// to `interner::none` are not cached.
  template <class Compute>
  double get(std::uint32_t agent, std::uint32_t intent, std::uint32_t segment,
             Compute&& compute) {
    if (intent == interner::none || segment == interner::none)
      return compute();
    if (agent >= rates_.size())
      rates_.resize(agent + 1);
    auto& by_intent = rates_[agent];
    if (intent >= by_intent.size())
      by_intent.resize(intent + 1);
    auto& cells = by_intent[intent];
    for (const auto& c : cells)
      if (c.segment == segment)
        return c.rate;
    double rate = compute();
    cells.push_back({segment, rate});
    return rate;
  }

  /// Forgets an agent's rates for an intent: one of its outcomes was recorded.
  void forget(std::uint32_t agent, std::uint32_t intent) {
    if (agent < rates_.size() && intent < rates_[agent].size())
      rates_[agent][intent].clear();
  }

  void clear() { rates_.clear(); }

 private:
  struct cell {
    std::uint32_t segment;
    double rate;
  };
  std::vector<std::vector<std::vector<cell>>> rates_;  // [agent][intent] -> segments
};

}  // namespace switchboard::engine::internal
