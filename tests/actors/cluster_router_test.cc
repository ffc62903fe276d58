// Two nodes in one process, each with its own actor system, RocksDB and cluster
// gateway on a real loopback port, linked through CAF's middleman. Ownership comes
// from a scripted view (no etcd here: tests/net/cluster runs the real thing), so
// routing, fencing and the event fan-in are checked exactly.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <mutex>
#include <thread>

#include "actors/cluster.h"
#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

using namespace std::chrono_literals;

/// Who owns which tenant, at which epoch, as the test says; one instance per node.
class scripted_view final : public actors::ownership_view {
 public:
  struct owner {
    std::string node;
    std::int64_t epoch = 0;
    std::string standby;  ///< empty: none
  };

  scripted_view(std::string self, std::shared_ptr<std::mutex> mutex,
                std::shared_ptr<std::map<std::string, owner>> owners,
                std::shared_ptr<std::map<std::string, std::string>> endpoints)
    : self_(std::move(self)), mutex_(std::move(mutex)), owners_(std::move(owners)),
      endpoints_(std::move(endpoints)) {}

  std::optional<actors::route> route_for(const std::string& tenant) const override {
    std::lock_guard<std::mutex> g{*mutex_};
    auto i = owners_->find(tenant);
    if (i == owners_->end())
      return std::nullopt;
    actors::route r;
    r.domain = tenant;
    r.owner = i->second.node;
    r.epoch = i->second.epoch;
    auto e = endpoints_->find(r.owner);
    r.endpoint = e == endpoints_->end() ? std::string{} : e->second;
    r.local = r.owner == self_;
    r.standby = i->second.standby;
    if (auto s = endpoints_->find(r.standby); s != endpoints_->end())
      r.standby_endpoint = s->second;
    return r;
  }

  engine::status check(const std::string& domain, std::int64_t epoch) const override {
    std::lock_guard<std::mutex> g{*mutex_};
    auto i = owners_->find(domain);
    if (i == owners_->end() || i->second.node != self_)
      return engine::make_error(engine::errc::not_owner, "not owned by " + self_);
    if (i->second.epoch != epoch)
      return engine::make_error(engine::errc::stale_epoch, "epoch " + std::to_string(epoch));
    return {};
  }

  std::vector<actors::peer> peers() const override {
    std::lock_guard<std::mutex> g{*mutex_};
    std::vector<actors::peer> out;
    for (const auto& [name, ep] : *endpoints_)
      if (name != self_)
        out.push_back({name, ep});
    return out;
  }

 private:
  std::string self_;
  std::shared_ptr<std::mutex> mutex_;
  std::shared_ptr<std::map<std::string, owner>> owners_;
  std::shared_ptr<std::map<std::string, std::string>> endpoints_;
};

struct member {
  std::string name;
  std::unique_ptr<temp_dir> dir;
  std::unique_ptr<node> n;
  std::unique_ptr<actors::cluster_router> router;
  event_recorder seen;  ///< what the router passes on to its subscribers
};

