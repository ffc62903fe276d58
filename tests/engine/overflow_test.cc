#include "engine/overflow.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/routing_domain.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::queue_builder;

// -- current_step -------------------------------------------------------------------

TEST(current_step, without_steps_only_the_queue_rule_applies) {
  auto v = current_step(queue_builder().admit_crowd(), 1'000'000);
  EXPECT_EQ(v.index, -1);
  EXPECT_EQ(v.min_proficiency_cap, -1);
  EXPECT_TRUE(v.admit_crowd);
  EXPECT_TRUE(v.move_to_queue.empty());
  EXPECT_FALSE(current_step(queue_builder(), 1'000'000).admit_crowd);
}

TEST(current_step, a_step_applies_from_its_time_on) {
  queue_config q = queue_builder().lower_to(30'000, 50);
  EXPECT_EQ(current_step(q, 29'999).index, -1);
  EXPECT_EQ(current_step(q, 29'999).min_proficiency_cap, -1);
  EXPECT_EQ(current_step(q, 30'000).index, 0);
  EXPECT_EQ(current_step(q, 30'000).min_proficiency_cap, 50);
}

TEST(current_step, steps_accumulate_over_waiting_time) {
  queue_config q = queue_builder("sales")
                     .lower_to(10'000, 60)
                     .crowd_after(20'000)
                     .lower_to(30'000, 40)
                     .move_after(40'000, "general");
  auto v = current_step(q, 25'000);
  EXPECT_EQ(v.index, 1);
  EXPECT_EQ(v.min_proficiency_cap, 60) << "the crowd step keeps the earlier cap";
  EXPECT_TRUE(v.admit_crowd);
  EXPECT_TRUE(v.move_to_queue.empty());

  v = current_step(q, 45'000);
  EXPECT_EQ(v.index, 3);
  EXPECT_EQ(v.min_proficiency_cap, 40);
  EXPECT_TRUE(v.admit_crowd) << "admitting the crowd is never undone";
  EXPECT_EQ(v.move_to_queue, "general");
}

TEST(current_step, negative_waiting_time_is_before_every_step) {
  queue_config q = queue_builder().lower_to(0, 50);
  EXPECT_EQ(current_step(q, -1).index, -1);
  EXPECT_EQ(current_step(q, 0).index, 0);
}

TEST(next_step_after, gives_the_time_of_the_following_step_or_minus_one) {
  queue_config q = queue_builder().lower_to(10'000, 60).crowd_after(20'000);
  EXPECT_EQ(next_step_after(q, -1), 10'000);
  EXPECT_EQ(next_step_after(q, 0), 20'000);
  EXPECT_EQ(next_step_after(q, 1), -1);
  EXPECT_EQ(next_step_after(queue_builder(), -1), -1);
}

// -- overflow in the routing domain ---------------------------------------------------

class overflow : public testkit::domain_fixture {
 protected:
  std::size_t waiting_in(std::string_view queue) const {
    for (const auto& q : domain_.queues())
      if (q.id == queue)
        return q.waiting;
    ADD_FAILURE() << "no queue " << queue;
    return 0;
  }
  time_ms oldest_in(std::string_view queue) const {
    for (const auto& q : domain_.queues())
      if (q.id == queue)
        return q.oldest_enqueued_at;
    return -2;
  }
};

TEST_F(overflow, lowering_the_minimum_makes_a_weaker_agent_eligible_after_the_step) {
  add_queue(queue_builder().skill("billing", 80).lower_to(30'000, 50));
  add_agent(agent_builder("junior").skill("billing", 60));
  add_agent(agent_builder("novice").skill("billing", 40));
  login("junior", 0);
  login("novice", 0);
  enqueue(contact_builder("c-1").at(1'000));
  EXPECT_TRUE(match(1'000).empty()) << "60 and 40 are below the original 80";

  auto early = domain_.tick(30'999);
  EXPECT_TRUE(early.moves.empty());
  EXPECT_TRUE(early.timed_out.empty());
  EXPECT_TRUE(match(30'999).empty()) << "the step is due at 31 000 (enqueued at 1 000)";

  ASSERT_TRUE(domain_.tick(31'000).moves.empty());
  auto offers = match(31'000);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].contact, "c-1");
  EXPECT_EQ(offers[0].agent, "junior") << "40 stays below the lowered 50";
  EXPECT_EQ(offers[0].decision.step, 0);
}

TEST_F(overflow, admitting_the_crowd_makes_a_remote_agent_eligible_after_the_step) {
  add_queue(queue_builder().skill("billing", 50).crowd_after(20'000));
  add_agent(agent_builder("crowd-1").skill("billing", 90).remote().level(agent_level::crowd));
  login("crowd-1", 0);
  enqueue(contact_builder("c-1").at(0));
  EXPECT_TRUE(match(0).empty());
  (void) domain_.tick(19'999);
  EXPECT_TRUE(match(19'999).empty());
  (void) domain_.tick(20'000);
  auto offers = match(20'000);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].agent, "crowd-1");
}

TEST_F(overflow, a_move_step_moves_the_contact_and_it_keeps_its_enqueue_time) {
  add_queue(queue_builder("sales").skill("sales", 50).move_after(60'000, "general"));
  add_queue(queue_builder("general").skill("general", 10));
  add_agent(agent_builder("g").skill("general", 50));
  enqueue(contact_builder("c-1").queue("sales").at(1'000));
  enqueue(contact_builder("c-2").queue("general").at(30'000));
  EXPECT_TRUE(match(30'000).empty()) << "nobody is logged in";

  EXPECT_TRUE(domain_.tick(60'999).moves.empty());
  auto moved = domain_.tick(61'000);
  ASSERT_EQ(moved.moves.size(), 1u);
  EXPECT_EQ(moved.moves[0].contact, "c-1");
  EXPECT_EQ(moved.moves[0].from, "sales");
  EXPECT_EQ(moved.moves[0].to, "general");
  EXPECT_TRUE(moved.timed_out.empty());

  EXPECT_EQ(waiting_in("sales"), 0u);
  EXPECT_EQ(waiting_in("general"), 2u);
  EXPECT_EQ(oldest_in("general"), 1'000) << "the move keeps the original enqueue time";
  EXPECT_EQ(domain_.position("c-1"), 0) << "it waited longer than c-2, so it goes first";
  EXPECT_EQ(domain_.position("c-2"), 1);

  login("g", 61'000);
  auto offers = match(61'000);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].contact, "c-1");
  EXPECT_EQ(offers[0].queue, "general");
}

TEST_F(overflow, a_moved_contact_never_moves_back_to_a_queue_it_left) {
  add_queue(queue_builder("sales").skill("sales", 50).move_after(60'000, "general"));
  add_queue(queue_builder("general").skill("general", 50).move_after(90'000, "sales"));
  enqueue(contact_builder("c-1").queue("sales").at(0));

  ASSERT_EQ(domain_.tick(60'000).moves.size(), 1u);
  auto later = domain_.tick(90'000);
  EXPECT_TRUE(later.moves.empty());
  auto much_later = domain_.tick(500'000);
  EXPECT_TRUE(much_later.moves.empty());
  EXPECT_EQ(waiting_in("general"), 1u);
  EXPECT_EQ(waiting_in("sales"), 0u);
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::waiting);
}

TEST_F(overflow, a_move_to_an_unknown_queue_leaves_the_contact_in_place) {
  add_queue(queue_builder("sales").move_after(10'000, "nowhere"));
  enqueue(contact_builder("c-1").queue("sales").at(0));
  EXPECT_TRUE(domain_.tick(10'000).moves.empty());
  EXPECT_EQ(waiting_in("sales"), 1u);
  EXPECT_EQ(domain_.position("c-1"), 0);
}

// A contact moved into a queue has already waited long enough for that queue's own
// move step: that step is due too, so the same tick moves it on.
TEST_F(overflow, a_moved_contact_follows_a_move_step_already_due_in_its_new_queue) {
  add_queue(queue_builder("sales").skill("sales", 50).move_after(60'000, "general"));
  add_queue(queue_builder("general").skill("general", 50).move_after(30'000, "vendor"));
  add_queue(queue_builder("vendor").skill("vendor", 50));
  enqueue(contact_builder("c-1").queue("sales").at(0));

  const time_ms now = 60'000;
  auto first = domain_.tick(now);
  ASSERT_EQ(first.moves.size(), 2u);
  EXPECT_EQ(first.moves[0].to, "general");
  EXPECT_EQ(first.moves[1].to, "vendor");
  EXPECT_EQ(domain_.next_deadline(), -1) << "vendor has no steps: nothing is due any more";
  EXPECT_EQ(waiting_in("vendor"), 1u) << "general sends contacts waiting 30 s on to vendor";
  EXPECT_EQ(waiting_in("general"), 0u);
}

TEST_F(overflow, next_deadline_follows_the_earliest_waiting_contact_and_a_redefined_queue) {
  add_queue(queue_builder("sales").skill("sales", 50).move_after(60'000, "general"));
  add_queue(queue_builder("general").skill("general", 50));
  enqueue(contact_builder("c-1").queue("sales").at(5'000));
  enqueue(contact_builder("c-2").queue("sales").at(1'000));
  EXPECT_EQ(domain_.next_deadline(), 61'000) << "c-2 is due first";
  // The queue now moves contacts after 10 s: both are rescheduled at once.
  add_queue(queue_builder("sales").skill("sales", 50).move_after(10'000, "general"));
  EXPECT_EQ(domain_.next_deadline(), 11'000);
  auto r = domain_.tick(11'000);
  ASSERT_EQ(r.moves.size(), 1u);
  EXPECT_EQ(r.moves[0].contact, "c-2");
  EXPECT_EQ(domain_.next_deadline(), 15'000) << "then c-1";
  EXPECT_TRUE(domain_.tick(14'999).moves.empty());
  EXPECT_EQ(domain_.tick(15'000).moves.size(), 1u);
  EXPECT_EQ(domain_.next_deadline(), -1);
}

TEST_F(overflow, contacts_waiting_past_max_wait_time_out_and_leave_the_domain) {
  add_queue(queue_builder().max_wait(120'000));
  enqueue(contact_builder("c-1").at(0));
  enqueue(contact_builder("c-2").at(50'000));
  EXPECT_TRUE(domain_.tick(119'999).timed_out.empty());
  auto out = domain_.tick(120'000);
  ASSERT_EQ(out.timed_out.size(), 1u);
  EXPECT_EQ(out.timed_out[0], "c-1");
  EXPECT_FALSE(domain_.phase("c-1").has_value());
  EXPECT_EQ(domain_.position("c-2"), 0);
  EXPECT_EQ(domain_.tracked(), 1u);
  // The id is free again.
  enqueue(contact_builder("c-1").at(130'000));
  EXPECT_EQ(domain_.position("c-1"), 1);
}

TEST_F(overflow, an_offered_contact_does_not_time_out_while_it_rings) {
  add_queue(queue_builder().max_wait(60'000));
  add_agent(agent_builder("a"));
  login("a", 0);
  enqueue(contact_builder("c-1").at(0));
  ASSERT_EQ(match(0).size(), 1u);
  EXPECT_TRUE(domain_.tick(70'000).timed_out.empty());
  EXPECT_EQ(domain_.phase("c-1"), contact_phase::offered);
}

TEST_F(overflow, next_deadline_is_the_earliest_step_or_max_wait_of_any_waiting_contact) {
  EXPECT_EQ(domain_.next_deadline(), -1);
  add_queue(queue_builder("plain"));
  enqueue(contact_builder("p-1").queue("plain").at(0));
  EXPECT_EQ(domain_.next_deadline(), -1) << "a queue without steps or max wait has no deadline";

  add_queue(queue_builder("sales").lower_to(30'000, 50).crowd_after(60'000).max_wait(100'000));
  enqueue(contact_builder("c-1").queue("sales").at(1'000));
  EXPECT_EQ(domain_.next_deadline(), 31'000);
  enqueue(contact_builder("c-0").queue("sales").at(500));
  EXPECT_EQ(domain_.next_deadline(), 30'500);

  (void) domain_.tick(31'000);
  EXPECT_EQ(domain_.next_deadline(), 60'500);
  (void) domain_.tick(61'000);
  EXPECT_EQ(domain_.next_deadline(), 100'500) << "after the last step only max wait is left";
  auto out = domain_.tick(100'500);
  EXPECT_EQ(out.timed_out, (std::vector<std::string>{"c-0"}));
  EXPECT_EQ(domain_.next_deadline(), 101'000);
  (void) domain_.tick(101'000);
  EXPECT_EQ(domain_.next_deadline(), -1);
}

}  // namespace
}  // namespace switchboard::engine
