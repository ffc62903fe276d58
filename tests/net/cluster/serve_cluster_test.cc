// Three real `switchboard serve` processes and a real etcd on loopback: membership,
// one owner per domain, routing across nodes, and how ownership moves when a node
// joins, leaves with SIGTERM or is killed (failover_test.cc: kills under load).
#include "tests/net/cluster/serve_cluster_fixture.h"

#include <set>

namespace switchboard::cluster_testing {
namespace {

TEST_F(serve_cluster, three_nodes_agree_on_one_owner_per_domain_and_ownership_moves_on_loss) {
  auto a = start("a");
  auto b = start("b");
  auto c = start("c");
  dump_logs dump{{&a, &b, &c}};
  ASSERT_TRUE(a.port && b.port && c.port);
  std::vector<std::string> all{"a", "b", "c"};
  auto on_a = wait_for([&] { return settled(a, all); }, 20s);
  ASSERT_TRUE(on_a) << "a never saw a settled cluster";
  // Every node shows the same owners and epochs.
  for (auto* m : {&b, &c}) {
    auto seen = wait_for([&] { return settled(*m, all); }, 10s);
    ASSERT_TRUE(seen) << m->name;
    EXPECT_EQ(*seen, *on_a) << m->name;
  }
  // /metrics carries the same figures.
  client::endpoint ep;
  ep.port = a.port;
  auto metrics = client::http_get(ep, "/metrics");
  EXPECT_NE(metrics.body.find("switchboard_cluster_members{state=\"up\"} 3"), std::string::npos);
  EXPECT_NE(metrics.body.find("switchboard_cluster_healthy 1"), std::string::npos);

  // kill -9 of a node that owns something: its lease lapses and the survivors take
  // its domains, each with a new epoch.
  auto by_name = [&](const std::string& n) -> member& { return n == "a" ? a : n == "b" ? b : c; };
  auto victim = on_a->begin()->second.first;
  member& dead = by_name(victim);
  member& survivor = by_name(victim == "a" ? "b" : "a");
  std::vector<std::string> rest;
  for (auto& n : all)
    if (n != victim)
      rest.push_back(n);
  auto t0 = std::chrono::steady_clock::now();
  dead.proc->signal(SIGKILL);
  auto after_kill = wait_for([&] { return settled(survivor, rest); }, 20s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(after_kill) << "the survivors never took the dead node's domains";
  std::printf("[ figures  ] kill -9 of %s to its domains owned again: %lld ms (lease TTL 3 s)\n",
              victim.c_str(), static_cast<long long>(took.count()));
  EXPECT_LT(took, 3s + 3s) << "within the lease TTL plus polls";
  for (auto& [id, oe] : *on_a)
    if (oe.first == victim) {
      EXPECT_GT((*after_kill)[id].second, oe.second) << id << ": a new epoch";
    } else {
      EXPECT_EQ((*after_kill)[id], oe) << id << ": untouched";
    }

  // SIGTERM of another: it hands off at once, no lease to wait for.
  member& leaver = by_name(survivor.name == rest[0] ? rest[1] : rest[0]);
  std::vector<std::string> last{survivor.name};
  t0 = std::chrono::steady_clock::now();
  leaver.proc->signal(SIGTERM);
  auto after_leave = wait_for([&] { return settled(survivor, last); }, 20s);
  took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(after_leave);
  std::printf("[ figures  ] SIGTERM of %s to its domains owned again: %lld ms\n",
              leaver.name.c_str(), static_cast<long long>(took.count()));
  EXPECT_LT(took, 2500ms) << "a graceful leave does not wait for the lease";
  EXPECT_EQ(leaver.proc->wait_exit(10s), 0) << "a clean exit";
}

TEST_F(serve_cluster, a_gateway_on_one_node_and_agents_on_two_others_are_routed_in_order) {
  using testing::ws_client;
  auto a = start("a");
  auto b = start("b");
  auto c = start("c");
  dump_logs dump{{&a, &b, &c}};
  std::vector<std::string> all{"a", "b", "c"};
  auto owners = wait_for([&] { return settled(a, all); }, 20s);
  ASSERT_TRUE(owners) << "a never saw a settled cluster";
  for (auto* m : {&b, &c})
    ASSERT_TRUE(wait_for([&] { return settled(*m, all); }, 10s)) << m->name;
  // A tenant owned by b: the gateway's calls cross a -> b, c's agent gets b's offers.
  std::string tenant;
  for (const auto& [id, oe] : *owners)
    if (oe.first == "b" && tenant.empty())
      tenant = id;
  if (tenant.empty())
    for (const auto& [id, oe] : *owners)
      if (oe.first != "a" && tenant.empty())
        tenant = id;
  ASSERT_FALSE(tenant.empty());
  auto owner = (*owners)[tenant].first;

  // The supervisor defines the queue and two agents through a; x joins at b, y at
  // c; the gateway is at a.
  staffed_tenant people{tenant, a.port, b.port, c.port, a.port};
  ASSERT_FALSE(HasFailure()) << "the tenant's people did not all get in";
  ASSERT_EQ(people.tokens.size(), 2u);
  auto& x = people.x;
  auto& y = people.y;
  auto& gw = people.gw;

  // The gateway at a opens 20 contacts.
  constexpr int n = 20;
  for (int i = 0; i < n; ++i) {
    auto opened = gw.call(testing::open_contact("k" + std::to_string(1000 + i), "support"));
    ASSERT_TRUE(opened && opened->has_contact_opened()) << i << ": " << testing::show(opened);
  }
  // Each agent takes what it is offered, one at a time, until all are served.
  ledger l;
  serve_all({{"x", &x}, {"y", &y}}, n, l);
  check(l, n);
  EXPECT_EQ(l.stale_offers, 0) << "nothing moved: no offer can be stale";
  for (const auto& [agent, ks] : l.served)
    EXPECT_FALSE(ks.empty()) << agent << " got nothing";
  // The gateway at a saw every contact connected and completed by the owner.
  for (int i = 0; i < n; ++i) {
    auto id = "k" + std::to_string(1000 + i);
    EXPECT_TRUE(gw.wait_for(testing::update_of(id, "completed"), 10s)) << id;
  }
  // The wallboard's figures are the same from any node: a supervisor at c sees
  // the owner's statistics.
  ws_client wall{c.port};
  auto w = wall.hello(pb::ROLE_SUPERVISOR, tenant, key_of(tenant));
  ASSERT_TRUE(w && w->has_welcome()) << testing::show(w);
  ASSERT_TRUE(wall.call(testing::subscribe_stats(100))->has_ack());
  auto figures = wall.wait_for(
    [&](const pb::Envelope& e) { return e.has_stats_update() && e.stats_update().completed() == n; },
    10s);
  EXPECT_TRUE(figures) << "a supervisor at c never saw the 20 completed at " << owner;
  // a's calls went to the owner, and c passed b's events to y: /metrics counts both.
  client::endpoint ep;
  ep.port = a.port;
  auto ma = client::http_get(ep, "/metrics").body;
  auto remote_calls = testing::metric_value(ma, "switchboard_cluster_calls_total{where=\"remote\"}");
  EXPECT_TRUE(remote_calls && *remote_calls >= n) << ma;
  ep.port = c.port;
  auto mc = client::http_get(ep, "/metrics").body;
  auto remote_events = testing::metric_value(mc, "switchboard_cluster_events_total{from=\"remote\"}");
  EXPECT_TRUE(remote_events && *remote_events > 0) << mc;
  std::printf("[ figures  ] tenant %s owned by %s: %d contacts from a, served %zu by x at b "
              "and %zu by y at c\n",
              tenant.c_str(), owner.c_str(), n, l.served["x"].size(), l.served["y"].size());
}

TEST_F(serve_cluster, a_node_joining_and_one_leaving_under_load_move_domains_without_loss) {
  using testing::ws_client;
  auto a = start("a");
  auto b = start("b");
  member c;  // joins later; declared before `dump`, which reads it at the end
  dump_logs dump{{&a, &b, &c}};
  ASSERT_TRUE(wait_for([&] { return settled(a, {"a", "b"}); }, 20s));
  // A tenant that moves to c when c joins.
  std::string tenant;
  const std::vector<std::string> abc{"a", "b", "c"};
  for (int i = 0; i < tenants && tenant.empty(); ++i)
    if (engine::rendezvous_order("t" + std::to_string(i), abc).front() == "c")
      tenant = "t" + std::to_string(i);
  ASSERT_FALSE(tenant.empty()) << "no tenant hashes to c";
  auto first_owner = settled(a, {"a", "b"})->at(tenant).first;

  staffed_tenant people{tenant, a.port, a.port, b.port, b.port};
  ASSERT_FALSE(HasFailure()) << "the tenant's people did not all get in";
  auto& x = people.x;
  auto& y = people.y;
  auto& gw = people.gw;
  int opened = 0;
  auto open = [&](int count) {
    for (int i = 0; i < count; ++i, ++opened) {
      auto id = "k" + std::to_string(1000 + opened);
      auto r = gw.call(testing::open_contact(id, "support"));
      ASSERT_TRUE(r && r->has_contact_opened()) << id << ": " << testing::show(r);
    }
  };
  // 15 contacts wait (two of them offered) at the first owner.
  open(15);
  ASSERT_TRUE(x.wait_for([](const pb::Envelope& e) { return e.has_offer(); }, 10s));

  // c joins: the tenant moves to c while 15 more arrive.
  c = start("c");
  open(15);
  auto moved = wait_for([&] { return settled(a, {"a", "b", "c"}); }, 20s);
  ASSERT_TRUE(moved) << "the cluster never settled with c";
  EXPECT_EQ(moved->at(tenant).first, "c");
  ledger l;
  serve_all({{"x", &x}, {"y", &y}}, opened, l);
  check(l, opened);

  // c leaves with SIGTERM while 10 more arrive: the tenant moves back.
  open(5);
  c.proc->signal(SIGTERM);
  open(5);
  EXPECT_EQ(c.proc->wait_exit(20s), 0) << "a clean exit after its handoffs";
  auto back = wait_for([&] { return settled(a, {"a", "b"}); }, 20s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at(tenant).first, first_owner);
  serve_all({{"x", &x}, {"y", &y}}, opened, l);
  check(l, opened);
  std::printf("[ figures  ] tenant %s: %s -> c (join) -> %s (c's SIGTERM); %d contacts, each "
              "served once (x %zu, y %zu); %d offers withdrawn by a move and offered again\n",
              tenant.c_str(), first_owner.c_str(), back->at(tenant).first.c_str(), opened,
              l.served["x"].size(), l.served["y"].size(), l.stale_offers);
}

TEST_F(serve_cluster, a_split_tenants_domains_are_served_by_their_owners_and_move_without_loss) {
  using testing::ws_client;
  // Tenant "big" in three domains, one per queue and skill, chosen so that a, b
  // and c each own one.
  const std::vector<std::string> abc{"a", "b", "c"};
  std::map<std::string, std::string> domain_at;  // node -> the domain it owns
  for (int k = 0; k < 1000 && domain_at.size() < 3; ++k) {
    auto id = "big-" + std::to_string(k);
    domain_at.try_emplace(engine::rendezvous_order(id, abc).front(), id);
  }
  ASSERT_EQ(domain_at.size(), 3u);
  const std::string queue_of[] = {"qa", "qb", "qc"};
  const std::string skill_of[] = {"sa", "sb", "sc"};
  std::string domains;
  for (int i = 0; i < 3; ++i)
    domains += std::string{i ? "," : ""} + R"({"id": ")" + domain_at[abc[i]] + R"(", "queues": [")" +
               queue_of[i] + R"("], "skills": [")" + skill_of[i] + R"("]})";
  write_config("", R"(, {"tenant": "big", "api_key": "key-of-tenant-big-0123456789", "domains": [)" +
                     domains + "]}");
  domains_ = tenants + 3;
  auto a = start("a");
  auto b = start("b");
  auto c = start("c");
  dump_logs dump{{&a, &b, &c}};
  auto owners = wait_for([&] { return settled(a, abc); }, 20s);
  ASSERT_TRUE(owners) << "a never saw a settled cluster";
  for (const auto& node : abc)
    EXPECT_EQ(owners->at(domain_at[node]).first, node);
  // /cluster names the tenant of each of its domains.
  auto st = status(b);
  ASSERT_TRUE(st);
  int of_big = 0;
  for (const auto& d : st->domains())
    if (d.tenant() == "big")
      ++of_big;
  EXPECT_EQ(of_big, 3);

  // The supervisor (at a) defines a queue and an agent per domain. The agents
  // connect at a and b, the gateway at a; nobody connects at c.
  ws_client sup{a.port};
  auto w = sup.hello(pb::ROLE_SUPERVISOR, "big", "key-of-tenant-big-0123456789");
  ASSERT_TRUE(w && w->has_welcome()) << testing::show(w);
  std::map<std::string, std::unique_ptr<ws_client>> agents;
  for (int i = 0; i < 3; ++i) {
    pb::Envelope dq;
    auto* q = dq.mutable_define_queue()->mutable_queue();
    q->set_id(queue_of[i]);
    q->add_channels(pb::CHANNEL_CHAT);
    q->set_offer_timeout_ms(60000);
    auto* req = q->add_skills();
    req->set_skill(skill_of[i]);
    auto r = sup.call(dq);
    ASSERT_TRUE(r && r->has_ack()) << testing::show(r);
    auto name = "x" + std::to_string(i);
    pb::Envelope da;
    auto* ag = da.mutable_define_agent()->mutable_agent();
    ag->set_id(name);
    ag->add_languages("en");
    auto* sk = ag->add_skills();
    sk->set_name(skill_of[i]);
    sk->set_proficiency(50);
    auto* cap = ag->add_capacity();
    cap->set_channel(pb::CHANNEL_CHAT);
    cap->set_max(1);
    r = sup.call(da);
    ASSERT_TRUE(r && r->has_ack()) << testing::show(r);
    auto tok = sup.call(testing::mint_token(name, 600));
    ASSERT_TRUE(tok && tok->has_agent_token()) << testing::show(tok);
    agents[name] = std::make_unique<ws_client>(i == 1 ? a.port : b.port);
    w = agents[name]->hello_agent(tok->agent_token().token(), "big");
    ASSERT_TRUE(w && w->has_welcome()) << name << ": " << testing::show(w);
  }
  // An agent whose skills span two domains is refused, typed.
  {
    pb::Envelope da;
    auto* ag = da.mutable_define_agent()->mutable_agent();
    ag->set_id("both");
    for (const auto* sk : {"sa", "sb"}) {
      auto* s2 = ag->add_skills();
      s2->set_name(sk);
      s2->set_proficiency(50);
    }
    auto r = sup.call(da);
    EXPECT_TRUE(testing::is_error(r, pb::INVALID_ARGUMENT)) << testing::show(r);
  }
  ws_client gw{a.port};
  w = gw.hello(pb::ROLE_GATEWAY, "big", "key-of-tenant-big-0123456789");
  ASSERT_TRUE(w && w->has_welcome()) << testing::show(w);
  int opened = 0;
  auto open = [&](int count) {
    for (int i = 0; i < count; ++i, ++opened) {
      auto id = "k" + std::to_string(1000 + opened);
      auto r = gw.call(testing::open_contact(id, queue_of[opened % 3]));
      ASSERT_TRUE(r && r->has_contact_opened()) << id << ": " << testing::show(r);
    }
  };
  open(15);
  ledger l;
  std::vector<std::pair<std::string, ws_client*>> staff;
  for (auto& [name, cl] : agents)
    staff.emplace_back(name, cl.get());
  serve_all(staff, opened, l);
  check(l, opened);
  // c leaves with SIGTERM while 9 more arrive: its domain moves by handoff.
  open(3);
  c.proc->signal(SIGTERM);
  open(6);
  EXPECT_EQ(c.proc->wait_exit(20s), 0) << "a clean exit after its handoff";
  auto after = wait_for([&] { return settled(a, {"a", "b"}); }, 20s);
  ASSERT_TRUE(after);
  EXPECT_NE(after->at(domain_at["c"]).first, "c");
  serve_all(staff, opened, l);
  check(l, opened);
  // Each agent served only its own domain's queue.
  for (const auto& [agent, ks] : l.served)
    for (auto k : ks)
      EXPECT_EQ("x" + std::to_string(k % 3), agent) << "k" << 1000 + k;
  // The wallboard shows the tenant's queues of every domain.
  auto r = sup.call(testing::subscribe_stats(100));
  ASSERT_TRUE(r && r->has_ack()) << testing::show(r);
  auto update = sup.wait_for([](const pb::Envelope& e) { return e.has_stats_update(); }, 10s);
  ASSERT_TRUE(update);
  // Counters run since the domain started on its owner: qa's and qb's count every
  // contact (their owners never changed), qc's those since it moved (at least the
  // 3 opened after the SIGTERM).
  std::map<std::string, std::uint64_t> answered;
  for (const auto& q : update->stats_update().queues())
    answered[q.queue()] = q.answered();
  ASSERT_EQ(answered.size(), 3u);
  EXPECT_EQ(answered["qa"], l.served["x0"].size());
  EXPECT_EQ(answered["qb"], l.served["x1"].size());
  EXPECT_GE(answered["qc"], 2u);
  EXPECT_LE(answered["qc"], l.served["x2"].size());
  EXPECT_EQ(update->stats_update().completed(),
            answered["qa"] + answered["qb"] + answered["qc"]);
  std::printf("[ figures  ] split tenant big: domains %s@a %s@b %s@c; %d contacts, each served "
              "once by its domain's agent; %s moved to %s on c's SIGTERM (%d offers withdrawn "
              "and made again)\n",
              domain_at["a"].c_str(), domain_at["b"].c_str(), domain_at["c"].c_str(), opened,
              domain_at["c"].c_str(), after->at(domain_at["c"]).first.c_str(), l.stale_offers);
}

