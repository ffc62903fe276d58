#include "actors/storage_actor.h"

#include <caf/all.hpp>
#include <vector>

#include "actors/errors.h"
#include "actors/messages.h"

namespace switchboard::actors {

namespace {

struct storage_state {
  std::shared_ptr<storage::store> store;
  storage_actor_options opts;
  std::shared_ptr<spdlog::logger> log;
  storage::write_batch pending;
  std::vector<caf::response_promise> waiting;
  bool flush_scheduled = false;
  std::uint64_t commits = 0;
  std::shared_ptr<replication_hook> replication;
  bool running = true;
  static inline const char* name = "storage";
};

// A blocking actor on its own thread, not `spawn<detached>`: CAF 0.17's private
// thread of a detached event-based actor waits at shutdown until the actor object
// is destroyed, and a reference to it that something kept made `~actor_system`
// hang (about one run in eight of the cluster tests; CAF issue #1196, fixed only in
// 0.18). A blocking actor's thread ends when its loop ends.
using storage_ptr = caf::stateful_actor<storage_state, caf::blocking_actor>*;

void commit(storage_ptr self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  if (st.pending.empty() && st.waiting.empty())
    return;
  auto batch = std::move(st.pending);
  st.pending = storage::write_batch{};
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  auto res = st.store->commit(batch);
  ++st.commits;
  if (!res) {
    st.log->error("storage: commit of {} records failed: {}", batch.size(), res.err().message);
    auto err = to_caf(res.err());
    for (auto& rp : waiting)
      rp.deliver(err);
    return;
  }
  auto& hook = st.replication;
  bool wait = hook && hook->must_wait(batch);
  if (!wait)
    for (auto& rp : waiting)
      rp.deliver(ok_atom::value);
  if (hook)
    hook->replicate(batch, *st.store);
  if (wait)
    for (auto& rp : waiting)
      rp.deliver(ok_atom::value);
}

void schedule(storage_ptr self) {
  auto& st = self->state;
  if (st.pending.size() >= st.opts.max_batch) {
    commit(self);
    return;
  }
  if (st.flush_scheduled)
    return;
  st.flush_scheduled = true;
  // Sent to ourselves, the flush queues behind every write already in the mailbox:
  // they all land in one commit.
  if (st.opts.linger.count() > 0)
    self->delayed_send(self, st.opts.linger, flush_atom::value);
  else
    self->send(self, flush_atom::value);
}

/// The journal of one contact; unknown_contact when nothing was ever journaled
/// for it in `tenant` (another tenant's contact included: it is never visible).
engine::result<std::vector<engine::journal_event>> contact_journal(const storage::store& store,
                                                                   const std::string& tenant,
                                                                   const std::string& contact) {
  auto events = store.journal_for_contact(tenant, contact);
  if (events && events->empty())
    return engine::make_error(engine::errc::unknown_contact,
                              "contact '" + contact + "' has no journal in tenant " + tenant);
  return events;
}

/// The decisions the `offered` events of `events` carry, the last `q.limit`.
contact_decisions decisions_of(const decisions_req& q, std::vector<engine::journal_event> events) {
  contact_decisions out;
  out.contact = q.contact;
  for (auto& e : events)
    if (e.type == engine::event_type::offered && e.decision)
      out.decisions.push_back(std::move(*e.decision));
  out.keep_last(q.limit);
  return out;
}

void storage_actor(storage_ptr self, std::shared_ptr<storage::store> store,
                            storage_actor_options opts, std::shared_ptr<spdlog::logger> log) {
  self->state.store = std::move(store);
  self->state.opts = opts;
  self->state.log = std::move(log);
  self->receive_while(self->state.running)(
    [=](persist_req& r) -> caf::result<ok_atom> {
      auto rp = self->make_response_promise();
      self->state.pending.append(std::move(r.batch));
      self->state.waiting.push_back(rp);
      schedule(self);
      return caf::delegated<ok_atom>{};
    },
    [=](persist_msg& r) {
      self->state.pending.append(std::move(r.batch));
      schedule(self);
    },
    [=](const journal_query_req& q) -> caf::result<std::vector<chat_line>> {
      auto events = contact_journal(*self->state.store, q.tenant, q.contact);
      if (!events)
        return to_caf(events.err());
      std::vector<chat_line> out;
      for (auto& e : *events)
        if (e.type == engine::event_type::message)
          out.push_back(chat_line{e.at, std::move(e.agent), std::move(e.detail)});
      return out;
    },
    [=](const decisions_req& q) -> caf::result<contact_decisions> {
      // What reached this actor before the query is read too: an offer's decision
      // is journaled without waiting for its commit.
      commit(self);
      auto events = contact_journal(*self->state.store, q.tenant, q.contact);
      if (!events)
        return to_caf(events.err());
      return decisions_of(q, std::move(*events));
    },
    [=](const load_tenant_req& r) -> caf::result<storage::snapshot> {
      commit(self);
      auto snap = self->state.store->load(r.tenant);
      if (!snap)
        return to_caf(snap.err());
      return std::move(*snap);
    },
    [=](const replace_tenant_req& r) -> caf::result<ok_atom> {
      commit(self);
      if (auto st = self->state.store->replace_tenant(r.tenant, r.snap); !st)
        return to_caf(st.err());
      return ok_atom::value;
    },
    [=](flush_atom) { commit(self); },
    [=](set_replication_msg& m) -> ok_atom {
      self->state.replication = std::move(m.hook);
      return ok_atom::value;
    },
    [=](stop_atom) -> ok_atom {
      commit(self);
      self->state.running = false;
      return ok_atom::value;
    });
}

}  // namespace

caf::actor spawn_storage_actor(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                               storage_actor_options opts, std::shared_ptr<spdlog::logger> log) {
  return sys.spawn(storage_actor, std::move(store), opts, std::move(log));
}

}  // namespace switchboard::actors
