#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/internal/string_map.h"
#include "engine/learned_stats.h"

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

/// Memoized outcome estimates per (agent slot, intent id, segment id): the draws
/// (Thompson sampling) the `profile` policy ranks by. A draw is kept until the
/// owner calls `forget` for the (agent, intent) that recorded an outcome (its cell
/// changed: a new draw from the new posterior), or `clear` (cells restored, or
/// every so many outcomes of the tenant, as the cohorts' and the tenant's rates
/// that the priors lean on move).
class estimate_cache {
 public:
  /// The estimate of (agent, intent, segment), from `compute()` on a miss. Ids
  /// equal to `interner::none` are not cached.
  template <class Compute>
  const outcome_estimate& get(std::uint32_t agent, std::uint32_t intent, std::uint32_t segment,
                              Compute&& compute) {
    if (intent == interner::none || segment == interner::none) {
      scratch_ = compute();
      return scratch_;
    }
    if (agent >= cells_.size())
      cells_.resize(agent + 1);
    auto& by_intent = cells_[agent];
    if (intent >= by_intent.size())
      by_intent.resize(intent + 1);
    auto& cells = by_intent[intent];
    for (const auto& c : cells)
      if (c.segment == segment)
        return c.estimate;
    cells.push_back({segment, compute()});
    return cells.back().estimate;
  }

  /// Forgets an agent's estimates for an intent: one of its outcomes was recorded.
  void forget(std::uint32_t agent, std::uint32_t intent) {
    if (agent < cells_.size() && intent < cells_[agent].size())
      cells_[agent][intent].clear();
  }

  void clear() { cells_.clear(); }

 private:
  struct cell {
    std::uint32_t segment;
    outcome_estimate estimate;
  };
  std::vector<std::vector<std::vector<cell>>> cells_;  // [agent][intent] -> segments
  outcome_estimate scratch_;
};

}  // namespace switchboard::engine::internal
