// routing_domain: offers, order, the service lifecycle, capacity per channel,
// constraints, views, decline marks and the terms decisions record. Requeue and
// ring-no-answer, bad input and the property test have their own files.
#include "engine/routing_domain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "engine/scoring.h"
#include "tests/engine/routing_domain_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::customer_builder;
using testkit::is_ok;
using testkit::offer_for;
using testkit::offered_to;
using testkit::queue_builder;
using routing = testkit::routing_fixture;

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
  // The value term is the objective over the domain's draw for the pair.
  auto drawn = domain_.drawn_for("next", "a", 20'000);
  ASSERT_TRUE(drawn);
  EXPECT_EQ(drawn->evidence, 10.0);
  EXPECT_DOUBLE_EQ(o.decision.candidates[0].terms.value,
                   pairing_value(*drawn, domain_.tenant().objective, customer_signals{customer_value(nullptr), 0.0, false},
                                 domain_.learned().typical_handle_ms("billing", "smb")));
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

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::is_ok;
using testkit::queue_builder;
using routing = testkit::routing_fixture;

TEST(recent_occupancy, follows_the_share_of_logged_in_time_with_work) {
  agent_runtime rt;
  rt.logged_in = true;
  EXPECT_DOUBLE_EQ(recent_occupancy(rt, 0), 0.0);
  add_load(rt, channel::voice, 0);
  // Busy for one window: 1 - 1/e of the way to 1.
  EXPECT_NEAR(recent_occupancy(rt, busy_window), 1.0 - std::exp(-1.0), 1e-9);
  remove_load(rt, channel::voice, busy_window);
  // Then idle as long: it decays back toward 0.
  EXPECT_NEAR(recent_occupancy(rt, 2 * busy_window), (1.0 - std::exp(-1.0)) * std::exp(-1.0), 1e-9);
}

/// "star" resolves everything it gets, "b" and "c" nothing: under `profile` star
/// wins every contact, until its occupancy is far above the others'.
class fairness_guard : public routing {
 protected:
  void SetUp() override {
    routing::SetUp();
    add_queue(queue_builder().policy(policy_kind::profile));
    for (const char* id : {"star", "b", "c"}) {
      add_agent(agent_builder(id));
      login(id, 0);
      learned_record r{id, "billing", "default", {}};
      r.stats.handled = 200;
      r.stats.resolved = std::string_view{id} == "star" ? 200 : 0;
      domain_.restore_learned(r);
    }
  }

  /// One contact at `at`, served by whoever gets it for `hold` ms; returns who.
  std::string serve_one(const std::string& id, time_ms at, time_ms hold) {
    enqueue(contact_builder(id).intent("billing").at(at));
    auto o = only_offer(at);
    accept(o, at);
    EXPECT_TRUE(is_ok(domain_.complete(id, o.agent, {}, at + hold, at + hold)));
    return o.agent;
  }
};

TEST_F(fairness_guard, passes_over_an_agent_far_busier_than_the_rest) {
  // star takes a 40-minute contact: its recent occupancy is ~74%, the mean ~25%.
  EXPECT_EQ(serve_one("long", 0, 40 * 60'000), "star");
  const time_ms now = 40 * 60'000 + 1;
  EXPECT_GT(recent_occupancy(*domain_.find_runtime("star"), now), 0.7);
  auto next = serve_one("next", now, 1'000);
  EXPECT_NE(next, "star") << "over the 10-point bound: another agent takes it";
  EXPECT_EQ(domain_.guarded_offers(), 1u);
}

TEST_F(fairness_guard, never_passes_over_a_customers_dedicated_manager) {
  add_customer(testkit::customer_builder("vip").tier(5).build());
  auto vip = *domain_.find_customer("vip");
  vip.account_manager = "star";
  ASSERT_TRUE(is_ok(domain_.upsert_customer(vip)));
  EXPECT_EQ(serve_one("long", 0, 40 * 60'000), "star");
  const time_ms now = 40 * 60'000 + 1;
  enqueue(contact_builder("for-vip").intent("billing").customer("vip").at(now));
  auto o = only_offer(now);
  EXPECT_EQ(o.agent, "star") << "busy, but the VIP's own manager";
  EXPECT_EQ(domain_.guarded_offers(), 0u);
}

TEST_F(fairness_guard, is_off_at_a_bound_of_zero) {
  auto t = domain_.tenant();
  t.fairness_bound = 0;
  ASSERT_TRUE(is_ok(domain_.set_tenant(t)));
  EXPECT_EQ(serve_one("long", 0, 40 * 60'000), "star");
  EXPECT_EQ(serve_one("next", 40 * 60'000 + 1, 1'000), "star") << "the best-scored agent, busy or not";
  EXPECT_EQ(domain_.guarded_offers(), 0u);
}

}  // namespace
}  // namespace switchboard::engine
