// A carrier platform embedding Switchboard with its own transport.
//
// The platform owns the network: here a toy line protocol on stdin stands in for
// its SIP/WebRTC stack. Each line is one command:
//   call <contact-id> <customer-id> <queue>     a customer calls in
//   hangup <contact-id>                        the customer hangs up
//   accept <agent-id> <contact-id>             the agent picks up
//   done <agent-id> <contact-id> <resolved 0|1> <csat 1..5>
//   stats
// Switchboard decides who serves whom; the platform is told through events.
//
//   ./embed_example /tmp/embed-data     then type the commands
// An offer is made asynchronously: accept once the "event offered" line is printed
// (tests/e2e/embed_example_test.sh drives it that way through a fifo).
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "actors/node.h"

using namespace switchboard;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR < commands\n", argv[0]);
    return 2;
  }
  node_options opts;
  opts.data_dir = argv[1];
  opts.durability = storage::durability::sync;
  auto n = node::open(opts);
  if (!n) {
    std::fprintf(stderr, "open: %s\n", n.err().message.c_str());
    return 1;
  }
  node& sb = **n;

  // The platform's own configuration, pushed into the engine.
  engine::tenant_config tenant;
  tenant.id = "carrier";
  tenant.name = "Carrier";
  engine::queue_config q;
  q.tenant = "carrier";
  q.id = "support";
  q.skills = {{"support", 50}};
  q.policy = engine::policy_kind::skills;
  engine::agent_profile alice;
  alice.tenant = "carrier";
  alice.id = "alice";
  alice.skills = {{"support", 90}};
  alice.languages = {"en"};
  alice.capacity[engine::index(engine::channel::voice)] = {1, true};
  for (auto s : {sb.define_tenant(tenant), sb.define_queue(q), sb.define_agent(alice),
                 sb.login("carrier", "alice")})
    if (!s) {
      std::fprintf(stderr, "setup: %s\n", s.err().message.c_str());
      return 1;
    }

  // Events come back on the node's event thread; a real platform would signal
  // its media server here (ring the agent's phone, bridge the call, ...).
  sb.subscribe([](const event& e) {
    std::printf("event %-16s contact=%s agent=%s queue=%s\n",
                std::string{engine::to_string(e.type)}.c_str(), e.contact.c_str(),
                e.agent.c_str(), e.queue.c_str());
    std::fflush(stdout);
  });

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in{line};
    std::string cmd;
    in >> cmd;
    status st;
    if (cmd == "call") {
      engine::contact c;
      c.tenant = "carrier";
      c.ch = engine::channel::voice;
      in >> c.id >> c.customer >> c.queue;
      auto ack = sb.submit(c);
      if (ack)
        std::printf("queued %s as #%llu\n", ack->contact.c_str(),
                    static_cast<unsigned long long>(ack->seq));
      else
        st = ack.err();
    } else if (cmd == "hangup") {
      std::string id;
      in >> id;
      st = sb.end_contact("carrier", id);
    } else if (cmd == "accept") {
      std::string agent, id;
      in >> agent >> id;
      st = sb.accept("carrier", agent, id);
    } else if (cmd == "done") {
      std::string agent, id;
      engine::outcome o;
      int resolved = 0;
      int csat = 0;
      in >> agent >> id >> resolved >> csat;
      o.resolved = resolved != 0;
      // The customer's rating first: CSAT is the customer's, not the agent's.
      st = csat > 0 ? sb.rate("carrier", id, csat) : switchboard::status{};
      if (st)
        st = sb.complete("carrier", agent, id, o);
    } else if (cmd == "stats") {
      if (auto s = sb.stats("carrier"))
        std::printf("routed %llu completed %llu waiting %llu\n",
                    static_cast<unsigned long long>(s->routed),
                    static_cast<unsigned long long>(s->completed),
                    static_cast<unsigned long long>(s->waiting));
    } else if (!cmd.empty()) {
      std::printf("unknown command %s\n", cmd.c_str());
    }
    if (!st)
      std::printf("error %s: %s\n", std::string{engine::to_string(st.code())}.c_str(),
                  st.err().message.c_str());
    std::fflush(stdout);
  }
  sb.shutdown();
  return 0;
}
