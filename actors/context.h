#pragma once

#include <caf/actor.hpp>
#include <memory>
#include <spdlog/logger.h>

#include "engine/clock.h"

namespace switchboard::actors {

/// What every actor of a node is spawned with. Immutable after start; the clock
/// and the logger are thread-safe.
struct actor_context {
  caf::actor storage;  ///< group-commit writer (detached)
  caf::actor hub;      ///< event fan-out to subscribers
  std::shared_ptr<const engine::clock> clock;
  std::shared_ptr<spdlog::logger> log;
};

}  // namespace switchboard::actors
