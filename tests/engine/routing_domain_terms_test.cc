// routing_domain: the score terms decisions record are score_pair's under every
// policy (the domain ranks longest_idle and skills without the value term and
// memoizes learned rates), and completions share the customer profile copy on write.
#include "engine/routing_domain.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/scoring.h"
#include "tests/engine/routing_domain_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::customer_builder;
using testkit::is_ok;
using testkit::queue_builder;
using routing = testkit::routing_fixture;

class recorded_terms : public routing, public ::testing::WithParamInterface<policy_kind> {
 protected:
  // Queue `support` (billing >= 10) under the policy of the test; agents a, b, c
  // with different proficiencies and idle times; customer cust-1 (gold) last served
  // by b; learned statistics for a and b.
  void SetUp() override {
    add_queue(queue_builder().skill("billing", 10).policy(GetParam()));
    add_agent(agent_builder("a").skill("billing", 90));
    add_agent(agent_builder("b").skill("billing", 50));
    add_agent(agent_builder("c").skill("billing", 70).capacity(channel::chat, 2));
    add_customer(customer_builder("cust-1").tier(3).arpu(80).segment("gold").last_agent("b"));
    restore("a", "gold", 10, 9);
    restore("b", "silver", 4, 1);
  }

  void restore(std::string agent, std::string segment, std::uint64_t handled,
               std::uint64_t resolved) {
    learned_record r{std::move(agent), "billing", std::move(segment), {}};
    r.stats.handled = handled;
    r.stats.resolved = resolved;
    domain_.restore_learned(r);
  }

  /// score_pair of `contact` with every agent, from the domain's state at `now`.
  std::map<std::string, score_terms> expected(std::string_view contact, time_ms now) {
    std::map<std::string, score_terms> out;
    const auto* c = domain_.find_contact(contact);
    EXPECT_NE(c, nullptr) << contact;
    if (c == nullptr)
      return out;
    const auto* q = domain_.find_queue(c->queue);
    for (const char* id : {"a", "b", "c"}) {
      // The value term is the domain's own Thompson draw for the pair.
      auto drawn = domain_.drawn_for(contact, id, now);
      EXPECT_TRUE(drawn) << id;
      score_inputs in{*q,
                      domain_.find_customer(c->customer),
                      domain_.learned(),
                      domain_.tenant().weights,
                      domain_.tenant().objective,
                      now,
                      drawn ? &*drawn : nullptr,
                      complaint_risk(domain_.find_customer(c->customer), *c, now,
                                     q->sl_threshold, domain_.tenant().repeat_window)
                        .risk};
      out[id] = score_pair(*c, *domain_.find_agent(id), *domain_.find_runtime(id), in, q->policy);
      if (q->policy != policy_kind::profile) {
        score_inputs valued = in;
        out[id].value = score_pair(*c, *domain_.find_agent(id), *domain_.find_runtime(id), valued,
                                   policy_kind::profile)
                          .value;
      }
    }
    return out;
  }

  static void expect_same(const score_terms& got, const score_terms& want) {
    EXPECT_EQ(got.skill, want.skill);
    EXPECT_EQ(got.affinity, want.affinity);
    EXPECT_EQ(got.value, want.value);
    EXPECT_EQ(got.fairness, want.fairness);
    EXPECT_EQ(got.aging, want.aging);
    EXPECT_EQ(got.total, want.total);
  }

  /// Every eligible candidate of `o` carries the terms of `want`, best first.
  static void expect_recorded(const offer& o, const std::map<std::string, score_terms>& want) {
    std::size_t eligible = 0;
    for (const auto& cand : o.decision.candidates) {
      if (cand.rejected != reject_reason::none)
        continue;
      SCOPED_TRACE("candidate " + cand.agent);
      ++eligible;
      auto w = want.find(cand.agent);
      ASSERT_NE(w, want.end());
      expect_same(cand.terms, w->second);
      EXPECT_GE(want.at(o.agent).total, w->second.total) << "the offer goes to the best";
    }
    EXPECT_GT(eligible, 0u);
  }
};