class cluster_router_test : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto name : {"a", "b"}) {
      auto m = std::make_unique<member>();
      m->name = name;
      m->dir = std::make_unique<temp_dir>(std::string{"sb-router-"} + name);
      node_options o;
      o.data_dir = m->dir->path();
      o.durability = storage::durability::no_sync;
      o.threads = 2;
      o.cluster = true;
      auto n = node::open(o);
      ASSERT_TRUE(n) << n.err().message;
      m->n = std::move(*n);
      // Every node knows every tenant's definitions (from its config, as serve does).
      for (const auto& t : {"t1", "t2"}) {
        ASSERT_TRUE(m->n->define_tenant(make_tenant(t)).ok());
        ASSERT_TRUE(m->n->define_queue(make_queue(t, "q1")).ok());
        ASSERT_TRUE(m->n->define_agent(make_agent(t, "ag")).ok());
      }
      // A split tenant's domains run as tenants of their ids (as serve does).
      for (const auto& [tenant, domains] : splits_)
        for (const auto& d : domains)
          ASSERT_TRUE(m->n->define_tenant(make_tenant(d.id)).ok());
      actors::cluster_router_options ro;
      ro.splits = splits_;
      ro.node_name = name;
      ro.link_interval = 50ms;
      ro.settle = 3s;
      auto r = actors::cluster_router::start(*m->n, ro, nullptr);
      ASSERT_TRUE(r) << r.err().message;
      m->router = std::move(*r);
      (*endpoints_)[name] = "127.0.0.1:" + std::to_string(m->router->port());
      m->router->subscribe([rec = &m->seen](const event& e) { rec->push(e); });
      members_[name] = std::move(m);
    }
    // t1 is a's at epoch 7, t2 is b's at epoch 3; a split tenant's first domain
    // is a's at epoch 5, the others b's at epoch 6.
    (*owners_)["t1"] = {"a", 7, ""};
    (*owners_)["t2"] = {"b", 3, ""};
    for (const auto& [tenant, domains] : splits_)
      for (std::size_t i = 0; i < domains.size(); ++i)
        (*owners_)[domains[i].id] = i == 0 ? scripted_view::owner{"a", 5, ""}
                                           : scripted_view::owner{"b", 6, ""};
    for (auto& [name, m] : members_)
      m->router->attach(std::make_shared<scripted_view>(name, mutex_, owners_, endpoints_));
    ASSERT_TRUE(linked(*members_["a"]) && linked(*members_["b"]));
  }

  void TearDown() override {
    for (auto& [name, m] : members_)
      m->router.reset();
    for (auto& [name, m] : members_)
      m->n->shutdown();
  }

  static bool linked(const member& m) {
    for (int i = 0; i < 200; ++i) {
      if (m.router->stats_snapshot().links == 1)
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  member& at(const std::string& name) { return *members_.at(name); }

  /// Tenants split into domains, set by a derived fixture's constructor.
  std::map<std::string, std::vector<actors::tenant_domain>> splits_;

  std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::map<std::string, scripted_view::owner>> owners_ =
    std::make_shared<std::map<std::string, scripted_view::owner>>();
  std::shared_ptr<std::map<std::string, std::string>> endpoints_ =
    std::make_shared<std::map<std::string, std::string>>();
  std::map<std::string, std::unique_ptr<member>> members_;
};

auto offer_to(const std::string& agent, const std::string& contact) {
  return [agent, contact](const event& e) {
    return e.type == engine::event_type::offered && e.agent == agent && e.contact == contact;
  };
}

TEST_F(cluster_router_test, calls_go_to_the_owner_and_its_events_come_back_in_order) {
  auto& a = at("a");
  auto& b = at("b");
  // Through a's router: the agent and the contacts of t2 live on b.
  ASSERT_TRUE(a.router->login("t2", "ag").ok());
  ASSERT_TRUE(a.router->set_away("t2", "ag", false).ok());
  for (int i = 0; i < 5; ++i) {
    auto ack = a.router->submit(make_contact("t2", "c" + std::to_string(i), "q1"));
    ASSERT_TRUE(ack) << ack.err().message;
    EXPECT_EQ(ack->contact, "c" + std::to_string(i));
  }
  EXPECT_GE(a.router->stats_snapshot().remote_calls, 7u);
  // The state is on b, not on a.
  EXPECT_TRUE(b.n->find_contact("t2", "c0").ok());
  EXPECT_EQ(a.n->find_contact("t2", "c0").err().code, engine::errc::unknown_contact);
  // a's subscribers see b's offers, one contact at a time, in the order of arrival.
  for (int i = 0; i < 5; ++i) {
    auto c = "c" + std::to_string(i);
    auto offer = a.seen.wait_event(offer_to("ag", c));
    ASSERT_TRUE(offer) << c << " was never offered through a";
    ASSERT_TRUE(a.router->accept("t2", "ag", c, offer->offer_id).ok()) << c;
    ASSERT_TRUE(a.router->complete("t2", "ag", c, resolved()).ok()) << c;
  }
  auto order = a.seen.events();
  std::vector<std::string> offered;
  for (const auto& e : order)
    if (e.type == engine::event_type::offered)
      offered.push_back(e.contact);
  EXPECT_EQ(offered, (std::vector<std::string>{"c0", "c1", "c2", "c3", "c4"}));
  EXPECT_GT(a.router->stats_snapshot().remote_events, 0u);
  // b's own subscribers saw the same offers (local delivery), a's node nothing of t2.
  EXPECT_TRUE(b.seen.wait_event(offer_to("ag", "c4")));
  // A lookup through either router answers the same.
  auto via_a = a.router->stats("t2");
  auto via_b = b.router->stats("t2");
  ASSERT_TRUE(via_a && via_b);
  EXPECT_EQ(via_a->completed, 5u);
  EXPECT_EQ(via_b->completed, 5u);
  // Errors cross the link typed.
  EXPECT_EQ(a.router->accept("t2", "ag", "nope", 0).code(), engine::errc::unknown_contact);
  EXPECT_EQ(a.router->login("t2", "ghost").code(), engine::errc::unknown_agent);
}

TEST_F(cluster_router_test, a_contacts_decisions_come_from_its_owner_with_the_domains_epoch) {
  auto& a = at("a");
  auto& b = at("b");
  // t2 is b's at epoch 3: through a's router the call crosses to b.
  ASSERT_TRUE(a.router->login("t2", "ag").ok());
  ASSERT_TRUE(a.router->set_away("t2", "ag", false).ok());
  ASSERT_TRUE(a.router->submit(make_contact("t2", "w1", "q1")).ok());
  auto offer = a.seen.wait_event(offer_to("ag", "w1"));
  ASSERT_TRUE(offer);
  ASSERT_TRUE(a.router->accept("t2", "ag", "w1", offer->offer_id).ok());
  auto before = a.router->stats_snapshot().remote_calls;
  auto d = a.router->decisions("t2", "w1", 10);
  ASSERT_TRUE(d) << d.err().message;
  EXPECT_EQ(a.router->stats_snapshot().remote_calls, before + 1);
  EXPECT_EQ(d->epoch, 3);
  ASSERT_EQ(d->decisions.size(), 1u);
  EXPECT_EQ(d->decisions[0].agent, "ag");
  EXPECT_EQ(d->decisions[0].at, offer->decision.at);
  // t1 is a's own, at epoch 7; b's router asks a.
  ASSERT_TRUE(b.router->submit(make_contact("t1", "w2", "q1")).ok());
  auto own = b.router->decisions("t1", "w2", 10);
  ASSERT_TRUE(own) << own.err().message;
  EXPECT_EQ(own->epoch, 7);
  EXPECT_TRUE(own->decisions.empty()) << "nobody of t1 is logged in: never offered";
  // Unknown and other tenants' contacts cross typed.
  EXPECT_EQ(a.router->decisions("t2", "nope", 10).code(), engine::errc::unknown_contact);
  EXPECT_EQ(a.router->decisions("t1", "w1", 10).code(), engine::errc::unknown_contact);
}

TEST_F(cluster_router_test, an_open_contact_crosses_to_the_owner_once_with_its_customers_hints) {
  auto& a = at("a");
  auto& b = at("b");
  engine::customer_profile hints;
  hints.tier = 5;
  hints.segments = {"vip"};
  auto c = make_contact("t2", "o1", "q1");
  c.customer = "cu-o";
  auto before = a.router->stats_snapshot().remote_calls;
  auto ack = a.router->open_contact(c, hints);
  ASSERT_TRUE(ack) << ack.err().message;
  // The profile's lookup, its write and the submit: one call to b.
  EXPECT_EQ(a.router->stats_snapshot().remote_calls, before + 1);
  auto p = b.n->find_customer("t2", "cu-o");
  ASSERT_TRUE(p) << p.err().message;
  EXPECT_EQ(p->tier, 5);
  auto live = b.n->find_contact("t2", "o1");
  ASSERT_TRUE(live) << live.err().message;
  EXPECT_EQ(live->segment, "vip");
  EXPECT_EQ(a.n->find_customer("t2", "cu-o").err().code, engine::errc::unknown_customer);
  // Refusals cross typed, and a refused contact wrote no profile.
  auto bad = make_contact("t2", "o2", "no-such-queue");
  bad.customer = "cu-bad";
  EXPECT_EQ(a.router->open_contact(bad, hints).code(), engine::errc::unknown_queue);
  EXPECT_EQ(b.n->find_customer("t2", "cu-bad").err().code, engine::errc::unknown_customer);
}

TEST_F(cluster_router_test, a_stale_epoch_or_a_non_owner_is_refused_and_not_acted_on) {
  auto& a = at("a");
  auto& b = at("b");
  auto b_ep = (*endpoints_)["b"];
  // b owns t2 at epoch 3: epoch 2 is stale, t1 is not b's.
  EXPECT_EQ(a.router->probe(b_ep, "t2", 2, "t2", "ag").code(), engine::errc::stale_epoch);
  EXPECT_EQ(a.router->probe(b_ep, "t1", 7, "t1", "ag").code(), engine::errc::not_owner);
  // Neither was acted on: the agent is still logged out on b (the probe sets it available).
  auto info = b.n->find_agent("t2", "ag");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->state, engine::agent_state::offline);
  // The current epoch is acted on (the agent is offline, so the answer is typed).
  EXPECT_EQ(a.router->probe(b_ep, "t2", 3, "t2", "ag").code(), engine::errc::agent_offline);
}

