// routing_domain: bad input gets a typed error and leaves everything unchanged.
#include "engine/routing_domain.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/engine/routing_domain_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::customer_builder;
using testkit::is_ok;
using testkit::observe;
using testkit::queue_builder;
using routing = testkit::routing_fixture;

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

}  // namespace
}  // namespace switchboard::engine
