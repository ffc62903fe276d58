#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace switchboard::actors {

/// Spawns the event hub: it receives `switchboard::event`s and calls every
/// subscriber (`subscribe_msg`) in order, on its own thread (a blocking actor), so a slow
/// subscriber does not stall routing actors.
caf::actor spawn_event_hub(caf::actor_system& sys);

}  // namespace switchboard::actors
