#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
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

/// Spawns the storage actor (a blocking actor: RocksDB writes and fsyncs block only its own
/// thread). It owns `store` from now on. Writes arrive as `persist_req` (answered
/// with `ok_atom` or an error once committed) and `persist_msg` (no answer); all
/// writes that queued up while a commit ran go into the next single WriteBatch.
/// `stop_atom` commits what is buffered and quits.
caf::actor spawn_storage_actor(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                               storage_actor_options opts, std::shared_ptr<spdlog::logger> log);

}  // namespace switchboard::actors
