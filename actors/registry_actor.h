#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/context.h"
#include "actors/inspect.h"

namespace switchboard::actors {

/// A contact that was with an agent when the node stopped; still with that agent.
struct restored_contact {
  static constexpr char type_name[] = "restored_contact";
  std::string tenant;
  std::string contact;
  std::string agent;
};

/// What a node restored from its database on start.
struct restore_report {
  static constexpr char type_name[] = "restore_report";
  std::uint64_t tenants = 0;
  std::uint64_t queues = 0;
  std::uint64_t agents = 0;
  std::uint64_t customers = 0;
  std::uint64_t learned = 0;
  std::uint64_t requeued = 0;   ///< contacts back in line (queued or offered before)
  std::uint64_t connected = 0;  ///< contacts back with their agent
  std::vector<restored_contact> with_agents;  ///< which ones, to finish them
};

/// Spawns the registry: the node's directory of tenants, queues, agents and live
/// contacts, and the entry point of every request (define_*_req, login_req,
/// submit_req, accept_req, ...). It validates ids and tenancy, persists
/// definitions before acknowledging them, assigns each new contact its node-wide
/// sequence number, and spawns (linked) the recommender and queue actors of each
/// tenant, an agent actor per logged-in agent and a session per contact.
/// `restore_req` replays a database snapshot; `stop_atom` stops everything.
caf::actor spawn_registry(caf::actor_system& sys, actor_context ctx);

}  // namespace switchboard::actors