TEST_P(recorded_terms, contact_triggered_decisions_record_score_pair_terms_as_learning_goes_on) {
  login("a", 0);
  login("b", 1'000);
  login("c", 2'000);
  outcome o;
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE("round " + std::to_string(i));
    auto id = "c-" + std::to_string(i);
    time_ms now = 60'000 * (i + 1);
    // Rounds alternate between the contact's own segment and the customer's.
    auto c = contact_builder(id).customer("cust-1").intent("billing").at(now - 5'000);
    if (i % 2 == 1)
      c.segment("silver");
    enqueue(c);
    auto want = expected(id, now);
    auto offers = match(now);
    ASSERT_EQ(offers.size(), 1u);
    expect_recorded(offers[0], want);
    accept(offers[0], now + 1'000);
    o.resolved = i % 3 != 0;
    ASSERT_TRUE(is_ok(domain_.complete(id, offers[0].agent, o, 30'000, now + 31'000)));
    if (i == 3)
      restore("c", "silver", 20, 19);  // a restored cell changes c's rates
  }
}

TEST_P(recorded_terms, agent_triggered_decisions_record_score_pair_terms) {
  login("b", 0);
  enqueue(contact_builder("c-1").customer("cust-1").intent("billing").at(1'000));
  enqueue(contact_builder("c-2").intent("billing").segment("gold").at(2'000));
  auto first = match(2'000);
  ASSERT_EQ(first.size(), 1u);
  accept(first[0], 3'000);
  outcome o;
  o.resolved = true;
  ASSERT_TRUE(is_ok(domain_.complete(first[0].contact, "b", o, 1'000, 4'000)));
  enqueue(contact_builder("c-3").customer("cust-1").intent("billing").segment("silver").at(5'000));
  ASSERT_TRUE(is_ok(domain_.set_away("b", true, 5'000)));
  (void) match(5'000);
  // a picks among the waiting contacts; its terms are score_pair's for the one it got.
  login("a", 8'000);
  std::map<std::string, std::map<std::string, score_terms>> want;
  for (const auto* id : {"c-1", "c-2", "c-3"})
    if (domain_.phase(id) == contact_phase::waiting)
      want[id] = expected(id, 9'000);
  EXPECT_EQ(want.size(), 2u);
  auto offers = match(9'000);
  ASSERT_FALSE(offers.empty());
  ASSERT_TRUE(offers[0].decision.agent_triggered);
  ASSERT_EQ(offers[0].decision.candidates.size(), 1u);
  ASSERT_EQ(offers[0].agent, "a");
  ASSERT_TRUE(want.count(offers[0].contact) > 0);
  expect_same(offers[0].decision.candidates[0].terms, want[offers[0].contact].at("a"));
}

INSTANTIATE_TEST_SUITE_P(every_policy, recorded_terms,
                         ::testing::Values(policy_kind::longest_idle, policy_kind::skills,
                                           policy_kind::profile));

// -- the customer a completion returns ------------------------------------------------

TEST_F(routing, a_completion_keeps_the_customer_as_it_left_it_while_the_domain_moves_on) {
  one_queue_one_agent();
  add_customer(customer_builder("cust-1").tier(2));
  auto serve = [&](const std::string& id, time_ms at) {
    enqueue(contact_builder(id).customer("cust-1").at(at));
    auto o = only_offer(at);
    accept(o, at + 1'000);
    outcome done;
    done.resolved = true;
    auto r = domain_.complete(id, "a", done, 1'000, at + 2'000);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : completion{};
  };
  auto first = serve("c-1", 10'000);
  ASSERT_TRUE(first.customer.has_value());
  ASSERT_EQ(first.customer->history.size(), 1u);
  auto second = serve("c-2", 20'000);
  ASSERT_TRUE(second.customer);
  EXPECT_EQ(first.customer->history.size(), 1u) << "the earlier completion is a snapshot";
  EXPECT_EQ(second.customer->history.size(), 2u);
  EXPECT_EQ(domain_.find_customer("cust-1")->history.size(), 2u);

  // Redefining the customer leaves the snapshots alone.
  add_customer(customer_builder("cust-1").tier(5));
  EXPECT_EQ(second.customer->tier, 2);
  EXPECT_EQ(domain_.find_customer("cust-1")->tier, 5);
  EXPECT_TRUE(domain_.find_customer("cust-1")->history.empty());

  // A completion nobody keeps does not hold the profile back: the next one sees it.
  { auto dropped = serve("c-3", 30'000); }
  auto fourth = serve("c-4", 40'000);
  EXPECT_EQ(fourth.customer->history.size(), 2u);
  customer_profile copy = *fourth.customer;
  EXPECT_EQ(copy.tier, 5);
}

TEST_F(routing, a_completion_without_a_customer_has_no_profile) {
  one_queue_one_agent();
  enqueue(contact_builder("c-1").at(1'000));
  auto o = only_offer(1'000);
  accept(o, 2'000);
  auto r = domain_.complete("c-1", "a", outcome{}, 1'000, 3'000);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->customer.has_value());
  EXPECT_FALSE(r->customer);
}

}  // namespace
}  // namespace switchboard::engine
