#include "actors/recommender_actor.h"

#include <caf/all.hpp>
#include <chrono>
#include <deque>
#include <unordered_map>

#include "actors/errors.h"
#include "actors/event.h"
#include "actors/messages.h"
#include "engine/routing_domain.h"

namespace switchboard::actors {

namespace {

using engine::contact_phase;


struct recommender_state {
  actor_context ctx;
  std::unique_ptr<engine::routing_domain> domain;
  std::unordered_map<std::string, caf::actor> sessions;  // contact -> session
  std::unordered_map<std::string, agent_iface> agents;   // agent -> agent actor
  std::unordered_map<std::string, queue_iface> queues;   // queue -> queue actor
  std::unordered_map<std::string, engine::time_ms> connected_at;
  std::unordered_map<std::string, std::string> contact_queue;  // for stats on exit
  std::unordered_map<std::string, engine::time_ms> enqueued_at;
  /// The customer's rating of a live contact; it, not the agent, sets CSAT and tip.
  std::unordered_map<std::string, engine::outcome> ratings;
  /// Completed contacts still open for a rating (the rating window), oldest first.
  struct completed_entry {
    std::string contact;
    std::string agent;
    engine::time_ms at = 0;
  };
  /// Who served it and the learned cell its outcome went to.
  struct rateable_entry {
    std::string agent;
    std::string intent;
    std::string segment;
  };
  std::deque<completed_entry> rateable;
  std::unordered_map<std::string, rateable_entry> rateable_agent;  // contact -> its entry
  bool match_scheduled = false;
  /// When the armed wake-up (a delayed tick) fires, or -1: none armed.
  engine::time_ms wake_at = -1;
  std::uint64_t routed = 0;
  /// Complaint-risk alerts (engine::routing_domain::take_alerts): the most recent,
  /// oldest first, and how many were raised since start.
  std::deque<engine::risk_alert> alerts;
  std::uint64_t alerts_raised = 0;
  static inline const char* name = "recommender";
};

/// Alerts kept for the supervisors' wallboard.
constexpr std::size_t recent_alerts = 20;

using rec_ptr = caf::stateful_actor<recommender_state>*;

engine::time_ms now(rec_ptr self) {
  return self->state.ctx.clock->wall();
}

void queue_event(rec_ptr self, const std::string& queue, queue_event_kind kind,
                 engine::time_ms value = 0) {
  auto i = self->state.queues.find(queue);
  if (i != self->state.queues.end())
    self->send(i->second, queue_event_msg{kind, value});
}

void tell_session(rec_ptr self, const std::string& contact, caf::message msg) {
  auto i = self->state.sessions.find(contact);
  if (i != self->state.sessions.end())
    self->send(i->second, std::move(msg));
}

/// Hands the request being handled to the contact's session, which journals the
/// change and has it answered once the record is committed: nothing is
/// acknowledged before it is durable. (A contact without a session, which cannot
/// happen for a live one, is answered at once.)
template <class Msg>
caf::result<ok_atom> through(rec_ptr self, const caf::actor& session, Msg&& msg) {
  if (!session)
    return ok_atom::value;
  self->delegate(session, std::forward<Msg>(msg));
  return caf::delegated<ok_atom>{};
}

caf::actor session_of(rec_ptr self, const std::string& contact) {
  auto i = self->state.sessions.find(contact);
  return i == self->state.sessions.end() ? caf::actor{} : i->second;
}

template <class Msg>
caf::result<ok_atom> through_session(rec_ptr self, const std::string& contact, Msg&& msg) {
  return through(self, session_of(self, contact), std::forward<Msg>(msg));
}

/// Keeps the rating window of completed contacts: at most this many per tenant.
constexpr std::size_t max_rateable = 100000;

void remember_completed(rec_ptr self, const std::string& contact,
                        const engine::learned_record& cell, engine::time_ms t) {
  const auto& agent = cell.agent;
  auto& st = self->state;
  auto window = st.ctx.policy.rating_window;
  while (!st.rateable.empty() &&
         (st.rateable.size() >= max_rateable || st.rateable.front().at + window < t)) {
    st.rateable_agent.erase(st.rateable.front().contact);
    st.rateable.pop_front();
  }
  if (window <= 0)
    return;
  st.rateable.push_back({contact, agent, t});
  st.rateable_agent[contact] = {agent, cell.intent, cell.segment};
}

/// The contact left the domain for good: forget it.
void forget(rec_ptr self, const std::string& contact) {
  auto& st = self->state;
  st.sessions.erase(contact);
  st.connected_at.erase(contact);
  st.contact_queue.erase(contact);
  st.enqueued_at.erase(contact);
  st.ratings.erase(contact);
}

void schedule_match(rec_ptr self) {
  if (self->state.match_scheduled)
    return;
  self->state.match_scheduled = true;
  // Queued behind the changes already in the mailbox: one match per burst.
  self->send(self, match_atom::value);
}

void arm_wake(rec_ptr self);

void run_match(rec_ptr self) {
  auto& st = self->state;
  st.match_scheduled = false;
  for (auto& a : st.domain->take_alerts()) {
    ++st.alerts_raised;
    st.alerts.push_back(std::move(a));
    if (st.alerts.size() > recent_alerts)
      st.alerts.pop_front();
  }
  auto offers = st.domain->match(now(self));
  for (auto& o : offers) {
    st.contact_queue[o.contact] = o.queue;
    const auto* q = st.domain->find_queue(o.queue);
    auto ai = st.agents.find(o.agent);
    if (ai != st.agents.end()) {
      offer_msg m;
      m.contact = o.contact;
      m.queue = o.queue;
      m.offer_id = o.offer_id;
      m.deadline = o.deadline;
      m.timeout_ms = q != nullptr ? q->offer_timeout : 15000;
      self->send(ai->second, std::move(m));
    } else {
      st.ctx.log->error("[{}] offer of {} to agent {} without an agent actor",
                        st.domain->tenant().id, o.contact, o.agent);
    }
    // The customer's profile goes with the offer (the edge shows it).
    engine::customer_profile customer;
    if (const auto* c = st.domain->find_contact(o.contact); c != nullptr && !c->customer.empty())
      if (const auto* p = st.domain->find_customer(c->customer))
        customer = *p;
    tell_session(self, o.contact,
                 caf::make_message(offered_msg{o.agent, o.offer_id, o.deadline,
                                               std::move(o.decision), std::move(customer)}));
  }
  arm_wake(self);
}

/// Arms a wake-up at the domain's next deadline (overflow step, max-wait limit,
/// lapse of a decline mark) unless one at or before it is armed already. Called
/// after every match and tick, which follow every change that can add a deadline;
/// an idle recommender sleeps.
void arm_wake(rec_ptr self) {
  auto& st = self->state;
  auto due = st.domain->next_deadline();
  if (due < 0 || (st.wake_at >= 0 && st.wake_at <= due))
    return;
  st.wake_at = due;
  // +1 ms: the host's wall clock must have reached `due` when the tick reads it.
  auto delay = std::max<engine::time_ms>(0, due - now(self)) + 1;
  self->delayed_send(self, std::chrono::milliseconds(delay), tick_atom::value, due);
}

void run_tick(rec_ptr self, engine::time_ms armed_for) {
  auto& st = self->state;
  if (armed_for == st.wake_at)
    st.wake_at = -1;  // superseded wake-ups still tick (cheap) but keep the armed one
  auto t = now(self);
  auto res = st.domain->tick(t);
  for (auto& m : res.moves) {
    st.contact_queue[m.contact] = m.to;
    tell_session(self, m.contact, caf::make_message(moved_msg{m.from, m.to}));
  }
  for (auto& c : res.timed_out) {
    auto q = st.contact_queue[c];
    queue_event(self, q, queue_event_kind::abandoned, t - st.enqueued_at[c]);
    tell_session(self, c, caf::make_message(abandoned_msg{"max_wait"}));
    forget(self, c);
  }
  // Steps reached or decline marks lapsed may have made contacts eligible.
  schedule_match(self);
  arm_wake(self);
}

template <class T>
caf::result<ok_atom> reply(const engine::result<T>& r) {
  if (!r)
    return to_caf(r.err());
  return ok_atom::value;
}

caf::result<ok_atom> reply(const engine::status& s) {
  if (!s)
    return to_caf(s.err());
  return ok_atom::value;
}

/// Completes a contact with `agent`: frees the capacity, learns from the outcome,
/// persists what it learned. CSAT and tip are the customer's (its rating, if
/// any); what the agent put there is ignored. `o` gets the outcome as recorded.
engine::status finish(rec_ptr self, const std::string& contact, const std::string& agent,
                      engine::outcome& o) {
  auto& st = self->state;
  auto t = now(self);
  if (auto v = engine::validate(o); !v)
    return v.err();
  if (auto i = st.ratings.find(contact); i != st.ratings.end()) {
    o.csat = i->second.csat;
    o.tip = i->second.tip;
  } else {
    o.csat = 0;
    o.tip = 0;
  }
  auto since = st.connected_at.find(contact);
  auto handle = since == st.connected_at.end() ? 0 : t - since->second;
  auto res = st.domain->complete(contact, agent, o, handle, t);
  if (!res)
    return res.err();
  queue_event(self, st.contact_queue[contact], queue_event_kind::completed, handle);
  storage::write_batch b;
  b.learned.push_back(storage::tenant_learned{st.domain->tenant().id, res->learned});
  if (res->customer)
    b.customers.push_back(std::move(*res->customer));
  if (const auto* a = st.domain->find_agent(agent); a != nullptr && o.tip > 0)
    b.agents.push_back(*a);  // tips earned
  self->send(st.ctx.storage, persist_msg{std::move(b)});
  bool rated = st.ratings.count(contact) > 0;
  forget(self, contact);
  if (!rated)
    remember_completed(self, contact, res->learned, t);
  schedule_match(self);
  return {};
}

caf::behavior recommender(rec_ptr self, actor_context ctx, engine::tenant_config tenant) {
  self->state.ctx = std::move(ctx);
  self->state.domain = std::make_unique<engine::routing_domain>(std::move(tenant));
  // Offer ids after a restart must not repeat ones issued before it: start them at
  // the clock's milliseconds x 1000 (good while a node averages < 1000 offers/ms).
  self->state.domain->set_offer_id_base(
    static_cast<std::uint64_t>(std::max<engine::time_ms>(0, now(self))) * 1000);
  return {
    [=](engine::tenant_config& t) -> caf::result<ok_atom> {
      return reply(self->state.domain->set_tenant(std::move(t)));
    },
    [=](rec_queue_msg& m) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto id = m.queue.id;
      if (auto s = st.domain->upsert_queue(std::move(m.queue)); !s)
        return to_caf(s.err());
      st.queues[id] = m.queue_actor;
      schedule_match(self);  // and re-arms the wake-up: its steps may have changed
      return ok_atom::value;
    },
    [=](define_agent_req& r) -> caf::result<ok_atom> {
      auto s = self->state.domain->upsert_agent(std::move(r.agent));
      schedule_match(self);
      return reply(s);
    },
    [=](upsert_customer_req& r) -> caf::result<ok_atom> {
      return reply(self->state.domain->upsert_customer(std::move(r.customer)));
    },
    [=](std::vector<engine::learned_record>& cells) {
      for (const auto& c : cells)
        self->state.domain->restore_learned(c);
    },
    [=](rec_enqueue_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto id = r.contact.id;
      auto queue = r.contact.queue;
      auto enq = r.contact.enqueued_at;
      if (auto s = st.domain->enqueue(std::move(r.contact), now(self)); !s)
        return to_caf(s.err());
      st.sessions[id] = r.session;
      st.contact_queue[id] = queue;
      st.enqueued_at[id] = enq;
      queue_event(self, queue, queue_event_kind::enqueued);
      schedule_match(self);
      return ok_atom::value;
    },
    [=](rec_restore_connected& r) {
      auto& st = self->state;
      auto id = r.contact.id;
      auto queue = r.contact.queue;
      if (auto s = st.domain->restore_connected(std::move(r.contact)); !s) {
        st.ctx.log->error("[{}/{}] not restored: {}", st.domain->tenant().id, id, s.err().message);
        return;
      }
      st.sessions[id] = r.session;
      st.contact_queue[id] = queue;
      st.connected_at[id] = now(self);
    },
    [=](rec_login_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      if (auto s = st.domain->login(r.agent, now(self)); !s)
        return to_caf(s.err());
      st.agents[r.agent] = r.agent_actor;
      schedule_match(self);
      return ok_atom::value;
    },
    [=](logout_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto res = st.domain->logout(r.agent, now(self));
      if (!res)
        return to_caf(res.err());
      for (const auto& c : res->returned)
        tell_session(self, c,
                     caf::make_message(requeued_msg{engine::event_type::offer_cancelled, r.agent}));
      st.agents.erase(r.agent);
      schedule_match(self);
      return ok_atom::value;
    },
    [=](presence_req& r) -> caf::result<ok_atom> {
      auto s = self->state.domain->set_away(r.agent, r.away, now(self));
      schedule_match(self);
      return reply(s);
    },
    [=](accept_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto t = now(self);
      if (auto s = st.domain->accept(r.contact, r.agent, r.offer_id, t); !s)
        return to_caf(s.err());
      ++st.routed;
      st.connected_at[r.contact] = t;
      queue_event(self, st.contact_queue[r.contact], queue_event_kind::answered,
                  t - st.enqueued_at[r.contact]);
      return through_session(self, r.contact, connected_msg{r.agent});
    },
    [=](decline_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      if (auto s = st.domain->decline(r.contact, r.agent, r.offer_id, now(self)); !s)
        return to_caf(s.err());
      schedule_match(self);
      return through_session(self, r.contact,
                             requeued_msg{engine::event_type::offer_declined, r.agent});
    },
    [=](rec_expire_msg& m) {
      auto& st = self->state;
      auto away = st.domain->expire(m.contact, m.agent, m.offer_id, now(self));
      if (!away)
        return;  // answered in the meantime
      queue_event(self, st.contact_queue[m.contact], queue_event_kind::expired);
      tell_session(self, m.contact,
                   caf::make_message(requeued_msg{engine::event_type::offer_expired, m.agent}));
      if (*away) {
        auto ai = st.agents.find(m.agent);
        if (ai != st.agents.end())
          self->send(ai->second, agent_away_msg{"ring_no_answer"});
      }
      schedule_match(self);
    },
    [=](wrap_up_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      if (auto s = st.domain->wrap_up(r.contact, r.agent, now(self)); !s)
        return to_caf(s.err());
      return through_session(self, r.contact, wrap_up_msg{r.agent, {}});
    },
    [=](complete_req& r) -> caf::result<ok_atom> {
      auto session = session_of(self, r.contact);  // finish() forgets the contact
      if (auto s = finish(self, r.contact, r.agent, r.result); !s)
        return to_caf(s.err());
      return through(self, session, completed_msg{r.agent, r.result});
    },
    [=](end_contact_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto phase = st.domain->phase(r.contact);
      if (!phase)
        return to_caf(engine::errc::unknown_contact,
                      "contact '" + r.contact + "' is not live in tenant " + r.tenant);
      if (*phase == contact_phase::wrap_up)
        return ok_atom::value;
      if (*phase == contact_phase::connected) {
        // The customer hung up on the agent: the agent goes on to wrap-up.
        std::string agent{st.domain->agent_of(r.contact)};
        if (auto s = st.domain->wrap_up(r.contact, agent, now(self)); !s)
          return to_caf(s.err());
        return through_session(self, r.contact,
                               wrap_up_msg{agent, r.reason.empty() ? "customer_left" : r.reason});
      }
      auto t = now(self);
      auto res = st.domain->remove(r.contact, t);
      if (!res)
        return to_caf(res.err());
      if (!res->agent.empty()) {
        auto ai = st.agents.find(res->agent);
        if (ai != st.agents.end())
          self->send(ai->second, offer_cancelled_msg{r.contact, res->offer_id});
      }
      queue_event(self, st.contact_queue[r.contact], queue_event_kind::abandoned,
                  t - st.enqueued_at[r.contact]);
      auto answer = through_session(self, r.contact,
                                    abandoned_msg{r.reason.empty() ? "customer_left" : r.reason});
      forget(self, r.contact);
      schedule_match(self);
      return answer;
    },
    [=](const rec_snapshot_req&) {
      auto& st = self->state;
      rec_snapshot s;
      s.queues = st.domain->queues();
      s.agents = st.domain->agents();
      s.routed = st.routed;
      s.connected = st.connected_at.size();
      s.alerts.assign(st.alerts.begin(), st.alerts.end());
      s.alerts_raised = st.alerts_raised;
      s.experiments = st.domain->live_experiment().report();
      s.batch_offers = st.domain->batch_offers();
      s.guarded_offers = st.domain->guarded_offers();
      return s;
    },
    [=](const find_agent_req& r) -> caf::result<agent_info> {
      const auto& d = *self->state.domain;
      const auto* p = d.find_agent(r.agent);
      if (p == nullptr)
        return to_caf(engine::errc::unknown_agent,
                      "agent '" + r.agent + "' is not defined in tenant " + r.tenant);
      agent_info out;
      out.profile = *p;
      if (const auto* rt = d.find_runtime(r.agent)) {
        out.state = rt->state();
        out.load = rt->total_load();
        out.disconnected = rt->disconnected;
      }
      for (const auto* c : d.held_by(r.agent)) {
        auto phase = d.phase(c->id);
        auto state = !phase                                  ? c->state
                     : *phase == contact_phase::offered      ? engine::contact_state::offered
                     : *phase == contact_phase::wrap_up      ? engine::contact_state::wrap_up
                                                             : engine::contact_state::connected;
        out.held.push_back(held_contact{c->id, c->queue, state});
      }
      for (const auto& cell : d.learned().all()) {
        if (cell.agent != r.agent)
          continue;
        auto& t = out.totals;
        t.handled += cell.stats.handled;
        t.resolved += cell.stats.resolved;
        t.sales += cell.stats.sales;
        t.csat_sum += cell.stats.csat_sum;
        t.csat_count += cell.stats.csat_count;
        t.handle_ms_sum += cell.stats.handle_ms_sum;
      }
      return out;
    },
    [=](const find_customer_req& r) -> caf::result<engine::customer_profile> {
      const auto* c = self->state.domain->find_customer(r.customer);
      if (c == nullptr)
        return to_caf(engine::errc::unknown_customer,
                      "customer '" + r.customer + "' is not known in tenant " + r.tenant);
      return *c;
    },
    [=](const find_queue_req& r) -> caf::result<engine::queue_config> {
      const auto* q = self->state.domain->find_queue(r.queue);
      if (q == nullptr)
        return to_caf(engine::errc::unknown_queue,
                      "queue '" + r.queue + "' is not defined in tenant " + r.tenant);
      return *q;
    },
    [=](transfer_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      const auto* c = st.domain->find_contact(r.contact);
      if (c == nullptr)
        return to_caf(engine::errc::unknown_contact,
                      "contact '" + r.contact + "' is not live in tenant " + r.tenant);
      auto from = c->queue;
      engine::queue_key key{c->priority, r.enqueued_at, r.seq};
      auto t = now(self);
      if (auto s = st.domain->transfer(r.contact, r.agent, r.to_queue, key, t); !s)
        return to_caf(s.err());
      // The leg in the old queue ends here; the contact waits anew in the target.
      auto since = st.connected_at.find(r.contact);
      queue_event(self, from, queue_event_kind::completed,
                  since == st.connected_at.end() ? 0 : t - since->second);
      st.connected_at.erase(r.contact);
      st.contact_queue[r.contact] = r.to_queue;
      st.enqueued_at[r.contact] = r.enqueued_at;
      queue_event(self, r.to_queue, queue_event_kind::enqueued);
      schedule_match(self);
      return through_session(self, r.contact,
                             transferred_msg{r.agent, from, r.to_queue, r.seq, r.enqueued_at});
    },
    [=](const rec_position_req& r) -> std::int64_t {
      return self->state.domain->position(r.contact);
    },
    [=](const rec_connected_req& r) -> caf::result<ok_atom> {
      auto s = self->state.domain->set_connected(r.agent, r.connected, now(self));
      if (s && r.connected)
        schedule_match(self);
      return reply(s);
    },
    [=](const rec_agent_lost_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto rel = st.domain->release_agent(r.agent, now(self));
      if (!rel)
        return to_caf(rel.err());
      for (const auto& c : rel->returned)
        tell_session(self, c,
                     caf::make_message(requeued_msg{engine::event_type::offer_cancelled, r.agent}));
      for (const auto& c : rel->requeued) {
        st.connected_at.erase(c);
        tell_session(self, c, caf::make_message(agent_lost_msg{r.agent}));
      }
      for (const auto& c : rel->wrap_up) {
        // The customer is gone already and nobody will wrap it up: it completes.
        engine::outcome o;
        o.disposition = "agent_disconnected";
        auto session = session_of(self, c);  // finish() forgets the contact
        if (auto s = finish(self, c, r.agent, o); !s) {
          st.ctx.log->error("[{}/{}] completing after agent {} was lost: {}",
                            st.domain->tenant().id, c, r.agent, s.err().message);
          continue;
        }
        if (session)
          self->send(session, completed_msg{r.agent, o});
      }
      for (const auto& c : rel->failed) {
        tell_session(self, c, caf::make_message(abandoned_msg{"agent_lost"}));
        forget(self, c);
      }
      st.agents.erase(r.agent);
      schedule_match(self);
      return ok_atom::value;
    },
    [=](rate_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      if (r.csat < 1 || r.csat > 5)
        return to_caf(engine::errc::invalid_argument, "a rating's csat is 1..5");
      if (!(r.tip >= 0) || r.tip > 10000)
        return to_caf(engine::errc::invalid_argument, "a tip is 0..10000");
      engine::outcome o;
      o.csat = r.csat;
      o.tip = r.tip;
      if (st.domain->phase(r.contact)) {
        if (st.ratings.count(r.contact) > 0)
          return to_caf(engine::errc::duplicate_id, "contact " + r.contact + " was rated already");
        st.ratings[r.contact] = o;
        return through_session(self, r.contact, rated_msg{r.csat, r.tip});
      }
      // Completed a short while ago: journaled here, and the tip goes to the agent.
      auto i = st.rateable_agent.find(r.contact);
      if (i == st.rateable_agent.end())
        return to_caf(engine::errc::unknown_contact,
                      "contact '" + r.contact + "' is not live and not open for a rating in tenant " +
                        r.tenant);
      auto entry = std::move(i->second);
      auto agent = entry.agent;
      st.rateable_agent.erase(i);  // once per contact
      storage::write_batch b;
      engine::journal_event e;
      e.at = now(self);
      e.tenant = st.domain->tenant().id;
      e.contact = r.contact;
      e.type = engine::event_type::rated;
      e.from = e.to = engine::contact_state::completed;
      e.agent = agent;
      e.result = o;
      b.events.push_back(e);
      // The CSAT counts for the agent where the outcome went; the tip is its own.
      b.learned.push_back(storage::tenant_learned{
        st.domain->tenant().id,
        st.domain->rate_completed(agent, entry.intent, entry.segment, r.csat, r.tip)});
      if (const auto* a = st.domain->find_agent(agent); a != nullptr && r.tip > 0)
        b.agents.push_back(*a);
      auto rp = self->make_response_promise<ok_atom>();
      self->request(st.ctx.storage, caf::infinite, persist_req{std::move(b)})
        .then(
          [=](ok_atom) mutable {
            event ev;
            ev.type = e.type;
            ev.tenant = e.tenant;
            ev.contact = e.contact;
            ev.agent = e.agent;
            ev.state = e.to;
            ev.at = e.at;
            ev.detail = "csat=" + std::to_string(o.csat);
            self->send(self->state.ctx.hub, std::move(ev));
            rp.deliver(ok_atom::value);
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [=](match_atom) { run_match(self); },
    [=](tick_atom, engine::time_ms armed_for) { run_tick(self, armed_for); },
    [=](stop_atom) { self->quit(); },
  };
}

}  // namespace

caf::actor spawn_recommender(caf::local_actor* parent, actor_context ctx,
                             engine::tenant_config tenant) {
  return parent->spawn(recommender, std::move(ctx), std::move(tenant));
}

}  // namespace switchboard::actors
