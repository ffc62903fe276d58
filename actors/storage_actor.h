#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <chrono>
#include <memory>
#include <spdlog/logger.h>

#include "storage/store.h"

namespace switchboard::actors {

/// Options of the storage actor's group commit.
struct storage_actor_options {
  /// Commit as soon as this many records are buffered. Default: 8192.
  std::size_t max_batch = 8192;
  /// Extra time to gather writes before a commit; 0 commits as soon as the
  /// mailbox holds no more writes. Default: 0.
  std::chrono::milliseconds linger{0};
};

/// Ships committed writes to standby nodes (a cluster's replication,
/// actors/cluster.h). Called on the storage actor's thread after every commit that
/// succeeded, so the parts of one tenant reach its standby in commit order.
class replication_hook {
 public:
  virtual ~replication_hook() = default;
  /// Whether the writes of `batch` may be acknowledged only once `replicate` has
  /// returned: one of its tenants is replicated before acknowledgement.
  virtual bool must_wait(const storage::write_batch& batch) = 0;
  /// Ships each tenant's part of `batch`; returns once every part is on its
  /// standby, or has failed (then the standby is brought up to date later from
  /// `store`, which holds everything committed so far).
  virtual void replicate(const storage::write_batch& batch, storage::store& store) = 0;
};

/// Installs (or, null, removes) the storage actor's replication hook.
struct set_replication_msg {
  static constexpr char type_name[] = "set_replication_msg";
  std::shared_ptr<replication_hook> hook;
};

/// Spawns the storage actor (a blocking actor: RocksDB writes and fsyncs block only its own
/// thread). It owns `store` from now on. Writes arrive as `persist_req` (answered
/// with `ok_atom` or an error once committed) and `persist_msg` (no answer); all
/// writes that queued up while a commit ran go into the next single WriteBatch.
/// `stop_atom` commits what is buffered and quits.
caf::actor spawn_storage_actor(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                               storage_actor_options opts, std::shared_ptr<spdlog::logger> log);

}  // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::set_replication_msg)
