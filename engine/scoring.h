#pragma once

#include "engine/agent.h"
#include "engine/contact.h"
#include "engine/learned_stats.h"

namespace switchboard::engine {

/// The named, explainable terms of a (contact, agent) score, each in 0..1, and the
/// total the policy ranks by.
struct score_terms {
  double skill = 0;     ///< mean proficiency on the queue's skills (or the intent's)
  double affinity = 0;  ///< 1: dedicated account manager; 0.5: last agent
  double value = 0;     ///< the pairing's expected value under the objective (`pairing_value`)
  double fairness = 0;  ///< idle time and low occupancy of the agent
  double aging = 0;     ///< the contact's waiting time against the SL threshold
  double total = 0;     ///< what the policy ranks by (see `score_pair`)
};

/// Everything a score needs besides the pair; all references outlive the call.
struct score_inputs {
  const queue_config& queue;
  const customer_profile* customer;  ///< null when unknown
  const learned_stats& learned;
  const score_weights& weights;
  const objective_weights& objective;
  time_ms now;
  /// The pair's outcome estimate when the caller keeps one (the routing domain's
  /// Thompson draws); null: the learned posterior means.
  const outcome_estimate* estimate;
  /// The contact's complaint risk (`complaint_risk` of its path); negative: the
  /// customer profile's own.
  double risk;
};

/// Customer value in 0..1 from tier (0..5) and ARPU.
double customer_value(const customer_profile* c);

/// Computes every term; `total` depends on the policy:
/// longest_idle: agent idle seconds; skills: the skill term; profile: the weighted sum.
score_terms score_pair(const contact& c, const agent_profile& a, const agent_runtime& rt,
                       const score_inputs& in, policy_kind policy);

/// Ranks two candidates of the same policy: true when `a` should be preferred to
/// `b`. Ties fall to the longer-idle agent.
bool better(const score_terms& a, time_ms a_idle, const score_terms& b, time_ms b_idle);

}  // namespace switchboard::engine
