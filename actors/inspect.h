#pragma once

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>
#include <cstdint>

#include "engine/contact.h"
#include "engine/journal.h"
#include "engine/profiles.h"
#include "engine/routing_domain.h"

/// `inspect` overloads that let engine records travel in CAF messages (and across
/// nodes). Found by ADL, so they live in the engine's namespace, but only actors/
/// includes them: engine/ itself stays free of CAF.
namespace switchboard::engine {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, score_weights& x) {
  return f(caf::meta::type_name("score_weights"), x.skill, x.affinity, x.value, x.fairness,
           x.aging);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_config& x) {
  return f(caf::meta::type_name("tenant_config"), x.id, x.name, x.default_policy,
           x.ring_no_answer_limit, x.decline_cooldown, x.weights);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, skill_requirement& x) {
  return f(caf::meta::type_name("skill_requirement"), x.skill, x.min_proficiency);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, overflow_step& x) {
  return f(caf::meta::type_name("overflow_step"), x.after, x.min_proficiency, x.admit_crowd,
           x.move_to_queue);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_config& x) {
  return f(caf::meta::type_name("queue_config"), x.tenant, x.id, x.name, x.skills, x.languages,
           x.channel_mask, x.admit_crowd, x.priority, x.sl_target, x.sl_threshold, x.max_waiting,
           x.max_wait, x.overflow, x.offer_timeout, x.policy);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_skill& x) {
  return f(caf::meta::type_name("agent_skill"), x.name, x.proficiency);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_capacity& x) {
  return f(caf::meta::type_name("channel_capacity"), x.max, x.exclusive);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_profile& x) {
  return f(caf::meta::type_name("agent_profile"), x.tenant, x.id, x.name, x.skills, x.languages,
           x.capacity, x.level, x.remote, x.tips);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_item& x) {
  return f(caf::meta::type_name("history_item"), x.at, x.ch, x.intent, x.agent, x.resolved);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, customer_profile& x) {
  // CAF 0.17 has no std::optional support: carry the channel as an int, -1 for none.
  std::int16_t preferred = x.preferred_channel ? static_cast<std::int16_t>(*x.preferred_channel) : -1;
  auto restore = caf::meta::load_callback([&]() -> caf::error {
    if (preferred < 0)
      x.preferred_channel.reset();
    else
      x.preferred_channel = static_cast<channel>(preferred);
    return caf::none;
  });
  return f(caf::meta::type_name("customer_profile"), x.tenant, x.id, x.tier, x.arpu, x.segments,
           x.language, x.region, x.account_manager, x.last_agent, x.history, x.complaint_risk,
           x.churn_risk, x.purchase_intents, preferred, restore);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outcome& x) {
  return f(caf::meta::type_name("outcome"), x.resolved, x.sale, x.sale_amount, x.csat,
           x.complaint, x.disposition, x.notes, x.tip);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outcome_stats& x) {
  return f(caf::meta::type_name("outcome_stats"), x.handled, x.resolved, x.sales, x.csat_sum,
           x.csat_count, x.handle_ms_sum);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, learned_record& x) {
  return f(caf::meta::type_name("learned_record"), x.agent, x.intent, x.segment, x.stats);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, contact& x) {
  return f(caf::meta::type_name("contact"), x.tenant, x.id, x.customer, x.ch, x.intent,
           x.language, x.priority, x.queue, x.attached, x.journey, x.state, x.created_at,
           x.enqueued_at, x.seq, x.agent, x.last_declined_by, x.offers, x.segment);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, score_terms& x) {
  return f(caf::meta::type_name("score_terms"), x.skill, x.affinity, x.value, x.fairness,
           x.aging, x.total);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, candidate& x) {
  return f(caf::meta::type_name("candidate"), x.agent, x.terms, x.rejected);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routing_decision& x) {
  return f(caf::meta::type_name("routing_decision"), x.contact, x.queue, x.agent, x.policy,
           x.step, x.at, x.considered, x.agent_triggered, x.candidates);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_snapshot& x) {
  return f(caf::meta::type_name("queue_snapshot"), x.id, x.waiting, x.offered,
           x.oldest_enqueued_at, x.agents_ready, x.agents_staffed);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_snapshot& x) {
  return f(caf::meta::type_name("agent_snapshot"), x.id, x.state, x.load, x.occupancy);
}

}  // namespace switchboard::engine
