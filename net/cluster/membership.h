#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/clock.h"
#include "engine/error.h"
#include "net/cluster/etcd_client.h"

namespace spdlog {
class logger;
}

/// Cluster membership and domain ownership, with etcd as the one source of truth.
///
/// Each node keeps a lease (`lease_ttl`, renewed every third of it) and registers
/// itself under `<prefix>/members/<name>` with it. It reads the whole `<prefix>/`
/// range once and then watches it (etcd's watch, from the next revision), keeping
/// a copy; the copy is read again whole only when the watch breaks. A round runs
/// when the watch brings a change, and at least every `poll_interval`; it reads
/// the copy (etcd itself while the watch is down or has not yet brought this
/// node's own last write), and for each routing domain computes the owner
/// by rendezvous hashing over the live members (engine/placement.h). The chosen
/// node claims `<prefix>/domains/<id>` with a create-if-absent transaction under
/// its lease; that key's create_revision is the domain's **epoch** (fencing token).
/// A node that is no longer the choice (a member joined) hands the domain off: its
/// `release` hook runs, then it deletes the key if its epoch is still current, and
/// the new owner claims it on its next poll. A lease that lapses drops every key of
/// its node at once: the others see it gone within one poll.
///
/// Fencing: a node that cannot renew its lease stops acting as owner when a third
/// of the TTL is left (`owns` turns false and `release` runs with lost = true), so
/// it has stopped before etcd can give the domain to someone else.
namespace switchboard::net::cluster {

struct cluster_options {
  std::string node_name;                   ///< Required: unique in the cluster.
  std::string cluster_name = "switchboard";///< Key prefix: /switchboard/<cluster_name>/.
  std::string cluster_endpoint;            ///< host:port of this node's CAF middleman.
  std::string edge_endpoint;               ///< host:port of this node's edge.
  std::vector<client::endpoint> etcd;      ///< Required: etcd's client URLs.
  std::chrono::seconds lease_ttl{3};       ///< Default: 3 s (1..60).
  std::chrono::milliseconds poll_interval{250};  ///< Default: 250 ms.
  /// The routing domains: (domain id, tenant). One per tenant unless split.
  std::vector<std::pair<std::string, std::string>> domains;
  /// Its steady() times lease renewals and the fence; null: the host's clocks.
  std::shared_ptr<const engine::clock> clock;
};

struct member_info {
  std::string name;
  std::string state;  ///< "up" or "leaving"
  std::string cluster_endpoint;
  std::string edge_endpoint;
};

struct domain_info {
  std::string id;
  std::string tenant;
  std::string owner;    ///< empty: unowned right now (between owners)
  std::string standby;  ///< the next member in rendezvous order, empty if none
  std::int64_t epoch = 0;  ///< create_revision of the ownership key; 0: unowned
  /// When this node claims the domain (`acquire`): the last other claim it read
  /// of it, owner and epoch; empty and 0 when it read none since it started.
  std::string previous_owner;
  std::int64_t previous_epoch = 0;
};

/// What this node last read of the cluster.
struct cluster_view {
  std::string self;
  bool healthy = false;          ///< holds a lease it renewed in time
  std::int64_t revision = 0;     ///< etcd's revision at the last read
  bool watching = false;         ///< the watch's copy is live (else rounds read etcd)
  std::uint64_t full_reads = 0;  ///< whole-prefix reads of etcd since start
  std::vector<member_info> members;
  std::vector<domain_info> domains;
};

/// Called on the membership thread; must not block for long.
struct ownership_hooks {
  /// This node now owns `domain` at `epoch`: start serving it.
  std::function<void(const domain_info&)> acquire;
  /// This node stops owning `domain`: stop offering before this returns. `lost`:
  /// the lease could not be renewed (no handoff happens); else a handoff.
  std::function<void(const domain_info&, bool lost)> release;
  /// A planned move (a member joined, or this node leaves): hand `domain`'s state
  /// to member `to` and return true once it has it; false keeps the domain here
  /// (tried again next poll; on leave it is released anyway). Runs before
  /// `release(d, false)`, with the domain already refused to callers. Unset: no
  /// state moves.
  std::function<bool(const domain_info&, const std::string& to)> hand_off;
  /// This node's lease lapsed (it was cut off from etcd, or paused, past the
  /// fence) and it is a member again under a new lease. The others may have read
  /// it gone meanwhile, so what they know of its edge is to be sent again (the
  /// agents connected here). Unset: nothing.
  std::function<void()> rejoined;
};

class membership {
 public:
  /// Validates the options, registers the node (a lease and its member key) and
  /// starts the polling thread. Errors: invalid_argument, unavailable (etcd).
  static result<std::unique_ptr<membership>> start(cluster_options opts,
                                                   std::shared_ptr<spdlog::logger> log,
                                                   ownership_hooks hooks);
  /// `leave()`, then stops the thread.
  ~membership();
  membership(const membership&) = delete;
  membership& operator=(const membership&) = delete;

