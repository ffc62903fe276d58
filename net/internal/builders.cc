#include "net/internal/builders.h"

#include "storage/codecs.h"

namespace switchboard::net::internal {

pb::StatsUpdate stats_update(const tenant_stats& s, engine::time_ms at) {
  pb::StatsUpdate u;
  u.set_tenant(s.tenant);
  u.set_at_ms(at);
  for (const auto& q : s.queues) {
    auto* m = u.add_queues();
    m->set_queue(q.id);
    m->set_waiting(q.waiting);
    m->set_longest_wait_ms(q.longest_wait_ms);
    m->set_estimated_wait_ms(q.ewt_ms);
    m->set_service_level(q.service_level);
    m->set_answered(q.answered);
    m->set_abandoned(q.abandoned);
    auto ended = q.answered + q.abandoned;
    m->set_abandonment_rate(ended > 0 ? static_cast<double>(q.abandoned) / static_cast<double>(ended)
                                      : 0.0);
    m->set_agents_ready(q.agents_ready);
    m->set_agents_staffed(q.agents_staffed);
    m->set_offered(q.offered);
    m->set_asa_ms(q.asa_ms);
  }
  for (const auto& a : s.agents) {
    auto* m = u.add_agents();
    m->set_agent(a.id);
    m->set_state(std::string{engine::to_string(a.state)});
    m->set_load(a.load);
    m->set_occupancy(a.occupancy);
  }
  u.set_routed(s.routed);
  u.set_completed(s.completed);
  u.set_abandoned(s.abandoned);
  u.set_waiting(s.waiting);
  u.set_service_level(s.service_level);
  for (const auto& a : s.alerts) {
    auto* m = u.add_alerts();
    m->set_contact_id(a.contact);
    m->set_customer_id(a.customer);
    m->set_queue(a.queue);
    m->set_at_ms(a.at);
    m->set_risk(a.risk);
    m->set_reasons(a.reasons);
  }
  u.set_alerts_raised(s.alerts_raised);
  for (const auto& e : s.experiments) {
    auto* m = u.add_comparisons();
    m->set_queue(e.queue);
    m->set_baseline(storage::to_proto(e.baseline));
    m->set_baseline_slices(e.slices[0]);
    m->set_profile_slices(e.slices[1]);
    m->set_baseline_contacts(e.contacts[0]);
    m->set_profile_contacts(e.contacts[1]);
    m->set_baseline_resolution(e.resolution[0]);
    m->set_profile_resolution(e.resolution[1]);
    m->set_uplift(e.uplift);
    m->set_uplift_low(e.low);
    m->set_uplift_high(e.high);
    m->set_enough(e.enough);
  }
  u.set_batch_offers(s.batch_offers);
  u.set_guarded_offers(s.guarded_offers);
  return u;
}

pb::AgentStats agent_stats(const agent_info& a) {
  pb::AgentStats m;
  m.set_agent(a.profile.id);
  m.set_level(storage::to_proto(a.profile.level));
  m.set_tips(a.profile.tips);
  m.set_handled(a.totals.handled);
  m.set_resolved(a.totals.resolved);
  m.set_csat_average(a.totals.csat_count > 0
                       ? a.totals.csat_sum / static_cast<double>(a.totals.csat_count)
                       : 0.0);
  m.set_state(std::string{engine::to_string(a.state)});
  m.set_load(a.load);
  return m;
}

pb::ContactUpdate contact_update(const event& e) {
  pb::ContactUpdate u;
  u.set_contact_id(e.contact);
  u.set_state(storage::to_proto(e.state));
  u.set_event(std::string{engine::to_string(e.type)});
  u.set_queue(e.queue);
  u.set_detail(e.detail);
  u.set_position(-1);
  // The agent is named once the customer is with them, not while it rings.
  if (e.state == engine::contact_state::connected || e.state == engine::contact_state::wrap_up ||
      e.state == engine::contact_state::completed)
    u.set_agent(e.agent);
  return u;
}

}  // namespace switchboard::net::internal
