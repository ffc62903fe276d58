#include <cstdio>
#include <string_view>
#include <vector>

#include "app/cli.h"

int main(int argc, char** argv) {
  namespace app = switchboard::app;
  namespace cli = switchboard::bench::cli;
  CLI::App root{"Switchboard: actor-based routing for customer service.", "switchboard"};
  root.require_subcommand(1);
  root.footer("Run 'switchboard COMMAND --help' for the flags of a command.");
  std::vector<app::command> commands{app::add_bench(root), app::add_demo(root),
                                     app::add_inspect(root), app::add_serve(root)};
  auto print_help = [&](std::FILE* out) {
    auto text = root.help();
    std::fwrite(text.data(), 1, text.size(), out);
  };
  if (argc < 2) {
    print_help(stderr);
    return cli::exit_usage;
  }
  std::string_view first = argv[1];
  if (first == "help") {
    print_help(stdout);
    return 0;
  }
  bool known = false;
  for (const auto& c : commands)
    known = known || c.app->get_name() == first;
  if (!first.empty() && first[0] != '-' && !known) {
    std::fprintf(stderr, "switchboard: unknown command '%s'\n\n", argv[1]);
    print_help(stderr);
    return cli::exit_usage;
  }
  if (auto rc = cli::parse(root, argc, argv))
    return *rc;
  for (const auto& c : commands)
    if (c.app->parsed())
      return c.run();
  print_help(stderr);
  return cli::exit_usage;
}
