#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "actors/node.h"

/// What the crash children (`sb_crash_child`, `sb_ledger_child`) share: how they
/// fail and the node they open.
namespace switchboard::testkit {

/// Ends the child at once, naming the failure on stderr (`<prog>: <what>: <code>:
/// <message>`) with exit status 2. No destructors run: the node may hold threads.
[[noreturn]] inline void die(const char* prog, const std::string& what, const engine::error& e) {
  std::fprintf(stderr, "%s: %s: %s: %s\n", prog, what.c_str(),
               std::string{engine::to_string(e.code)}.c_str(), e.message.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

/// Opens the node of a crash child on `dir` (durability sync, two threads) and
/// defines tenant "t1" named `tenant_name`; dies on failure.
inline std::unique_ptr<node> open_child_node(const char* prog, const std::string& dir,
                                             const std::string& tenant_name) {
  node_options opts;
  opts.data_dir = dir;
  opts.durability = storage::durability::sync;
  opts.threads = 2;
  auto n = node::open(opts);
  if (!n)
    die(prog, "open " + dir, n.err());
  engine::tenant_config t;
  t.id = "t1";
  t.name = tenant_name;
  if (auto s = (*n)->define_tenant(t); !s.ok())
    die(prog, "tenant", s.err());
  return std::move(*n);
}

}  // namespace switchboard::testkit