TEST_F(cluster_router_test, a_call_follows_ownership_when_it_moves) {
  auto& a = at("a");
  auto& b = at("b");
  ASSERT_TRUE(b.router->submit(make_contact("t1", "x1", "q1")).ok());  // t1 is a's
  EXPECT_TRUE(a.n->find_contact("t1", "x1").ok());
  // t1 moves to b at a new epoch: a refuses its old epoch, calls go to b.
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t1"] = {"b", 8, ""};
  }
  ASSERT_TRUE(a.router->submit(make_contact("t1", "x2", "q1")).ok());
  EXPECT_TRUE(b.n->find_contact("t1", "x2").ok());
  EXPECT_EQ(a.router->probe((*endpoints_)["a"], "t1", 7, "t1", "ag").code(),
            engine::errc::unavailable)
    << "a keeps no link to itself";
  EXPECT_EQ(b.router->probe((*endpoints_)["a"], "t1", 7, "t1", "ag").code(),
            engine::errc::not_owner);
  // Events of t1 from a (its old owner) are no longer passed on by b.
  auto dropped_before = b.router->stats_snapshot().dropped_events;
  ASSERT_TRUE(a.n->submit(make_contact("t1", "x3", "q1")).ok());  // straight on a's node
  for (int i = 0; i < 200 && b.router->stats_snapshot().dropped_events == dropped_before; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_GT(b.router->stats_snapshot().dropped_events, dropped_before);
  EXPECT_FALSE(b.seen.wait_event(
    [](const event& e) { return e.contact == "x3"; }, 1, 200ms));
}

