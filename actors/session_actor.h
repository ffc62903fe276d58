#pragma once

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/context.h"
#include "engine/contact.h"

namespace switchboard::actors {

/// How a session starts.
enum class session_start : std::uint8_t {
  submitted,  ///< new contact: waits for `submit_req`, enqueues, journals, acks
  restored,   ///< recovered after a restart: re-queued or re-attached to its agent
};

/// Spawn arguments of a session actor (node-local, never a message).
struct session_args {
  actor_context ctx;
  caf::actor registry;
  caf::actor recommender;
  engine::contact contact;
  session_start start = session_start::submitted;
};

/// Spawns the session actor of one contact, as a child of `parent`. It owns the
/// contact's lifecycle (engine::transition), journals every state change through
/// the storage actor, publishes events to the hub, and ends at a terminal state.
/// Routing decisions are not its own: the tenant's recommender tells it what
/// happened (offered_msg, requeued_msg, connected_msg, ...).
caf::actor spawn_session(caf::local_actor* parent, session_args args);

}  // namespace switchboard::actors
