#pragma once

#include <caf/actor.hpp>
#include <memory>
#include <spdlog/logger.h>

#include "engine/clock.h"

namespace switchboard::actors {

/// How a node treats absent parties and late input; from `node_options`.
struct node_policy {
  /// An agent whose connection dropped (or who held work when the node restarted)
  /// and did not log in again within this: its work is released. Default: 15 s.
  engine::time_ms agent_grace = 15000;
  /// A customer whose connection dropped and did not come back within this has
  /// left. Default: 30 s.
  engine::time_ms customer_grace = 30000;
  /// Contacts restored after a restart start with their customer absent (an edge
  /// node: every connection died with the process). Default: false (embedders
  /// keep their own transport).
  bool restored_customers_absent = false;
  /// How long after completion a customer's rating is still accepted. Default: 10 min.
  engine::time_ms rating_window = 600000;
  /// Chat lines journaled per contact at most. Default: 1000.
  std::uint32_t max_transcript_lines = 1000;
  /// Bytes of one chat line at most. Default: 4096.
  std::uint32_t max_message_bytes = 4096;
};

/// What every actor of a node is spawned with. Immutable after start; the clock
/// and the logger are thread-safe.
struct actor_context {
  caf::actor storage;  ///< group-commit writer (detached)
  caf::actor hub;      ///< event fan-out to subscribers
  std::shared_ptr<const engine::clock> clock;
  std::shared_ptr<spdlog::logger> log;
  node_policy policy;
};

}  // namespace switchboard::actors
