#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/node_api.h"
#include "engine/error.h"

namespace spdlog {
class logger;
}

namespace switchboard {
class node;
}

/// Any node is an edge: the cluster's request path over CAF's own distribution.
///
/// Each node publishes one **gateway** actor on its cluster port. A request about a
/// tenant owned elsewhere travels as one CAF message `(domain, epoch, request)` to
/// the owner's gateway; the gateway acts on it only if its node owns that domain at
/// that epoch right now (`ownership_view::check`), and then hands the request to its
/// registry, which answers the caller directly. A refused request was not acted on,
/// so the caller retries it against the owner it reads next.
///
/// Events go the other way in batches (a remote one-way message costs about 100
/// times a local one, ../shared/CAF-0.17.md): each gateway sends the events that
/// queued up in its mailbox as one message to every node that subscribed; each node passes on an event of tenant T only when it came from T's
/// current owner, so T's order holds.
namespace switchboard::actors {

/// Where a tenant's requests go, as this node last read the cluster.
struct route {
  std::string domain;
  std::int64_t epoch = 0;  ///< the owner's fencing token; 0: no owner right now
  std::string owner;       ///< the owner's node name; empty: no owner right now
  std::string endpoint;    ///< host:port of the owner's gateway
  bool local = false;      ///< this node owns the domain, under a lease it holds
  std::string standby;     ///< the member that keeps a copy (replication); empty: none
  std::string standby_endpoint;  ///< host:port of the standby's gateway
};

/// A peer this node keeps a link to (every live member but itself).
struct peer {
  std::string name;
  std::string endpoint;  ///< host:port of its gateway
};

/// What the cluster's source of truth (etcd, net/cluster) says; thread-safe.
class ownership_view {
 public:
  virtual ~ownership_view() = default;
  /// Where the calls about `tenant`, a tenant as nodes run it, go: a domain's id
  /// (a split tenant's domains run as tenants of their ids; a tenant not split is
  /// one domain of its own id). nullopt: it is not one of the cluster's domains
  /// (the local node answers, with unknown_tenant if it does not know it either).
  [[nodiscard]] virtual std::optional<route> route_for(const std::string& tenant) const = 0;
  /// Whether this node may act on a message about `domain` carrying `epoch`:
  /// ok, stale_epoch (it owns the domain at another epoch) or not_owner.
  [[nodiscard]] virtual engine::status check(const std::string& domain,
                                             std::int64_t epoch) const = 0;
  /// The live members but this node.
  [[nodiscard]] virtual std::vector<peer> peers() const = 0;
};

/// One routing domain of a tenant split by queue (docs/cluster.md): its own
/// owner, queues, agents and recommender. The node that owns it runs it as a
/// tenant whose id is the domain's id; the router maps the tenant's calls to it,
/// and its events back to the tenant.
struct tenant_domain {
  std::string id;                   ///< unique in the cluster; a valid id
  std::vector<std::string> queues;  ///< the queues whose contacts it routes
  std::vector<std::string> skills;  ///< agents with one of these skills work here
};

struct cluster_router_options {
  std::string node_name;                  ///< Required: this node's member name.
  std::string host = "127.0.0.1";         ///< Where the gateway listens. Default: loopback.
  std::uint16_t port = 0;                 ///< The cluster port; 0 picks a free one.
  /// How long a call waits for its tenant to have a reachable owner (a handoff, a
  /// new owner claiming) before it fails with `unavailable`. Default: 10 s.
  std::chrono::milliseconds settle{10000};
  /// How long one remote call may take. Default: 30 s.
  std::chrono::milliseconds call_timeout{30000};
  /// How long a gateway collects events before it sends them. 0: it sends what
  /// its mailbox holds as soon as it gets to it (a burst is one message, a lone
  /// event goes at once). Default: 0.
  std::chrono::milliseconds event_batch{0};
  /// How long a handoff lets calls already inside the node finish before it stops
  /// the tenant. Default: 200 ms.
  std::chrono::milliseconds drain{200};
  /// How often links to new members are made. Default: 200 ms.
  std::chrono::milliseconds link_interval{200};
  /// Tenants whose writes are acknowledged once the owner has committed them
  /// (durability policy `local`); every other tenant's are acknowledged only once
  /// its standby has them too (`replicated`, the default).
  std::set<std::string> local_durability;
  /// How long an owner waits for its standby to take a commit. Past it the
  /// standby counts as behind: the commit is acknowledged, and the standby is
  /// brought up to date from a snapshot (docs/cluster.md). Default: 2 s.
  std::chrono::milliseconds replication_timeout{2000};
  /// Tenants split into several domains, by tenant. The first domain of each is
  /// its default: it routes the queues no domain lists, and it has the agents
  /// with none of the listed skills. A tenant not here is one domain of its own
  /// id.
  std::map<std::string, std::vector<tenant_domain>> splits;
};

/// Counters of the router, for /metrics.
struct cluster_router_stats {
  std::uint64_t local_calls = 0;
  std::uint64_t remote_calls = 0;
  std::uint64_t refused = 0;         ///< remote refusals (stale_epoch, not_owner) retried
  std::uint64_t remote_events = 0;   ///< events passed on from other nodes
  std::uint64_t dropped_events = 0;  ///< events from a node that no longer owns the tenant
  std::uint64_t links = 0;           ///< live links to other nodes' gateways
  std::uint64_t replicated_batches = 0;  ///< tenants' commit parts a standby took
  std::uint64_t replica_snapshots = 0;   ///< standbys brought up to date from a snapshot
  std::uint64_t replication_failures = 0;  ///< parts a standby did not take in time
  std::uint64_t unreplicated_batches = 0;  ///< parts of a tenant that had no standby
  std::uint64_t applied_batches = 0;     ///< parts this node took as a standby
  std::uint64_t failovers = 0;           ///< domains taken over from a standby copy
};

/// `node_api` for a cluster member: each call goes to the owner of its tenant, this
/// node or another. The edge holds one of these instead of the node itself.
class cluster_router final : public node_api {
 public:
  /// Publishes this node's gateway (the node must be opened with `cluster = true`)
  /// and starts linking to peers once a view is attached. Errors: invalid_argument,
  /// unavailable (the port cannot be opened).
  [[nodiscard]] static engine::result<std::unique_ptr<cluster_router>> start(
    switchboard::node& local, cluster_router_options opts, std::shared_ptr<spdlog::logger> log);
  /// Stops linking and unpublishes the gateway. The node outlives the router.
  ~cluster_router() override;
  cluster_router(const cluster_router&) = delete;
  cluster_router& operator=(const cluster_router&) = delete;

