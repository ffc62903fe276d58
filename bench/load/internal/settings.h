#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/scenario/scenario.h"
#include "engine/error.h"
#include "storage/store.h"

/// The load mode's settings, derived from a scenario (bench/load/load.cc runs them).
namespace switchboard::bench::load {

/// What run_load derives from the scenario before it starts.
struct load_settings {
  double rate = 0;          ///< contacts/s; 0: closed loop, as fast as possible
  double duration_s = 10;   ///< load window, wall seconds
  /// Scenario seconds -> wall seconds for handle, wrap-up, patience and accept delay.
  /// Default: the scenario's arrival rate over `rate` (same Erlangs), 0 in closed loop
  /// (agents answer and finish at once: the node's own cost per lifecycle).
  double time_scale = 0;
  std::uint32_t max_live = 0;  ///< 0: 2 x total capacity in closed loop, else unlimited
  storage::durability durability = storage::durability::sync;
  std::size_t threads = 0;
  std::string data_dir;
  bool temp_dir = true;
  double caf_seconds = 2;   ///< per CAF raw-rate measurement; 0: skip them
  double drain_s = 30;      ///< after the window, for in-flight contacts to finish
  double sample_every_s = 1;
};

/// Reads and checks the scenario's realtime options and load keys (time_scale,
/// durability, threads, caf_seconds); invalid_argument naming the key.
engine::result<load_settings> settle(const scenario& s);

}  // namespace switchboard::bench::load
