#include "actors/recommender_actor.h"

#include <caf/all.hpp>
#include <chrono>
#include <unordered_map>

#include "actors/errors.h"
#include "actors/event.h"
#include "actors/messages.h"
#include "engine/routing_domain.h"

namespace switchboard::actors {

namespace {

using engine::contact_phase;

/// How often overflow steps and max-wait limits are checked. Default: 200 ms.
constexpr auto tick_interval = std::chrono::milliseconds(200);

struct recommender_state {
  actor_context ctx;
  std::unique_ptr<engine::routing_domain> domain;
  std::unordered_map<std::string, caf::actor> sessions;  // contact -> session
  std::unordered_map<std::string, caf::actor> agents;    // agent -> agent actor
  std::unordered_map<std::string, caf::actor> queues;    // queue -> queue actor
  std::unordered_map<std::string, engine::time_ms> connected_at;
  std::unordered_map<std::string, std::string> contact_queue;  // for stats on exit
  std::unordered_map<std::string, engine::time_ms> enqueued_at;
  bool match_scheduled = false;
  bool ticking = false;
  std::uint64_t routed = 0;
  static inline const char* name = "recommender";
};

using rec_ptr = caf::stateful_actor<recommender_state>*;

engine::time_ms now(rec_ptr self) {
  return self->state.ctx.clock->now();
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

/// The contact left the domain for good: forget it.
void forget(rec_ptr self, const std::string& contact) {
  auto& st = self->state;
  st.sessions.erase(contact);
  st.connected_at.erase(contact);
  st.contact_queue.erase(contact);
  st.enqueued_at.erase(contact);
}

void schedule_match(rec_ptr self) {
  if (self->state.match_scheduled)
    return;
  self->state.match_scheduled = true;
  // Queued behind the changes already in the mailbox: one match per burst.
  self->send(self, match_atom::value);
}

void run_match(rec_ptr self) {
  auto& st = self->state;
  st.match_scheduled = false;
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
    tell_session(self, o.contact,
                 caf::make_message(offered_msg{o.agent, o.offer_id, o.deadline, std::move(o.decision)}));
  }
}

void run_tick(rec_ptr self) {
  auto& st = self->state;
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
  self->delayed_send(self, tick_interval, tick_atom::value);
}

void start_ticking(rec_ptr self) {
  if (self->state.ticking)
    return;
  self->state.ticking = true;
  self->delayed_send(self, tick_interval, tick_atom::value);
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
      // Overflow steps, max waits and lapsing decline marks are time-driven.
      start_ticking(self);
      schedule_match(self);
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
      tell_session(self, r.contact, caf::make_message(connected_msg{r.agent}));
      return ok_atom::value;
    },
    [=](decline_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      if (auto s = st.domain->decline(r.contact, r.agent, r.offer_id, now(self)); !s)
        return to_caf(s.err());
      tell_session(self, r.contact,
                   caf::make_message(requeued_msg{engine::event_type::offer_declined, r.agent}));
      schedule_match(self);
      return ok_atom::value;
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
      tell_session(self, r.contact, caf::make_message(wrap_up_msg{r.agent}));
      return ok_atom::value;
    },
    [=](complete_req& r) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto t = now(self);
      auto since = st.connected_at.find(r.contact);
      auto handle = since == st.connected_at.end() ? 0 : t - since->second;
      auto res = st.domain->complete(r.contact, r.agent, r.result, handle, t);
      if (!res)
        return to_caf(res.err());
      queue_event(self, st.contact_queue[r.contact], queue_event_kind::completed, handle);
      tell_session(self, r.contact, caf::make_message(completed_msg{r.agent, r.result}));
      storage::write_batch b;
      b.learned.push_back(storage::tenant_learned{st.domain->tenant().id, res->learned});
      if (res->customer)
        b.customers.push_back(std::move(*res->customer));
      if (const auto* a = st.domain->find_agent(r.agent); a != nullptr && r.result.tip > 0)
        b.agents.push_back(*a);  // tips earned
      self->send(st.ctx.storage, persist_msg{std::move(b)});
      forget(self, r.contact);
      schedule_match(self);
      return ok_atom::value;
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
        tell_session(self, r.contact, caf::make_message(wrap_up_msg{agent}));
        return ok_atom::value;
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
      tell_session(self, r.contact,
                   caf::make_message(abandoned_msg{r.reason.empty() ? "customer_left" : r.reason}));
      forget(self, r.contact);
      schedule_match(self);
      return ok_atom::value;
    },
    [=](const rec_snapshot_req&) {
      auto& st = self->state;
      rec_snapshot s;
      s.queues = st.domain->queues();
      s.agents = st.domain->agents();
      s.routed = st.routed;
      s.connected = st.connected_at.size();
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
      tell_session(self, r.contact,
                   caf::make_message(transferred_msg{r.agent, from, r.to_queue, r.seq,
                                                     r.enqueued_at}));
      schedule_match(self);
      return ok_atom::value;
    },
    [=](const rec_position_req& r) -> std::int64_t {
      return self->state.domain->position(r.contact);
    },
    [=](match_atom) { run_match(self); },
    [=](tick_atom) { run_tick(self); },
    [=](stop_atom) { self->quit(); },
  };
}

}  // namespace

caf::actor spawn_recommender(caf::local_actor* parent, actor_context ctx,
                             engine::tenant_config tenant) {
  return parent->spawn(recommender, std::move(ctx), std::move(tenant));
}

}  // namespace switchboard::actors
