#pragma once

#include <atomic>
#include <cstdint>
#include <set>
#include <string>

#include "actors/node.h"
#include "app/demo_tenant.h"

/// The simulated load of the demo: customers arriving (Poisson) with patience,
/// agents accepting, declining or letting offers ring out, handling for lognormal
/// times. Shared by `switchboard demo` and `switchboard serve --demo`.
namespace switchboard::app {

struct demo_counters {
  std::uint64_t created = 0;
  std::uint64_t rejected = 0;
  std::uint64_t routed = 0;
  std::uint64_t completed = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t declined = 0;
  std::uint64_t expired = 0;
  std::uint64_t moved = 0;
};

/// How the simulation runs.
struct driver_options {
  double rate = 8;          ///< Customer arrivals per second. Default: 8.
  std::uint64_t seed = 42;  ///< Default: 42.
  /// Agents of the tenant the simulation leaves alone (people on the agent
  /// desktop): not logged in, their offers not answered. Default: none.
  std::set<std::string> human_agents;
  /// A status line on stdout every second. Default: true.
  bool status_lines = true;
};

/// Defines `t` (tenant, queues, agents, customers) in `n`; the first failure.
[[nodiscard]] engine::status define_demo_tenant(node& n, const demo_tenant& t);

/// Drives a demo tenant on a node from the calling thread (`run`). Owns its
/// random source and bookkeeping; events reach it from the node's event thread
/// through a bounded wait, never a sleep. `stop` may be called from any thread.
class demo_driver {
 public:
  demo_driver(driver_options opts, node& n, demo_tenant t);
  ~demo_driver();
  demo_driver(const demo_driver&) = delete;
  demo_driver& operator=(const demo_driver&) = delete;

  /// Logs the simulated agents in and runs for `seconds` (<= 0: until `stop`).
  /// Returns the elapsed seconds.
  double run(double seconds);
  /// Ends `run` soon (thread-safe).
  void stop();

  const demo_counters& counters() const;
  /// The tenant's stats at the last status line (or at the end of `run`).
  const tenant_stats& last_stats() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::app
