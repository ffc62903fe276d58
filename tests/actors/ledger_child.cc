// sb_ledger_child <data_dir> <seed>
//
// The process ledger_test kills: a node (durability sync) under a stream of every
// state-changing request the facade has, made by 100 agents and a submitter, until
// it is killed. Before each request it prints "SEND <type> <key>" and after each
// acknowledged one "ACK <type> <key>" (stdout flushed per line), so the test knows
// what was promised. <key> names what the request changed: "<contact>" for
// contact requests (messages: "<contact>/<text>"), "<agent>" for agent requests,
// the id for definitions.
//
// Each contact follows a script picked by its number:
//   n % 5 == 0: submit to "wait" (no agent has its skill), then the customer leaves
//               while it waits (end "hangup");
//   otherwise:  submit; its first offer is declined, the next accepted; a customer
//               line and an agent line; then
//     n % 5 == 1: the customer hangs up (end "hangup"), the agent completes;
//     n % 5 == 2: the customer rates, the agent wraps up, then completes;
//     n % 5 == 3: the agent transfers it to q2, where it is accepted and completed;
//     n % 5 == 4: the agent completes, the customer rates after completion.
// Every third contact is opened (open_contact, with a new customer's hints)
// rather than submitted. Beside it, pool agents p1..p5 cycle login, away, available, logout, and queues
// dq-N and agents da-N are defined.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "actors/node.h"
#include "tests/testkit/child_node.h"
#include "tests/testkit/offer_box.h"

namespace {

using namespace switchboard;

std::mutex out_mutex;

void say(const std::string& what, const std::string& type, const std::string& key) {
  std::lock_guard<std::mutex> guard{out_mutex};
  std::printf("%s %s %s\n", what.c_str(), type.c_str(), key.c_str());
  std::fflush(stdout);
}

[[noreturn]] void die(const std::string& what, const engine::error& e) {
  testkit::die("sb_ledger_child", what, e);
}

/// Prints SEND, makes the request, prints ACK when it succeeded. A failure is a
/// bug of the node or of this script: the child stops (the test sees no DONE and
/// an error on stderr).
template <class F>
void request(const std::string& type, const std::string& key, F&& f) {
  say("SEND", type, key);
  engine::status s = f();
  if (!s.ok())
    die(type + " " + key, s.err());
  say("ACK", type, key);
}

engine::queue_config queue(const std::string& id, const std::string& skill) {
  engine::queue_config q;
  q.tenant = "t1";
  q.id = id;
  q.policy = engine::policy_kind::skills;
  q.skills.push_back({skill, 0});
  q.offer_timeout = 600000;
  return q;
}

engine::agent_profile agent(const std::string& id, std::vector<std::string> skills) {
  engine::agent_profile a;
  a.tenant = "t1";
  a.id = id;
  for (auto& s : skills)
    a.skills.push_back({std::move(s), 80});
  a.capacity[engine::index(engine::channel::chat)] = {1, false};
  return a;
}

using testkit::offer_box;

struct contact_script {
  int number = 0;
  int offers = 0;
  bool transferred = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sb_ledger_child <data_dir> <seed>\n");
    return 2;
  }
  const std::string dir = argv[1];
  const auto seed = std::strtoull(argv[2], nullptr, 10);

  auto n = testkit::open_child_node("sb_ledger_child", dir, "ledger");
  auto& nd = *n;
  auto check = [](const std::string& what, const engine::status& s) {
    if (!s.ok())
      die(what, s.err());
  };
  check("queue q", nd.define_queue(queue("q", "s")));
  check("queue q2", nd.define_queue(queue("q2", "s2")));
  check("queue wait", nd.define_queue(queue("wait", "nobody")));
  constexpr int agents = 100;
  for (int i = 1; i <= agents; ++i) {
    auto id = "a" + std::to_string(i);
    check("agent " + id, nd.define_agent(agent(id, {"s", "s2"})));
    check("login " + id, nd.login("t1", id));
  }
  for (int i = 1; i <= 5; ++i)
    check("pool agent", nd.define_agent(agent("p" + std::to_string(i), {"none"})));

  std::mutex scripts_mutex;
  std::map<std::string, contact_script> scripts;
  std::mutex live_mutex;
  std::condition_variable live_cv;
  int live = 0;
  auto finished = [&] {
    {
      std::lock_guard<std::mutex> g{live_mutex};
      --live;
    }
    live_cv.notify_one();
  };

