// The profile signals of routing_domain: the complaint risk of a contact's path
// and the alerts it raises, the policy a queue routes by under the live on/off
// comparison, and the count of logged-in agents per team (the hold for a VIP's
// manager's team). Matching is in routing_domain_match.cc, the bookkeeping in
// routing_domain.cc.
#include "engine/routing_domain.h"

namespace switchboard::engine {

std::optional<risk_factors> routing_domain::risk_of(std::string_view contact, time_ms now) const {
  auto i = by_contact_.find(contact);
  if (i == by_contact_.end())
    return std::nullopt;
  const auto& t = contacts_[i->second];
  return complaint_risk(find_customer(t.c.customer), t.c, now,
                        queues_[t.queue].config.sl_threshold, tenant_.repeat_window);
}

std::vector<risk_alert> routing_domain::take_alerts() {
  std::vector<risk_alert> out;
  out.swap(alerts_);
  return out;
}

void routing_domain::raise_alert(slot h, time_ms now) {
  if (tenant_.complaint_alert <= 0)
    return;
  const auto& t = contacts_[h];
  auto r = complaint_risk(find_customer(t.c.customer), t.c, now,
                          queues_[t.queue].config.sl_threshold, tenant_.repeat_window);
  if (r.risk < tenant_.complaint_alert)
    return;
  if (alerts_.size() >= max_pending_alerts)
    alerts_.erase(alerts_.begin());
  alerts_.push_back(risk_alert{t.c.id, t.c.customer, t.c.queue, now, r.risk,
                               describe(r, tenant_.repeat_window)});
}

std::optional<policy_kind> routing_domain::policy_at(std::string_view queue, time_ms now) const {
  auto q = queue_slot(queue);
  if (q == no_slot)
    return std::nullopt;
  return policy_of(queues_[q], now);
}

policy_kind routing_domain::policy_of(const queue_entry& q, time_ms now) const {
  if (q.config.policy != policy_kind::profile || !experiment_.on())
    return q.config.policy;
  return experiment_.treated(q.config.id, experiment_.slice_of(now)) ? policy_kind::profile
                                                                     : experiment_.config().baseline;
}

void routing_domain::count_team(const std::string& team, int delta) {
  if (team.empty())
    return;
  auto i = team_online_.find(team);
  if (delta > 0) {
    if (i == team_online_.end())
      team_online_.emplace(team, 1u);
    else
      ++i->second;
  } else if (i != team_online_.end()) {
    if (i->second <= 1)
      team_online_.erase(i);
    else
      --i->second;
  }
}

}  // namespace switchboard::engine
