// State and bookkeeping of routing_domain: definitions, the ready-agent indexes,
// agents, contacts, offers and service, views. Matching and the timed rules are in
// routing_domain_match.cc; the profile signals (complaint risk, alerts, the on/off
// arm, teams online) in routing_domain_signals.cc.
#include "engine/routing_domain.h"

#include <algorithm>

namespace switchboard::engine {

namespace {

error not_found(errc code, std::string_view what, std::string_view id) {
  return make_error(code, std::string{what} + " '" + std::string{id} + "' is not known");
}

/// The first stage of the hold for a customer's dedicated manager of a contact
/// entering a line (0: the manager, 1: its team, 2: none), so that `tick` wakes it
/// when each stage ends.
std::uint8_t first_hold_stage(const tenant_config& t, const customer_profile* cust) {
  if (cust == nullptr || cust->account_manager.empty() || t.manager_wait + t.team_wait <= 0)
    return 2;
  return t.manager_wait > 0 ? 0 : 1;
}

}  // namespace

routing_domain::routing_domain(tenant_config tenant)
  : tenant_(std::move(tenant)), experiment_(tenant_.id, tenant_.experiment) {}

status routing_domain::set_tenant(tenant_config t) {
  if (t.id != tenant_.id)
    return make_error(errc::cross_tenant, "tenant " + t.id + " cannot replace " + tenant_.id);
  if (auto st = validate(t); !st)
    return st;
  // A new experiment starts over; the same one keeps what it measured.
  if (t.experiment.slice != tenant_.experiment.slice ||
      t.experiment.baseline != tenant_.experiment.baseline)
    experiment_ = experiment{t.id, t.experiment};
  tenant_ = std::move(t);
  return {};
}

// -- lookups ------------------------------------------------------------------

routing_domain::slot routing_domain::queue_slot(std::string_view id) const {
  auto i = queue_by_id_.find(id);
  return i == queue_by_id_.end() ? no_slot : i->second;
}

result<routing_domain::slot> routing_domain::agent_slot(std::string_view id) const {
  auto i = agent_by_id_.find(id);
  if (i == agent_by_id_.end())
    return not_found(errc::unknown_agent, "agent", id);
  return i->second;
}

const queue_config* routing_domain::find_queue(std::string_view id) const {
  auto q = queue_slot(id);
  return q == no_slot ? nullptr : &queues_[q].config;
}

const agent_profile* routing_domain::find_agent(std::string_view id) const {
  auto a = agent_slot(id);
  return a ? &agents_[*a].profile : nullptr;
}

const agent_runtime* routing_domain::find_runtime(std::string_view id) const {
  auto a = agent_slot(id);
  return a ? &agents_[*a].rt : nullptr;
}

const contact* routing_domain::find_contact(std::string_view id) const {
  auto i = by_contact_.find(id);
  return i == by_contact_.end() ? nullptr : &contacts_[i->second].c;
}

const customer_profile* routing_domain::find_customer(std::string_view id) const {
  auto i = customers_.find(id);
  return i == customers_.end() ? nullptr : i->second.get();
}

// -- definitions ----------------------------------------------------------------

bool routing_domain::qualifies(const agent_profile& a, const queue_config& q) const {
  return std::all_of(q.skills.begin(), q.skills.end(),
                     [&](const skill_requirement& r) { return a.proficiency(r.skill) >= 0; });
}

status routing_domain::upsert_queue(queue_config q) {
  if (q.tenant != tenant_.id)
    return make_error(errc::cross_tenant,
                      "queue " + q.id + " belongs to tenant " + q.tenant + ", not " + tenant_.id);
  if (auto st = validate(q); !st)
    return st;
  auto s = queue_slot(q.id);
  if (s == no_slot) {
    s = static_cast<slot>(queues_.size());
    queues_.emplace_back();
    queue_by_id_.emplace(q.id, s);
  }
  queues_[s].config = std::move(q);
  // Which agents qualify for this queue, and its rank among each agent's queues,
  // may have changed; waiting contacts may now match.
  for (slot a = 0; a < agents_.size(); ++a)
    if (agents_[a].live)
      relink_queue(a, s);
  // Its steps and limit may have changed: every contact in its line is rescheduled.
  std::vector<slot> in_line;
  queues_[s].line.for_each([&](const queue_key&, contact_queue::handle h) {
    mark_contact(h);
    in_line.push_back(h);
    return true;
  });
  for (auto h : in_line)
    schedule_due(h);
  return {};
}

status routing_domain::upsert_agent(agent_profile p) {
  if (p.tenant != tenant_.id)
    return make_error(errc::cross_tenant,
                      "agent " + p.id + " belongs to tenant " + p.tenant + ", not " + tenant_.id);
  if (auto st = validate(p); !st)
    return st;
  auto found = agent_by_id_.find(p.id);
  slot a;
  if (found == agent_by_id_.end()) {
    a = static_cast<slot>(agents_.size());
    agents_.emplace_back();
    agent_by_id_.emplace(p.id, a);
  } else {
    a = found->second;
  }
  if (agents_[a].rt.logged_in && agents_[a].profile.team != p.team) {
    count_team(agents_[a].profile.team, -1);
    count_team(p.team, +1);
  }
  agents_[a].profile = std::move(p);
  agents_[a].live = true;
  reindex_agent(a);
  mark_agent(a);
  return {};
}

status routing_domain::upsert_customer(customer_profile c) {
  if (c.tenant != tenant_.id)
    return make_error(errc::cross_tenant, "customer " + c.id + " belongs to another tenant");
  if (auto st = validate(c); !st)
    return st;
  auto& shared = customers_[c.id];
  // Replaced in place unless a completion still shares it (it keeps what it saw).
  if (shared != nullptr && shared.use_count() == 1)
    *shared = std::move(c);
  else
    shared = std::make_shared<customer_profile>(std::move(c));
  return {};
}

void routing_domain::restore_learned(const learned_record& r) {
  learned_.restore(r);
  draws_.clear();
}

void routing_domain::reindex_agent(slot a) {
  auto& e = agents_[a];
  for (auto& l : e.queues) {
    set_ready(a, l, false);
    if (e.rt.logged_in && queues_[l.q].staffed > 0)
      --queues_[l.q].staffed;
  }
  e.queues.clear();
  for (slot q = 0; q < queues_.size(); ++q)
    if (qualifies(e.profile, queues_[q].config))
      e.queues.push_back({q, no_slot});
  sort_links(e);
  for (auto& l : e.queues)
    if (e.rt.logged_in)
      ++queues_[l.q].staffed;
  refresh_ready(a);
}

void routing_domain::relink_queue(slot a, slot q) {
  auto& e = agents_[a];
  auto i = std::find_if(e.queues.begin(), e.queues.end(),
                        [&](const queue_link& l) { return l.q == q; });
  if (i != e.queues.end()) {
    set_ready(a, *i, false);
    if (e.rt.logged_in && queues_[q].staffed > 0)
      --queues_[q].staffed;
    e.queues.erase(i);
  }
  if (qualifies(e.profile, queues_[q].config)) {
    e.queues.push_back({q, no_slot});
    if (e.rt.logged_in)
      ++queues_[q].staffed;
  }
  sort_links(e);
  refresh_ready(a);
}

void routing_domain::sort_links(agent_entry& e) {
  // Higher-priority queues first, so a freed agent serves them first; then by slot
  // (the order in which the queues were defined).
  std::sort(e.queues.begin(), e.queues.end(), [&](const queue_link& x, const queue_link& y) {
    auto px = queues_[x.q].config.priority;
    auto py = queues_[y.q].config.priority;
    return px != py ? px > py : x.q < y.q;
  });
}

void routing_domain::set_ready(slot a, queue_link& link, bool ready) {
  auto& list = queues_[link.q].ready;
  if (ready) {
    if (link.ready_at == no_slot) {
      link.ready_at = static_cast<slot>(list.size());
      list.push_back(a);
    }
    return;
  }
  if (link.ready_at == no_slot)
    return;
  auto pos = link.ready_at;
  auto last = list.back();
  list[pos] = last;
  list.pop_back();
  link.ready_at = no_slot;
  if (last != a)
    for (auto& m : agents_[last].queues)
      if (m.q == link.q) {
        m.ready_at = pos;
        break;
      }
}

void routing_domain::refresh_ready(slot a) {
  auto& e = agents_[a];
  bool free = has_any_free_capacity(e.profile, e.rt);
  for (auto& l : e.queues)
    set_ready(a, l, free);
}

void routing_domain::hold(slot a, slot h) {
  agents_[a].held.push_back(h);
}

void routing_domain::unhold(slot a, slot h) {
  auto& held = agents_[a].held;
  auto i = std::find(held.begin(), held.end(), h);
  if (i != held.end()) {
    *i = held.back();
    held.pop_back();
  }
}

void routing_domain::mark_agent(slot a) {
  pending_agents_.push_back(a);
}

void routing_domain::mark_contact(slot h) {
  pending_contacts_.push_back(h);
}

// -- agents ---------------------------------------------------------------------

learned_record routing_domain::rate_completed(std::string_view agent, std::string_view intent,
                                              std::string_view segment, int csat, double tip) {
  if (auto a = agent_slot(agent))
    agents_[*a].profile.tips += tip;
  return learned_.add_rating(agent, intent, segment, csat);
}

status routing_domain::login(std::string_view agent, time_ms now) {
  auto a = agent_slot(agent);
  if (!a)
    return a.err();
  auto& e = agents_[*a];
  if (!e.rt.logged_in) {
    // Recent occupancy counts logged-in time: it starts again from here.
    e.rt.busy_at = now;
    e.rt.logged_in = true;
    e.rt.away = false;
    e.rt.expired_in_row = 0;
    if (e.rt.total_load() == 0)
      e.rt.idle_since = now;
    for (const auto& l : e.queues)
      ++queues_[l.q].staffed;
    count_team(e.profile.team, +1);
  }
  e.rt.disconnected = false;
  refresh_ready(*a);
  mark_agent(*a);
  return {};
}

result<logout_result> routing_domain::logout(std::string_view agent, time_ms now) {
  auto a = agent_slot(agent);
  if (!a)
    return a.err();
  auto& e = agents_[*a];
  logout_result out;
  // The agent's contacts in slot order (as a scan of all contacts would find them).
  auto held = e.held;
  std::sort(held.begin(), held.end());
  for (auto h : held) {
    auto& t = contacts_[h];
    if (t.phase == contact_phase::offered) {
      out.returned.push_back(t.c.id);
      return_to_line(h, *a, now);
    } else {
      out.connected.push_back(t.c.id);
    }
  }
  if (e.rt.logged_in) {
    for (const auto& l : e.queues)
      --queues_[l.q].staffed;
    count_team(e.profile.team, -1);
  }
  e.rt.logged_in = false;
  e.rt.away = false;
  refresh_ready(*a);
  return out;
}

status routing_domain::set_away(std::string_view agent, bool away, time_ms now) {
  auto a = agent_slot(agent);
  if (!a)
    return a.err();
  auto& e = agents_[*a];
  if (!e.rt.logged_in)
    return make_error(errc::agent_offline, "agent " + std::string{agent} + " is not logged in");
  e.rt.away = away;
  if (!away) {
    e.rt.expired_in_row = 0;
    if (e.rt.total_load() == 0)
      e.rt.idle_since = now;
  }
  refresh_ready(*a);
  mark_agent(*a);
  return {};
}

status routing_domain::set_connected(std::string_view agent, bool connected, time_ms now) {
  (void) now;
  auto a = agent_slot(agent);
  if (!a)
    return a.err();
  auto& e = agents_[*a];
  e.rt.disconnected = !connected;
  refresh_ready(*a);
  if (connected)
    mark_agent(*a);
  return {};
}

result<agent_release> routing_domain::release_agent(std::string_view agent, time_ms now) {
  auto a = agent_slot(agent);
  if (!a)
    return a.err();
  auto lo = logout(agent, now);
  if (!lo)
    return lo.err();
  agent_release out;
  out.returned = std::move(lo->returned);
  auto& e = agents_[*a];
  e.rt.disconnected = false;
  auto held = e.held;
  std::sort(held.begin(), held.end());
  for (auto h : held) {
    auto& t = contacts_[h];
    if (t.phase == contact_phase::wrap_up) {
      out.wrap_up.push_back(t.c.id);
      continue;
    }
    if (t.phase != contact_phase::connected)
      continue;
    // Back at its original place: the customer waited once already.
    remove_load(e.rt, t.c.ch, now);
    unhold(*a, h);
    t.agent = no_slot;
    t.phase = contact_phase::waiting;
    t.c.agent.clear();
    if (queues_[t.queue].line.push(t.c.key(), h)) {
      schedule_due(h);
    } else {
      // Its place is taken (seqs are unique per node, so only a caller that
      // reused one gets here): it cannot wait anywhere, so it leaves the domain.
      out.failed.push_back(t.c.id);
      release(h);
      continue;
    }
    mark_contact(h);
    out.requeued.push_back(t.c.id);
  }
  refresh_ready(*a);
  return out;
}

std::vector<const contact*> routing_domain::held_by(std::string_view agent) const {
  std::vector<const contact*> out;
  auto a = agent_slot(agent);
  if (!a)
    return out;
  auto held = agents_[*a].held;
  std::sort(held.begin(), held.end());
  for (auto h : held)
    out.push_back(&contacts_[h].c);
  return out;
}

// -- contacts -------------------------------------------------------------------

status routing_domain::enqueue(contact c, time_ms now) {
  if (c.tenant != tenant_.id)
    return make_error(errc::cross_tenant, "contact " + c.id + " belongs to another tenant");
  auto q = queue_slot(c.queue);
  if (q == no_slot)
    return not_found(errc::unknown_queue, "queue", c.queue);
  auto& qe = queues_[q];
  if (!qe.config.accepts(c.ch))
    return make_error(errc::invalid_argument, "queue " + c.queue + " does not take " +
                                                std::string{to_string(c.ch)} + " contacts");
  if (c.state != contact_state::queued)
    return make_error(errc::invalid_transition, "contact " + c.id + " is not in state queued");
  if (by_contact_.count(c.id) > 0)
    return make_error(errc::duplicate_id, "contact " + c.id + " is already routed");
  if (qe.config.max_waiting > 0 && qe.line.size() >= qe.config.max_waiting)
    return make_error(errc::queue_full, "queue " + c.queue + " holds its maximum of " +
                                          std::to_string(qe.config.max_waiting) + " contacts");
  slot h;
  if (!free_contacts_.empty()) {
    h = free_contacts_.back();
    free_contacts_.pop_back();
  } else {
    h = static_cast<slot>(contacts_.size());
    contacts_.emplace_back();
  }
  auto& t = contacts_[h];
  t = tracked_contact{};
  t.c = std::move(c);
  t.c.agent.clear();
  t.queue = q;
  t.phase = contact_phase::waiting;
  intern(t);
  // Woken when the hold for the customer's manager, then its team, ends.
  t.hold_stage = first_hold_stage(tenant_, find_customer(t.c.customer));
  if (!qe.line.push(t.c.key(), h)) {
    auto id = t.c.id;
    release(h);
    return make_error(errc::duplicate_id, "contact " + id + ": its place in line is taken");
  }
  by_contact_.emplace(t.c.id, h);
  schedule_due(h);
  mark_contact(h);
  raise_alert(h, now);
  return {};
}

status routing_domain::restore_connected(contact c) {
  if (c.tenant != tenant_.id)
    return make_error(errc::cross_tenant, "contact " + c.id + " belongs to another tenant");
  auto a = agent_slot(c.agent);
  if (!a)
    return a.err();
  auto q = queue_slot(c.queue);
  if (q == no_slot)
    return not_found(errc::unknown_queue, "queue", c.queue);
  if (by_contact_.count(c.id) > 0)
    return make_error(errc::duplicate_id, "contact " + c.id + " is already routed");
  slot h = static_cast<slot>(contacts_.size());
  contacts_.emplace_back();
  auto& t = contacts_[h];
  t.phase = c.state == contact_state::wrap_up ? contact_phase::wrap_up : contact_phase::connected;
  t.queue = q;
  t.agent = *a;
  auto& rt = agents_[*a].rt;
  ++rt.load[index(c.ch)];
  if (t.phase == contact_phase::wrap_up)
    ++rt.wrap_count;
  t.connected_at = c.enqueued_at;
  t.c = std::move(c);
  intern(t);
  by_contact_.emplace(t.c.id, h);
  hold(*a, h);
  refresh_ready(*a);
  return {};
}

void routing_domain::intern(tracked_contact& t) {
  t.intent_id = intents_.id(t.c.intent);
  t.segment_id = t.c.segment.empty() ? internal::interner::none : segments_.id(t.c.segment);
}

void routing_domain::release(slot h) {
  auto& t = contacts_[h];
  if (t.agent != no_slot)
    unhold(t.agent, h);
  if (auto i = by_contact_.find(t.c.id); i != by_contact_.end())
    by_contact_.erase(i);
  t = tracked_contact{};
  free_contacts_.push_back(h);
}

result<removal> routing_domain::remove(std::string_view contact_id, time_ms now) {
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end())
    return not_found(errc::unknown_contact, "contact", contact_id);
  auto h = i->second;
  auto& t = contacts_[h];
  removal out;
  out.phase = t.phase;
  switch (t.phase) {
    case contact_phase::waiting:
      queues_[t.queue].line.erase(t.c.key());
      break;
    case contact_phase::offered: {
      auto a = t.agent;
      out.agent = agents_[a].profile.id;
      out.offer_id = t.offer_id;
      --queues_[t.queue].offered;
      remove_load(agents_[a].rt, t.c.ch, now);
      refresh_ready(a);
      mark_agent(a);
      break;
    }
    case contact_phase::connected:
    case contact_phase::wrap_up:
      return make_error(errc::invalid_transition,
                        "contact " + std::string{contact_id} + " is with an agent; it ends at wrap-up");
  }
  release(h);
  return out;
}

