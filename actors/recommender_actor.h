#pragma once

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/context.h"
#include "engine/profiles.h"

namespace switchboard::actors {

/// Spawns the recommender of one tenant, as a child of `parent`. It owns the
/// tenant's `engine::routing_domain` (waiting lines, agent capacity, customers,
/// learned statistics) and is the single place where offers are made: a contact
/// is offered only through its reservation, so never to two agents at once.
/// Matching runs once per burst of changes (a self-sent `match_atom`), overflow
/// steps, max-wait limits and lapsing decline marks on a `tick_atom` armed for the
/// domain's next deadline (`routing_domain::next_deadline`, O(1)): idle, it sleeps.
caf::actor spawn_recommender(caf::local_actor* parent, actor_context ctx,
                             engine::tenant_config tenant);

}  // namespace switchboard::actors
