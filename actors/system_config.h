#pragma once

#include <caf/actor_system_config.hpp>

namespace switchboard::actors {

/// Registers every Switchboard message type and the error category with `cfg`.
/// Call it once per actor system, on every node (types must match across nodes).
void register_types(caf::actor_system_config& cfg);

}  // namespace switchboard::actors