/// Tenant "s" split in two: domain "s-a" (queue qa, skill sa) owned by a, "s-b"
/// (queue qb, skill sb) owned by b.
class split_tenant_test : public cluster_router_test {
 protected:
  split_tenant_test() {
    splits_["s"] = {{"s-a", {"qa"}, {"sa"}}, {"s-b", {"qb"}, {"sb"}}};
  }
};

TEST_F(split_tenant_test, each_call_goes_to_its_domains_owner_and_the_events_are_the_tenants) {
  auto& a = at("a");
  auto& b = at("b");
  // Definitions through a's router land in their domains, on their owners.
  ASSERT_TRUE(a.router->define_queue(make_queue("s", "qa", 60000, "sa")).ok());
  ASSERT_TRUE(a.router->define_queue(make_queue("s", "qb", 60000, "sb")).ok());
  ASSERT_TRUE(a.router->define_agent(make_agent("s", "xa", 1, {"sa"})).ok());
  ASSERT_TRUE(a.router->define_agent(make_agent("s", "xb", 1, {"sb"})).ok());
  EXPECT_TRUE(a.n->find_queue("s-a", "qa").ok());
  EXPECT_TRUE(b.n->find_queue("s-b", "qb").ok());
  EXPECT_EQ(a.n->find_queue("s-a", "qb").code(), engine::errc::unknown_queue);
  EXPECT_TRUE(a.n->find_agent("s-a", "xa").ok());
  EXPECT_TRUE(b.n->find_agent("s-b", "xb").ok());
  EXPECT_EQ(b.n->find_agent("s-b", "xa").code(), engine::errc::unknown_agent);
  // A customer is known to every domain.
  engine::customer_profile cu;
  cu.tenant = "s";
  cu.id = "cu1";
  cu.tier = 3;
  ASSERT_TRUE(a.router->upsert_customer(cu).ok());
  EXPECT_TRUE(a.n->find_customer("s-a", "cu1").ok());
  EXPECT_TRUE(b.n->find_customer("s-b", "cu1").ok());
  auto found_cu = b.router->find_customer("s", "cu1");
  ASSERT_TRUE(found_cu) << found_cu.err().message;
  EXPECT_EQ(found_cu->tenant, "s");
  EXPECT_EQ(found_cu->tier, 3);

  // Through b's router, which has seen none of this: it finds the agents' domains.
  for (const auto* ag : {"xa", "xb"}) {
    ASSERT_TRUE(b.router->login("s", ag).ok()) << ag;
    ASSERT_TRUE(b.router->set_away("s", ag, false).ok()) << ag;
  }
  auto ca = make_contact("s", "ca1", "qa");
  ca.customer = "cu1";
  ASSERT_TRUE(b.router->submit(ca).ok());
  ASSERT_TRUE(b.router->submit(make_contact("s", "cb1", "qb")).ok());
  // An open with a new customer's hints: the profile is in every domain, the
  // contact in its queue's.
  auto cb2 = make_contact("s", "cb2", "qb");
  cb2.customer = "cu2";
  engine::customer_profile hints;
  hints.tier = 2;
  ASSERT_TRUE(a.router->open_contact(cb2, hints).ok());
  EXPECT_EQ(a.n->find_customer("s-a", "cu2")->tier, 2);
  EXPECT_EQ(b.n->find_customer("s-b", "cu2")->tier, 2);
  EXPECT_TRUE(b.n->find_contact("s-b", "cb2").ok());
  EXPECT_TRUE(a.n->find_contact("s-a", "ca1").ok()) << "qa's contact is s-a's, on a";
  EXPECT_TRUE(b.n->find_contact("s-b", "cb1").ok()) << "qb's contact is s-b's, on b";
  // The offers reach b's subscribers as tenant s's, each to its domain's agent.
  auto offer_a = b.seen.wait_event(offer_to("xa", "ca1"));
  auto offer_b = b.seen.wait_event(offer_to("xb", "cb1"));
  ASSERT_TRUE(offer_a && offer_b);
  EXPECT_EQ(offer_a->tenant, "s");
  EXPECT_EQ(offer_b->tenant, "s");
  ASSERT_TRUE(b.router->accept("s", "xa", "ca1", offer_a->offer_id).ok());
  ASSERT_TRUE(b.router->accept("s", "xb", "cb1", offer_b->offer_id).ok());
  // Contact calls through a's router, which learned the contacts' domains from
  // their events (or asks the domains).
  ASSERT_TRUE(a.router->post_message("s", "cb1", "xb", "hello", "m1").ok());
  auto lines = a.router->transcript("s", "cb1");
  ASSERT_TRUE(lines) << lines.err().message;
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ(lines->front().text, "hello");
  auto why = a.router->decisions("s", "cb1", 10);
  ASSERT_TRUE(why) << why.err().message;
  EXPECT_EQ(why->epoch, 6) << "s-b's epoch on b";
  ASSERT_EQ(why->decisions.size(), 1u);
  EXPECT_EQ(why->decisions[0].agent, "xb");
  auto found = a.router->find_contact("s", "cb1");
  ASSERT_TRUE(found) << found.err().message;
  EXPECT_EQ(found->tenant, "s");
  EXPECT_EQ(found->queue, "qb");
  // A transfer stays within its domain.
  auto moved = a.router->transfer("s", "xa", "ca1", "qb");
  EXPECT_EQ(moved.code(), engine::errc::invalid_argument) << moved.err().message;
  ASSERT_TRUE(a.router->complete("s", "xa", "ca1", resolved()).ok());
  ASSERT_TRUE(a.router->complete("s", "xb", "cb1", resolved()).ok());

  // The tenant's statistics are its domains' together, through either router.
  for (auto* r : {a.router.get(), b.router.get()}) {
    auto st = r->stats("s");
    ASSERT_TRUE(st) << st.err().message;
    EXPECT_EQ(st->tenant, "s");
    EXPECT_EQ(st->completed, 2u);
    std::set<std::string> queues;
    for (const auto& q : st->queues)
      queues.insert(q.id);
    EXPECT_EQ(queues, (std::set<std::string>{"qa", "qb"}));
    EXPECT_EQ(st->agents.size(), 2u);
  }
  // Unknown ids are typed, whichever domain would have had them.
  EXPECT_EQ(a.router->find_contact("s", "nope").code(), engine::errc::unknown_contact);
  EXPECT_EQ(b.router->login("s", "ghost").code(), engine::errc::unknown_agent);
  EXPECT_EQ(a.router->submit(make_contact("s", "cz", "no-such-queue")).code(),
            engine::errc::unknown_queue);
}