std::int64_t routing_domain::position(std::string_view contact_id) const {
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end())
    return -1;
  const auto& t = contacts_[i->second];
  if (t.phase != contact_phase::waiting)
    return -1;
  return queues_[t.queue].line.position(t.c.key());
}

std::optional<contact_phase> routing_domain::phase(std::string_view contact_id) const {
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end())
    return std::nullopt;
  return contacts_[i->second].phase;
}

std::string_view routing_domain::agent_of(std::string_view contact_id) const {
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end() || contacts_[i->second].agent == no_slot)
    return {};
  return agents_[contacts_[i->second].agent].profile.id;
}

// -- offers and service -----------------------------------------------------------

result<routing_domain::slot> routing_domain::offered_to(std::string_view contact_id,
                                                        std::string_view agent,
                                                        std::uint64_t offer_id) {
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end())
    return not_found(errc::unknown_contact, "contact", contact_id);
  auto& t = contacts_[i->second];
  if (t.phase != contact_phase::offered || agents_[t.agent].profile.id != agent ||
      (offer_id != 0 && t.offer_id != offer_id))
    return make_error(errc::not_offered, "contact " + std::string{contact_id} +
                                           " is not offered to agent " + std::string{agent});
  return i->second;
}

void routing_domain::return_to_line(slot h, slot a, time_ms now) {
  auto& t = contacts_[h];
  auto& q = queues_[t.queue];
  --q.offered;
  remove_load(agents_[a].rt, t.c.ch, now);
  t.phase = contact_phase::waiting;
  unhold(a, h);
  t.agent = no_slot;
  t.c.last_declined_by = agents_[a].profile.id;
  t.c.agent.clear();
  cooldowns_.push({now + tenant_.decline_cooldown, h, t.offer_id});
  q.line.push(t.c.key(), h);
  schedule_due(h);
  refresh_ready(a);
  mark_agent(a);
  mark_contact(h);
}

