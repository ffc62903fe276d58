#pragma once

#include <functional>
#include <string>

#include "bench/core/report.h"
#include "bench/scenario/scenario.h"
#include "engine/error.h"

/// The three ways to run a scenario. Each returns a filled report (summary
/// included) or a typed error; `progress(done, total)` is called now and then.
namespace switchboard::bench {

using progress_fn = std::function<void(double done, double total)>;

/// Discrete-event simulation in virtual time over engine::routing_domain.
engine::result<run_report> run_sim(const scenario& s, const progress_fn& progress);

/// Real time, in process, through the real actors and RocksDB journal.
engine::result<run_report> run_load(const scenario& s, const progress_fn& progress);

/// Real time against a running node over WebSocket (s.realtime.url).
engine::result<run_report> run_net(const scenario& s, const progress_fn& progress);

}  // namespace switchboard::bench