  /// The port the gateway listens on (the chosen one when 0 was asked for).
  [[nodiscard]] std::uint16_t port() const;
  /// Attaches the cluster's view; until then every call is local and every remote
  /// request is refused (not_owner).
  void attach(std::shared_ptr<const ownership_view> view);
  [[nodiscard]] cluster_router_stats stats_snapshot() const;

  /// Hands the tenant (domain at `epoch`, owned here) to member `to`: stops it
  /// here, sends its stored state to `to`, which stores it and starts it, then
  /// deletes it here. False (the domain stays, resumed here) when `to` cannot be
  /// reached or refuses. Blocks for as long as that takes (bounded by the call
  /// timeout). Called by the membership before it frees the domain's key.
  bool hand_off(const std::string& tenant, const std::string& domain, std::int64_t epoch,
                const std::string& to);

  /// This node now owns `domain` (of `tenant`) at `epoch`; the last owner it read
  /// before was `previous_owner` at `previous_epoch` (empty: none since it started).
  /// Starts the tenant here unless a handoff already brought it: from this node's
  /// standby copy when that copy is current for the previous owner's epoch (a
  /// failover), or from what this node stored itself when there was no other owner.
  /// A copy that is not current is not started: its contacts are dropped and the
  /// loss is logged. Called by the membership; blocks while the contacts start.
  void activate(const std::string& tenant, const std::string& domain, std::int64_t epoch,
                const std::string& previous_owner, std::int64_t previous_epoch);
  /// This node no longer owns the tenant's domain without a handoff (its lease
  /// lapsed, or etcd gave the domain to another node): stops its actors here.
  void deactivate(const std::string& tenant, const std::string& domain);

  /// This node has left the cluster (its domains handed off): from now on each
  /// call is tried once and not retried while ownership settles, since this node's
  /// view no longer changes; the edge's last calls as it stops (its agents'
  /// disconnections) then do not hold the stop up. Called by `serve`.
  void left();

