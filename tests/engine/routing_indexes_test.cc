// Behaviour that the routing domain's internal indexes must keep: the dense ready
// lists (swap-remove), the per-agent list of held contacts (logout), the per-queue
// relink on queue changes, and allocation-free learned-statistics lookups.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/learned_stats.h"
#include "engine/routing_domain.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::queue_builder;
using testkit::is_ok;

class routing_indexes : public testkit::domain_fixture {
 protected:
  const queue_snapshot* snapshot(std::string_view queue) {
    snaps_ = domain_.queues();
    for (const auto& s : snaps_)
      if (s.id == queue)
        return &s;
    return nullptr;
  }
  /// Ready and staffed counts recomputed from the public views.
  std::pair<std::size_t, std::size_t> expected_counts(std::string_view queue) const {
    const auto* q = domain_.find_queue(queue);
    std::size_t ready = 0;
    std::size_t staffed = 0;
    for (const auto& a : domain_.agents()) {
      const auto* p = domain_.find_agent(a.id);
      const auto* rt = domain_.find_runtime(a.id);
      bool qualified = std::all_of(q->skills.begin(), q->skills.end(), [&](const auto& r) {
        return p->proficiency(r.skill) >= 0;
      });
      if (!qualified || !rt->logged_in)
        continue;
      ++staffed;
      ready += has_any_free_capacity(*p, *rt) ? 1 : 0;
    }
    return {ready, staffed};
  }
  std::vector<queue_snapshot> snaps_;
};

