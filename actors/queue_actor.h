#pragma once

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/context.h"
#include "actors/messages.h"
#include "engine/profiles.h"

namespace switchboard::actors {

/// Spawns the actor of one queue, as a child of `parent`. It keeps the queue's
/// service statistics (service level, abandonment, speed of answer, handle time)
/// from `queue_event_msg`s sent by the recommender, answers `queue_stats_req` with
/// a `queue_stats` (statistics part) and follows configuration changes
/// (`engine::queue_config`). The waiting line itself is in the recommender, which
/// must see every queue of its tenant at once to match agents across them.
/// Typed (`queue_iface`, in messages.h beside its messages).
queue_iface spawn_queue_actor(caf::local_actor* parent, engine::queue_config config);

}  // namespace switchboard::actors
