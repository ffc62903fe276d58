#pragma once

#include <cstdint>
#include <random>
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

/// What the model expects of one (agent, intent, segment): each outcome's rate or
/// mean, from the agent's record shrunk toward what the rest of the data says.
struct outcome_estimate {
  double resolution = 0.5;  ///< P(resolved)
  double sale = 0.1;        ///< P(sale)
  double sale_amount = 0;   ///< mean amount of a sale
  double csat = 0.75;       ///< mean rating on 0..1 ((CSAT - 1) / 4)
  double handle_ms = 0;     ///< mean handle time; 0: none seen anywhere yet
  double complaint = 0.05;  ///< P(complaint)
  double evidence = 0;      ///< contacts of the cell itself
  /// The cohort's mean handle time (`typical_handle_ms`), what `handle_ms` is
  /// weighed against.
  double typical_handle_ms = 0;
};

/// The learned outcome model: per (agent, intent, customer segment) counts of
/// resolution, sale (and amount), CSAT, handle time and complaint, updated from
/// every outcome, and estimates shrunk by empirical Bayes so that an agent with
/// three contacts is not judged on them:
///
/// - the prior mean of a cell is the cohort's rate (every agent, same intent and
///   segment) moved by the agent's own overall difference from the tenant's
///   (`cohort + agent - tenant`), each of these shrunk toward the tenant's rate
///   with `level_strength` pseudo-contacts;
/// - the prior's strength (pseudo-contacts) is fitted per cohort from how much
///   the agents' rates differ beyond binomial noise (method of moments on the
///   resolution rates, refitted every `refit_every` outcomes of the cohort): where
///   agents truly differ, a cell's own record counts sooner;
/// - `sample` draws rates from the posteriors (Beta) for Thompson sampling, so
///   that newcomers get offers and are learned.
///
/// Confined to its owner (the tenant's recommender).
class learned_stats {
 public:
  /// Neutral rates with no data at all.
  static constexpr double prior = 0.5;         ///< resolution
  static constexpr double sale_prior = 0.1;
  static constexpr double complaint_prior = 0.05;
  static constexpr double csat_prior = 0.75;   ///< on 0..1
  /// Pseudo-contacts of the tenant's, an agent's and a cohort's own rates.
  static constexpr double level_strength = 10.0;
  /// A cell's prior strength before its cohort can be fitted (fewer than 3 agents
  /// with 5 contacts each), and its bounds once fitted.
  static constexpr double default_strength = 20.0;
  static constexpr double min_strength = 2.0;
  static constexpr double max_strength = 500.0;
  /// Pseudo-contacts of the means (CSAT, handle time, sale amount).
  static constexpr double mean_strength = 5.0;
  static constexpr std::uint64_t refit_every = 32;

  /// Records one handled contact; returns the updated cell.
  const learned_record& record(std::string_view agent, std::string_view intent,
                               std::string_view segment, const outcome& o,
                               time_ms handle_ms);
  /// A customer's rating that came after the outcome was recorded (within the
  /// rating window): counts in the cell's CSAT, nothing else.
  const learned_record& add_rating(std::string_view agent, std::string_view intent,
                                   std::string_view segment, int csat);
  /// Loads a persisted cell (recovery); replaces the cell if it exists.
  void restore(const learned_record& r);

  /// The posterior means.
  [[nodiscard]] outcome_estimate estimate(std::string_view agent, std::string_view intent,
                                          std::string_view segment) const;
  /// Rates drawn from the posteriors (resolution, sale, complaint; the means as
  /// in `estimate`), for Thompson sampling.
  [[nodiscard]] outcome_estimate sample(std::string_view agent, std::string_view intent,
                                        std::string_view segment, std::mt19937_64& rng) const;
  /// `estimate(...).resolution`.
  [[nodiscard]] double resolution_rate(std::string_view agent, std::string_view intent,
                                       std::string_view segment) const;
  /// The cohort's mean handle time (the tenant's when the cohort has none; 0 when
  /// nothing was handled yet).
  [[nodiscard]] double typical_handle_ms(std::string_view intent, std::string_view segment) const;
  /// The prior strength fitted for a cohort (`default_strength` until it can be).
  [[nodiscard]] double strength(std::string_view intent, std::string_view segment) const;

  const outcome_stats* find(std::string_view agent, std::string_view intent,
                            std::string_view segment) const;
  std::vector<learned_record> all() const;
  std::size_t size() const { return cells_.size(); }

 private:
  struct cohort {
    outcome_stats stats;
    std::vector<std::string> cells;  ///< the keys of its cells in cells_ (copies stay right)
    double strength = default_strength;
    std::uint64_t handled_at_fit = 0;
  };
  /// Prior means of a cell (before its own record), and the prior strength.
  struct prior_means {
    outcome_estimate mean;
    double strength = default_strength;
  };

  static std::string key(std::string_view agent, std::string_view intent,
                         std::string_view segment);
  learned_record& cell(std::string_view agent, std::string_view intent, std::string_view segment);
  cohort& cohort_of(std::string_view intent, std::string_view segment);
  void add_everywhere(const learned_record& c, const outcome_stats& delta, int sign);
  void refit(cohort& c) const;
  prior_means prior_of(std::string_view agent, std::string_view intent,
                       std::string_view segment) const;
  outcome_estimate posterior(const prior_means& p, const outcome_stats* s) const;

  // Keys are `agent \0 intent \0 segment` (cells) and `intent \0 segment`
  // (cohorts); lookups build them on the stack (see `with_key`) and find by view.
  internal::string_map<learned_record> cells_;
  internal::string_map<cohort> cohorts_;
  internal::string_map<outcome_stats> agents_;
  outcome_stats total_;
};

/// What the objective weighs of the customer: its value (0..1,
/// `customer_value`), its complaint risk (0..1, `complaint_risk` of its path) and
/// whether it has a purchase intent.
struct customer_signals {
  double value = 0;
  double risk = 0;
  bool purchase = false;
};

/// The expected value of a pairing under the objective: what the `profile`
/// policy's value term is. `typical_handle_ms` is the cohort's typical handle
/// time (0: handle time is not weighed).
double pairing_value(const outcome_estimate& e, const objective_weights& w,
                     const customer_signals& c, double typical_handle_ms);

}  // namespace switchboard::engine
