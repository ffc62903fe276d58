// sb_crash_child <data_dir> <count> [line|mixed|ringing]
//
// The process recovery_test kills: it opens a node on <data_dir> (durability
// sync), defines tenant t1 and submits up to <count> contacts, one at a time,
// printing "ACK <contact> <seq> <enqueued_at> <queue>" and flushing stdout after
// each acknowledged submit, until it is killed.
//
//  - line:    every contact goes to queue "line" (skill "line"); no agent has it,
//             so every contact stays queued.
//  - mixed:   every third contact goes to queue "served" instead, where agent s1
//             (two chats) accepts every offer and never completes: some contacts
//             are connected, the others queued.
//  - ringing: first "ring-1" goes to queue "ring", whose agent r1 never answers
//             (offer timeout 10 min); once it is offered, "OFFERED ring-1 <offer_id>"
//             is printed and the contacts to "line" follow.
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "actors/errors.h"
#include "actors/node.h"
#include "tests/testkit/child_node.h"
#include "tests/testkit/offer_box.h"

namespace {

using namespace switchboard;

std::mutex out_mutex;

void say(const std::string& line) {
  std::lock_guard<std::mutex> guard{out_mutex};
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

[[noreturn]] void die(const std::string& what, const engine::error& e) {
  testkit::die("sb_crash_child", what, e);
}

void check(const std::string& what, const engine::status& s) {
  if (!s.ok())
    die(what, s.err());
}

engine::queue_config queue(const std::string& id, const std::string& skill,
                           engine::time_ms offer_timeout = 60000) {
  engine::queue_config q;
  q.tenant = "t1";
  q.id = id;
  q.policy = engine::policy_kind::skills;
  q.skills.push_back({skill, 0});
  q.offer_timeout = offer_timeout;
  return q;
}

engine::agent_profile agent(const std::string& id, const std::string& skill, std::uint32_t chats) {
  engine::agent_profile a;
  a.tenant = "t1";
  a.id = id;
  a.skills.push_back({skill, 80});
  a.capacity[engine::index(engine::channel::chat)] = {chats, false};
  return a;
}

using testkit::offer_box;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sb_crash_child <data_dir> <count> [line|mixed|ringing]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long count = std::strtol(argv[2], nullptr, 10);
  const std::string mode = argc > 3 ? argv[3] : "line";
  if (mode != "line" && mode != "mixed" && mode != "ringing") {
    std::fprintf(stderr, "sb_crash_child: unknown mode %s\n", mode.c_str());
    return 2;
  }

  auto n = testkit::open_child_node("sb_crash_child", dir, "crash");
  auto& nd = *n;
  check("queue line", nd.define_queue(queue("line", "line")));
  check("queue served", nd.define_queue(queue("served", "served")));
  check("queue ring", nd.define_queue(queue("ring", "ring", 600000)));
  check("agent s1", nd.define_agent(agent("s1", "served", 2)));
  check("agent r1", nd.define_agent(agent("r1", "ring", 1)));

  offer_box s1_offers;
  offer_box r1_offers;
  nd.subscribe([&](const event& e) {
    if (e.type != engine::event_type::offered)
      return;
    if (e.agent == "s1")
      s1_offers.push(e);
    else if (e.agent == "r1")
      r1_offers.push(e);
  });

  if (mode == "mixed") {
    check("login s1", nd.login("t1", "s1"));
    // Accepts every offer; the process is killed, so the thread never ends.
    std::thread{[&] {
      while (true) {
        auto e = s1_offers.pop();
        auto s = nd.accept("t1", "s1", e.contact, e.offer_id);
        if (s.ok())
          say("CONNECTED " + e.contact);
      }
    }}.detach();
  }

  if (mode == "ringing") {
    check("login r1", nd.login("t1", "r1"));
    engine::contact c;
    c.tenant = "t1";
    c.id = "ring-1";
    c.queue = "ring";
    c.ch = engine::channel::chat;
    auto ack = nd.submit(c);
    if (!ack)
      die("submit ring-1", ack.err());
    say("ACK ring-1 " + std::to_string(ack->seq) + " " + std::to_string(ack->enqueued_at) +
        " ring");
    if (!r1_offers.wait(std::chrono::seconds(20)))
      die("ring-1", engine::make_error(actors::errors::timeout, "never offered to r1"));
    say("OFFERED ring-1 " + std::to_string(r1_offers.pop().offer_id));
  }

  for (long i = 1; i <= count; ++i) {
    engine::contact c;
    c.tenant = "t1";
    c.id = "k-" + std::to_string(i);
    c.queue = mode == "mixed" && i % 3 == 0 ? "served" : "line";
    c.ch = engine::channel::chat;
    c.intent = "billing";
    c.attached = {{"order", std::to_string(1000 + i)}};
    auto ack = nd.submit(c);
    if (!ack)
      die("submit " + c.id, ack.err());
    say("ACK " + ack->contact + " " + std::to_string(ack->seq) + " " +
        std::to_string(ack->enqueued_at) + " " + c.queue);
  }
  say("DONE");
  return 0;
}