  cluster_view view() const;
  /// Whether this node owns `domain` right now, at `epoch` (0: any epoch), with a
  /// lease that cannot have lapsed. A message about a domain is acted on only if
  /// this holds for the epoch it carries.
  bool owns(const std::string& domain, std::int64_t epoch = 0) const;
  /// The domain's current record as last read; nullopt for an unknown domain.
  std::optional<domain_info> domain(const std::string& id) const;
  /// The (first) domain of `tenant` as last read; nullopt when it has none.
  std::optional<domain_info> domain_of_tenant(const std::string& tenant) const;
  /// A live member's cluster endpoint (host:port); empty when unknown.
  std::string endpoint_of(const std::string& member) const;
  /// Graceful leave: marks the member "leaving", hands every owned domain off
  /// (release, then delete its key) and revokes the lease. Idempotent.
  void leave();

 private:
  membership(cluster_options opts, std::shared_ptr<spdlog::logger> log, ownership_hooks hooks);
  void run();
  /// Renews the lease every third of its TTL, on its own thread.
  void renew();
  /// One round: renew the lease when due, read the cluster, claim and hand off.
  void round();
  /// Keeps the copy of `<prefix>/` (`cache_`) with etcd's watch, on its own thread.
  void watch();
  /// What a round reads: the watch's copy once it holds this node's last write,
  /// else (within 100 ms) etcd itself.
  result<etcd_range> read_cluster();
  /// This node wrote at `revision`: rounds read no older state than that.
  void wrote(std::int64_t revision);
  status register_member(const std::string& state);
  void drop_all(bool lost);
  std::string key(const std::string& kind, const std::string& name) const;

  cluster_options opts_;
  std::shared_ptr<spdlog::logger> log_;
  ownership_hooks hooks_;
  etcd_client etcd_;
  std::string prefix_;

  mutable std::mutex mutex_;  ///< guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  /// The last claim read of each domain (owner, epoch), kept while it is unowned.
  std::map<std::string, std::pair<std::string, std::int64_t>> last_claim_;
  bool left_ = false;
  std::int64_t lease_ = 0;
  /// The member key is written under `lease_` (false: the next round writes it).
  bool registered_ = true;
  /// A lease lapsed since the member key was last written: `rejoined` is due.
  bool rejoin_due_ = false;
  std::chrono::microseconds renewed_at_{};  ///< steady(): when the last renewal was sent
  std::chrono::microseconds fence_at_{};    ///< steady(): stop owning from here on
  cluster_view view_;
  std::map<std::string, domain_info> owned_;  ///< domains this node serves, by id
  bool changed_ = false;  ///< the watch brought a change since the last round
  std::thread thread_;
  std::thread renewer_;

  mutable std::mutex cache_mutex_;  ///< guards the watch's copy, below
  std::condition_variable cache_changed_;
  std::map<std::string, etcd_kv> cache_;  ///< every key under the prefix
  std::int64_t cache_revision_ = 0;       ///< the store's revision the copy is at
  bool cache_live_ = false;               ///< the watch is running
  std::int64_t wrote_revision_ = 0;       ///< this node's last write
  std::uint64_t full_reads_ = 0;
  std::thread watcher_;
};

}  // namespace switchboard::net::cluster
