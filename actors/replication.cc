// Replication: an owner ships each commit's parts to its domains' standbys
// (docs/cluster.md, "Replication and failover").
#include <caf/all.hpp>
#include <optional>

#include "actors/internal/cluster_shared.h"

namespace switchboard::actors::cluster_detail {

namespace {

/// Runs on the storage actor's thread, after each commit (actors/storage_actor.h).
/// Per domain it sends the parts in commit order, numbered; a standby that is new,
/// behind or out of sequence first gets the tenant's whole stored state (which
/// already holds the part at hand). Requests to all standbys go out together, and
/// the commit's acknowledgements wait for their answers (bounded by
/// `replication_timeout`).
class replicator final : public replication_hook {
 public:
  replicator(std::shared_ptr<shared_state> shared, caf::actor_system& sys,
             std::function<caf::actor(const std::string&)> link_to,
             std::set<std::string> local_durability, std::chrono::milliseconds timeout)
    : shared_(std::move(shared)), sys_(sys), link_to_(std::move(link_to)),
      local_durability_(std::move(local_durability)), timeout_(timeout) {}

  bool must_wait(const storage::write_batch& batch) override;
  void replicate(const storage::write_batch& batch, storage::store& store) override;

 private:
  /// Where this node's copies of one domain stand.
  struct stream {
    std::string standby;
    std::int64_t epoch = 0;
    std::uint64_t seq = 0;
    bool in_sync = false;  ///< the standby took everything up to `seq`
    /// A standby that did not answer in time is not waited for again until then
    /// (one `replication_timeout` later): a dead one stalls one commit, not each.
    std::chrono::steady_clock::time_point skip_until{};
  };

  std::shared_ptr<shared_state> shared_;
  caf::actor_system& sys_;
  std::function<caf::actor(const std::string&)> link_to_;
  std::set<std::string> local_durability_;
  std::chrono::milliseconds timeout_;
  std::map<std::string, stream> streams_;  ///< by domain; only this thread uses it
};

bool replicator::must_wait(const storage::write_batch& batch) {
  auto v = shared_->current_view();
  if (!v)
    return false;
  for (const auto& t : batch.tenant_ids()) {
    if (local_durability_.count(t) > 0)
      continue;
    auto r = v->route_for(t);
    if (r && r->local && !r->standby.empty())
      return true;
  }
  return false;
}

void replicator::replicate(const storage::write_batch& batch, storage::store& store) {
  auto v = shared_->current_view();
  if (!v)
    return;
  auto& log = *shared_->log;
  using handle_t = decltype(std::declval<caf::scoped_actor&>()->request(
    std::declval<const caf::actor&>(), std::chrono::milliseconds{}, ok_atom::value));
  struct sent {
    std::string domain;
    bool snapshot = false;
    std::optional<handle_t> handle;
  };
  std::optional<caf::scoped_actor> self;
  std::vector<sent> out;
  for (auto& [tenant, part] : batch.split_by_tenant()) {
    auto r = v->route_for(tenant);
    if (!r || !r->local)
      continue;  // not owned here (a standby's own applied parts, a tenant outside the cluster)
    if (r->standby.empty() || r->standby == shared_->self) {
      ++shared_->unreplicated_batches;
      continue;
    }
    auto& s = streams_[r->domain];
    if (s.standby != r->standby || s.epoch != r->epoch) {
      s = stream{r->standby, r->epoch, 0, false};
      log.info("cluster: domain {} (epoch {}): standby is {}", r->domain, r->epoch, r->standby);
    }
    auto gw = link_to_(r->standby_endpoint);
    if (!gw || std::chrono::steady_clock::now() < s.skip_until) {
      s.in_sync = false;
      ++shared_->replication_failures;
      continue;
    }
    if (!self)
      self.emplace(sys_);
    sent x;
    x.domain = r->domain;
    ++s.seq;
    if (s.in_sync) {
      x.handle.emplace((*self)->request(gw, timeout_, replicate_atom::value, tenant, r->domain,
                                         r->epoch, s.seq, std::move(part)));
    } else {
      // The store holds this part already: the whole state includes it.
      auto snap = store.load(tenant);
      if (!snap) {
        log.error("cluster: domain {}: its state could not be read for its standby: {}",
                  r->domain, snap.err().message);
        ++shared_->replication_failures;
        --s.seq;
        continue;
      }
      x.snapshot = true;
      x.handle.emplace((*self)->request(gw, timeout_, replica_atom::value, r->domain, r->epoch,
                                         s.seq, std::move(*snap)));
    }
    s.in_sync = true;  // until an answer says otherwise
    out.push_back(std::move(x));
  }
  for (auto& x : out) {
    auto& s = streams_[x.domain];
    x.handle->receive(
      [&](ok_atom) {
        ++(x.snapshot ? shared_->replica_snapshots : shared_->replicated_batches);
      },
      [&](caf::error& e) {
        s.in_sync = false;  // the next commit sends the whole state
        if (e.category() == caf::atom("system"))  // no answer in time, or the link failed
          s.skip_until = std::chrono::steady_clock::now() + timeout_;
        ++shared_->replication_failures;
        log.warn("cluster: domain {}: standby {} did not take part {}: {}", x.domain, s.standby,
                 s.seq, sys_.render(e));
      });
  }
}

}  // namespace

std::shared_ptr<replication_hook> make_replicator(
  std::shared_ptr<shared_state> shared, caf::actor_system& sys,
  std::function<caf::actor(const std::string&)> link_to, std::set<std::string> local_durability,
  std::chrono::milliseconds timeout) {
  return std::make_shared<replicator>(std::move(shared), sys, std::move(link_to),
                                      std::move(local_durability), timeout);
}

}  // namespace switchboard::actors::cluster_detail
