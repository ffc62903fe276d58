// The serving side of the cluster: each node's gateway (published on the cluster
// port), which acts on other nodes' calls, handoffs and standby copies and sends
// this node's events out, and its event sink, which takes other nodes' events in.
#include <caf/all.hpp>
#include <algorithm>
#include <deque>
#include <optional>

#include "actors/errors.h"
#include "actors/internal/cluster_shared.h"

namespace switchboard::actors::cluster_detail {

namespace {

// -- the gateway: one per node, published on the cluster port --------------------------

struct gateway_state {
  std::shared_ptr<shared_state> shared;
  caf::actor registry;
  caf::actor storage;
  std::vector<caf::actor> sinks;  ///< other nodes' event sinks
  std::vector<event> pending;     ///< this node's events not sent yet
  bool flush_armed = false;
  static inline const char* name = "cluster_gateway";
};

using gateway_ptr = caf::stateful_actor<gateway_state>*;

void flush_events(gateway_ptr self) {
  auto& st = self->state;
  st.flush_armed = false;
  if (st.pending.empty())
    return;
  // One message, built once, shared by every link.
  auto msg = caf::make_message(events_atom::value, st.shared->self, std::move(st.pending));
  st.pending.clear();
  for (const auto& s : st.sinks)
    self->send(s, msg);
}

/// A standby's write of its copy of `domain` (a snapshot or the next part), sent
/// to this node's storage actor; answered once committed. A failed write leaves
/// the copy out of sequence, so the owner sends a snapshot next.
template <class Msg>
caf::result<ok_atom> store_copy(gateway_ptr self, const std::string& domain, Msg msg) {
  auto rp = self->make_response_promise<ok_atom>();
  self->request(self->state.storage, caf::infinite, std::move(msg))
    .then(
      [self, rp](ok_atom) mutable {
        ++self->state.shared->applied_batches;
        rp.deliver(ok_atom::value);
      },
      [self, rp, domain](caf::error& e) mutable {
        auto& sh = *self->state.shared;
        std::lock_guard<std::mutex> g{sh.replica_mutex};
        sh.replicas.erase(domain);
        rp.deliver(e);
      });
  return rp;
}

caf::behavior gateway(gateway_ptr self, std::shared_ptr<shared_state> shared,
                      caf::actor registry, caf::actor storage) {
  self->state.shared = std::move(shared);
  self->state.registry = std::move(registry);
  self->state.storage = std::move(storage);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& s = self->state.sinks;
    s.erase(std::remove_if(s.begin(), s.end(), [&](const caf::actor& a) { return a.address() == dm.source; }),
            s.end());
  });
  return {
    // A request about `domain` from a node that read `epoch` as its owner's
    // fencing token: acted on only if this node owns it at that epoch now.
    [self](fenced_atom, const std::string& domain, std::int64_t epoch, caf::message& inner) {
      auto st = self->state.shared->check(domain, epoch);
      if (!st) {
        self->make_response_promise().deliver(to_caf(st.err()));
        return;
      }
      // Which node an agent is connected through, so that its loss is the agent's.
      if (inner.match_elements<login_req>()) {
        if (auto sender = self->current_sender()) {
          const auto& r = inner.get_as<login_req>(0);
          self->state.shared->note_origin(r.tenant, r.agent, sender->node());
        }
      } else if (inner.match_elements<logout_req>()) {
        const auto& r = inner.get_as<logout_req>(0);
        self->state.shared->forget_origin(r.tenant, r.agent);
      }
      // The registry answers the remote caller itself.
      self->delegate(self->state.registry, std::move(inner));
    },
    // A tenant's state from its owner, handing the domain to this node: taken only
    // from the owner at the epoch this node reads (a fenced old owner is refused).
    [self](import_atom, const std::string& domain, std::int64_t epoch, storage::snapshot& snap) {
      auto& shared = *self->state.shared;
      auto v = shared.current_view();
      std::optional<route> r;
      if (v && snap.tenants.size() == 1)
        r = v->route_for(snap.tenants.front().id);
      if (!r || r->domain != domain || r->epoch != epoch || r->owner == shared.self) {
        self->make_response_promise().deliver(to_caf(
          engine::errc::stale_epoch, "handoff of domain " + domain + " at epoch " +
                                       std::to_string(epoch) + ": not its current owner's"));
        return;
      }
      auto rp = self->make_response_promise<ok_atom>();
      self->request(self->state.registry, caf::infinite, import_tenant_req{std::move(snap)})
        .then(
          [self, rp, domain](ok_atom) mutable {
            auto& sh = *self->state.shared;
            std::lock_guard<std::mutex> g{sh.replica_mutex};
            sh.imported.insert(domain);
            sh.replicas.erase(domain);  // the live state replaced any copy
            rp.deliver(ok_atom::value);
          },
          [rp](caf::error& e) mutable { rp.deliver(e); });
    },
    // A standby copy of a domain's whole state from its owner: replaces what this
    // node's store holds of the tenant; the parts that follow continue from `seq`.
    [self](replica_atom, const std::string& domain, std::int64_t epoch, std::uint64_t seq,
           storage::snapshot& snap) -> caf::result<ok_atom> {
      auto& shared = *self->state.shared;
      if (snap.tenants.size() != 1)
        return to_caf(engine::errc::invalid_argument, "a copy of domain " + domain +
                                                        " must name exactly one tenant");
      auto tenant = snap.tenants.front().id;
      if (auto st = shared.standby_check(tenant, domain, epoch); !st)
        return to_caf(st.err());
      {
        std::lock_guard<std::mutex> g{shared.replica_mutex};
        shared.replicas[domain] = {epoch, seq};
      }
      return store_copy(self, domain, replace_tenant_req{tenant, std::move(snap)});
    },
    // One committed part of a domain's writes from its owner, next in sequence.
    [self](replicate_atom, const std::string& tenant, const std::string& domain,
           std::int64_t epoch, std::uint64_t seq, storage::write_batch& batch)
      -> caf::result<ok_atom> {
      auto& shared = *self->state.shared;
      auto tenants = batch.tenant_ids();
      if (tenants.size() > 1 || (tenants.size() == 1 && *tenants.begin() != tenant))
        return to_caf(engine::errc::cross_tenant,
                      "a part of domain " + domain + " holds records of another tenant");
      if (auto st = shared.standby_check(tenant, domain, epoch); !st)
        return to_caf(st.err());
      {
        std::lock_guard<std::mutex> g{shared.replica_mutex};
        auto i = shared.replicas.find(domain);
        if (i == shared.replicas.end() || i->second.epoch != epoch || i->second.seq + 1 != seq)
          return to_caf(engine::errc::stale_epoch,
                        "part " + std::to_string(seq) + " of domain " + domain + " at epoch " +
                          std::to_string(epoch) + " is out of sequence here: send a snapshot");
        i->second.seq = seq;
      }
      return store_copy(self, domain, persist_req{std::move(batch)});
    },
    [self](subscribe_atom, const caf::actor& sink) {
      // A node that linked again (after a pause cut the link, say) subscribes again
      // with the same sink: it is sent each event once.
      auto& s = self->state.sinks;
      if (std::find(s.begin(), s.end(), sink) != s.end())
        return;
      self->monitor(sink);
      s.push_back(sink);
    },
    [self](event& ev) {
      auto& st = self->state;
      if (st.sinks.empty())
        return;
      st.pending.push_back(std::move(ev));
      if (st.pending.size() >= 512) {
        flush_events(self);
      } else if (!st.flush_armed) {
        st.flush_armed = true;
        // By default the flush is sent to ourselves: it queues behind every event
        // already in the mailbox, so a burst goes as one message and a lone event
        // goes at once (no timer on the offer's path).
        if (st.shared->event_batch.count() > 0)
          self->delayed_send(self, st.shared->event_batch, flush_atom::value);
        else
          self->send(self, flush_atom::value);
      }
    },
    [self](flush_atom) { flush_events(self); },
  };
}