TEST_F(routing_indexes, exact_ties_go_to_the_agent_defined_first_whatever_the_login_order) {
  add_queue(queue_builder().skill("billing", 10).policy(policy_kind::skills));
  add_agent(agent_builder("first").skill("billing", 50));
  add_agent(agent_builder("second").skill("billing", 50));
  add_agent(agent_builder("third").skill("billing", 50));
  login("third", 0);
  login("second", 0);
  login("first", 0);
  EXPECT_TRUE(match(0).empty());
  enqueue(contact_builder("c-1").at(1'000));
  auto offers = match(1'000);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].agent, "first");
  const auto& d = offers[0].decision;
  ASSERT_EQ(d.candidates.size(), 3u);
  EXPECT_EQ(d.candidates[1].agent, "second");
  EXPECT_EQ(d.candidates[2].agent, "third");
}

TEST_F(routing_indexes, ready_counts_stay_exact_through_offers_logouts_and_profile_changes) {
  add_queue(queue_builder("sales").skill("sales", 10));
  add_queue(queue_builder("billing").skill("billing", 10));
  for (int i = 0; i < 12; ++i) {
    auto b = agent_builder("a-" + std::to_string(i)).skill("billing", 40 + i);
    if (i % 2 == 0)
      b.skill("sales", 60);
    add_agent(b);
  }
  std::mt19937 rng{5};
  time_ms now = 0;
  std::uint64_t n = 0;
  std::vector<offer> live;
  for (int step = 0; step < 400; ++step) {
    now += 100;
    auto agent = "a-" + std::to_string(rng() % 12);
    switch (rng() % 6) {
      case 0: login(agent, now); break;
      case 1: ASSERT_TRUE(is_ok(domain_.logout(agent, now))); break;
      case 2:
        enqueue(contact_builder("c-" + std::to_string(++n))
                  .queue(rng() % 2 == 0 ? "sales" : "billing")
                  .at(now));
        break;
      case 3:
        if (!live.empty()) {
          auto o = live.back();
          live.pop_back();
          if (domain_.phase(o.contact) == contact_phase::offered)
            (void) domain_.decline(o.contact, o.agent, o.offer_id, now);
        }
        break;
      case 4:
        if (!live.empty()) {
          auto o = live.front();
          live.erase(live.begin());
          // The offer may be stale (declined, or returned by a logout).
          if (domain_.accept(o.contact, o.agent, o.offer_id, now)) {
            ASSERT_TRUE(is_ok(domain_.complete(o.contact, o.agent, {}, 10, now)));
          }
        }
        break;
      case 5: {
        // Redefining an agent keeps its login and load; it may gain or lose a queue.
        auto b = agent_builder(agent).skill("billing", 50);
        if (rng() % 2 == 0)
          b.skill("sales", 70);
        add_agent(b);
        break;
      }
    }
    for (auto& o : match(now))
      live.push_back(std::move(o));
    for (const char* q : {"sales", "billing"}) {
      const auto* s = snapshot(q);
      ASSERT_NE(s, nullptr);
      auto [ready, staffed] = expected_counts(q);
      ASSERT_EQ(s->agents_ready, ready) << q << " at step " << step;
      ASSERT_EQ(s->agents_staffed, staffed) << q << " at step " << step;
    }
  }
}

TEST_F(routing_indexes, logout_among_many_agents_touches_only_its_own_contacts_in_arrival_order) {
  add_queue(queue_builder());
  add_agent(agent_builder("busy").capacity(channel::chat, 3));
  for (int i = 0; i < 20; ++i)
    add_agent(agent_builder("other-" + std::to_string(i)));
  for (int i = 1; i <= 3; ++i)
    enqueue(contact_builder("mine-" + std::to_string(i)).at(i));
  login("busy", 10);
  auto mine = match(10);
  ASSERT_EQ(mine.size(), 3u);
  accept(*testkit::offer_for(mine, "mine-2"), 11);
  for (int i = 0; i < 20; ++i) {
    enqueue(contact_builder("theirs-" + std::to_string(i)).at(20 + i));
    login("other-" + std::to_string(i), 20 + i);
  }
  auto theirs = match(50);
  ASSERT_EQ(theirs.size(), 20u);
  auto out = domain_.logout("busy", 60);
  ASSERT_TRUE(is_ok(out));
  EXPECT_EQ(out->returned, (std::vector<std::string>{"mine-1", "mine-3"}));
  EXPECT_EQ(out->connected, (std::vector<std::string>{"mine-2"}));
  for (const auto& o : theirs)
    EXPECT_EQ(domain_.phase(o.contact), contact_phase::offered) << o.contact;
  EXPECT_EQ(domain_.position("mine-1"), 0);
  EXPECT_EQ(domain_.position("mine-3"), 1);
  // A second logout finds nothing more to return.
  auto again = domain_.logout("busy", 70);
  ASSERT_TRUE(is_ok(again));
  EXPECT_TRUE(again->returned.empty());
  EXPECT_EQ(again->connected, (std::vector<std::string>{"mine-2"}));
}

TEST_F(routing_indexes, a_queue_defined_after_its_agents_counts_them_and_its_priority_orders_them) {
  add_agent(agent_builder("a").skill("billing", 50).skill("sales", 50));
  add_agent(agent_builder("b").skill("billing", 50));
  login("a", 0);
  login("b", 0);
  add_queue(queue_builder("billing").skill("billing", 10));
  add_queue(queue_builder("sales").skill("sales", 10));
  ASSERT_NE(snapshot("billing"), nullptr);
  EXPECT_EQ(snapshot("billing")->agents_staffed, 2u);
  EXPECT_EQ(snapshot("billing")->agents_ready, 2u);
  EXPECT_EQ(snapshot("sales")->agents_staffed, 1u);
  EXPECT_TRUE(match(0).empty());
  enqueue(contact_builder("bill-1").queue("billing").at(1'000));
  enqueue(contact_builder("sale-1").queue("sales").at(2'000));
  // Raising the sales queue's priority makes `a`, freed up, serve it first.
  add_queue(queue_builder("sales").skill("sales", 10).priority(5));
  ASSERT_TRUE(is_ok(domain_.set_away("b", true, 2'500)));
  ASSERT_TRUE(is_ok(domain_.set_away("a", false, 3'000)));
  auto offers = match(3'000);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].agent, "a");
  EXPECT_EQ(offers[0].contact, "sale-1");
  // Requiring a skill `b` lacks takes `b` off the billing queue's counts.
  add_queue(queue_builder("billing").skill("billing", 10).skill("sales", 10));
  EXPECT_EQ(snapshot("billing")->agents_staffed, 1u);
  EXPECT_EQ(snapshot("billing")->agents_ready, 0u) << "a is busy, b no longer qualifies";
}

TEST(learned_stats_keys, ids_longer_than_the_stack_buffer_are_recorded_and_found) {
  learned_stats s;
  std::string agent(120, 'a');
  std::string intent(120, 'i');
  std::string segment(120, 's');
  outcome good;
  good.resolved = true;
  for (int i = 0; i < 10; ++i)
    s.record(agent, intent, segment, good, 1'000);
  ASSERT_NE(s.find(agent, intent, segment), nullptr);
  EXPECT_EQ(s.find(agent, intent, segment)->handled, 10u);
  EXPECT_GT(s.resolution_rate(agent, intent, segment), learned_stats::prior);
  EXPECT_EQ(s.find(agent, intent, "other"), nullptr);
  EXPECT_LT(s.resolution_rate("nobody", intent, segment), s.resolution_rate(agent, intent, segment))
    << "an agent without a record leans on the cohort, less than on its own";
  // A short key of one agent never matches another agent's cell.
  s.record("ab", "c", "d", good, 1);
  EXPECT_EQ(s.find("a", "bc", "d"), nullptr);
}

}  // namespace
}  // namespace switchboard::engine