TEST_F(split_tenant_test, definitions_that_would_strand_work_across_domains_are_refused) {
  auto& a = at("a");
  // An agent with skills of two domains: its capacity cannot serve two owners.
  auto both = a.router->define_agent(make_agent("s", "x2", 1, {"sa", "sb"}));
  EXPECT_EQ(both.code(), engine::errc::invalid_argument) << both.err().message;
  EXPECT_EQ(at("b").n->find_agent("s-b", "x2").code(), engine::errc::unknown_agent);
  // An agent defined in one domain cannot move to another by a redefinition.
  ASSERT_TRUE(a.router->define_agent(make_agent("s", "xa", 1, {"sa"})).ok());
  auto moved = a.router->define_agent(make_agent("s", "xa", 1, {"sb"}));
  EXPECT_EQ(moved.code(), engine::errc::invalid_argument) << moved.err().message;
  EXPECT_EQ(at("b").n->find_agent("s-b", "xa").code(), engine::errc::unknown_agent);
  // A queue routed by the default domain (s-a: it lists no domain) that requires
  // s-b's skill: no agent of s-a could ever serve it.
  auto stranded = a.router->define_queue(make_queue("s", "qx", 60000, "sb"));
  EXPECT_EQ(stranded.code(), engine::errc::invalid_argument) << stranded.err().message;
  EXPECT_EQ(a.n->find_queue("s-a", "qx").code(), engine::errc::unknown_queue);
  // A queue that overflows into another domain's queue.
  auto q = make_queue("s", "qa", 60000, "sa");
  engine::overflow_step step;
  step.after = 1000;
  step.move_to_queue = "qb";
  q.overflow.push_back(step);
  EXPECT_EQ(a.router->define_queue(q).code(), engine::errc::invalid_argument);
  // A queue no domain lists, without skills, goes to the default domain.
  ASSERT_TRUE(a.router->define_queue(make_queue("s", "general")).ok());
  EXPECT_TRUE(a.n->find_queue("s-a", "general").ok());
}

