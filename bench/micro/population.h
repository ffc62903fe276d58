#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/contact.h"
#include "engine/profiles.h"
#include "engine/routing_domain.h"

/// Deterministic synthetic populations for the micro-benchmarks and the scale tool:
/// one tenant, `queues` queues each requiring one skill, agents with a few skills
/// each (so a queue has about agents * skills_per_agent / queues qualified agents),
/// customers with tiers, ARPU and some dedicated managers. Everything is drawn from
/// a seeded generator, so two runs build the same domain.
namespace switchboard::bench::micro {

/// Shape of a synthetic population. Every field says its default.
struct population_spec {
  std::size_t agents = 1000;          ///< Default: 1000.
  std::size_t queues = 10;            ///< Default: 10.
  std::size_t skills_per_agent = 3;   ///< distinct queue skills per agent. Default: 3.
  std::size_t customers = 1000;       ///< Default: 1000.
  std::uint32_t chat_capacity = 1;    ///< chats per agent. Default: 1.
  engine::policy_kind policy = engine::policy_kind::profile;  ///< Default: profile.
  std::uint64_t seed = 42;            ///< Default: 42.
};

inline const std::string tenant_id = "bench";

std::string agent_id(std::size_t i);
std::string queue_id(std::size_t i);
std::string skill_id(std::size_t i);
std::string customer_id(std::size_t i);
std::string contact_id(std::uint64_t i);

engine::tenant_config make_tenant();
/// Queue `i`: requires skill_id(i) at proficiency 20 or more, chat only.
engine::queue_config make_queue(std::size_t i, engine::policy_kind policy);
/// Agent `i`: `skills` distinct queue skills with proficiency 10..100 (so some
/// are below a queue's minimum), English (and French for one in five), one in
/// ten remote (crowd), chat capacity `chat`.
engine::agent_profile make_agent(std::size_t i, std::size_t queues, std::size_t skills,
                                 std::uint32_t chat, std::mt19937_64& rng);
/// Customer `i`: tier 0..5, ARPU 0..300, a segment; one in fifty has a dedicated
/// account manager among the first `agents` agents.
engine::customer_profile make_customer(std::size_t i, std::size_t agents, std::mt19937_64& rng);
/// A queued chat contact for queue `queue`, customer `customer` (may be empty).
engine::contact make_contact(std::uint64_t seq, std::string queue, std::string customer,
                             engine::time_ms at);

/// Fills `d` (built with make_tenant()) with the queues, agents and customers of
/// `spec`. Agents are defined, not logged in. Aborts on an unexpected error.
void populate(engine::routing_domain& d, const population_spec& spec);

/// Aborts with a message when `ok` is false (benchmarks have no test framework).
void check(bool ok, const char* what);

}  // namespace switchboard::bench::micro