status routing_domain::accept(std::string_view contact_id, std::string_view agent,
                              std::uint64_t offer_id, time_ms now) {
  auto h = offered_to(contact_id, agent, offer_id);
  if (!h)
    return h.err();
  auto& t = contacts_[*h];
  t.phase = contact_phase::connected;
  t.connected_at = now;
  t.c.last_declined_by.clear();  // a decline mark only holds while the contact waits
  --queues_[t.queue].offered;
  agents_[t.agent].rt.expired_in_row = 0;
  return {};
}

status routing_domain::decline(std::string_view contact_id, std::string_view agent,
                               std::uint64_t offer_id, time_ms now) {
  auto h = offered_to(contact_id, agent, offer_id);
  if (!h)
    return h.err();
  return_to_line(*h, contacts_[*h].agent, now);
  return {};
}

result<bool> routing_domain::expire(std::string_view contact_id, std::string_view agent,
                                    std::uint64_t offer_id, time_ms now) {
  auto h = offered_to(contact_id, agent, offer_id);
  if (!h)
    return h.err();
  auto a = contacts_[*h].agent;
  return_to_line(*h, a, now);
  auto& rt = agents_[a].rt;
  if (++rt.expired_in_row >= tenant_.ring_no_answer_limit) {
    rt.away = true;
    refresh_ready(a);
    return true;
  }
  return false;
}

