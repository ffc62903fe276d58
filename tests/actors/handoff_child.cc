// sb_handoff_child <dir_a> <dir_b> <seed>
//
// The process handoff_ledger_test kills: two nodes in one process (durability
// sync) and one tenant "t1" moved back and forth between them, as a cluster
// handoff does (node::export_tenant on the owner, import_tenant on the other,
// drop_tenant on the owner), while contacts are submitted to whichever node owns
// it. Prints "ACK submit <contact>" after each acknowledged submit and
// "MOVED <to> <contacts>" after each completed move (stdout flushed per line),
// until it is killed.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "actors/node.h"
#include "tests/testkit/child_node.h"

using namespace switchboard;

namespace {

[[noreturn]] void die(const std::string& what, const engine::error& e) {
  testkit::die("sb_handoff_child", what, e);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sb_handoff_child <dir_a> <dir_b> <seed>\n");
    return 2;
  }
  std::unique_ptr<node> nodes[2] = {testkit::open_child_node("sb_handoff_child", argv[1], "t1"),
                                    testkit::open_child_node("sb_handoff_child", argv[2], "t1")};
  std::mt19937_64 rng{std::strtoull(argv[3], nullptr, 10)};
  engine::queue_config q;
  q.tenant = "t1";
  q.id = "q1";
  q.name = "queue";
  for (auto& n : nodes)
    if (auto s = n->define_queue(q); !s.ok())
      die("queue", s.err());
  int owner = 0;
  for (long i = 0;; ++i) {
    engine::contact c;
    c.tenant = "t1";
    c.id = "c" + std::to_string(i);
    c.queue = "q1";
    c.ch = engine::channel::chat;
    c.intent = "billing";
    auto ack = nodes[owner]->submit(c);
    if (!ack)
      die("submit " + c.id, ack.err());
    std::printf("ACK submit %s\n", c.id.c_str());
    std::fflush(stdout);
    // Every few submits the tenant moves to the other node.
    if (std::uniform_int_distribution<int>{0, 9}(rng) != 0)
      continue;
    auto snap = nodes[owner]->export_tenant("t1");
    if (!snap)
      die("export", snap.err());
    auto contacts = snap->live.size();
    if (auto s = nodes[1 - owner]->import_tenant(std::move(*snap)); !s.ok())
      die("import", s.err());
    if (auto s = nodes[owner]->drop_tenant("t1"); !s.ok())
      die("drop", s.err());
    owner = 1 - owner;
    std::printf("MOVED %d %zu\n", owner, contacts);
    std::fflush(stdout);
  }
}
