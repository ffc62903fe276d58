#include "engine/routing_domain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/overflow.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::customer_builder;
using testkit::is_ok;
using testkit::observe;
using testkit::offer_for;
using testkit::offered_to;
using testkit::queue_builder;

class routing : public testkit::domain_fixture {
 protected:
  const queue_snapshot* snapshot(std::string_view queue) {
    snapshots_ = domain_.queues();
    for (const auto& q : snapshots_)
      if (q.id == queue)
        return &q;
    return nullptr;
  }
  /// One queue `support`, one chat agent `a` logged in at 0.
  void one_queue_one_agent() {
    add_queue(queue_builder());
    add_agent(agent_builder("a"));
    login("a", 0);
  }
  /// The single offer of `match(now)`, or a failure.
  offer only_offer(time_ms now) {
    auto offers = match(now);
    EXPECT_EQ(offers.size(), 1u);
    return offers.empty() ? offer{} : offers.front();
  }

  std::vector<queue_snapshot> snapshots_;
};

// -- offers -----------------------------------------------------------------------------

TEST_F(routing, an_offer_reserves_the_agent_and_takes_the_contact_out_of_line) {
  add_queue(queue_builder().offer_timeout(20'000));
  add_agent(agent_builder("a"));
  login("a", 0);
  enqueue(contact_builder("c-1").at(1'000));
  EXPECT_EQ(domain_.position("c-1"), 0);
  auto o = only_offer(1'000);
  EXPECT_EQ(o.contact, "c-1");
  EXPECT_EQ(o.agent, "a");
  EXPECT_EQ(o.queue, testkit::default_queue);
  EXPECT_NE(o.offer_id, 0u);
  EXPECT_EQ(o.deadline, 21'000);
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::offered);
  EXPECT_EQ(domain_.position("c-1"), -1);
  EXPECT_EQ(load_of("a"), 1u);
  EXPECT_EQ(state_of("a"), agent_state::busy);
  EXPECT_EQ(domain_.find_runtime("a")->last_assigned, 1'000);
  const auto* q = snapshot(testkit::default_queue);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->waiting, 0u);
  EXPECT_EQ(q->offered, 1u);
  EXPECT_EQ(domain_.waiting(), 0u);
  EXPECT_EQ(domain_.tracked(), 1u);
  EXPECT_TRUE(match(1'000).empty()) << "nothing changed, nothing more to offer";
}

TEST_F(routing, offer_ids_are_distinct) {
  add_queue(queue_builder());
  add_agent(agent_builder("a").capacity(channel::chat, 3));
  login("a", 0);
  for (int i = 0; i < 3; ++i)
    enqueue(contact_builder("c-" + std::to_string(i)).at(i));
  auto offers = match(10);
  ASSERT_EQ(offers.size(), 3u);
  std::set<std::uint64_t> ids;
  for (const auto& o : offers)
    ids.insert(o.offer_id);
  EXPECT_EQ(ids.size(), 3u);
}

TEST_F(routing, a_contact_offered_to_one_agent_is_not_offered_to_another_until_released) {
  add_queue(queue_builder());
  add_agent(agent_builder("a"));
  add_agent(agent_builder("b"));
  login("a", 0);
  enqueue(contact_builder("c-1").at(1'000));
  auto first = only_offer(1'000);
  EXPECT_EQ(first.agent, "a");
  login("b", 2'000);
  EXPECT_TRUE(match(2'000).empty()) << "c-1 is reserved for a";
  enqueue(contact_builder("c-2").at(3'000));
  auto second = only_offer(3'000);
  EXPECT_EQ(second.contact, "c-2");
  EXPECT_EQ(second.agent, "b");

  ASSERT_TRUE(is_ok(domain_.decline("c-2", "b", second.offer_id, 4'000)));
  EXPECT_TRUE(match(4'000).empty()) << "b just declined c-2, a still holds c-1";
  ASSERT_TRUE(is_ok(domain_.decline("c-1", "a", first.offer_id, 5'000)));
  auto offers = match(5'000);
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offered_to(offers, "c-1"), "b");
  EXPECT_EQ(offered_to(offers, "c-2"), "a");
}

// -- requeue in place ------------------------------------------------------------------------

class requeue : public routing {
 protected:
  // Queue `support` (FIFO), contacts c-1, c-2, c-3 at 1, 2, 3 s; agent `a` holds
  // the offer of c-1.
  offer setup_with_offer_of_first() {
    add_queue(queue_builder().policy(policy_kind::longest_idle));
    add_agent(agent_builder("a"));
    add_agent(agent_builder("b"));
    enqueue(contact_builder("c-1").at(1'000));
    enqueue(contact_builder("c-2").at(2'000));
    enqueue(contact_builder("c-3").at(3'000));
    EXPECT_TRUE(match(3'000).empty());
    EXPECT_EQ(domain_.position("c-1"), 0);
    login("a", 4'000);
    auto o = only_offer(4'000);
    EXPECT_EQ(o.contact, "c-1");
    EXPECT_EQ(domain_.position("c-2"), 0);
    EXPECT_EQ(domain_.position("c-3"), 1);
    // Someone arrives while c-1 rings.
    enqueue(contact_builder("c-4").at(5'000));
    EXPECT_TRUE(match(5'000).empty());
    return o;
  }
};

TEST_F(requeue, declined_contact_returns_to_its_original_place) {
  auto o = setup_with_offer_of_first();
  ASSERT_TRUE(is_ok(domain_.decline("c-1", "a", o.offer_id, 6'000)));
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::waiting);
  EXPECT_EQ(domain_.position("c-1"), 0);
  EXPECT_EQ(domain_.position("c-2"), 1);
  EXPECT_EQ(domain_.position("c-3"), 2);
  EXPECT_EQ(domain_.position("c-4"), 3);
  EXPECT_EQ(load_of("a"), 0u);
}

TEST_F(requeue, expired_contact_returns_to_its_original_place) {
  auto o = setup_with_offer_of_first();
  auto r = domain_.expire("c-1", "a", o.offer_id, o.deadline);
  ASSERT_TRUE(is_ok(r));
  EXPECT_FALSE(*r);
  EXPECT_EQ(domain_.position("c-1"), 0);
  EXPECT_EQ(domain_.position("c-4"), 3);
  EXPECT_EQ(load_of("a"), 0u);
}

TEST_F(requeue, the_next_free_agent_is_offered_the_declined_contact_first) {
  auto o = setup_with_offer_of_first();
  ASSERT_TRUE(is_ok(domain_.decline("c-1", "a", o.offer_id, 6'000)));
  login("b", 6'000);
  auto offers = match(6'000);
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offered_to(offers, "c-1"), "b") << "c-1 is first in line again";
  EXPECT_EQ(offered_to(offers, "c-2"), "a") << "a just declined c-1, so it gets the next";
  EXPECT_EQ(domain_.position("c-3"), 0);
  EXPECT_EQ(domain_.position("c-4"), 1);
}

TEST_F(requeue, the_agent_that_let_it_expire_is_offered_the_next_contact_in_order) {
  auto o = setup_with_offer_of_first();
  ASSERT_TRUE(is_ok(domain_.expire("c-1", "a", o.offer_id, o.deadline)));
  auto next = only_offer(o.deadline);
  EXPECT_EQ(next.contact, "c-2");
  EXPECT_EQ(next.agent, "a");
  EXPECT_EQ(domain_.position("c-1"), 0) << "c-1 still heads the line, waiting for another agent";
  login("b", 20'000);
  auto for_b = only_offer(20'000);
  EXPECT_EQ(for_b.contact, "c-1");
}

TEST_F(requeue, a_contact_keeps_its_place_over_repeated_declines) {
  add_queue(queue_builder());
  for (int i = 0; i < 5; ++i)
    add_agent(agent_builder("a-" + std::to_string(i)));
  enqueue(contact_builder("c-1").at(1'000));
  enqueue(contact_builder("c-2").at(2'000));
  time_ms now = 3'000;
  login("a-0", now);
  auto o = only_offer(now);
  ASSERT_EQ(o.contact, "c-1");
  for (int i = 1; i < 5; ++i) {
    now += 1'000;
    enqueue(contact_builder("late-" + std::to_string(i)).at(now));
    ASSERT_TRUE(is_ok(domain_.decline("c-1", o.agent, o.offer_id, now)));
    EXPECT_EQ(domain_.position("c-1"), 0) << "decline " << i;
    // The agent that declined takes the next contact in line instead.
    auto next = only_offer(now);
    EXPECT_NE(next.contact, "c-1");
    EXPECT_EQ(next.agent, o.agent);
    EXPECT_EQ(domain_.position("c-1"), 0);
    // A new agent is offered c-1 first.
    login("a-" + std::to_string(i), now);
    o = only_offer(now);
    EXPECT_EQ(o.contact, "c-1") << "decline " << i;
    EXPECT_EQ(o.agent, "a-" + std::to_string(i));
  }
}

TEST_F(requeue, logout_returns_offered_contacts_to_their_place_and_keeps_connected_ones) {
  add_queue(queue_builder());
  add_agent(agent_builder("a").capacity(channel::chat, 2));
  enqueue(contact_builder("c-1").at(1'000));
  enqueue(contact_builder("c-2").at(2'000));
  enqueue(contact_builder("c-3").at(3'000));
  login("a", 4'000);
  auto offers = match(4'000);
  ASSERT_EQ(offers.size(), 2u);
  const auto* first = offer_for(offers, "c-1");
  ASSERT_NE(first, nullptr);
  accept(*first, 5'000);
  auto out = domain_.logout("a", 6'000);
  ASSERT_TRUE(is_ok(out));
  EXPECT_EQ(out->returned, (std::vector<std::string>{"c-2"}));
  EXPECT_EQ(out->connected, (std::vector<std::string>{"c-1"}));
  EXPECT_EQ(domain_.position("c-2"), 0);
  EXPECT_EQ(domain_.position("c-3"), 1);
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::connected);
  EXPECT_EQ(state_of("a"), agent_state::offline);
  EXPECT_EQ(load_of("a"), 1u) << "the connected chat still counts";
  EXPECT_TRUE(match(6'000).empty());
  // The connected contact can still be completed after logout.
  ASSERT_TRUE(is_ok(domain_.complete("c-1", "a", {}, 10'000, 7'000)));
  EXPECT_EQ(load_of("a"), 0u);
}

// -- order -----------------------------------------------------------------------------------

TEST_F(routing, higher_priority_contacts_are_offered_before_earlier_ones) {
  add_queue(queue_builder());
  add_agent(agent_builder("a"));
  enqueue(contact_builder("normal").at(0));
  enqueue(contact_builder("urgent").priority(5).at(5'000));
  EXPECT_EQ(domain_.position("urgent"), 0);
  login("a", 6'000);
  EXPECT_EQ(only_offer(6'000).contact, "urgent");
}

TEST_F(routing, contacts_of_equal_priority_are_offered_in_arrival_order) {
  add_queue(queue_builder());
  add_agent(agent_builder("a").capacity(channel::chat, 5));
  for (int i = 0; i < 5; ++i)
    enqueue(contact_builder("c-" + std::to_string(i)).at(1'000 * (5 - i)).seq(10 - i));
  login("a", 10'000);
  auto offers = match(10'000);
  ASSERT_EQ(offers.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(offers[i].contact, "c-" + std::to_string(4 - i));
}

TEST_F(routing, same_enqueue_time_falls_back_to_the_sequence_number) {
  add_queue(queue_builder());
  add_agent(agent_builder("a"));
  enqueue(contact_builder("second").at(1'000).seq(8));
  enqueue(contact_builder("first").at(1'000).seq(7));
  EXPECT_EQ(domain_.position("first"), 0);
  login("a", 2'000);
  EXPECT_EQ(only_offer(2'000).contact, "first");
}

TEST_F(routing, a_higher_priority_queue_is_served_first) {
  add_queue(queue_builder("low").skill("any", 0));
  add_queue(queue_builder("high").skill("any", 0).priority(10));
  add_agent(agent_builder("a").skill("any", 50));
  enqueue(contact_builder("old-low").queue("low").at(0));
  enqueue(contact_builder("new-high").queue("high").at(5'000));
  login("a", 6'000);
  EXPECT_EQ(only_offer(6'000).contact, "new-high");
}

TEST_F(routing, waiting_contacts_of_a_higher_priority_queue_are_matched_first) {
  add_queue(queue_builder("low").skill("any", 0));
  add_queue(queue_builder("high").skill("any", 0).priority(10));
  add_agent(agent_builder("a").skill("any", 50));
  login("a", 0);
  EXPECT_TRUE(match(0).empty());
  enqueue(contact_builder("old-low").queue("low").at(1'000));
  enqueue(contact_builder("new-high").queue("high").at(2'000));
  EXPECT_EQ(only_offer(2'000).contact, "new-high");
}

// -- service lifecycle --------------------------------------------------------------------

TEST_F(routing, accept_wrap_up_and_complete_free_the_agent_and_teach_the_engine) {
  add_queue(queue_builder());
  add_customer(customer_builder("cust-1").segment("gold").tier(3));
  add_agent(agent_builder("a"));
  login("a", 0);
  enqueue(contact_builder("c-1").customer("cust-1").intent("billing").at(1'000));
  auto o = only_offer(1'000);
  accept(o, 3'000);
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::connected);
  EXPECT_EQ(state_of("a"), agent_state::busy);
  EXPECT_EQ(snapshot(testkit::default_queue)->offered, 0u);

  ASSERT_TRUE(is_ok(domain_.wrap_up("c-1", "a", 60'000)));
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::wrap_up);
  EXPECT_EQ(state_of("a"), agent_state::wrap_up);

  outcome result;
  result.resolved = true;
  result.csat = 5;
  result.tip = 2.5;
  auto done = domain_.complete("c-1", "a", result, 57'000, 70'000);
  ASSERT_TRUE(is_ok(done));
  EXPECT_FALSE(domain_.phase("c-1").has_value());
  EXPECT_EQ(domain_.tracked(), 0u);
  EXPECT_EQ(state_of("a"), agent_state::available);
  EXPECT_EQ(load_of("a"), 0u);
  EXPECT_EQ(domain_.find_runtime("a")->wrap_count, 0u);
  EXPECT_EQ(domain_.find_runtime("a")->idle_since, 70'000);
  EXPECT_DOUBLE_EQ(domain_.find_agent("a")->tips, 2.5);

  EXPECT_EQ(done->learned.agent, "a");
  EXPECT_EQ(done->learned.intent, "billing");
  EXPECT_EQ(done->learned.segment, "gold");
  EXPECT_EQ(done->learned.stats.handled, 1u);
  EXPECT_EQ(done->learned.stats.resolved, 1u);
  ASSERT_NE(domain_.learned().find("a", "billing", "gold"), nullptr);

  ASSERT_TRUE(done->customer.has_value());
  EXPECT_EQ(done->customer->last_agent, "a");
  ASSERT_EQ(done->customer->history.size(), 1u);
  EXPECT_EQ(done->customer->history[0].agent, "a");
  EXPECT_EQ(done->customer->history[0].at, 70'000);
  EXPECT_TRUE(done->customer->history[0].resolved);
  EXPECT_EQ(domain_.find_customer("cust-1")->last_agent, "a");
}

TEST_F(routing, a_connected_contact_may_complete_without_wrap_up) {
  one_queue_one_agent();
  enqueue(contact_builder("c-1").at(0));
  accept(only_offer(0), 1'000);
  ASSERT_TRUE(is_ok(domain_.complete("c-1", "a", {}, 9'000, 10'000)));
  EXPECT_EQ(load_of("a"), 0u);
}

TEST_F(routing, a_freed_agent_is_offered_the_next_waiting_contact) {
  one_queue_one_agent();
  enqueue(contact_builder("c-1").at(0));
  enqueue(contact_builder("c-2").at(1'000));
  auto o = only_offer(1'000);
  EXPECT_EQ(o.contact, "c-1");
  accept(o, 2'000);
  EXPECT_TRUE(match(2'000).empty());
  ASSERT_TRUE(is_ok(domain_.complete("c-1", "a", {}, 8'000, 10'000)));
  auto next = only_offer(10'000);
  EXPECT_EQ(next.contact, "c-2");
  EXPECT_TRUE(next.decision.agent_triggered);
}

TEST_F(routing, the_last_agent_of_a_customer_gets_affinity_on_the_next_contact) {
  add_queue(queue_builder().policy(policy_kind::profile));
  add_customer(customer_builder("cust-1"));
  add_agent(agent_builder("a"));
  login("a", 0);
  enqueue(contact_builder("c-1").customer("cust-1").at(0));
  accept(only_offer(0), 0);
  ASSERT_TRUE(is_ok(domain_.complete("c-1", "a", {}, 5'000, 5'000)));
  enqueue(contact_builder("c-2").customer("cust-1").at(6'000));
  auto o = only_offer(6'000);
  ASSERT_FALSE(o.decision.candidates.empty());
  EXPECT_DOUBLE_EQ(o.decision.candidates[0].terms.affinity, 0.5);
}

TEST_F(routing, completions_teach_the_value_term_of_the_same_segment) {
  add_queue(queue_builder().policy(policy_kind::profile));
  add_agent(agent_builder("a"));
  login("a", 0);
  outcome ok;
  ok.resolved = true;
  for (int i = 0; i < 10; ++i) {
    auto id = "c-" + std::to_string(i);
    enqueue(contact_builder(id).intent("billing").segment("smb").at(i * 1'000));
    auto o = only_offer(i * 1'000);
    accept(o, i * 1'000);
    ASSERT_TRUE(is_ok(domain_.complete(id, "a", ok, 500, i * 1'000 + 500)));
  }
  ASSERT_NE(domain_.learned().find("a", "billing", "smb"), nullptr);
  enqueue(contact_builder("next").intent("billing").segment("smb").at(20'000));
  auto o = only_offer(20'000);
  ASSERT_FALSE(o.decision.candidates.empty());
  const double rate = domain_.learned().resolution_rate("a", "billing", "smb");
  EXPECT_GT(rate, domain_.learned().resolution_rate("a", "billing", "other"));
  EXPECT_DOUBLE_EQ(o.decision.candidates[0].terms.value, customer_value(nullptr) * rate);
}

TEST_F(routing, transfer_puts_a_connected_contact_in_line_of_another_queue) {
  add_queue(queue_builder("first"));
  add_queue(queue_builder("second").skill("tech", 10));
  add_agent(agent_builder("a"));
  add_agent(agent_builder("tech").skill("tech", 50));
  login("a", 0);
  enqueue(contact_builder("c-1").queue("first").at(0));
  auto o = only_offer(0);
  EXPECT_EQ(o.agent, "a");
  accept(o, 1'000);
  ASSERT_TRUE(is_ok(domain_.transfer("c-1", "a", "second", queue_key{0, 30'000, 99}, 30'000)));
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::waiting);
  EXPECT_EQ(domain_.position("c-1"), 0);
  EXPECT_EQ(load_of("a"), 0u);
  EXPECT_EQ(snapshot("second")->waiting, 1u);
  EXPECT_EQ(snapshot("second")->oldest_enqueued_at, 30'000);
  EXPECT_TRUE(match(30'000).empty()) << "a has no tech skill";
  login("tech", 31'000);
  auto t = only_offer(31'000);
  EXPECT_EQ(t.contact, "c-1");
  EXPECT_EQ(t.agent, "tech");
  EXPECT_EQ(t.queue, "second");
}

TEST_F(routing, remove_takes_a_waiting_contact_out_of_line) {
  add_queue(queue_builder());
  enqueue(contact_builder("c-1").at(0));
  enqueue(contact_builder("c-2").at(1'000));
  auto r = domain_.remove("c-1", 2'000);
  ASSERT_TRUE(is_ok(r));
  EXPECT_EQ(r->phase, contact_phase::waiting);
  EXPECT_TRUE(r->agent.empty());
  EXPECT_FALSE(domain_.phase("c-1").has_value());
  EXPECT_EQ(domain_.position("c-2"), 0);
  EXPECT_EQ(domain_.tracked(), 1u);
}

TEST_F(routing, remove_cancels_an_offer_and_frees_the_agent) {
  one_queue_one_agent();
  enqueue(contact_builder("c-1").at(0));
  enqueue(contact_builder("c-2").at(1'000));
  auto o = only_offer(1'000);
  auto r = domain_.remove("c-1", 2'000);
  ASSERT_TRUE(is_ok(r));
  EXPECT_EQ(r->phase, contact_phase::offered);
  EXPECT_EQ(r->agent, "a");
  EXPECT_EQ(r->offer_id, o.offer_id);
  EXPECT_EQ(load_of("a"), 0u);
  EXPECT_EQ(snapshot(testkit::default_queue)->offered, 0u);
  EXPECT_EQ(domain_.accept("c-1", "a", o.offer_id, 2'500).code(), errc::unknown_contact);
  EXPECT_EQ(only_offer(3'000).contact, "c-2");
}

TEST_F(routing, a_contact_restored_as_connected_keeps_the_agent_load_until_completed) {
  add_queue(queue_builder());
  add_agent(agent_builder("a").capacity(channel::chat, 2));
  auto talking = contact_builder("c-1").at(1'000).agent_connected_to("a").build();
  auto wrapping = contact_builder("c-2").at(2'000).agent_connected_to("a").build();
  wrapping.state = contact_state::wrap_up;
  ASSERT_TRUE(is_ok(domain_.restore_connected(talking)));
  ASSERT_TRUE(is_ok(domain_.restore_connected(wrapping)));
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::connected);
  EXPECT_EQ(domain_.phase("c-2"), contact_phase::wrap_up);
  login("a", 5'000);
  EXPECT_EQ(load_of("a"), 2u);
  EXPECT_EQ(state_of("a"), agent_state::busy);
  enqueue(contact_builder("c-3").at(5'000));
  EXPECT_TRUE(match(5'000).empty()) << "both chat slots are taken by restored contacts";
  ASSERT_TRUE(is_ok(domain_.complete("c-2", "a", {}, 1'000, 6'000)));
  EXPECT_EQ(domain_.find_runtime("a")->wrap_count, 0u);
  EXPECT_EQ(only_offer(6'000).contact, "c-3");
}

// -- ring-no-answer ------------------------------------------------------------------------

class ring_no_answer : public routing {
 protected:
  void SetUp() override {
    add_queue(queue_builder());
    add_agent(agent_builder("a"));
    for (int i = 1; i <= 6; ++i)
      enqueue(contact_builder("c-" + std::to_string(i)).at(i * 1'000));
    login("a", 10'000);
    now_ = 10'000;
  }
  /// Offers the next contact to `a` and lets it expire; returns expire's answer.
  bool offer_and_expire() {
    auto o = only_offer(now_);
    now_ = o.deadline;
    auto r = domain_.expire(o.contact, o.agent, o.offer_id, now_);
    EXPECT_TRUE(is_ok(r));
    return r.ok() && *r;
  }
  time_ms now_ = 0;
};

TEST_F(ring_no_answer, the_limit_of_expired_offers_in_a_row_sets_the_agent_away) {
  ASSERT_EQ(domain_.tenant().ring_no_answer_limit, 3u);
  EXPECT_FALSE(offer_and_expire());
  EXPECT_EQ(state_of("a"), agent_state::available);
  EXPECT_FALSE(offer_and_expire());
  EXPECT_TRUE(offer_and_expire());
  EXPECT_EQ(state_of("a"), agent_state::away);
  EXPECT_EQ(domain_.find_runtime("a")->expired_in_row, 3u);
  EXPECT_TRUE(match(now_).empty()) << "an away agent gets no offers";
  EXPECT_TRUE(match(now_ + 60'000).empty());
  // Every expired contact is back in line, in its original order.
  for (int i = 1; i <= 6; ++i)
    EXPECT_EQ(domain_.position("c-" + std::to_string(i)), i - 1);
}

TEST_F(ring_no_answer, accepting_an_offer_resets_the_count) {
  EXPECT_FALSE(offer_and_expire());
  EXPECT_FALSE(offer_and_expire());
  auto o = only_offer(now_);
  accept(o, now_);
  EXPECT_EQ(domain_.find_runtime("a")->expired_in_row, 0u);
  ASSERT_TRUE(is_ok(domain_.complete(o.contact, "a", {}, 1'000, now_ + 1'000)));
  now_ += 1'000;
  EXPECT_FALSE(offer_and_expire());
  EXPECT_FALSE(offer_and_expire());
  EXPECT_EQ(state_of("a"), agent_state::available);
  EXPECT_TRUE(offer_and_expire());
  EXPECT_EQ(state_of("a"), agent_state::away);
}

TEST_F(ring_no_answer, a_decline_is_an_answer_and_does_not_count_as_an_expiry) {
  EXPECT_FALSE(offer_and_expire());
  EXPECT_FALSE(offer_and_expire());
  auto o = only_offer(now_);
  ASSERT_TRUE(is_ok(domain_.decline(o.contact, "a", o.offer_id, now_)));
  EXPECT_EQ(state_of("a"), agent_state::available);
  EXPECT_LE(domain_.find_runtime("a")->expired_in_row, 2u);
}

TEST_F(ring_no_answer, coming_back_from_away_resets_the_count_and_offers_resume) {
  EXPECT_FALSE(offer_and_expire());
  EXPECT_FALSE(offer_and_expire());
  EXPECT_TRUE(offer_and_expire());
  now_ += 30'000;
  ASSERT_TRUE(is_ok(domain_.set_away("a", false, now_)));
  EXPECT_EQ(state_of("a"), agent_state::available);
  EXPECT_EQ(domain_.find_runtime("a")->expired_in_row, 0u);
  EXPECT_EQ(domain_.find_runtime("a")->idle_since, now_);
  EXPECT_FALSE(offer_and_expire()) << "the count starts again from zero";
}

TEST_F(ring_no_answer, a_limit_of_one_sets_away_on_the_first_expiry) {
  auto t = domain_.tenant();
  t.ring_no_answer_limit = 1;
  ASSERT_TRUE(is_ok(domain_.set_tenant(t)));
  EXPECT_TRUE(offer_and_expire());
  EXPECT_EQ(state_of("a"), agent_state::away);
}

// -- capacity per channel -----------------------------------------------------------------

TEST_F(routing, a_chat_agent_with_capacity_three_gets_three_chats_and_no_fourth) {
  add_queue(queue_builder());
  add_agent(agent_builder("a").standard_capacity());
  for (int i = 1; i <= 5; ++i)
    enqueue(contact_builder("c-" + std::to_string(i)).at(i * 1'000));
  login("a", 10'000);
  auto offers = match(10'000);
  ASSERT_EQ(offers.size(), 3u);
  EXPECT_EQ(offers[0].contact, "c-1");
  EXPECT_EQ(offers[1].contact, "c-2");
  EXPECT_EQ(offers[2].contact, "c-3");
  EXPECT_EQ(domain_.find_runtime("a")->load[index(channel::chat)], 3u);
  EXPECT_TRUE(match(11'000).empty());
  for (const auto& o : offers)
    accept(o, 12'000);
  EXPECT_TRUE(match(12'000).empty()) << "accepting does not free capacity";
  ASSERT_TRUE(is_ok(domain_.complete("c-2", "a", {}, 5'000, 17'000)));
  auto next = match(17'000);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].contact, "c-4");
}

TEST_F(routing, an_agent_on_exclusive_voice_gets_nothing_else_until_it_ends) {
  add_queue(queue_builder());
  add_agent(agent_builder("a").standard_capacity());
  enqueue(contact_builder("call").on(channel::voice).at(0));
  enqueue(contact_builder("chat-1").at(1'000));
  enqueue(contact_builder("mail-1").on(channel::email).at(2'000));
  login("a", 3'000);
  auto o = only_offer(3'000);
  EXPECT_EQ(o.contact, "call");
  EXPECT_TRUE(match(3'000).empty());
  accept(o, 4'000);
  EXPECT_TRUE(match(4'000).empty());
  enqueue(contact_builder("chat-2").at(5'000));
  EXPECT_TRUE(match(5'000).empty()) << "voice is exclusive";
  ASSERT_TRUE(is_ok(domain_.wrap_up("call", "a", 60'000)));
  EXPECT_TRUE(match(60'000).empty()) << "wrap-up of a call still holds the agent";
  ASSERT_TRUE(is_ok(domain_.complete("call", "a", {}, 56'000, 70'000)));
  auto offers = match(70'000);
  EXPECT_EQ(offers.size(), 3u) << "two chats and one email fit together";
  EXPECT_NE(offer_for(offers, "chat-1"), nullptr);
  EXPECT_NE(offer_for(offers, "chat-2"), nullptr);
  EXPECT_NE(offer_for(offers, "mail-1"), nullptr);
}

TEST_F(routing, an_agent_with_a_chat_gets_no_voice_call) {
  add_queue(queue_builder());
  add_agent(agent_builder("a").standard_capacity());
  enqueue(contact_builder("chat-1").at(0));
  enqueue(contact_builder("call").on(channel::voice).at(1'000));
  login("a", 2'000);
  auto o = only_offer(2'000);
  EXPECT_EQ(o.contact, "chat-1");
  EXPECT_EQ(domain_.position("call"), 0);
  ASSERT_TRUE(is_ok(domain_.decline("chat-1", "a", o.offer_id, 3'000)));
  EXPECT_EQ(only_offer(3'000).contact, "call") << "free again, the call fits";
}

TEST_F(routing, an_email_agent_takes_five_emails) {
  add_queue(queue_builder().only(channel::email));
  add_agent(agent_builder("a").no_capacity().capacity(channel::email, 5));
  for (int i = 1; i <= 7; ++i)
    enqueue(contact_builder("m-" + std::to_string(i)).on(channel::email).at(i));
  login("a", 100);
  EXPECT_EQ(match(100).size(), 5u);
  EXPECT_EQ(domain_.waiting(), 2u);
}

// -- constraints in the domain ----------------------------------------------------------------

TEST_F(routing, only_agents_speaking_the_contact_language_get_it) {
  add_queue(queue_builder());
  add_agent(agent_builder("en").language("en"));
  add_agent(agent_builder("fr").language("fr"));
  login("en", 0);
  login("fr", 1'000);
  EXPECT_TRUE(match(1'000).empty());
  enqueue(contact_builder("bonjour").language("fr").at(2'000));
  auto o = only_offer(2'000);
  EXPECT_EQ(o.agent, "fr");
}

TEST_F(routing, an_agent_below_the_minimum_proficiency_gets_nothing) {
  add_queue(queue_builder().skill("billing", 80));
  add_agent(agent_builder("a").skill("billing", 79));
  login("a", 0);
  enqueue(contact_builder("c-1").at(0));
  EXPECT_TRUE(match(0).empty());
  EXPECT_EQ(domain_.position("c-1"), 0);
}

TEST_F(routing, changing_a_queue_rule_lets_waiting_contacts_match) {
  add_queue(queue_builder().skill("billing", 80));
  add_agent(agent_builder("a").skill("billing", 60));
  login("a", 0);
  enqueue(contact_builder("c-1").at(0));
  EXPECT_TRUE(match(0).empty());
  add_queue(queue_builder().skill("billing", 50));
  EXPECT_EQ(only_offer(1'000).contact, "c-1");
}

// -- views --------------------------------------------------------------------------------

TEST_F(routing, snapshots_count_waiting_offered_ready_and_staffed) {
  add_queue(queue_builder("billing").skill("billing", 10));
  add_queue(queue_builder("sales").skill("sales", 10));
  add_agent(agent_builder("both").skill("billing", 50).skill("sales", 50));
  add_agent(agent_builder("biller").skill("billing", 50));
  EXPECT_EQ(snapshot("billing")->agents_staffed, 0u);
  login("both", 0);
  login("biller", 0);
  EXPECT_TRUE(match(0).empty());
  EXPECT_EQ(snapshot("billing")->agents_staffed, 2u);
  EXPECT_EQ(snapshot("billing")->agents_ready, 2u);
  EXPECT_EQ(snapshot("sales")->agents_staffed, 1u);
  enqueue(contact_builder("c-1").queue("sales").at(1'000));
  enqueue(contact_builder("c-2").queue("sales").at(2'000));
  EXPECT_EQ(snapshot("sales")->oldest_enqueued_at, 1'000);
  EXPECT_EQ(only_offer(2'000).agent, "both");
  const auto* sales = snapshot("sales");
  EXPECT_EQ(sales->waiting, 1u);
  EXPECT_EQ(sales->offered, 1u);
  EXPECT_EQ(sales->oldest_enqueued_at, 2'000);
  EXPECT_EQ(sales->agents_ready, 0u);
  EXPECT_EQ(snapshot("billing")->agents_ready, 1u);
  ASSERT_TRUE(is_ok(domain_.logout("biller", 3'000)));
  EXPECT_EQ(snapshot("billing")->agents_staffed, 1u);
  EXPECT_EQ(snapshot("billing")->agents_ready, 0u);

  auto agents = domain_.agents();
  ASSERT_EQ(agents.size(), 2u);
  for (const auto& a : agents) {
    if (a.id == "both") {
      EXPECT_EQ(a.state, agent_state::busy);
      EXPECT_EQ(a.load, 1u);
      EXPECT_DOUBLE_EQ(a.occupancy, 1.0);
    } else {
      EXPECT_EQ(a.state, agent_state::offline);
      EXPECT_EQ(a.load, 0u);
    }
  }
}

TEST_F(routing, updating_an_agent_profile_keeps_its_login_and_load) {
  one_queue_one_agent();
  enqueue(contact_builder("c-1").at(0));
  auto o = only_offer(0);
  add_agent(agent_builder("a").capacity(channel::chat, 2).skill("billing", 40));
  EXPECT_EQ(state_of("a"), agent_state::busy);
  EXPECT_EQ(load_of("a"), 1u);
  EXPECT_EQ(domain_.find_agent("a")->proficiency("billing"), 40);
  accept(o, 1'000);
  enqueue(contact_builder("c-2").at(2'000));
  EXPECT_EQ(only_offer(2'000).agent, "a") << "the new second chat slot is used";
}

TEST_F(routing, login_sets_idle_since_and_a_second_login_changes_nothing) {
  add_queue(queue_builder());
  add_agent(agent_builder("a"));
  EXPECT_EQ(state_of("a"), agent_state::offline);
  login("a", 5'000);
  EXPECT_EQ(state_of("a"), agent_state::available);
  EXPECT_EQ(domain_.find_runtime("a")->idle_since, 5'000);
  login("a", 9'000);
  EXPECT_EQ(domain_.find_runtime("a")->idle_since, 5'000);
  EXPECT_EQ(snapshot(testkit::default_queue)->agents_staffed, 1u);
}

// -- bad input: typed errors, nothing corrupted ---------------------------------------------

class bad_input : public routing {
 protected:
  // Queue `support` (at most 3 waiting), agents `a` (English, two chats: connected
  // with c-0, holds the offer of c-1) and `b` (French, logged in, free); c-2 waits
  // for a German speaker. Everything an error must leave alone.
  void SetUp() override {
    add_queue(queue_builder().max_waiting(3));
    add_queue(queue_builder("voice-only").only(channel::voice));
    add_agent(agent_builder("a").capacity(channel::chat, 2).language("en"));
    add_agent(agent_builder("b").language("fr"));
    add_customer(customer_builder("cust-1").tier(2));
    login("a", 0);
    login("b", 0);
    enqueue(contact_builder("c-0").language("en").at(500).seq(10));
    auto first = match(500);
    EXPECT_EQ(first.size(), 1u);
    if (!first.empty())
      accept(first[0], 600);
    enqueue(contact_builder("c-1").language("en").at(1'000).seq(11));
    auto offers = match(1'000);
    EXPECT_EQ(offers.size(), 1u);
    if (!offers.empty())
      offer_ = offers[0];
    enqueue(contact_builder("c-2").language("de").at(2'000).seq(12));
    EXPECT_TRUE(match(2'000).empty());
    EXPECT_EQ(offer_.contact, "c-1");
    before_ = now();
  }
  std::string now() const { return observe(domain_, {"c-0", "c-1", "c-2", "c-9"}); }
  void expect_unchanged() { EXPECT_EQ(now(), before_); }

  offer offer_;
  std::string before_;
};

TEST_F(bad_input, unknown_agents_are_unknown_agent) {
  EXPECT_EQ(domain_.login("nobody", 3'000).code(), errc::unknown_agent);
  EXPECT_EQ(domain_.logout("nobody", 3'000).code(), errc::unknown_agent);
  EXPECT_EQ(domain_.set_away("nobody", true, 3'000).code(), errc::unknown_agent);
  auto c = contact_builder("c-9").agent_connected_to("nobody");
  EXPECT_EQ(domain_.restore_connected(c).code(), errc::unknown_agent);
  EXPECT_EQ(domain_.find_agent("nobody"), nullptr);
  EXPECT_EQ(domain_.find_runtime("nobody"), nullptr);
  expect_unchanged();
}

TEST_F(bad_input, unknown_queues_are_unknown_queue) {
  EXPECT_EQ(domain_.enqueue(contact_builder("c-9").queue("nowhere").seq(99), 3'000).code(),
            errc::unknown_queue);
  EXPECT_EQ(domain_.transfer("c-0", "a", "nowhere", {0, 3'000, 99}, 3'000).code(),
            errc::unknown_queue);
  auto c = contact_builder("c-9").queue("nowhere").agent_connected_to("a");
  EXPECT_EQ(domain_.restore_connected(c).code(), errc::unknown_queue);
  EXPECT_EQ(domain_.find_queue("nowhere"), nullptr);
  expect_unchanged();
}

TEST_F(bad_input, unknown_contacts_are_unknown_contact) {
  EXPECT_EQ(domain_.remove("c-9", 3'000).code(), errc::unknown_contact);
  EXPECT_EQ(domain_.accept("c-9", "a", 0, 3'000).code(), errc::unknown_contact);
  EXPECT_EQ(domain_.decline("c-9", "a", 0, 3'000).code(), errc::unknown_contact);
  EXPECT_EQ(domain_.expire("c-9", "a", 0, 3'000).code(), errc::unknown_contact);
  EXPECT_EQ(domain_.wrap_up("c-9", "a", 3'000).code(), errc::unknown_contact);
  EXPECT_EQ(domain_.complete("c-9", "a", {}, 1, 3'000).code(), errc::unknown_contact);
  EXPECT_EQ(domain_.transfer("c-9", "a", "support", {0, 3'000, 99}, 3'000).code(),
            errc::unknown_contact);
  EXPECT_EQ(domain_.position("c-9"), -1);
  EXPECT_FALSE(domain_.phase("c-9").has_value());
  expect_unchanged();
}

TEST_F(bad_input, another_tenants_queue_agent_customer_or_contact_is_cross_tenant) {
  EXPECT_EQ(domain_.upsert_queue(queue_builder("theirs").tenant(testkit::other_tenant_id)).code(),
            errc::cross_tenant);
  EXPECT_EQ(domain_.upsert_agent(agent_builder("spy").tenant(testkit::other_tenant_id)).code(),
            errc::cross_tenant);
  EXPECT_EQ(
    domain_.upsert_customer(customer_builder("their-cust").tenant(testkit::other_tenant_id)).code(),
    errc::cross_tenant);
  EXPECT_EQ(domain_.enqueue(contact_builder("c-9").tenant(testkit::other_tenant_id).seq(99), 3'000)
              .code(),
            errc::cross_tenant);
  auto c = contact_builder("c-9").tenant(testkit::other_tenant_id).agent_connected_to("a");
  EXPECT_EQ(domain_.restore_connected(c).code(), errc::cross_tenant);
  EXPECT_EQ(domain_.set_tenant(testkit::make_tenant(testkit::other_tenant_id)).code(),
            errc::cross_tenant);
  EXPECT_EQ(domain_.find_queue("theirs"), nullptr);
  EXPECT_EQ(domain_.find_agent("spy"), nullptr);
  EXPECT_EQ(domain_.find_customer("their-cust"), nullptr);
  EXPECT_EQ(domain_.tenant().id, testkit::tenant_id);
  // Even an existing id cannot be taken over by another tenant's definition.
  EXPECT_EQ(domain_.upsert_agent(agent_builder("a").tenant(testkit::other_tenant_id)).code(),
            errc::cross_tenant);
  EXPECT_EQ(domain_.find_agent("a")->tenant, testkit::tenant_id);
  expect_unchanged();
}

TEST_F(bad_input, proficiency_outside_0_to_100_is_invalid_proficiency) {
  EXPECT_EQ(domain_.upsert_agent(agent_builder("a").skill("billing", 101)).code(),
            errc::invalid_proficiency);
  EXPECT_EQ(domain_.upsert_agent(agent_builder("new").skill("billing", -1)).code(),
            errc::invalid_proficiency);
  EXPECT_EQ(domain_.upsert_queue(queue_builder().skill("billing", 101)).code(),
            errc::invalid_proficiency);
  EXPECT_EQ(domain_.upsert_queue(queue_builder("new-q").lower_to(1'000, 200)).code(),
            errc::invalid_proficiency);
  EXPECT_EQ(domain_.find_agent("a")->proficiency("billing"), -1) << "old profile kept";
  EXPECT_TRUE(domain_.find_queue(testkit::default_queue)->skills.empty());
  EXPECT_EQ(domain_.find_agent("new"), nullptr);
  EXPECT_EQ(domain_.find_queue("new-q"), nullptr);
  expect_unchanged();
}

TEST_F(bad_input, impossible_capacity_is_invalid_capacity) {
  EXPECT_EQ(domain_.upsert_agent(agent_builder("a").capacity(channel::chat, 65)).code(),
            errc::invalid_capacity);
  EXPECT_EQ(domain_.upsert_agent(agent_builder("a").capacity(channel::voice, 2, true)).code(),
            errc::invalid_capacity);
  EXPECT_EQ(domain_.upsert_agent(agent_builder("new").no_capacity()).code(),
            errc::invalid_capacity);
  EXPECT_EQ(domain_.find_agent("a")->capacity[index(channel::chat)].max, 2u);
  EXPECT_EQ(domain_.find_agent("new"), nullptr);
  expect_unchanged();
}

TEST_F(bad_input, a_contact_id_already_routed_is_duplicate_id_in_every_phase) {
  for (std::string id : {"c-0", "c-1", "c-2"}) {
    auto st = domain_.enqueue(contact_builder(id).at(3'000).seq(100), 3'000);
    EXPECT_EQ(st.code(), errc::duplicate_id) << id;
  }
  auto c = contact_builder("c-2").agent_connected_to("a");
  EXPECT_EQ(domain_.restore_connected(c).code(), errc::duplicate_id);
  expect_unchanged();
  EXPECT_EQ(domain_.phase("c-0"), contact_phase::connected);
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::offered);
  EXPECT_EQ(domain_.position("c-2"), 0);
}

TEST_F(bad_input, a_taken_place_in_line_is_duplicate_id_and_the_id_stays_free) {
  auto clash = contact_builder("c-9").at(2'000).language("de").build();
  // Same key as c-2: priority 0, 2 000 ms, seq 12.
  clash.seq = 12;
  auto st = domain_.enqueue(clash, 3'000);
  EXPECT_EQ(st.code(), errc::duplicate_id);
  expect_unchanged();
  clash.seq = 50;
  EXPECT_TRUE(is_ok(domain_.enqueue(clash, 3'000)));
}

TEST_F(bad_input, accept_or_decline_of_an_offer_not_held_is_not_offered) {
  EXPECT_EQ(domain_.accept("c-1", "b", offer_.offer_id, 3'000).code(), errc::not_offered)
    << "another agent";
  EXPECT_EQ(domain_.accept("c-1", "a", offer_.offer_id + 1, 3'000).code(), errc::not_offered)
    << "a stale offer id";
  EXPECT_EQ(domain_.accept("c-1", "nobody", offer_.offer_id, 3'000).code(), errc::not_offered);
  EXPECT_EQ(domain_.accept("c-2", "a", 0, 3'000).code(), errc::not_offered) << "still waiting";
  EXPECT_EQ(domain_.accept("c-0", "a", 0, 3'000).code(), errc::not_offered) << "already connected";
  EXPECT_EQ(domain_.decline("c-2", "b", 0, 3'000).code(), errc::not_offered);
  EXPECT_EQ(domain_.decline("c-1", "b", 0, 3'000).code(), errc::not_offered);
  EXPECT_EQ(domain_.expire("c-1", "b", offer_.offer_id, 3'000).code(), errc::not_offered);
  EXPECT_EQ(domain_.expire("c-0", "a", 0, 3'000).code(), errc::not_offered);
  expect_unchanged();
  EXPECT_EQ(domain_.find_runtime("b")->expired_in_row, 0u);
}

TEST_F(bad_input, a_second_accept_of_the_same_offer_is_not_offered) {
  accept(offer_, 3'000);
  auto after_first = now();
  EXPECT_EQ(domain_.accept("c-1", "a", offer_.offer_id, 3'100).code(), errc::not_offered);
  EXPECT_EQ(domain_.decline("c-1", "a", offer_.offer_id, 3'100).code(), errc::not_offered);
  EXPECT_EQ(now(), after_first);
}

TEST_F(bad_input, complete_or_wrap_up_when_not_connected_is_not_connected) {
  EXPECT_EQ(domain_.complete("c-1", "a", {}, 1, 3'000).code(), errc::not_connected) << "offered";
  EXPECT_EQ(domain_.complete("c-2", "a", {}, 1, 3'000).code(), errc::not_connected) << "waiting";
  EXPECT_EQ(domain_.complete("c-0", "b", {}, 1, 3'000).code(), errc::not_connected)
    << "another agent's contact";
  EXPECT_EQ(domain_.wrap_up("c-1", "a", 3'000).code(), errc::not_connected);
  EXPECT_EQ(domain_.wrap_up("c-0", "b", 3'000).code(), errc::not_connected);
  EXPECT_EQ(domain_.transfer("c-1", "a", "support", {0, 3'000, 99}, 3'000).code(),
            errc::not_connected);
  EXPECT_EQ(domain_.transfer("c-0", "b", "support", {0, 3'000, 99}, 3'000).code(),
            errc::not_connected);
  expect_unchanged();
  EXPECT_TRUE(domain_.learned().all().empty());
}

TEST_F(bad_input, wrap_up_twice_is_not_connected) {
  ASSERT_TRUE(is_ok(domain_.wrap_up("c-0", "a", 3'000)));
  auto after_first = now();
  EXPECT_EQ(domain_.wrap_up("c-0", "a", 3'100).code(), errc::not_connected);
  EXPECT_EQ(now(), after_first);
}

TEST_F(bad_input, a_transfer_to_a_taken_place_in_line_is_duplicate_id_and_changes_nothing) {
  // c-2 waits in `support` at (0, 2 000 ms, seq 12); c-0 is connected with a.
  auto st = domain_.transfer("c-0", "a", "support", queue_key{0, 2'000, 12}, 3'000);
  EXPECT_EQ(st.code(), errc::duplicate_id);
  expect_unchanged();
  EXPECT_EQ(domain_.phase("c-0"), contact_phase::connected);
  ASSERT_TRUE(is_ok(domain_.transfer("c-0", "a", "support", queue_key{0, 3'000, 13}, 3'000)));
  EXPECT_EQ(domain_.position("c-0"), 1);
}

TEST_F(bad_input, an_invalid_outcome_is_rejected_before_anything_changes) {
  outcome o;
  o.csat = 9;
  EXPECT_EQ(domain_.complete("c-0", "a", o, 1, 3'000).code(), errc::invalid_argument);
  expect_unchanged();
  EXPECT_TRUE(domain_.learned().all().empty());
}

TEST_F(bad_input, a_full_queue_is_queue_full) {
  // Waiting: c-2. Fill to the maximum of 3.
  enqueue(contact_builder("c-3").language("de").at(3'000));
  enqueue(contact_builder("c-4").language("de").at(3'100));
  EXPECT_TRUE(match(3'100).empty());
  auto full = now();
  auto st = domain_.enqueue(contact_builder("c-5").at(3'200).seq(200), 3'200);
  EXPECT_EQ(st.code(), errc::queue_full);
  EXPECT_EQ(now(), full);
  EXPECT_FALSE(domain_.phase("c-5").has_value());
  ASSERT_TRUE(is_ok(domain_.remove("c-3", 3'300)));
  EXPECT_TRUE(is_ok(domain_.enqueue(contact_builder("c-5").language("de").at(3'400).seq(201),
                                    3'400)));
}

TEST_F(bad_input, a_contact_not_in_state_queued_or_on_a_refused_channel_is_rejected) {
  auto fresh = contact_builder("c-9").state(contact_state::created).seq(99).build();
  EXPECT_EQ(domain_.enqueue(fresh, 3'000).code(), errc::invalid_transition);
  auto chat = contact_builder("c-9").queue("voice-only").seq(99).build();
  EXPECT_EQ(domain_.enqueue(chat, 3'000).code(), errc::invalid_argument);
  EXPECT_EQ(domain_.transfer("c-0", "a", "voice-only", {0, 3'000, 99}, 3'000).code(),
            errc::invalid_argument);
  expect_unchanged();
}

TEST_F(bad_input, removing_a_contact_with_an_agent_is_an_invalid_transition) {
  EXPECT_EQ(domain_.remove("c-0", 3'000).code(), errc::invalid_transition);
  expect_unchanged();
}

TEST_F(bad_input, away_of_an_agent_not_logged_in_is_agent_offline) {
  add_agent(agent_builder("c"));
  auto with_c = now();
  EXPECT_EQ(domain_.set_away("c", true, 3'000).code(), errc::agent_offline);
  EXPECT_EQ(now(), with_c);
}

TEST_F(bad_input, invalid_tenant_settings_are_rejected_and_the_old_ones_kept) {
  auto t = domain_.tenant();
  t.ring_no_answer_limit = 0;
  EXPECT_EQ(domain_.set_tenant(t).code(), errc::invalid_argument);
  EXPECT_EQ(domain_.tenant().ring_no_answer_limit, 3u);
}

TEST_F(bad_input, the_domain_still_routes_after_every_error) {
  (void) domain_.login("nobody", 3'000);
  (void) domain_.enqueue(contact_builder("c-1").seq(77), 3'000);
  (void) domain_.accept("c-1", "b", 0, 3'000);
  (void) domain_.upsert_agent(agent_builder("a").skill("x", 500));
  (void) domain_.complete("c-1", "a", {}, 1, 3'000);
  expect_unchanged();
  accept(offer_, 4'000);
  ASSERT_TRUE(is_ok(domain_.complete("c-0", "a", {}, 1'000, 5'000)));
  enqueue(contact_builder("c-3").at(5'000));
  auto offers = match(5'000);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].contact, "c-3") << "c-2 needs German, nobody speaks it";
}

// -- seeded property test ------------------------------------------------------------------

// Random interleavings of every operation, checked after each step against a
// model of what the domain must hold: each contact at most one offer at a time,
// no offer to an offline or away agent or to the agent that just declined, agent
// load equal to its reserved contacts and within capacity (exclusive voice alone),
// every waiting contact at its place by key, and no eligible pair left unmatched.
class routing_property {
 public:
  explicit routing_property(std::uint32_t seed) : rng_(seed), domain_(testkit::make_tenant()) {}

  void run(int steps) {
    setup();
    for (step_ = 0; step_ < steps; ++step_) {
      now_ += pick(0, 3'000);
      due_ticks();
      one_operation();
      if (::testing::Test::HasFatalFailure())
        return;
      take(domain_.match(now_));
      check_invariants();
      if (::testing::Test::HasFailure())
        return;
    }
  }

  int offers_made() const { return offers_; }
  int completed() const { return completed_; }

 private:
  enum class ph { waiting, offered, connected, wrap_up };
  struct model_contact {
    std::string queue;
    channel ch = channel::chat;
    std::string language;
    queue_key key;
    ph phase = ph::waiting;
    std::string agent;
    std::uint64_t offer_id = 0;
    std::string last_declined;
    time_ms declined_until = 0;  // when the domain's tick lets the mark lapse
  };
  struct model_agent {
    bool in = false;
    bool away = false;
    std::uint32_t rna = 0;
  };

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  template <class T>
  const T& pick_of(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(pick(0, static_cast<int>(v.size()) - 1))];
  }

  void setup() {
    queue_config vip = queue_builder("vip").skill("sales", 40).policy(policy_kind::skills)
                         .priority(5).max_waiting(15);
    vip.channel_mask =
      static_cast<std::uint8_t>((1u << index(channel::voice)) | (1u << index(channel::chat)));
    std::vector<queue_config> queues{
      queue_builder("sales").skill("sales", 60).policy(policy_kind::profile).lower_to(20'000, 30)
        .crowd_after(40'000).move_after(80'000, "general").max_waiting(20),
      queue_builder("general").max_wait(300'000).max_waiting(25), vip};
    for (auto& q : queues) {
      queue_ids_.push_back(q.id);
      ASSERT_TRUE(is_ok(domain_.upsert_queue(q)));
    }
    std::vector<agent_profile> agents{
      agent_builder("a0").standard_capacity().skill("sales", 90).language("en"),
      agent_builder("a1").standard_capacity().skill("sales", 50).language("en").language("fr"),
      agent_builder("a2").capacity(channel::chat, 3).skill("sales", 70).language("fr"),
      agent_builder("a3").no_capacity().capacity(channel::voice, 1, true).skill("sales", 65)
        .language("en"),
      agent_builder("a4").no_capacity().capacity(channel::email, 5).skill("sales", 20)
        .language("en"),
      agent_builder("a5").capacity(channel::chat, 2).skill("sales", 80).language("en").remote(),
      agent_builder("a6").capacity(channel::email, 2).language("en"),
      agent_builder("a7").standard_capacity().skill("sales", 100).language("de"),
    };
    for (auto& a : agents) {
      agent_ids_.push_back(a.id);
      profiles_[a.id] = a;
      ASSERT_TRUE(is_ok(domain_.upsert_agent(a)));
      agents_[a.id];
    }
  }

  // What the owner actor does on its timer: tick while a deadline is due.
  void due_ticks() {
    for (int guard = 0; guard < 4; ++guard) {
      auto due = domain_.next_deadline();
      if (due < 0 || due > now_)
        return;
      auto r = domain_.tick(now_);
      for (auto& [id, c] : contacts_)
        if (!c.last_declined.empty() && c.declined_until <= now_)
          c.last_declined.clear();
      for (const auto& m : r.moves) {
        auto i = contacts_.find(m.contact);
        ASSERT_NE(i, contacts_.end()) << m.contact;
        EXPECT_EQ(i->second.phase, ph::waiting) << m.contact << " moved while not waiting";
        EXPECT_EQ(i->second.queue, m.from);
        i->second.queue = m.to;
      }
      for (const auto& id : r.timed_out) {
        auto i = contacts_.find(id);
        ASSERT_NE(i, contacts_.end()) << id;
        EXPECT_EQ(i->second.phase, ph::waiting) << id << " timed out while not waiting";
        contacts_.erase(i);
      }
    }
  }

  std::vector<std::string> in_phase(ph p) const {
    std::vector<std::string> out;
    for (const auto& [id, c] : contacts_)
      if (c.phase == p)
        out.push_back(id);
    return out;
  }

  std::size_t waiting_in(const std::string& queue) const {
    std::size_t n = 0;
    for (const auto& [id, c] : contacts_)
      n += c.phase == ph::waiting && c.queue == queue;
    return n;
  }

  void one_operation() {
    int op = pick(0, 99);
    if (op < 25)
      return op_enqueue();
    if (op < 32)
      return op_login();
    if (op < 35)
      return op_logout();
    if (op < 38)
      return op_away();
    if (op < 47)
      return op_release(false);
    if (op < 56)
      return op_release(true);
    if (op < 70)
      return op_accept();
    if (op < 75)
      return op_wrap_up();
    if (op < 87)
      return op_complete();
    if (op < 90)
      return op_remove();
    if (op < 93)
      return op_transfer();
    return op_bogus();
  }

  void op_enqueue() {
    static const std::vector<channel> channels{channel::voice, channel::chat, channel::chat,
                                               channel::email};
    static const std::vector<std::string> languages{"", "en", "en", "fr", "de"};
    model_contact m;
    m.queue = pick_of(queue_ids_);
    m.ch = pick_of(channels);
    m.language = pick_of(languages);
    auto id = "c" + std::to_string(next_contact_++);
    auto c = contact_builder(id).queue(m.queue).on(m.ch).language(m.language)
               .priority(pick(0, 3) == 0 ? 1 : 0).at(now_).seq(++seq_).build();
    m.key = c.key();
    const auto* q = domain_.find_queue(m.queue);
    auto st = domain_.enqueue(c, now_);
    if (!q->accepts(m.ch)) {
      EXPECT_EQ(st.code(), errc::invalid_argument);
    } else if (q->max_waiting > 0 && waiting_in(m.queue) >= q->max_waiting) {
      EXPECT_EQ(st.code(), errc::queue_full);
    } else {
      EXPECT_TRUE(is_ok(st)) << id;
      contacts_[id] = m;
    }
  }

  void op_login() {
    const auto& a = pick_of(agent_ids_);
    EXPECT_TRUE(is_ok(domain_.login(a, now_)));
    auto& m = agents_[a];
    if (!m.in) {
      m.in = true;
      m.away = false;
      m.rna = 0;
    }
  }

  void op_logout() {
    const auto& a = pick_of(agent_ids_);
    auto r = domain_.logout(a, now_);
    ASSERT_TRUE(is_ok(r));
    std::set<std::string> offered, with_agent;
    for (const auto& [id, c] : contacts_) {
      if (c.agent != a)
        continue;
      (c.phase == ph::offered ? offered : with_agent).insert(id);
    }
    EXPECT_EQ(std::set<std::string>(r->returned.begin(), r->returned.end()), offered);
    EXPECT_EQ(std::set<std::string>(r->connected.begin(), r->connected.end()), with_agent);
    for (const auto& id : offered)
      back_in_line(contacts_[id]);
    agents_[a].in = false;
    agents_[a].away = false;
  }

  void op_away() {
    const auto& a = pick_of(agent_ids_);
    bool away = pick(0, 1) == 0;
    auto st = domain_.set_away(a, away, now_);
    auto& m = agents_[a];
    if (!m.in) {
      EXPECT_EQ(st.code(), errc::agent_offline);
      return;
    }
    EXPECT_TRUE(is_ok(st));
    m.away = away;
    if (!away)
      m.rna = 0;
  }

  void back_in_line(model_contact& c) {
    c.last_declined = c.agent;
    c.declined_until = now_ + domain_.tenant().decline_cooldown;
    c.phase = ph::waiting;
    c.agent.clear();
    c.offer_id = 0;
  }

  void op_release(bool expire) {
    auto offered = in_phase(ph::offered);
    if (offered.empty())
      return;
    const auto& id = pick_of(offered);
    auto& c = contacts_[id];
    auto agent = c.agent;
    if (expire) {
      auto r = domain_.expire(id, agent, c.offer_id, now_);
      ASSERT_TRUE(is_ok(r));
      auto& m = agents_[agent];
      bool expect_away = ++m.rna >= domain_.tenant().ring_no_answer_limit;
      EXPECT_EQ(*r, expect_away);
      if (expect_away)
        m.away = true;
    } else {
      ASSERT_TRUE(is_ok(domain_.decline(id, agent, c.offer_id, now_)));
    }
    back_in_line(c);
  }

  void op_accept() {
    auto offered = in_phase(ph::offered);
    if (offered.empty())
      return;
    const auto& id = pick_of(offered);
    auto& c = contacts_[id];
    ASSERT_TRUE(is_ok(domain_.accept(id, c.agent, c.offer_id, now_)));
    c.phase = ph::connected;
    c.last_declined.clear();
    agents_[c.agent].rna = 0;
  }

  void op_wrap_up() {
    auto connected = in_phase(ph::connected);
    if (connected.empty())
      return;
    const auto& id = pick_of(connected);
    auto& c = contacts_[id];
    ASSERT_TRUE(is_ok(domain_.wrap_up(id, c.agent, now_)));
    c.phase = ph::wrap_up;
  }

  void op_complete() {
    auto serving = in_phase(ph::connected);
    auto wrapping = in_phase(ph::wrap_up);
    serving.insert(serving.end(), wrapping.begin(), wrapping.end());
    if (serving.empty())
      return;
    const auto& id = pick_of(serving);
    outcome o;
    o.resolved = pick(0, 1) == 0;
    auto r = domain_.complete(id, contacts_[id].agent, o, pick(1'000, 60'000), now_);
    ASSERT_TRUE(is_ok(r));
    contacts_.erase(id);
    ++completed_;
  }

  void op_remove() {
    if (contacts_.empty())
      return;
    auto it = contacts_.begin();
    std::advance(it, pick(0, static_cast<int>(contacts_.size()) - 1));
    auto id = it->first;
    auto r = domain_.remove(id, now_);
    if (it->second.phase == ph::connected || it->second.phase == ph::wrap_up) {
      EXPECT_EQ(r.code(), errc::invalid_transition);
      return;
    }
    ASSERT_TRUE(is_ok(r));
    if (it->second.phase == ph::offered) {
      EXPECT_EQ(r->agent, it->second.agent);
      EXPECT_EQ(r->offer_id, it->second.offer_id);
    }
    contacts_.erase(it);
  }

  void op_transfer() {
    auto connected = in_phase(ph::connected);
    if (connected.empty())
      return;
    const auto& id = pick_of(connected);
    auto& c = contacts_[id];
    const auto& to = pick_of(queue_ids_);
    queue_key key{0, now_, ++seq_};
    auto st = domain_.transfer(id, c.agent, to, key, now_);
    if (!domain_.find_queue(to)->accepts(c.ch)) {
      EXPECT_EQ(st.code(), errc::invalid_argument);
      return;
    }
    ASSERT_TRUE(is_ok(st));
    c.queue = to;
    c.key = key;
    c.phase = ph::waiting;
    c.agent.clear();
  }

  // A wrong call: must be refused with a typed error and change nothing.
  void op_bogus() {
    if (contacts_.empty())
      return;
    auto it = contacts_.begin();
    std::advance(it, pick(0, static_cast<int>(contacts_.size()) - 1));
    const auto& [id, c] = *it;
    std::vector<std::string> ids;
    for (const auto& [k, v] : contacts_)
      ids.push_back(k);
    auto before = observe(domain_, ids);
    const auto& other = pick_of(agent_ids_);
    switch (pick(0, 3)) {
      case 0: {
        auto st = domain_.accept(id, other, c.offer_id + 1'000'000, now_);
        EXPECT_EQ(st.code(), errc::not_offered);
        break;
      }
      case 1: {
        auto st = domain_.complete(id, other + "x", {}, 1, now_);
        EXPECT_EQ(st.code(), errc::not_connected);
        break;
      }
      case 2: {
        auto dup = contact_builder(id).queue(c.queue).at(now_).seq(++seq_).build();
        EXPECT_EQ(domain_.enqueue(dup, now_).code(), errc::duplicate_id);
        break;
      }
      default: {
        auto st = domain_.upsert_agent(agent_builder(other).skill("sales", 101));
        EXPECT_EQ(st.code(), errc::invalid_proficiency);
        break;
      }
    }
    EXPECT_EQ(observe(domain_, ids), before) << "a rejected call changed the domain";
  }

  void take(const std::vector<offer>& offers) {
    for (const auto& o : offers) {
      ++offers_;
      auto i = contacts_.find(o.contact);
      ASSERT_NE(i, contacts_.end()) << "offer of unknown contact " << o.contact;
      auto& c = i->second;
      ASSERT_EQ(c.phase, ph::waiting)
        << "double offer: " << o.contact << " offered to " << o.agent << " while with " << c.agent;
      const auto& m = agents_[o.agent];
      EXPECT_TRUE(m.in && !m.away) << "offer to " << o.agent << " who is offline or away";
      EXPECT_NE(o.agent, c.last_declined) << o.contact << " offered again to the agent that declined it";
      EXPECT_EQ(o.queue, c.queue);
      c.phase = ph::offered;
      c.agent = o.agent;
      c.offer_id = o.offer_id;
    }
  }

  void check_invariants() {
    SCOPED_TRACE("step " + std::to_string(step_) + " at " + std::to_string(now_));
    // Agents: load equals reserved contacts per channel, within capacity.
    for (const auto& a : agent_ids_) {
      const auto* rt = domain_.find_runtime(a);
      ASSERT_NE(rt, nullptr);
      const auto& p = profiles_[a];
      std::array<std::uint32_t, channel_count> expected{};
      std::uint32_t wraps = 0;
      for (const auto& [id, c] : contacts_)
        if (c.phase != ph::waiting && c.agent == a) {
          ++expected[index(c.ch)];
          wraps += c.phase == ph::wrap_up;
        }
      EXPECT_EQ(rt->load, expected) << a;
      EXPECT_EQ(rt->wrap_count, wraps) << a;
      EXPECT_EQ(rt->logged_in, agents_[a].in) << a;
      EXPECT_EQ(rt->away, agents_[a].away) << a;
      EXPECT_EQ(rt->expired_in_row, agents_[a].rna) << a;
      for (std::size_t ch = 0; ch < channel_count; ++ch) {
        EXPECT_LE(rt->load[ch], p.capacity[ch].max) << a << " over capacity on "
                                                     << to_string(static_cast<channel>(ch));
        if (p.capacity[ch].exclusive && rt->load[ch] > 0) {
          EXPECT_EQ(rt->total_load(), rt->load[ch]) << a << " has work beside exclusive voice";
        }
      }
    }
    // Contacts: phase and place in line.
    std::size_t waiting = 0;
    for (const auto& [id, c] : contacts_) {
      auto phase = domain_.phase(id);
      ASSERT_TRUE(phase.has_value()) << id;
      EXPECT_EQ(static_cast<int>(*phase), static_cast<int>(c.phase)) << id;
      if (c.phase != ph::waiting) {
        EXPECT_EQ(domain_.position(id), -1) << id;
        continue;
      }
      ++waiting;
      std::int64_t ahead = 0;
      for (const auto& [other_id, o] : contacts_)
        ahead += o.phase == ph::waiting && o.queue == c.queue && o.key < c.key;
      EXPECT_EQ(domain_.position(id), ahead) << id << " is not at its place";
    }
    EXPECT_EQ(domain_.tracked(), contacts_.size());
    EXPECT_EQ(domain_.waiting(), waiting);
    for (const auto& q : domain_.queues()) {
      std::size_t offered = 0;
      for (const auto& [id, c] : contacts_)
        offered += c.phase == ph::offered && c.queue == q.id;
      EXPECT_EQ(q.waiting, waiting_in(q.id)) << q.id;
      EXPECT_EQ(q.offered, offered) << q.id;
    }
    check_nothing_left_unmatched();
  }

  // After match(), no waiting contact is eligible for any agent (while every line
  // fits in the window a freed agent looks at).
  void check_nothing_left_unmatched() {
    for (const auto& q : domain_.queues())
      if (q.waiting > routing_domain::contact_window)
        return;
    for (const auto& [id, c] : contacts_) {
      if (c.phase != ph::waiting)
        continue;
      const auto* q = domain_.find_queue(c.queue);
      auto probe = contact_builder(id).queue(c.queue).on(c.ch).language(c.language)
                     .at(c.key.enqueued_at).build();
      probe.last_declined_by = c.last_declined;
      auto step = current_step(*q, now_ - c.key.enqueued_at);
      for (const auto& a : agent_ids_) {
        auto r = check_eligibility(probe, *q, step, *domain_.find_agent(a), *domain_.find_runtime(a));
        EXPECT_NE(r, reject_reason::none) << id << " in " << c.queue << " was left waiting while "
                                          << a << " could take it";
      }
    }
  }

  std::mt19937 rng_;
  routing_domain domain_;
  time_ms now_ = 1'000;
  int step_ = 0;
  std::uint64_t seq_ = 0;
  int next_contact_ = 0;
  int offers_ = 0;
  int completed_ = 0;
  std::vector<std::string> queue_ids_;
  std::vector<std::string> agent_ids_;
  std::map<std::string, agent_profile> profiles_;
  std::map<std::string, model_agent> agents_;
  std::map<std::string, model_contact> contacts_;
};

TEST(routing_property, random_interleavings_keep_one_offer_per_contact_and_agents_within_capacity) {
  for (std::uint32_t seed : {1u, 7u, 20240611u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    routing_property p(seed);
    p.run(3'000);
    if (::testing::Test::HasFailure())
      return;
    // The run must have exercised routing, not just rejected everything.
    EXPECT_GT(p.offers_made(), 500);
    EXPECT_GT(p.completed(), 100);
  }
}

// -- the decline mark lapses --------------------------------------------------------

class decline_cooldown : public testkit::domain_fixture {};

TEST_F(decline_cooldown, the_only_able_agent_gets_a_declined_contact_again_after_the_cooldown) {
  add_queue(queue_builder());
  add_agent(agent_builder("a"));
  login("a", 0);
  enqueue(contact_builder("c-1").at(1'000));
  auto offers = match(1'000);
  ASSERT_EQ(offers.size(), 1u);
  ASSERT_TRUE(is_ok(domain_.decline("c-1", "a", offers[0].offer_id, 2'000)));
  EXPECT_TRUE(match(2'000).empty()) << "not right away";
  auto cooldown = domain_.tenant().decline_cooldown;
  EXPECT_EQ(domain_.next_deadline(), 2'000 + cooldown);
  (void) domain_.tick(2'000 + cooldown - 1);
  EXPECT_TRUE(match(2'000 + cooldown - 1).empty()) << "still within the cooldown";
  (void) domain_.tick(2'000 + cooldown);
  auto again = match(2'000 + cooldown);
  ASSERT_EQ(again.size(), 1u) << "the mark lapsed: the contact must not wait forever";
  EXPECT_EQ(again[0].contact, "c-1");
  EXPECT_EQ(again[0].agent, "a");
  EXPECT_NE(again[0].offer_id, offers[0].offer_id);
}

TEST_F(decline_cooldown, a_newer_decline_by_another_agent_is_not_cleared_by_the_older_mark) {
  add_queue(queue_builder());
  add_agent(agent_builder("a"));
  add_agent(agent_builder("b"));
  login("a", 0);
  enqueue(contact_builder("c-1").at(1'000));
  auto first = match(1'000);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(is_ok(domain_.decline("c-1", "a", first[0].offer_id, 2'000)));
  login("b", 3'000);
  auto second = match(3'000);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].agent, "b");
  ASSERT_TRUE(is_ok(domain_.decline("c-1", "b", second[0].offer_id, 4'000)));
  ASSERT_TRUE(is_ok(domain_.logout("a", 4'000)));  // only b could take it now
  auto cooldown = domain_.tenant().decline_cooldown;
  // a's older mark lapses first; b's newer one must still hold.
  (void) domain_.tick(2'000 + cooldown);
  EXPECT_TRUE(match(2'000 + cooldown).empty()) << "b declined it more recently";
  (void) domain_.tick(4'000 + cooldown);
  auto third = match(4'000 + cooldown);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].agent, "b");
}

}  // namespace
}  // namespace switchboard::engine
