#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/internal/string_map.h"
#include "engine/profiles.h"

namespace switchboard::engine {

/// One learned-statistics record: an agent's outcomes for an (intent, segment).
struct learned_record {
  std::string agent;
  std::string intent;
  std::string segment;
  outcome_stats stats;
};

/// Per (agent, intent, segment) outcome statistics, with shrinkage: a rate for a
/// cell with few observations leans on the agent's rate for the intent, which
/// leans on a neutral prior. Confined to its owner (the tenant's recommender).
class learned_stats {
 public:
  /// Pseudo-observations pulling a cell toward its parent. Default: 5.
  static constexpr double shrinkage = 5.0;
  /// Rate assumed with no observations at all.
  static constexpr double prior = 0.5;

  /// Records one handled contact; returns the updated cell.
  const learned_record& record(std::string_view agent, std::string_view intent,
                               std::string_view segment, const outcome& o,
                               time_ms handle_ms);
  /// A customer's rating that came after the outcome was recorded (within the
  /// rating window): counts in the cell's and the intent's CSAT, nothing else.
  const learned_record& add_rating(std::string_view agent, std::string_view intent,
                                   std::string_view segment, int csat);
  /// Loads a persisted cell (recovery).
  void restore(const learned_record& r);
  /// Shrunk resolution rate, 0..1.
  double resolution_rate(std::string_view agent, std::string_view intent,
                         std::string_view segment) const;
  const outcome_stats* find(std::string_view agent, std::string_view intent,
                            std::string_view segment) const;
  std::vector<learned_record> all() const;
  std::size_t size() const { return cells_.size(); }

 private:
  static std::string key(std::string_view agent, std::string_view intent,
                         std::string_view segment);
  /// The cell of (agent, intent, segment) and the intent's parent, made if missing.
  learned_record& cell(std::string_view agent, std::string_view intent, std::string_view segment);
  outcome_stats& parent(std::string_view agent, std::string_view intent);
  // Keys are `agent \0 intent \0 segment` (cells) and `agent \0 intent` (parents);
  // lookups build them on the stack (see `with_key`) and find by view.
  internal::string_map<learned_record> cells_;
  internal::string_map<outcome_stats> by_intent_;
};

}  // namespace switchboard::engine