  /// This node is a member again under a new lease after its old one lapsed: the
  /// owners may have read it gone and disconnected the agents connected here, so
  /// their logins are sent again (now and once more 1.5 s later). Called by the
  /// membership.
  void rejoined();

  /// Sends one raw request to the gateway at `endpoint` as if it were about
  /// `domain` at `epoch`, and returns its answer; for tests of the fencing.
  [[nodiscard]] engine::status probe(const std::string& endpoint, const std::string& domain,
                                     std::int64_t epoch, const std::string& tenant,
                                     const std::string& agent);

  // -- node_api ---------------------------------------------------------------------

  [[nodiscard]] engine::status define_queue(const engine::queue_config& q) override;
  [[nodiscard]] engine::status define_agent(const engine::agent_profile& a) override;
  [[nodiscard]] engine::status upsert_customer(const engine::customer_profile& c) override;
  [[nodiscard]] engine::status login(const std::string& tenant, const std::string& agent) override;
  [[nodiscard]] engine::status logout(const std::string& tenant,
                                      const std::string& agent) override;
  [[nodiscard]] engine::status set_away(const std::string& tenant, const std::string& agent,
                                        bool away) override;
  [[nodiscard]] engine::status agent_disconnected(const std::string& tenant,
                                                  const std::string& agent) override;
  [[nodiscard]] engine::status accept(const std::string& tenant, const std::string& agent,
                                      const std::string& contact,
                                      std::uint64_t offer_id) override;
  [[nodiscard]] engine::status decline(const std::string& tenant, const std::string& agent,
                                       const std::string& contact,
                                       std::uint64_t offer_id) override;
  [[nodiscard]] engine::status wrap_up(const std::string& tenant, const std::string& agent,
                                       const std::string& contact) override;
  [[nodiscard]] engine::status complete(const std::string& tenant, const std::string& agent,
                                        const std::string& contact,
                                        const engine::outcome& o) override;
  [[nodiscard]] engine::status transfer(const std::string& tenant, const std::string& agent,
                                        const std::string& contact,
                                        const std::string& to_queue) override;
  [[nodiscard]] engine::result<contact_ack> submit(engine::contact c) override;
  [[nodiscard]] engine::result<contact_ack> open_contact(
    engine::contact c, const engine::customer_profile& hints) override;
  [[nodiscard]] engine::status end_contact(const std::string& tenant, const std::string& contact,
                                           const std::string& reason) override;
  [[nodiscard]] engine::status customer_disconnected(const std::string& tenant,
                                                     const std::string& contact) override;
  [[nodiscard]] engine::status customer_reconnected(const std::string& tenant,
                                                    const std::string& contact) override;
  [[nodiscard]] engine::status post_message(const std::string& tenant,
                                            const std::string& contact,
                                            const std::string& agent, const std::string& text,
                                            const std::string& client_id) override;
  [[nodiscard]] engine::result<std::vector<chat_line>> transcript(
    const std::string& tenant, const std::string& contact) override;
  /// Sent to the owner of the contact's domain; `epoch` is that domain's at the
  /// owner that answered.
  [[nodiscard]] engine::result<contact_decisions> decisions(const std::string& tenant,
                                                            const std::string& contact,
                                                            std::uint32_t limit) override;
  [[nodiscard]] engine::status rate(const std::string& tenant, const std::string& contact,
                                    int csat, double tip) override;
  [[nodiscard]] engine::result<engine::contact> find_contact(const std::string& tenant,
                                                             const std::string& contact) override;
  [[nodiscard]] engine::result<agent_info> find_agent(const std::string& tenant,
                                                      const std::string& agent) override;
  [[nodiscard]] engine::result<engine::customer_profile> find_customer(
    const std::string& tenant, const std::string& customer) override;
  [[nodiscard]] engine::result<engine::queue_config> find_queue(const std::string& tenant,
                                                                const std::string& queue) override;
  [[nodiscard]] engine::result<std::int64_t> position(const std::string& tenant,
                                                      const std::string& contact) override;
  [[nodiscard]] engine::result<tenant_stats> stats(const std::string& tenant) override;
  void subscribe(event_callback cb) override;

 private:
  struct impl;
  explicit cluster_router(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::actors