status routing_domain::wrap_up(std::string_view contact_id, std::string_view agent,
                               time_ms now) {
  (void) now;
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end())
    return not_found(errc::unknown_contact, "contact", contact_id);
  auto& t = contacts_[i->second];
  if (t.phase != contact_phase::connected || agents_[t.agent].profile.id != agent)
    return make_error(errc::not_connected, "contact " + std::string{contact_id} +
                                             " is not connected with agent " + std::string{agent});
  t.phase = contact_phase::wrap_up;
  ++agents_[t.agent].rt.wrap_count;
  return {};
}

result<completion> routing_domain::complete(std::string_view contact_id, std::string_view agent,
                                            const outcome& o, time_ms handle_ms, time_ms now) {
  if (auto st = validate(o); !st)
    return st.err();
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end())
    return not_found(errc::unknown_contact, "contact", contact_id);
  auto h = i->second;
  auto& t = contacts_[h];
  if ((t.phase != contact_phase::connected && t.phase != contact_phase::wrap_up) ||
      agents_[t.agent].profile.id != agent)
    return make_error(errc::not_connected, "contact " + std::string{contact_id} +
                                             " is not connected with agent " + std::string{agent});
  auto a = t.agent;
  auto& e = agents_[a];
  if (t.phase == contact_phase::wrap_up && e.rt.wrap_count > 0)
    --e.rt.wrap_count;
  remove_load(e.rt, t.c.ch, now);
  e.profile.tips += o.tip;
  completion out;
  std::string_view segment = t.c.segment;
  if (!t.c.customer.empty()) {
    // Copy on write: the profile is copied only while an earlier completion
    // still shares it.
    auto& shared = customers_[t.c.customer];
    if (shared == nullptr)
      shared = std::make_shared<customer_profile>();
    else if (shared.use_count() > 1)
      shared = std::make_shared<customer_profile>(*shared);
    auto* cust = shared.get();
    if (cust->id.empty()) {
      cust->tenant = tenant_.id;
      cust->id = t.c.customer;
    }
    if (segment.empty())
      segment = cust->primary_segment();
    cust->last_agent = e.profile.id;
    cust->history.push_back(
      history_item{now, t.c.ch, t.c.intent, e.profile.id, o.resolved, o.complaint});
    if (cust->history.size() > max_history)
      cust->history.erase(cust->history.begin());
    out.customer = customer_snapshot{shared};
  }
  if (segment.empty())
    segment = "default";
  out.learned = learned_.record(e.profile.id, t.c.intent, segment, o, handle_ms);
  if (t.exp_slice >= 0)
    experiment_.record(queues_[t.queue].config.id, t.exp_slice, t.exp_treated, o.resolved);
  draws_.forget(a, t.intent_id);
  if (++outcomes_since_redraw_ >= redraw_every) {
    outcomes_since_redraw_ = 0;
    draws_.clear();
  }
  release(h);
  refresh_ready(a);
  mark_agent(a);
  return out;
}