  offer_box offers;
  nd.subscribe([&](const event& e) {
    if (e.type == engine::event_type::offered)
      offers.push(e);
  });

  // The agents' side: four workers answer the offers, then serve the contact.
  auto worker = [&] {
    while (true) {
      auto e = offers.pop();
      contact_script sc;
      {
        std::lock_guard<std::mutex> g{scripts_mutex};
        auto& s = scripts[e.contact];
        ++s.offers;
        sc = s;
      }
      const auto& c = e.contact;
      const auto& a = e.agent;
      if (sc.offers == 1) {
        request("decline", c, [&] { return nd.decline("t1", a, c, e.offer_id); });
        continue;
      }
      request("accept", c, [&] { return nd.accept("t1", a, c, e.offer_id); });
      engine::outcome o;
      o.resolved = true;
      o.disposition = "done";
      if (sc.transferred) {  // the second leg, in q2
        request("complete", c, [&] { return nd.complete("t1", a, c, o); });
        finished();
        continue;
      }
      auto line = [&](const std::string& who, const std::string& text) {
        request("message", c + "/" + text,
                [&] { return nd.post_message("t1", c, who, text); });
      };
      line("", "hello-" + c);
      line(a, "hi-" + c);
      switch (sc.number % 5) {
        case 1:
          request("end", c, [&] { return nd.end_contact("t1", c, "hangup"); });
          request("complete", c, [&] { return nd.complete("t1", a, c, o); });
          finished();
          break;
        case 2:
          request("rate", c, [&] { return nd.rate("t1", c, 4, 1.5); });
          request("wrap_up", c, [&] { return nd.wrap_up("t1", a, c); });
          request("complete", c, [&] { return nd.complete("t1", a, c, o); });
          finished();
          break;
        case 3: {
          std::lock_guard<std::mutex> g{scripts_mutex};
          scripts[c].transferred = true;
          scripts[c].offers = 1;  // the next offer is accepted
        }
          request("transfer", c, [&] { return nd.transfer("t1", a, c, "q2"); });
          break;
        default:
          request("complete", c, [&] { return nd.complete("t1", a, c, o); });
          request("rate", c, [&] { return nd.rate("t1", c, 5, 0); });
          finished();
          break;
      }
    }
  };
  for (int i = 0; i < 4; ++i)
    std::thread{worker}.detach();

  // Presence and definitions beside the contacts.
  std::thread{[&] {
    std::mt19937_64 rng{seed};
    for (long k = 1;; ++k) {
      auto p = "p" + std::to_string(1 + k % 5);
      request("login", p, [&] { return nd.login("t1", p); });
      request("away", p, [&] { return nd.set_away("t1", p, true); });
      request("available", p, [&] { return nd.set_away("t1", p, false); });
      request("logout", p, [&] { return nd.logout("t1", p); });
      auto dq = "dq-" + std::to_string(k);
      request("define_queue", dq, [&] { return nd.define_queue(queue(dq, "x")); });
      auto da = "da-" + std::to_string(k);
      request("define_agent", da, [&] { return nd.define_agent(agent(da, {"x"})); });
      std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 10));
    }
  }}.detach();

  // The customers: a new contact every millisecond or so, at most 60 live.
  for (int i = 1;; ++i) {
    {
      std::unique_lock<std::mutex> g{live_mutex};
      live_cv.wait(g, [&] { return live < 60; });
      ++live;
    }
    engine::contact c;
    c.tenant = "t1";
    c.id = "c-" + std::to_string(i);
    c.queue = i % 5 == 0 ? "wait" : "q";  // nobody serves "wait": it stays waiting
    c.ch = engine::channel::chat;
    {
      std::lock_guard<std::mutex> g{scripts_mutex};
      scripts[c.id].number = i;
    }
    // Every third one is opened as a gateway opens it: with its customer's hints,
    // whose profile is written before the contact is submitted.
    const bool open = i % 3 == 1;
    const char* type = open ? "open" : "submit";
    say("SEND", type, c.id);
    engine::customer_profile hints;
    if (open) {
      c.customer = "cu-" + c.id;
      hints.tier = 1 + i % 5;
    }
    auto ack = open ? nd.open_contact(c, hints) : nd.submit(c);
    if (!ack)
      die(std::string{type} + " " + c.id, ack.err());
    say("ACK", type, c.id);
    if (i % 5 == 0) {
      request("end", c.id, [&] { return nd.end_contact("t1", c.id, "hangup"); });
      finished();
    }
    std::this_thread::sleep_for(std::chrono::microseconds(800));
  }
}
