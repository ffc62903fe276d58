#include "actors/registry_actor.h"

#include <caf/all.hpp>
#include <deque>
#include <unordered_set>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "actors/agent_actor.h"
#include "actors/errors.h"
#include "actors/event.h"
#include "actors/messages.h"
#include "actors/queue_actor.h"
#include "actors/recommender_actor.h"
#include "actors/session_actor.h"
#include "engine/customer_hints.h"
#include "engine/queue_stats.h"

namespace switchboard::actors {

namespace {

using engine::errc;

struct tenant_entry {
  engine::tenant_config config;
  caf::actor recommender;
  std::unordered_map<std::string, queue_iface> queues;
  std::unordered_map<std::string, agent_iface> agent_actors;  // logged in
  std::unordered_map<std::string, caf::actor> sessions;      // live contacts
  /// Presence epoch per agent: moved on by every login and every lost connection,
  /// so a grace timer that fires after the agent came back is recognised as stale.
  std::unordered_map<std::string, std::uint64_t> epoch;
  /// The ids of the contacts that ended last here (at most `ended_window`): an
  /// OpenContact retried after its first answer was lost (a node died) and the
  /// contact was served meanwhile is refused, not opened a second time.
  std::unordered_set<std::string> ended;
  std::deque<std::string> ended_order;
};

constexpr std::size_t ended_window = 65536;

/// A tenant being handed to another node: answered with its stored state once
/// every actor it had is gone (so all their writes are queued before the read).
struct pending_export {
  std::string tenant;
  std::set<caf::actor_addr> waiting;
  caf::response_promise rp;
};

struct registry_state {
  actor_context ctx;
  std::unordered_map<std::string, tenant_entry> tenants;
  std::uint64_t next_seq = 1;
  /// Presence epochs come from one node-wide counter, so a grace timer of a tenant
  /// that left and came back (a handoff) cannot match a new epoch.
  std::uint64_t next_presence = 0;
  std::vector<pending_export> exports;
  /// Tenants taken over, answered once each restored session is back with its
  /// recommender (so a call right after the answer finds every contact).
  std::vector<std::pair<std::set<caf::actor_addr>, caf::response_promise>> imports;
  /// Restored sessions not yet back with their recommender; the restore report
  /// waits for them.
  std::size_t restoring = 0;
  restore_report restored;
  caf::typed_response_promise<restore_report> restore_rp;
  static inline const char* name = "registry";
};

using reg_ptr = caf::stateful_actor<registry_state>*;

engine::time_ms now(reg_ptr self) {
  return self->state.ctx.clock->wall();
}

tenant_entry* find_tenant(reg_ptr self, const std::string& id) {
  auto i = self->state.tenants.find(id);
  return i == self->state.tenants.end() ? nullptr : &i->second;
}

/// Hands the current request to `dest`, which answers the requester directly.
template <class Reply, class Handle, class Msg>
caf::delegated<Reply> forward(reg_ptr self, const Handle& dest, Msg&& msg) {
  self->delegate(dest, std::forward<Msg>(msg));
  return {};
}

/// Why tenant `te` refuses new contact `c` (the submit's checks), or no error.
caf::error refuse_new_contact(const tenant_entry& te, const engine::contact& c) {
  if (auto s = engine::validate_new_contact(c); !s)
    return to_caf(s.err());
  if (te.queues.count(c.queue) == 0)
    return to_caf(errc::unknown_queue,
                  "queue '" + c.queue + "' is not defined in tenant " + c.tenant);
  if (te.sessions.count(c.id) > 0)
    return to_caf(errc::duplicate_id, "contact '" + c.id + "' is already live");
  if (te.ended.count(c.id) > 0)
    return to_caf(errc::duplicate_id,
                  "contact '" + c.id + "' ended a short while ago: an id is opened once");
  return {};
}

/// The rest of an `open_req` once the customer's profile is known (`known`:
/// stored already): the hints merged, the profile written if that changed it (and
/// committed before the contact is), then the contact submitted through this
/// registry's own handler, which answers `rp`.
void open_with_profile(reg_ptr self, caf::typed_response_promise<submit_ack> rp,
                       std::shared_ptr<open_req> r, engine::customer_profile p, bool known) {
  bool changed = engine::apply_hints(p, r->hints) || !known;
  r->contact.segment = std::string{p.primary_segment()};
  if (!changed) {
    rp.delegate(caf::actor_cast<caf::actor>(self), submit_req{std::move(r->contact)});
    return;
  }
  auto me = caf::actor_cast<caf::actor>(self);
  self->request(me, caf::infinite, upsert_customer_req{std::move(p)})
    .then([=](ok_atom) mutable { rp.delegate(me, submit_req{std::move(r->contact)}); },
          [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
}

caf::error no_tenant(const std::string& id) {
  return to_caf(errc::unknown_tenant, "tenant '" + id + "' is not defined");
}

/// Spawned children die with the registry; their own exits never take it down.
/// For the few long-lived actors of a tenant (recommender, queues).
template <class F, class... Ts>
auto spawn_child(reg_ptr self, F spawner, Ts&&... xs) {
  auto child = spawner(self, std::forward<Ts>(xs)...);
  self->link_to(child);
  return child;
}

/// For the many (sessions, agent actors; up to millions): monitored, not linked. A
/// link puts an entry in the registry's own attachable list, which CAF searches
/// linearly on every unlink and every child exit, so a million links make ending a
/// session O(live) and a shutdown quadratic; a monitor lives in the child's list.
/// The registry stops them itself when it stops (`stop_members`).
template <class F, class... Ts>
auto spawn_member(reg_ptr self, F spawner, Ts&&... xs) {
  auto member = spawner(self, std::forward<Ts>(xs)...);
  self->monitor(member);
  return member;
}

/// Stops every session and agent actor (the registry is stopping).
void stop_members(reg_ptr self) {
  for (auto& [id, te] : self->state.tenants) {
    for (auto& [contact, session] : te.sessions)
      self->send_exit(session, caf::exit_reason::user_shutdown);
    for (auto& [agent, aa] : te.agent_actors)
      self->send_exit(aa, caf::exit_reason::user_shutdown);
    te.sessions.clear();
    te.agent_actors.clear();
  }
}

tenant_entry& ensure_tenant(reg_ptr self, const engine::tenant_config& t) {
  auto& st = self->state;
  auto [i, added] = st.tenants.try_emplace(t.id);
  i->second.config = t;
  if (added)
    i->second.recommender = spawn_child(self, spawn_recommender, st.ctx, t);
  else
    caf::anon_send(i->second.recommender, t);  // the reply is not needed
  return i->second;
}

queue_iface ensure_queue(reg_ptr self, tenant_entry& te, const engine::queue_config& q) {
  auto i = te.queues.find(q.id);
  if (i != te.queues.end()) {
    self->send(i->second, q);
    return i->second;
  }
  auto qa = spawn_child(self, spawn_queue_actor, q);
  te.queues.emplace(q.id, qa);
  return qa;
}

/// Persists `b`, then answers `rp` (ok or the storage error).
template <class Promise>
void persist_then_reply(reg_ptr self, storage::write_batch b, Promise rp) {
  self->request(self->state.ctx.storage, caf::infinite, persist_req{std::move(b)})
    .then([=](ok_atom) mutable { rp.deliver(ok_atom::value); },
          [=](caf::error& e) mutable { rp.deliver(e); });
}

/// Asks the tenant's recommender to accept a definition, then persists it.
template <class Msg>
caf::result<ok_atom> define_via_recommender(reg_ptr self, tenant_entry& te, Msg msg,
                                            storage::write_batch b) {
  auto rp = self->make_response_promise<ok_atom>();
  self->request(te.recommender, caf::infinite, std::move(msg))
    .then([=](ok_atom) mutable { persist_then_reply(self, std::move(b), rp); },
          [=](caf::error& e) mutable { rp.deliver(e); });
  return rp;
}

/// A tenant-scoped definition (agent, customer): validated here, accepted by the
/// tenant's recommender, then persisted into `field` of a batch and acknowledged.
template <class Req, class Record, class Field>
caf::result<ok_atom> define_record(reg_ptr self, Req&& req, Record record, Field field) {
  auto* te = find_tenant(self, record.tenant);
  if (te == nullptr)
    return no_tenant(record.tenant);
  if (auto s = engine::validate(record); !s)
    return to_caf(s.err());
  storage::write_batch b;
  (b.*field).push_back(std::move(record));
  return define_via_recommender(self, *te, std::forward<Req>(req), std::move(b));
}

/// Journals an agent event and publishes it once committed; `rp` (may be an empty
/// promise) is answered after the commit: an acknowledged login, logout or
/// presence change is durable.
template <class Promise>
void journal_agent(reg_ptr self, const std::string& tenant, const std::string& agent,
                   engine::event_type type, Promise rp, std::string detail = {}) {
  engine::journal_event je;
  je.at = now(self);
  je.tenant = tenant;
  je.agent = agent;
  je.type = type;
  je.detail = detail;
  storage::write_batch b;
  b.events.push_back(je);
  self->request(self->state.ctx.storage, caf::infinite, persist_req{std::move(b)})
    .then(
      [=](ok_atom) mutable {
        event ev;
        ev.type = type;
        ev.tenant = tenant;
        ev.agent = agent;
        ev.at = je.at;
        ev.detail = detail;
        self->send(self->state.ctx.hub, std::move(ev));
        rp.deliver(ok_atom::value);
      },
      [=](caf::error& e) mutable { rp.deliver(e); });
}

/// Starts (or restarts) an agent's grace period: unless it logs in again before
/// the node's agent grace runs out, its work is released (`agent_grace_msg`).
void start_grace(reg_ptr self, tenant_entry& te, const std::string& agent) {
  auto gen = te.epoch[agent] = ++self->state.next_presence;
  self->delayed_send(self, std::chrono::milliseconds(self->state.ctx.policy.agent_grace),
                     agent_grace_msg{te.config.id, agent, gen});
}

/// Hands a tenant-scoped request to the tenant's recommender, which answers the
/// requester directly.
template <class Reply, class Req>
caf::result<Reply> to_recommender(reg_ptr self, Req& r) {
  auto* te = find_tenant(self, r.tenant);
  if (te == nullptr)
    return no_tenant(r.tenant);
  return forward<Reply>(self, te->recommender, std::move(r));
}

/// Routes an agent's request to its agent actor, or straight to the recommender
/// when the agent is offline but still has contacts to finish (after a restart).
template <class Req>
caf::result<ok_atom> to_agent(reg_ptr self, Req& r, bool needs_login) {
  auto* te = find_tenant(self, r.tenant);
  if (te == nullptr)
    return no_tenant(r.tenant);
  auto i = te->agent_actors.find(r.agent);
  if (i != te->agent_actors.end())
    return forward<ok_atom>(self, i->second, std::move(r));
  if (needs_login)
    return to_caf(errc::agent_offline, "agent '" + r.agent + "' is not logged in");
  return forward<ok_atom>(self, te->recommender, std::move(r));
}

/// Hands a contact-scoped request to the contact's session.
template <class Reply, class Req>
caf::result<Reply> to_session(reg_ptr self, Req& r) {
  auto* te = find_tenant(self, r.tenant);
  if (te == nullptr)
    return no_tenant(r.tenant);
  auto i = te->sessions.find(r.contact);
  if (i == te->sessions.end())
    return to_caf(errc::unknown_contact,
                  "contact '" + r.contact + "' is not live in tenant " + r.tenant);
  return forward<Reply>(self, i->second, std::move(r));
}

struct stats_acc {
  tenant_stats out;
  std::map<std::string, queue_stats> queues;
  std::size_t remaining = 0;
  engine::time_ms at = 0;
};

void finish_stats(const std::shared_ptr<stats_acc>& acc,
                  caf::typed_response_promise<tenant_stats>& rp) {
  auto& out = acc->out;
  // Sums over queues of (answered within the threshold) and (answered + abandoned):
  // each queue's level times its weight gives back its answered-within count.
  double within = 0;
  double closed = 0;
  for (auto& [id, v] : acc->queues) {
    out.waiting += v.waiting;
    out.offered += v.offered;
    out.completed += v.completed;
    out.abandoned += v.abandoned;
    out.offers_expired += v.offers_expired;
    auto servers = std::max<std::uint64_t>(1, v.agents_staffed);
    v.ewt_ms = static_cast<engine::time_ms>(v.aht_ms * static_cast<double>(v.waiting + 1) /
                                            static_cast<double>(servers));
    auto w = static_cast<double>(v.answered + v.abandoned);
    within += w * v.service_level;
    closed += w;
    out.queues.push_back(v);
  }
  out.service_level = engine::service_level(within, closed);
  rp.deliver(std::move(out));
}

/// Stops every actor of a tenant and forgets it (its definitions stay stored);
/// returns the addresses of the actors stopped, each monitored, so a caller can
/// wait for them to be gone.
std::set<caf::actor_addr> stop_tenant(reg_ptr self, const std::string& tenant) {
  std::set<caf::actor_addr> out;
  auto* te = find_tenant(self, tenant);
  if (te == nullptr)
    return out;
  auto stop = [&](const caf::actor& a, bool linked) {
    if (!a)
      return;
    if (linked)
      self->unlink_from(a);
    self->monitor(a);
    out.insert(a.address());
    self->send_exit(a, caf::exit_reason::user_shutdown);
  };
  for (auto& [id, session] : te->sessions)
    stop(session, false);
  for (auto& [id, aa] : te->agent_actors)
    stop(caf::actor_cast<caf::actor>(aa), false);
  for (auto& [id, q] : te->queues)
    stop(caf::actor_cast<caf::actor>(q), true);
  stop(te->recommender, true);
  self->state.tenants.erase(tenant);
  return out;
}

/// Starts the tenants, definitions and contacts of `snap` (node start, or a tenant
/// taken over from another node). Restored sessions tell the registry when they
/// are back with their recommender (`restored_atom`); `rep` counts what started.
std::set<caf::actor_addr> restore_snapshot(reg_ptr self, storage::snapshot& snap,
                                           restore_report& rep, bool customers_absent) {
  std::set<caf::actor_addr> sessions;
  auto& st = self->state;
  auto ctx = st.ctx;
  ctx.policy.restored_customers_absent = customers_absent;
  for (const auto& t : snap.tenants) {
    ensure_tenant(self, t);
    ++rep.tenants;
  }
  // Restored definitions were valid when stored; replies are not awaited (anon).
  // Queues in two passes: overflow targets must exist before their sources.
  for (const auto& q : snap.queues)
    if (auto* te = find_tenant(self, q.tenant))
      ensure_queue(self, *te, q);
  for (const auto& q : snap.queues) {
    if (auto* te = find_tenant(self, q.tenant)) {
      caf::anon_send(te->recommender, rec_queue_msg{q, te->queues[q.id]});
      ++rep.queues;
    }
  }
  for (const auto& a : snap.agents)
    if (auto* te = find_tenant(self, a.tenant)) {
      caf::anon_send(te->recommender, define_agent_req{a});
      ++rep.agents;
    }
  for (const auto& c : snap.customers)
    if (auto* te = find_tenant(self, c.tenant)) {
      caf::anon_send(te->recommender, upsert_customer_req{c});
      ++rep.customers;
    }
  std::unordered_map<std::string, std::vector<engine::learned_record>> learned;
  for (const auto& l : snap.learned)
    learned[l.tenant].push_back(l.record);
  for (auto& [tenant, cells] : learned)
    if (auto* te = find_tenant(self, tenant)) {
      rep.learned += cells.size();
      self->send(te->recommender, std::move(cells));
    }
  std::vector<restored_contact> with_agents;
  for (auto& c : snap.live) {
    auto* te = find_tenant(self, c.tenant);
    if (te == nullptr) {
      st.ctx.log->error("restore: contact {} of unknown tenant {} skipped", c.id, c.tenant);
      continue;
    }
    st.next_seq = std::max(st.next_seq, c.seq + 1);
    bool with_agent = c.state == engine::contact_state::connected ||
                      c.state == engine::contact_state::wrap_up;
    (with_agent ? rep.connected : rep.requeued) += 1;
    if (with_agent)
      with_agents.push_back({c.tenant, c.id, c.agent});
    auto id = c.id;
    auto session = spawn_member(self, spawn_session,
                               session_args{ctx, self, te->recommender, std::move(c),
                                            session_start::restored});
    sessions.insert(session.address());
    te->sessions.emplace(std::move(id), session);
    ++st.restoring;
  }
  st.next_seq = std::max(st.next_seq, snap.next_contact_seq);
  // Every agent connection is gone (the process restarted, or the agents are
  // connected to the previous owner's view): an agent who held work and does not
  // log in here within the grace period has its work released.
  for (const auto& w : with_agents)
    if (auto* te = find_tenant(self, w.tenant); te != nullptr && te->epoch.count(w.agent) == 0)
      start_grace(self, *te, w.agent);
  rep.with_agents.insert(rep.with_agents.end(), with_agents.begin(), with_agents.end());
  return sessions;
}

caf::behavior registry(reg_ptr self, actor_context ctx) {
  self->state.ctx = std::move(ctx);
  self->set_exit_handler([=](caf::exit_msg& m) {
    if (m.reason && m.source != self->address())
      self->state.ctx.log->error("registry: a child actor failed: {}", caf::to_string(m.reason));
  });
  // Members end normally after telling the registry (session_ended_msg, logout); a
  // failed one is dropped from the tables here so its id can be used again.
  self->set_down_handler([=](caf::down_msg& m) {
    auto& exports = self->state.exports;
    for (auto i = exports.begin(); i != exports.end(); ++i) {
      if (i->waiting.erase(m.source) == 0 || !i->waiting.empty())
        continue;
      // Every actor of the tenant is gone: its writes are all queued at the
      // storage actor, which commits them before it reads.
      auto rp = i->rp;
      self->request(self->state.ctx.storage, caf::infinite, load_tenant_req{i->tenant})
        .then([rp](storage::snapshot& snap) mutable { rp.deliver(std::move(snap)); },
              [rp](caf::error& e) mutable { rp.deliver(e); });
      exports.erase(i);
      return;
    }
    if (!m.reason || m.reason == caf::exit_reason::user_shutdown)
      return;
    self->state.ctx.log->error("registry: a session or agent actor failed: {}",
                               caf::to_string(m.reason));
    auto drop = [&](auto& table) {
      for (auto i = table.begin(); i != table.end(); ++i)
        if (i->second.address() == m.source) {
          table.erase(i);
          return true;
        }
      return false;
    };
    for (auto& [id, te] : self->state.tenants)
      if (drop(te.sessions) || drop(te.agent_actors))
        return;
  });
  return {
    [=](define_tenant_req& r) -> caf::result<ok_atom> {
      if (auto s = engine::validate(r.tenant); !s)
        return to_caf(s.err());
      ensure_tenant(self, r.tenant);
      storage::write_batch b;
      b.tenants.push_back(r.tenant);
      auto rp = self->make_response_promise<ok_atom>();
      persist_then_reply(self, std::move(b), rp);
      return rp;
    },
    [=](define_queue_req& r) -> caf::result<ok_atom> {
      auto* te = find_tenant(self, r.queue.tenant);
      if (te == nullptr)
        return no_tenant(r.queue.tenant);
      if (auto s = engine::validate(r.queue); !s)
        return to_caf(s.err());
      for (const auto& step : r.queue.overflow)
        if (!step.move_to_queue.empty() && te->queues.count(step.move_to_queue) == 0)
          return to_caf(errc::unknown_queue, "queue " + r.queue.id + ": overflow target '" +
                                               step.move_to_queue + "' is not defined");
      auto qa = ensure_queue(self, *te, r.queue);
      storage::write_batch b;
      b.queues.push_back(r.queue);
      return define_via_recommender(self, *te, rec_queue_msg{r.queue, qa}, std::move(b));
    },
    [=](define_agent_req& r) -> caf::result<ok_atom> {
      return define_record(self, std::move(r), r.agent, &storage::write_batch::agents);
    },
    [=](upsert_customer_req& r) -> caf::result<ok_atom> {
      return define_record(self, std::move(r), r.customer, &storage::write_batch::customers);
    },
    [=](login_req& r) -> caf::result<ok_atom> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      te->epoch[r.agent] = ++self->state.next_presence;  // back in time: a grace period in flight is over
      auto existing = te->agent_actors.find(r.agent);
      if (existing != te->agent_actors.end()) {
        // Logged in already (a reconnect): idempotent, but it is reachable again.
        return forward<ok_atom>(self, te->recommender, rec_login_req{r.agent, existing->second});
      }
      auto& st = self->state;
      auto aa = spawn_member(self, spawn_agent_actor,
                            agent_args{st.ctx, r.tenant, r.agent, te->recommender});
      auto rp = self->make_response_promise<ok_atom>();
      auto tenant = r.tenant;
      auto agent = r.agent;
      self->request(te->recommender, caf::infinite, rec_login_req{r.agent, aa})
        .then(
          [=](ok_atom) mutable {
            if (auto* t = find_tenant(self, tenant))
              t->agent_actors[agent] = aa;
            journal_agent(self, tenant, agent, engine::event_type::agent_login, rp);
          },
          [=](caf::error& e) mutable {
            self->demonitor(aa.address());
            self->send(aa, stop_atom::value);
            rp.deliver(e);
          });
      return rp;
    },
    [=](logout_req& r) -> caf::result<ok_atom> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      auto rp = self->make_response_promise<ok_atom>();
      auto tenant = r.tenant;
      auto agent = r.agent;
      self->request(te->recommender, caf::infinite, r)
        .then(
          [=](ok_atom) mutable {
            if (auto* t = find_tenant(self, tenant)) {
              auto i = t->agent_actors.find(agent);
              if (i != t->agent_actors.end()) {
                self->demonitor(i->second.address());
                self->send(i->second, stop_atom::value);
                t->agent_actors.erase(i);
              }
              // Contacts still connected with it stay its own to finish (it may
              // complete them logged out); unless it logs in again within the
              // grace period, they are released like a lost agent's.
              start_grace(self, *t, agent);
            }
            journal_agent(self, tenant, agent, engine::event_type::agent_logout, rp);
          },
          [=](caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [=](presence_req& r) -> caf::result<ok_atom> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      // Journaled and published only once the recommender accepted the change.
      auto rp = self->make_response_promise<ok_atom>();
      auto tenant = r.tenant;
      auto agent = r.agent;
      auto type = r.away ? engine::event_type::agent_away : engine::event_type::agent_available;
      self->request(te->recommender, caf::infinite, std::move(r))
        .then(
          [=](ok_atom) mutable {
            journal_agent(self, tenant, agent, type, rp);
          },
          [=](caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [=](submit_req& r) -> caf::result<submit_ack> {
      auto& c = r.contact;
      auto* te = find_tenant(self, c.tenant);
      if (te == nullptr)
        return no_tenant(c.tenant);
      if (auto e = refuse_new_contact(*te, c))
        return e;
      auto& st = self->state;
      c.seq = st.next_seq++;
      c.created_at = now(self);
      c.enqueued_at = c.created_at;
      c.agent.clear();
      c.last_declined_by.clear();
      c.offers = 0;
      auto id = c.id;
      auto session = spawn_member(self, spawn_session,
                                 session_args{st.ctx, self, te->recommender, c,
                                              session_start::submitted});
      te->sessions.emplace(std::move(id), session);
      return forward<submit_ack>(self, session, std::move(r));
    },
    // OpenContact as one request (node_api::open_contact): the customer's profile
    // from the recommender, then `open_with_profile`.
    [=](open_req& r) -> caf::result<submit_ack> {
      auto* te = find_tenant(self, r.contact.tenant);
      if (te == nullptr)
        return no_tenant(r.contact.tenant);
      // A contact the submit would refuse does not write its customer's profile.
      if (auto e = refuse_new_contact(*te, r.contact))
        return e;
      if (r.contact.customer.empty())
        return forward<submit_ack>(self, caf::actor_cast<caf::actor>(self),
                                   submit_req{std::move(r.contact)});
      auto req = std::make_shared<open_req>(std::move(r));
      auto rp = self->make_response_promise<submit_ack>();
      self->request(te->recommender, caf::infinite,
                    find_customer_req{req->contact.tenant, req->contact.customer})
        .then(
          [=](engine::customer_profile& p) mutable {
            open_with_profile(self, rp, req, std::move(p), true);
          },
          [=](caf::error& e) mutable {
            if (from_caf(e).code != errc::unknown_customer) {
              rp.deliver(std::move(e));
              return;
            }
            engine::customer_profile p;
            p.tenant = req->contact.tenant;
            p.id = req->contact.customer;
            open_with_profile(self, rp, req, std::move(p), false);
          });
      return rp;
    },
    [=](accept_req& r) { return to_agent(self, r, true); },
    [=](decline_req& r) { return to_agent(self, r, true); },
    [=](wrap_up_req& r) { return to_agent(self, r, false); },
    [=](complete_req& r) { return to_agent(self, r, false); },
    [=](end_contact_req& r) { return to_recommender<ok_atom>(self, r); },
    [=](contact_req& r) -> caf::result<engine::contact> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      auto unknown = to_caf(errc::unknown_contact,
                            "contact '" + r.contact + "' is not live in tenant " + r.tenant);
      auto i = te->sessions.find(r.contact);
      if (i == te->sessions.end())
        return unknown;
      // A session that just ended may be gone before its session_ended_msg got
      // here: that is an unknown contact, not a failure.
      auto rp = self->make_response_promise<engine::contact>();
      self->request(i->second, caf::infinite, std::move(r))
        .then([=](engine::contact& c) mutable { rp.deliver(std::move(c)); },
              [=](caf::error&) mutable { rp.deliver(unknown); });
      return rp;
    },
    [=](find_agent_req& r) { return to_recommender<agent_info>(self, r); },
    [=](find_customer_req& r) { return to_recommender<engine::customer_profile>(self, r); },
    [=](find_queue_req& r) { return to_recommender<engine::queue_config>(self, r); },
    [=](position_req& r) -> caf::result<std::int64_t> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      return forward<std::int64_t>(self, te->recommender, rec_position_req{std::move(r.contact)});
    },
    [=](transfer_req& r) -> caf::result<ok_atom> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      if (te->queues.count(r.to_queue) == 0)
        return to_caf(errc::unknown_queue,
                      "queue '" + r.to_queue + "' is not defined in tenant " + r.tenant);
      // A new place in line in the target queue: after everyone already waiting.
      r.seq = self->state.next_seq++;
      r.enqueued_at = now(self);
      return to_agent(self, r, false);
    },
    [=](agent_connection_req& r) -> caf::result<ok_atom> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      if (r.connected)
        return to_caf(errc::invalid_argument, "an agent comes back by logging in");
      if (te->agent_actors.count(r.agent) == 0)
        return to_caf(errc::agent_offline, "agent '" + r.agent + "' is not logged in");
      start_grace(self, *te, r.agent);
      return forward<ok_atom>(self, te->recommender, rec_connected_req{r.agent, false});
    },
    [=](agent_grace_msg& m) {
      auto* te = find_tenant(self, m.tenant);
      if (te == nullptr || te->epoch[m.agent] != m.gen)
        return;  // came back in time
      auto tenant = m.tenant;
      auto agent = m.agent;
      auto gen = m.gen;
      self->state.ctx.log->info("[{}] agent {} did not come back within {} ms: its work is released",
                                tenant, agent, self->state.ctx.policy.agent_grace);
      self->request(te->recommender, caf::infinite, rec_agent_lost_req{agent})
        .then(
          [=](ok_atom) {
            auto* t = find_tenant(self, tenant);
            if (t == nullptr || t->epoch[agent] != gen)
              return;  // logged in meanwhile: the recommender saw that login after this
            t->epoch.erase(agent);
            auto i = t->agent_actors.find(agent);
            if (i == t->agent_actors.end())
              return;  // logged out already (its leftover work was just released)
            self->demonitor(i->second.address());
            self->send(i->second, stop_atom::value);
            t->agent_actors.erase(i);
            journal_agent(self, tenant, agent, engine::event_type::agent_logout,
                          caf::response_promise{}, "agent_lost");
          },
          [=](caf::error& e) {
            self->state.ctx.log->error("[{}] releasing agent {}: {}", tenant, agent,
                                       caf::to_string(e));
          });
    },
    [=](customer_connection_req& r) -> caf::result<ok_atom> {
      return to_session<ok_atom>(self, r);
    },
    [=](message_req& r) -> caf::result<ok_atom> { return to_session<ok_atom>(self, r); },
    [=](rate_req& r) { return to_recommender<ok_atom>(self, r); },
    [=](transcript_req& r) -> caf::result<std::vector<chat_line>> {
      if (find_tenant(self, r.tenant) == nullptr)
        return no_tenant(r.tenant);
      return forward<std::vector<chat_line>>(self, self->state.ctx.storage,
                                             journal_query_req{r.tenant, r.contact});
    },
    [=](decisions_req& r) -> caf::result<contact_decisions> {
      if (find_tenant(self, r.tenant) == nullptr)
        return no_tenant(r.tenant);
      return forward<contact_decisions>(self, self->state.ctx.storage, std::move(r));
    },
    [=](session_ended_msg& m) {
      if (auto* te = find_tenant(self, m.tenant)) {
        auto i = te->sessions.find(m.contact);
        if (i != te->sessions.end())
          te->sessions.erase(i);
        if (!m.refused && te->ended.insert(m.contact).second) {
          te->ended_order.push_back(m.contact);
          if (te->ended_order.size() > ended_window) {
            te->ended.erase(te->ended_order.front());
            te->ended_order.pop_front();
          }
        }
      }
    },
    [=](tenant_stats_req& r) -> caf::result<tenant_stats> {
      auto* te = find_tenant(self, r.tenant);
      if (te == nullptr)
        return no_tenant(r.tenant);
      auto rp = self->make_response_promise<tenant_stats>();
      auto acc = std::make_shared<stats_acc>();
      acc->out.tenant = r.tenant;
      acc->remaining = 1 + te->queues.size();
      acc->at = now(self);
      auto done = [=]() mutable {
        if (--acc->remaining == 0)
          finish_stats(acc, rp);
      };
      self->request(te->recommender, caf::infinite, rec_snapshot_req{})
        .then(
          [=](rec_snapshot& s) mutable {
            for (const auto& q : s.queues) {
              auto& v = acc->queues[q.id];
              v.id = q.id;
              v.waiting = q.waiting;
              v.offered = q.offered;
              v.longest_wait_ms = q.oldest_enqueued_at < 0 ? 0 : acc->at - q.oldest_enqueued_at;
              v.agents_ready = q.agents_ready;
              v.agents_staffed = q.agents_staffed;
            }
            acc->out.agents = std::move(s.agents);
            acc->out.routed = s.routed;
            acc->out.connected = s.connected;
            acc->out.alerts = std::move(s.alerts);
            acc->out.alerts_raised = s.alerts_raised;
            acc->out.experiments = std::move(s.experiments);
            acc->out.batch_offers = s.batch_offers;
            acc->out.guarded_offers = s.guarded_offers;
            done();
          },
          [=](caf::error&) mutable { done(); });
      for (const auto& [id, qa] : te->queues) {
        self->request(qa, caf::infinite, queue_stats_req{})
          .then(
            [=](queue_stats& v) mutable {
              auto& dst = acc->queues[v.id];
              dst.id = v.id;
              dst.entered = v.entered;
              dst.answered = v.answered;
              dst.abandoned = v.abandoned;
              dst.completed = v.completed;
              dst.offers_expired = v.offers_expired;
              dst.service_level = v.service_level;
              dst.asa_ms = v.asa_ms;
              dst.aht_ms = v.aht_ms;
              done();
            },
            [=](caf::error&) mutable { done(); });
      }
      return rp;
    },
    [=](restore_req& r) -> caf::result<restore_report> {
      auto& st = self->state;
      restore_report rep;
      (void)restore_snapshot(self, r.snap, rep, st.ctx.policy.restored_customers_absent);
      if (st.restoring == 0)
        return rep;
      // Answered once every restored session is back with its recommender (see
      // restored_atom): routing after node::open sees every contact, in order.
      st.restored = std::move(rep);
      st.restore_rp = self->make_response_promise<restore_report>();
      return st.restore_rp;
    },
    [=](export_tenant_req& r) -> caf::result<storage::snapshot> {
      if (find_tenant(self, r.tenant) == nullptr)
        return no_tenant(r.tenant);
      pending_export pe;
      pe.tenant = r.tenant;
      pe.waiting = stop_tenant(self, r.tenant);
      pe.rp = self->make_response_promise();
      self->state.exports.push_back(std::move(pe));
      self->state.ctx.log->info("[{}] handing over: stopped, its state is read once committed",
                                r.tenant);
      return caf::delegated<storage::snapshot>{};
    },
    [=](import_tenant_req& r) -> caf::result<ok_atom> {
      if (r.snap.tenants.size() != 1)
        return to_caf(errc::invalid_argument, "a tenant's state names exactly one tenant");
      auto tenant = r.snap.tenants.front().id;
      // Whatever this node still had of it (idle definitions, or leftovers of an
      // earlier ownership) makes way for the state taken over.
      (void)stop_tenant(self, tenant);
      auto snap = std::make_shared<storage::snapshot>(std::move(r.snap));
      auto rp = self->make_response_promise<ok_atom>();
      self->request(self->state.ctx.storage, caf::infinite, replace_tenant_req{tenant, *snap})
        .then(
          [=](ok_atom) mutable {
            restore_report rep;
            // The customers are still connected, through the edges that relay them.
            auto waiting = restore_snapshot(self, *snap, rep, false);
            self->state.ctx.log->info("[{}] taken over: {} waiting, {} with agents", tenant,
                                      rep.requeued, rep.connected);
            if (waiting.empty())
              rp.deliver(ok_atom::value);
            else
              self->state.imports.emplace_back(std::move(waiting), rp);
          },
          [=](caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [=](drop_tenant_req& r) -> caf::result<ok_atom> {
      if (find_tenant(self, r.tenant) != nullptr)
        return to_caf(errc::invalid_argument,
                      "tenant " + r.tenant + " is live here: hand it over first");
      return forward<ok_atom>(self, self->state.ctx.storage,
                              replace_tenant_req{r.tenant, storage::snapshot{}});
    },
    [=](restored_atom) {
      auto& st = self->state;
      auto from = self->current_sender() ? self->current_sender()->address() : caf::actor_addr{};
      for (auto i = st.imports.begin(); i != st.imports.end(); ++i)
        if (i->first.erase(from) > 0) {
          if (i->first.empty()) {
            i->second.deliver(ok_atom::value);
            st.imports.erase(i);
          }
          break;
        }
      if (st.restoring > 0 && --st.restoring == 0)
        st.restore_rp.deliver(std::move(st.restored));
    },
    [=](stop_atom) {
      stop_members(self);
      self->quit(caf::exit_reason::user_shutdown);
    },
  };
}

}  // namespace

caf::actor spawn_registry(caf::actor_system& sys, actor_context ctx) {
  return sys.spawn(registry, std::move(ctx));
}

}  // namespace switchboard::actors