status routing_domain::transfer(std::string_view contact_id, std::string_view agent,
                                std::string_view to_queue, queue_key new_key, time_ms now) {
  auto i = by_contact_.find(contact_id);
  if (i == by_contact_.end())
    return not_found(errc::unknown_contact, "contact", contact_id);
  auto q = queue_slot(to_queue);
  if (q == no_slot)
    return not_found(errc::unknown_queue, "queue", to_queue);
  auto h = i->second;
  auto& t = contacts_[h];
  if (t.phase != contact_phase::connected || agents_[t.agent].profile.id != agent)
    return make_error(errc::not_connected, "contact " + std::string{contact_id} +
                                             " is not connected with agent " + std::string{agent});
  if (!queues_[q].config.accepts(t.c.ch))
    return make_error(errc::invalid_argument, "queue " + std::string{to_queue} +
                                                " does not take this channel");
  // Checked before anything changes: a failed push below would leave the contact
  // waiting in no line at all.
  if (queues_[q].line.contains(new_key))
    return make_error(errc::duplicate_id, "contact " + std::string{contact_id} +
                                            ": its new place in line is taken");
  auto a = t.agent;
  remove_load(agents_[a].rt, t.c.ch, now);
  t.c.journey.push_back("transfer:" + t.c.queue + "->" + std::string{to_queue});
  t.c.queue = std::string{to_queue};
  t.c.priority = new_key.priority;
  t.c.enqueued_at = new_key.enqueued_at;
  t.c.seq = new_key.seq;
  t.c.agent.clear();
  t.queue = q;
  unhold(a, h);
  t.agent = no_slot;
  t.phase = contact_phase::waiting;
  t.step = -1;
  // In its new line the hold for the customer's manager starts again, and the
  // transfer may have raised its complaint risk past the alert.
  t.hold_stage = first_hold_stage(tenant_, find_customer(t.c.customer));
  queues_[q].line.push(t.c.key(), h);
  schedule_due(h);
  refresh_ready(a);
  mark_agent(a);
  mark_contact(h);
  raise_alert(h, now);
  return {};
}

// -- views ----------------------------------------------------------------------

std::vector<queue_snapshot> routing_domain::queues() const {
  std::vector<queue_snapshot> out;
  out.reserve(queues_.size());
  for (const auto& q : queues_) {
    queue_snapshot s;
    s.id = q.config.id;
    s.waiting = q.line.size();
    s.offered = q.offered;
    s.oldest_enqueued_at = q.line.empty() ? -1 : q.line.front().first.enqueued_at;
    s.agents_ready = q.ready.size();
    s.agents_staffed = q.staffed;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<agent_snapshot> routing_domain::agents() const {
  std::vector<agent_snapshot> out;
  out.reserve(agents_.size());
  for (const auto& e : agents_)
    out.push_back({e.profile.id, e.rt.state(), e.rt.total_load(), occupancy(e.profile, e.rt)});
  return out;
}

std::size_t routing_domain::waiting() const {
  std::size_t n = 0;
  for (const auto& q : queues_)
    n += q.line.size();
  return n;
}

}  // namespace switchboard::engine
