#include "engine/scoring.h"

#include <algorithm>

namespace switchboard::engine {

namespace {

// Scales of the saturating terms: x / (x + scale) is 0.5 at x == scale.
constexpr double arpu_scale = 100.0;
constexpr double idle_scale_ms = 60'000.0;

double skill_term(const contact& c, const agent_profile& a, const queue_config& q) {
  if (q.skills.empty()) {
    auto p = c.intent.empty() ? -1 : a.proficiency(c.intent);
    return p < 0 ? 0.0 : p / static_cast<double>(max_proficiency);
  }
  double sum = 0;
  for (const auto& req : q.skills)
    sum += std::max(0, a.proficiency(req.skill));
  return sum / (static_cast<double>(max_proficiency) * static_cast<double>(q.skills.size()));
}

double affinity_term(const agent_profile& a, const customer_profile* cust) {
  if (cust == nullptr)
    return 0;
  if (!cust->account_manager.empty() && cust->account_manager == a.id)
    return 1.0;
  if (!cust->last_agent.empty() && cust->last_agent == a.id)
    return 0.5;
  return 0;
}

}  // namespace

double customer_value(const customer_profile* c) {
  if (c == nullptr)
    return 0.25;
  double tier = std::clamp(c->tier, 0, 5) / 5.0;
  double arpu = c->arpu / (c->arpu + arpu_scale);
  return 0.5 * tier + 0.5 * arpu;
}

score_terms score_pair(const contact& c, const agent_profile& a, const agent_runtime& rt,
                       const score_inputs& in, policy_kind policy) {
  score_terms t;
  t.skill = skill_term(c, a, in.queue);
  t.affinity = affinity_term(a, in.customer);
  // The segment completion records under (routing_domain::complete): the contact's
  // own, else the customer's primary one, else "default".
  auto segment = !c.segment.empty() ? std::string_view{c.segment}
                 : in.customer      ? in.customer->primary_segment()
                                    : std::string_view{"default"};
  auto est = in.estimate ? *in.estimate : in.learned.estimate(a.id, c.intent, segment);
  customer_signals signals{customer_value(in.customer),
                           in.risk >= 0       ? in.risk
                           : in.customer      ? in.customer->complaint_risk
                                              : 0.0,
                           in.customer != nullptr && !in.customer->purchase_intents.empty()};
  t.value = pairing_value(est, in.objective, signals, est.typical_handle_ms);
  auto idle = static_cast<double>(rt.idle_ms(in.now));
  t.fairness = 0.5 * (1.0 - occupancy(a, rt)) + 0.5 * idle / (idle + idle_scale_ms);
  auto waited = static_cast<double>(std::max<time_ms>(0, in.now - c.enqueued_at));
  auto threshold = static_cast<double>(std::max<time_ms>(1, in.queue.sl_threshold));
  t.aging = waited / (waited + threshold);
  switch (policy) {
    case policy_kind::longest_idle: t.total = idle / 1000.0; break;
    case policy_kind::skills: t.total = t.skill; break;
    case policy_kind::profile: {
      const auto& w = in.weights;
      t.total = w.skill * t.skill + w.affinity * t.affinity + w.value * t.value +
                w.fairness * t.fairness + w.aging * t.aging;
      break;
    }
  }
  return t;
}

bool better(const score_terms& a, time_ms a_idle, const score_terms& b, time_ms b_idle) {
  if (a.total != b.total)
    return a.total > b.total;
  return a_idle > b_idle;
}

}  // namespace switchboard::engine
