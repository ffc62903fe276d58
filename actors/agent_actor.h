#pragma once

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/context.h"
#include "actors/messages.h"

namespace switchboard::actors {

/// Spawn arguments of an agent actor (node-local).
struct agent_args {
  actor_context ctx;
  std::string tenant;
  std::string agent;
  caf::actor recommender;
};

/// Spawns the actor of one logged-in agent, as a child of `parent`. It holds the
/// agent's pending offers and their timers (a delayed `offer_timeout_msg` per
/// offer; a stale timer is ignored by offer id), passes the agent's answers
/// (accept, decline, wrap-up, complete) to the recommender, and reports
/// ring-no-answer away changes. The edge will attach the agent's connection here.
/// Typed (`agent_iface`, in messages.h beside its messages): in the cluster the
/// recommender and the agent's actor may live on different nodes.
agent_iface spawn_agent_actor(caf::local_actor* parent, agent_args args);

}  // namespace switchboard::actors