TEST_F(serve_cluster, bad_cluster_settings_are_refused_with_the_reason) {
  testkit::temp_dir d{"sb-bad"};
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{SB_SWITCHBOARD_BIN, "serve", "--port", "0", "--data-dir",
                                  d.sub("data")};
    args.insert(args.end(), extra.begin(), extra.end());
    testkit::child_process p{args, d.sub("stderr.log"), SIGKILL};
    int rc = p.wait_exit(30s);
    std::ifstream err{d.sub("stderr.log")};
    std::string text{std::istreambuf_iterator<char>(err), {}};
    return std::make_pair(rc, text);
  };
  auto no_secret = run({"--etcd", etcd_.url(), "--node-name", "x"});
  EXPECT_EQ(no_secret.first, 2);
  EXPECT_NE(no_secret.second.find("token_secret"), std::string::npos) << no_secret.second;
  auto cfg = config_.sub("serve.json");
  auto no_name = run({"--config", cfg, "--etcd", etcd_.url()});
  EXPECT_EQ(no_name.first, 2);
  EXPECT_NE(no_name.second.find("node name"), std::string::npos) << no_name.second;
  auto bad_url = run({"--config", cfg, "--etcd", "127.0.0.1:2379", "--node-name", "x"});
  EXPECT_EQ(bad_url.first, 2);
  EXPECT_NE(bad_url.second.find("http://host:port"), std::string::npos) << bad_url.second;
  auto unreachable = run({"--config", cfg, "--etcd",
                          "http://127.0.0.1:" + std::to_string(testkit::free_port()),
                          "--node-name", "x"});
  EXPECT_EQ(unreachable.first, 1);
  EXPECT_NE(unreachable.second.find("unavailable"), std::string::npos) << unreachable.second;
  auto bad_ttl = run({"--config", cfg, "--etcd", etcd_.url(), "--node-name", "x", "--lease-ttl", "0"});
  EXPECT_NE(bad_ttl.first, 0);
}

}  // namespace
}  // namespace switchboard::cluster_testing
