#pragma once

#include "bench/core/report.h"
#include "bench/scenario/scenario.h"

namespace switchboard::bench::sim {

/// Erlang C / Erlang A rows for an M/M/n scenario (`parameters["model"] == "mmn"`),
/// compared with `r.summary`; a note when the scenario does not qualify.
void add_theory(run_report& r, const scenario& s);

}  // namespace switchboard::bench::sim