TEST_F(cluster_router_test, a_tenant_without_an_owner_fails_typed_after_the_settle_time) {
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t2"] = {"", 0, ""};
  }
  auto t0 = std::chrono::steady_clock::now();
  auto r = at("a").router->submit(make_contact("t2", "lost", "q1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, engine::errc::unavailable) << r.err().message;
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 3s) << "it waited for an owner first";
  EXPECT_EQ(at("b").n->find_contact("t2", "lost").err().code, engine::errc::unknown_contact);
}

}  // namespace
}  // namespace switchboard::testing

namespace switchboard::testing {
namespace {

TEST_F(cluster_router_test, a_handoff_moves_the_tenant_with_its_line_in_order) {
  auto& a = at("a");
  auto& b = at("b");
  // t1 is a's: the agent holds an offer, three more wait.
  ASSERT_TRUE(a.router->login("t1", "ag").ok());
  ASSERT_TRUE(a.router->set_away("t1", "ag", false).ok());
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(a.router->submit(make_contact("t1", "h" + std::to_string(i), "q1")).ok());
  auto offer = a.seen.wait_event(offer_to("ag", "h0"));
  ASSERT_TRUE(offer);
  // a hands t1 to b (its epoch is 7), as the membership does on a join.
  ASSERT_TRUE(a.router->hand_off("t1", "t1", 7, "b"));
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t1"] = {"b", 9, ""};
  }
  // b has every contact, waiting in the order they came; a has none.
  for (int i = 0; i < 4; ++i) {
    auto id = "h" + std::to_string(i);
    EXPECT_TRUE(b.n->find_contact("t1", id).ok()) << id;
    EXPECT_EQ(a.n->find_contact("t1", id).code(), engine::errc::unknown_tenant) << id;
  }
  // The old offer is gone; the agent, logged in again through a, is offered h0
  // first, by b.
  auto stale = a.router->accept("t1", "ag", "h0", offer->offer_id);
  EXPECT_TRUE(stale.code() == engine::errc::not_offered) << stale.err().message;
  auto again = a.seen.wait_event(offer_to("ag", "h0"), 2);
  ASSERT_TRUE(again) << "h0 was not offered again by its new owner";
  EXPECT_NE(again->offer_id, offer->offer_id);
  ASSERT_TRUE(a.router->accept("t1", "ag", "h0", again->offer_id).ok());
  ASSERT_TRUE(a.router->complete("t1", "ag", "h0", resolved()).ok());
  EXPECT_TRUE(a.seen.wait_event(offer_to("ag", "h1"), 1));
  // A handoff from an epoch that is not the owner's is refused, and nothing moves.
  EXPECT_FALSE(a.router->hand_off("t2", "t2", 1, "b")) << "t2 is b's, not a's";
}

}  // namespace
}  // namespace switchboard::testing

