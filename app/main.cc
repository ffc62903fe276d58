#include <cstdio>
#include <string>
#include <vector>

#include "app/cli.h"

namespace {

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: switchboard <command> [flags]\n"
               "\n"
               "commands:\n"
               "  bench    SCENARIO|FILE.json [--mode sim|load|net] [--set key=value ...]\n"
               "           [--json OUT] [--html OUT] [--seed N] [--quiet] | --list\n"
               "           simulate a workload against the engine (virtual time), or load a\n"
               "           node in real time; report service level, waits, occupancy\n"
               "  demo     --seconds S --data-dir D [--summary-json F] [--rate R] [--seed N]\n"
               "           [--durability sync|no_sync]\n"
               "           run a demo tenant with simulated customers and agents in real time\n"
               "  inspect  --data-dir D [--json]\n"
               "           show what a node's database holds\n"
               "  serve    [--config FILE] [--listen ADDR] [--port P] [--data-dir D] [--web-dir W]\n"
               "           [--log-level L] [--demo]\n"
               "           serve gateways, agents and supervisors over WebSocket and HTTP (one\n"
               "           port); --demo adds the demo tenant, its simulated load and a token\n"
               "  help     this text\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  // `switchboard demo --help` (any command): the usage, not an unknown-flag error.
  // bench has its own, longer help.
  if (cmd != "bench")
    for (const auto& a : args)
      if (a == "--help" || a == "-h") {
        usage(stdout);
        return 0;
      }
  if (cmd == "bench")
    return switchboard::app::run_bench(args);
  if (cmd == "demo")
    return switchboard::app::run_demo(args);
  if (cmd == "inspect")
    return switchboard::app::run_inspect(args);
  if (cmd == "serve")
    return switchboard::app::run_serve(args);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "switchboard: unknown command '%s'\n\n", cmd.c_str());
  usage(stderr);
  return 2;
}
