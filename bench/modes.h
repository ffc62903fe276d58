#pragma once

#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "bench/core/report.h"
#include "bench/scenario/scenario.h"
#include "engine/error.h"

/// The three ways to run a scenario. Each returns a filled report (summary
/// included) or a typed error; `progress(done, total)` is called now and then.
namespace switchboard::bench {

using progress_fn = std::function<void(double done, double total)>;

/// A report with the fields every mode starts with: scenario, mode, seed, build type,
/// cores, the scenario's parameters and its service-level threshold.
/// A number as a person writes it (20, 0.01, 1.5e+06), for notes and parameters.
inline std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

inline run_report new_report(const scenario& s, std::string mode, std::string build_type) {
  run_report r;
  r.scenario = s.name;
  r.mode = std::move(mode);
  r.seed = s.seed;
  r.build_type = std::move(build_type);
  r.cores = std::thread::hardware_concurrency();
  r.parameters = s.parameters;
  // Every report says how long and how often it ran, whatever the scenario's
  // source (a file's parameters list only the keys it sets).
  std::ostringstream warmup;
  warmup << s.warmup_s;
  r.parameters.try_emplace("days", std::to_string(s.days));
  r.parameters.try_emplace("replications", std::to_string(s.replications));
  r.parameters.try_emplace("warmup_s", warmup.str());
  r.sl_threshold_s = s.sl_threshold_s;
  return r;
}

/// Discrete-event simulation in virtual time over engine::routing_domain.
engine::result<run_report> run_sim(const scenario& s, const progress_fn& progress);

/// Real time, in process, through the real actors and RocksDB journal.
engine::result<run_report> run_load(const scenario& s, const progress_fn& progress);

/// Real time against a running node over WebSocket (s.realtime.url).
engine::result<run_report> run_net(const scenario& s, const progress_fn& progress);

}  // namespace switchboard::bench