namespace switchboard::testing {
namespace {

TEST_F(cluster_router_test, a_handoff_with_two_agents_holding_offers) {
  auto& a = at("a");
  auto& b = at("b");
  for (auto* n : {a.n.get(), b.n.get()})
    ASSERT_TRUE(n->define_agent(make_agent("t1", "ag2")).ok());
  ASSERT_TRUE(a.router->login("t1", "ag").ok());
  ASSERT_TRUE(a.router->set_away("t1", "ag", false).ok());
  ASSERT_TRUE(b.router->login("t1", "ag2").ok());
  ASSERT_TRUE(b.router->set_away("t1", "ag2", false).ok());
  for (int i = 0; i < 6; ++i)
    ASSERT_TRUE(b.router->submit(make_contact("t1", "m" + std::to_string(i), "q1")).ok());
  auto o1 = a.seen.wait_event(offer_to("ag", "m0"));
  auto o2 = b.seen.wait_event(offer_to("ag2", "m1"));
  ASSERT_TRUE(o1 && o2);
  ASSERT_TRUE(a.router->hand_off("t1", "t1", 7, "b"));
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t1"] = {"b", 9, ""};
  }
  for (int i = 0; i < 6; ++i)
    EXPECT_TRUE(b.n->find_contact("t1", "m" + std::to_string(i)).ok()) << i;
  auto s1 = a.router->accept("t1", "ag", "m0", o1->offer_id);
  auto s2 = b.router->accept("t1", "ag2", "m1", o2->offer_id);
  EXPECT_EQ(s1.code(), engine::errc::not_offered) << (s1.ok() ? "" : s1.err().message);
  EXPECT_EQ(s2.code(), engine::errc::not_offered) << (s2.ok() ? "" : s2.err().message);
}

}  // namespace
}  // namespace switchboard::testing