// -- the sink: receives other nodes' event batches ---------------------------------------

struct sink_state {
  std::map<caf::actor_addr, std::string> watched;  ///< linked gateways -> endpoint
  /// Events from a node this one does not read as their tenant's owner (yet), by
  /// source, in order: a new owner's first events can come before this node reads
  /// its claim. Passed on once it does, dropped after `hold_for`.
  std::map<std::string, std::deque<std::pair<std::chrono::steady_clock::time_point, event>>> held;
  bool recheck_armed = false;
  static inline const char* name = "cluster_event_sink";
};

/// How long a sink holds an event from a node it does not read as the owner.
constexpr auto hold_for = std::chrono::seconds(2);
constexpr auto recheck_every = std::chrono::milliseconds(25);

caf::behavior event_sink(caf::stateful_actor<sink_state>* self,
                         std::shared_ptr<shared_state> shared) {
  // A linked node that goes away (its connection closes, or misses heartbeats) is
  // forgotten, so the linker links to it afresh, and subscribes again, once it is back.
  self->set_down_handler([self, shared](caf::down_msg& dm) {
    auto i = self->state.watched.find(dm.source);
    if (i == self->state.watched.end())
      return;
    {
      // Under the mutex: the router clears `forget_link` under it before it goes.
      std::lock_guard<std::mutex> g{shared->mutex};
      if (shared->forget_link)
        shared->forget_link(i->second);
    }
    self->state.watched.erase(i);
  });
  auto arm = [self] {
    if (!self->state.recheck_armed) {
      self->state.recheck_armed = true;
      self->delayed_send(self, recheck_every, flush_atom::value);
    }
  };
  return {
    [self, shared, arm](events_atom, const std::string& source, std::vector<event>& evs) {
      auto& held = self->state.held;
      auto h = held.find(source);
      for (auto& ev : evs) {
        // Behind held ones of the same node, an event waits its turn (order).
        if ((h == held.end() || h->second.empty()) && shared->owns(ev.tenant, source)) {
          shared->pass_on(ev, source);
          continue;
        }
        if (h == held.end())
          h = held.emplace(source, std::deque<std::pair<std::chrono::steady_clock::time_point, event>>{}).first;
        h->second.emplace_back(std::chrono::steady_clock::now(), std::move(ev));
      }
      if (h != held.end() && !h->second.empty())
        arm();
    },
    [self, shared, arm](flush_atom) {
      self->state.recheck_armed = false;
      auto now = std::chrono::steady_clock::now();
      bool left = false;
      for (auto i = self->state.held.begin(); i != self->state.held.end();) {
        auto& q = i->second;
        while (!q.empty()) {
          auto& [at, ev] = q.front();
          if (shared->owns(ev.tenant, i->first))
            shared->pass_on(ev, i->first);
          else if (now - at >= hold_for)
            ++shared->dropped_events;  // from a node that is not (or no longer) the owner
          else
            break;
          q.pop_front();
        }
        left = left || !q.empty();
        i = q.empty() ? self->state.held.erase(i) : std::next(i);
      }
      if (left)
        arm();
    },
    [self](watch_atom, const caf::actor& gateway, const std::string& endpoint) {
      self->monitor(gateway);
      self->state.watched[gateway.address()] = endpoint;
    },
  };
}

}  // namespace

caf::actor spawn_gateway(caf::actor_system& sys, std::shared_ptr<shared_state> shared,
                         caf::actor registry, caf::actor storage) {
  return sys.spawn(gateway, std::move(shared), std::move(registry), std::move(storage));
}

caf::actor spawn_event_sink(caf::actor_system& sys, std::shared_ptr<shared_state> shared) {
  return sys.spawn(event_sink, std::move(shared));
}

}  // namespace switchboard::actors::cluster_detail
