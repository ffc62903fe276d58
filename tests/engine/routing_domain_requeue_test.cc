// routing_domain: declined and expired offers return the contact to its original
// place; ring-no-answer sets an agent away.
#include "engine/routing_domain.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/engine/routing_domain_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::is_ok;
using testkit::offer_for;
using testkit::offered_to;
using testkit::queue_builder;
using routing = testkit::routing_fixture;

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

// -- presence: a lost connection, and an agent that never comes back -----------------------

TEST_F(requeue, a_disconnected_agent_gets_no_new_offers_and_keeps_its_work) {
  add_queue(queue_builder().policy(policy_kind::longest_idle));
  add_agent(agent_builder("a").capacity(channel::chat, 2));
  login("a", 0);
  enqueue(contact_builder("c-1").at(1'000));
  auto o = only_offer(1'000);
  ASSERT_TRUE(is_ok(domain_.accept("c-1", "a", o.offer_id, 1'500)));
  ASSERT_TRUE(is_ok(domain_.set_connected("a", false, 2'000)));
  enqueue(contact_builder("c-2").at(2'500));
  EXPECT_TRUE(match(2'500).empty()) << "offered to an agent whose connection is gone";
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::connected) << "its held work stays";
  // Back (a login clears it too): the waiting contact is offered now.
  ASSERT_TRUE(is_ok(domain_.set_connected("a", true, 3'000)));
  EXPECT_EQ(only_offer(3'000).contact, "c-2");
}

TEST_F(requeue, releasing_a_lost_agent_puts_its_connected_contacts_back_at_their_place) {
  add_queue(queue_builder().policy(policy_kind::longest_idle));
  add_agent(agent_builder("a").capacity(channel::chat, 3));
  add_agent(agent_builder("b"));
  login("a", 0);
  enqueue(contact_builder("c-1").at(1'000));
  enqueue(contact_builder("c-2").at(2'000));
  enqueue(contact_builder("c-3").at(3'000));
  auto offers = match(3'000);
  ASSERT_EQ(offers.size(), 3u);
  for (const auto& o : offers) {
    if (o.contact != "c-3") {
      ASSERT_TRUE(is_ok(domain_.accept(o.contact, "a", o.offer_id, 3'500)));
    }
  }
  ASSERT_TRUE(is_ok(domain_.wrap_up("c-2", "a", 4'000)));
  enqueue(contact_builder("c-4").at(4'500));
  auto rel = domain_.release_agent("a", 20'000);
  ASSERT_TRUE(is_ok(rel));
  EXPECT_EQ(rel->returned, std::vector<std::string>{"c-3"}) << "the ringing offer goes back";
  EXPECT_EQ(rel->requeued, std::vector<std::string>{"c-1"}) << "the connected one waits again";
  EXPECT_EQ(rel->wrap_up, std::vector<std::string>{"c-2"}) << "the wrap-up is the caller's";
  // c-1 waited first, so it is first again, ahead of c-3 and c-4.
  EXPECT_EQ(domain_.position("c-1"), 0);
  EXPECT_EQ(domain_.position("c-3"), 1);
  EXPECT_EQ(domain_.position("c-4"), 2);
  EXPECT_EQ(domain_.find_runtime("a")->logged_in, false);
  EXPECT_EQ(load_of("a"), 1u) << "only the wrap-up is still held";
  login("b", 21'000);
  EXPECT_EQ(only_offer(21'000).contact, "c-1");
  EXPECT_EQ(domain_.held_by("a").size(), 1u);
}

}  // namespace
}  // namespace switchboard::engine