namespace switchboard::testing {
namespace {

TEST_F(cluster_router_test, a_standby_copy_takes_the_domain_over_with_its_line_in_order) {
  auto& a = at("a");
  auto& b = at("b");
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t1"] = {"a", 7, "b"};
  }
  // Each contact is acknowledged only once b has it as well.
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(a.router->submit(make_contact("t1", "f" + std::to_string(i), "q1")).ok());
  auto sa = a.router->stats_snapshot();
  EXPECT_EQ(sa.replica_snapshots, 1u) << "the first commit brings the new standby up to date";
  EXPECT_GE(sa.replicated_batches, 4u);
  EXPECT_EQ(sa.replication_failures, 0u);
  EXPECT_GE(b.router->stats_snapshot().applied_batches, 5u);
  // b holds a copy, but does not run it: the tenant's contacts are not live there.
  EXPECT_EQ(b.n->find_contact("t1", "f0").code(), engine::errc::unknown_contact);
  // a is gone without a handoff (its node stops here; in a cluster, kill -9), and
  // b claims t1 at a new epoch.
  a.router.reset();
  a.n->shutdown();
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t1"] = {"b", 9, ""};
    endpoints_->erase("a");
  }
  b.router->activate("t1", "t1", 9, "a", 7);
  EXPECT_EQ(b.router->stats_snapshot().failovers, 1u);
  // Every acknowledged contact is back, waiting in the order it came.
  for (int i = 0; i < 5; ++i) {
    auto pos = b.router->position("t1", "f" + std::to_string(i));
    ASSERT_TRUE(pos.ok()) << "f" << i << ": " << pos.err().message;
    EXPECT_EQ(*pos, i) << "f" << i;
  }
  // And served in that order.
  ASSERT_TRUE(b.router->login("t1", "ag").ok());
  ASSERT_TRUE(b.router->set_away("t1", "ag", false).ok());
  auto offer = b.seen.wait_event(offer_to("ag", "f0"));
  ASSERT_TRUE(offer) << "f0 was not offered by the new owner";
  ASSERT_TRUE(b.router->accept("t1", "ag", "f0", offer->offer_id).ok());
  ASSERT_TRUE(b.router->complete("t1", "ag", "f0", resolved()).ok());
  EXPECT_TRUE(b.seen.wait_event(offer_to("ag", "f1"), 1));
}

TEST_F(cluster_router_test, a_copy_that_is_not_current_is_not_started) {
  auto& a = at("a");
  auto& b = at("b");
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t1"] = {"a", 7, "b"};
  }
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(a.router->submit(make_contact("t1", "s" + std::to_string(i), "q1")).ok());
  a.router.reset();
  a.n->shutdown();
  {
    std::lock_guard<std::mutex> g{*mutex_};
    (*owners_)["t1"] = {"b", 12, ""};
    endpoints_->erase("a");
  }
  // b's copy is of epoch 7, but the owner it last read was at epoch 11 (another
  // owner came between): the copy is out of date and none of it starts.
  b.router->activate("t1", "t1", 12, "a", 11);
  EXPECT_EQ(b.router->stats_snapshot().failovers, 0u);
  auto pos = b.router->position("t1", "s0");
  ASSERT_TRUE(pos.ok()) << pos.err().message;
  EXPECT_EQ(*pos, -1) << "an out-of-date copy was started";
}

}  // namespace
}  // namespace switchboard::testing
