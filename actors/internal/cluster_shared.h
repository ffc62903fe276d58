#pragma once

// What the cluster router (actors/cluster.cc), its gateway and event sink
// (actors/cluster_gateway.cc) and its replication (actors/replication.cc) share:
// the atoms of the cluster's wire, the state they hold in common, and how each
// part is made.
// Internal to actors/.

#include <caf/all.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>
#include <spdlog/spdlog.h>

#include "actors/cluster.h"
#include "actors/messages.h"
#include "actors/storage_actor.h"

namespace switchboard::actors::cluster_detail {

using fenced_atom = caf::atom_constant<caf::atom("fenced")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using events_atom = caf::atom_constant<caf::atom("events")>;
using import_atom = caf::atom_constant<caf::atom("import")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using replica_atom = caf::atom_constant<caf::atom("replica")>;
using replicate_atom = caf::atom_constant<caf::atom("replicate")>;

/// What a standby holds of a domain: the owner's epoch and the sequence number of
/// the last part it took (a snapshot restarts the count).
struct replica_mark {
  std::int64_t epoch = 0;
  std::uint64_t seq = 0;
};

/// What the router, its gateway and its event sink share.
struct shared_state {
  std::string self;
  std::chrono::milliseconds event_batch{2};
  std::shared_ptr<spdlog::logger> log;

  mutable std::mutex mutex;  ///< guards `view` and `subscribers`
  std::shared_ptr<const ownership_view> view;
  /// Copied on write: delivery reads it without holding the mutex.
  std::shared_ptr<const std::vector<event_callback>> subscribers =
    std::make_shared<std::vector<event_callback>>();

  /// Drops the link to a gateway whose node went away (set by the router; called
  /// and cleared under `mutex`).
  std::function<void(const std::string& endpoint)> forget_link;

  std::atomic<std::uint64_t> local_calls{0}, remote_calls{0}, refused{0}, remote_events{0},
    dropped_events{0}, links{0}, replicated_batches{0}, replica_snapshots{0},
    replication_failures{0}, unreplicated_batches{0}, applied_batches{0}, failovers{0};

  /// Guards `origins`.
  mutable std::mutex origin_mutex;
  /// Through which node (CAF node id) each agent of a tenant owned here last
  /// logged in: when that node is gone, its agents lost their connections.
  std::map<std::pair<std::string, std::string>, caf::node_id> origins;

  void note_origin(const std::string& tenant, const std::string& agent, const caf::node_id& via) {
    std::lock_guard<std::mutex> g{origin_mutex};
    origins[{tenant, agent}] = via;
  }
  void forget_origin(const std::string& tenant, const std::string& agent) {
    std::lock_guard<std::mutex> g{origin_mutex};
    origins.erase({tenant, agent});
  }
  /// Takes out the agents that last logged in through node `via`.
  std::vector<std::pair<std::string, std::string>> take_origins(const caf::node_id& via) {
    std::vector<std::pair<std::string, std::string>> out;
    std::lock_guard<std::mutex> g{origin_mutex};
    for (auto i = origins.begin(); i != origins.end();) {
      if (i->second == via) {
        out.push_back(i->first);
        i = origins.erase(i);
      } else {
        ++i;
      }
    }
    return out;
  }

  /// Guards `replicas` and `imported`.
  mutable std::mutex replica_mutex;
  /// The domains this node keeps a standby copy of, as far as it is in sequence.
  std::map<std::string, replica_mark> replicas;
  /// Domains a handoff brought here since this node last claimed one: claiming
  /// them starts nothing more.
  std::set<std::string> imported;

  /// Whether a copy of `domain` (of `tenant`) at `epoch` may be taken from its
  /// sender: this node does not own the domain, and `epoch` is not older than the
  /// owner's epoch this node reads (a newer one is a claim not read here yet).
  engine::status standby_check(const std::string& tenant, const std::string& domain,
                               std::int64_t epoch) const {
    auto v = current_view();
    if (!v)
      return engine::make_error(engine::errc::not_owner,
                                "node " + self + " has not joined the cluster yet");
    auto r = v->route_for(tenant);
    if (!r || r->domain != domain)
      return engine::make_error(engine::errc::stale_epoch,
                                "tenant " + tenant + " is not in domain " + domain + " here");
    if (r->local)
      return engine::make_error(engine::errc::stale_epoch,
                                "domain " + domain + " is owned here, at epoch " +
                                  std::to_string(r->epoch) + ": no copy of it is taken");
    if (epoch < r->epoch)
      return engine::make_error(engine::errc::stale_epoch,
                                "a copy of domain " + domain + " at epoch " + std::to_string(epoch) +
                                  ", older than its owner's " + std::to_string(r->epoch));
    return {};
  }

  std::shared_ptr<const ownership_view> current_view() const {
    std::lock_guard<std::mutex> g{mutex};
    return view;
  }

  engine::status check(const std::string& domain, std::int64_t epoch) const {
    auto v = current_view();
    if (!v)
      return engine::make_error(engine::errc::not_owner,
                                "node " + self + " has not joined the cluster yet");
    return v->check(domain, epoch);
  }

  /// Whether `source` owns `tenant` as this node reads the cluster now.
  bool owns(const std::string& tenant, const std::string& source) const {
    auto v = current_view();
    if (!v)
      return source == self;
    auto r = v->route_for(tenant);
    return r ? r->owner == source : source == self;
  }

  /// Passes `ev`, sent by node `source`, on to the subscribers if `source` owns
  /// the event's tenant as this node reads the cluster now.
  void deliver(const event& ev, const std::string& source) {
    if (!owns(ev.tenant, source)) {
      ++dropped_events;
      return;
    }
    pass_on(ev, source);
  }

  /// Passes `ev` on to the subscribers.
  void pass_on(const event& ev, const std::string& source) {
    if (source != self)
      ++remote_events;
    std::shared_ptr<const std::vector<event_callback>> subs;
    {
      std::lock_guard<std::mutex> g{mutex};
      subs = subscribers;
    }
    for (const auto& cb : *subs)
      cb(ev);
  }
};

/// This node's gateway (actors/cluster_gateway.cc), to be published on the cluster
/// port: it acts on other nodes' fenced calls (through `registry`), takes handoffs
/// and standby copies (into `storage`), and sends this node's events to the sinks
/// that subscribed.
caf::actor spawn_gateway(caf::actor_system& sys, std::shared_ptr<shared_state> shared,
                         caf::actor registry, caf::actor storage);
/// This node's event sink: takes other nodes' event batches and passes on those
/// from each tenant's current owner, in order (holding a new owner's for up to 2 s).
caf::actor spawn_event_sink(caf::actor_system& sys, std::shared_ptr<shared_state> shared);

/// The replication hook of an owner (actors/replication.cc): after each commit it
/// ships each owned domain's part to the domain's standby gateway, found by
/// `link_to(endpoint)`; tenants in `local_durability` are not waited for.
std::shared_ptr<replication_hook> make_replicator(
  std::shared_ptr<shared_state> shared, caf::actor_system& sys,
  std::function<caf::actor(const std::string&)> link_to, std::set<std::string> local_durability,
  std::chrono::milliseconds timeout);

}  // namespace switchboard::actors::cluster_detail
