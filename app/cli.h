#pragma once

#include <functional>

#include "bench/core/cli.h"

/// The subcommands of `switchboard`, each defined once on CLI11 (bench/core/cli.h):
/// its flags, their checks and its help text live beside the code that runs it.
namespace switchboard::app {

/// One subcommand: the CLI11 app its flags are registered on, and what runs it
/// after a successful parse (returns the exit code; reads the parsed flags).
struct command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// `switchboard bench`: runs a scenario (sim, load or net mode) and writes its report.
command add_bench(CLI::App& root);
/// `switchboard demo`: the demo tenant under simulated load, without the network.
command add_demo(CLI::App& root);
/// `switchboard inspect`: what a node's database holds.
command add_inspect(CLI::App& root);
/// `switchboard serve`: a node behind one HTTP/WebSocket port.
command add_serve(CLI::App& root);

}  // namespace switchboard::app
