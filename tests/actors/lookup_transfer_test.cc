// The facade calls the edge relies on: lookups of agents, customers, queues and a
// contact's place in line, and transfers of a connected contact to another queue.
#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

using lookup_transfer_test = node_fixture;

TEST_F(lookup_transfer_test, find_agent_returns_profile_state_and_learned_totals) {
  auto before = n().find_agent(t1, "a1");
  ASSERT_TRUE(before.ok()) << describe(before);
  EXPECT_EQ(before->profile.id, "a1");
  EXPECT_EQ(before->profile.name, "agent a1");
  EXPECT_EQ(before->state, engine::agent_state::offline);
  EXPECT_EQ(before->totals.handled, 0u);

  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto offer = offer_of("c1", "a1");
  // Offered events carry the routing decision (the edge shows it to the agent).
  EXPECT_EQ(offer.decision.agent, "a1");
  EXPECT_EQ(offer.decision.contact, "c1");
  EXPECT_FALSE(offer.decision.candidates.empty());
  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer.offer_id).ok());
  auto busy = n().find_agent(t1, "a1");
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(busy->state, engine::agent_state::busy);
  EXPECT_EQ(busy->load, 1u);
  // CSAT is the customer's: its rating, not what the agent's outcome says.
  ASSERT_TRUE(n().rate(t1, "c1", 5).ok());
  ASSERT_TRUE(n().complete(t1, "a1", "c1", resolved()).ok());
  ASSERT_TRUE(saw(is(event_type::completed, "c1")));
  auto after = n().find_agent(t1, "a1");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->totals.handled, 1u);
  EXPECT_EQ(after->totals.resolved, 1u);
  EXPECT_EQ(after->totals.csat_count, 1u);
  EXPECT_DOUBLE_EQ(after->totals.csat_sum, 5.0);
}

TEST_F(lookup_transfer_test, lookups_of_unknown_ids_are_typed_errors) {
  EXPECT_EQ(n().find_agent(t1, "nobody").code(), errc::unknown_agent);
  EXPECT_EQ(n().find_agent("no-tenant", "a1").code(), errc::unknown_tenant);
  EXPECT_EQ(n().find_customer(t1, "nobody").code(), errc::unknown_customer);
  EXPECT_EQ(n().find_queue(t1, "nowhere").code(), errc::unknown_queue);
  auto pos = n().position(t1, "no-such-contact");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, -1);
}

TEST_F(lookup_transfer_test, open_contact_merges_the_hints_and_takes_the_segment_from_the_profile) {
  engine::customer_profile stored;
  stored.tenant = t1;
  stored.id = "cust-2";
  stored.tier = 1;
  stored.segments = {"consumer"};
  stored.language = "en";
  stored.last_agent = "a3";
  ASSERT_TRUE(n().upsert_customer(stored).ok());
  engine::customer_profile hints;
  hints.tier = 4;
  hints.segments = {"business"};
  ASSERT_TRUE(n().login(t1, "a1").ok());
  ASSERT_TRUE(n().set_away(t1, "a1", false).ok());
  auto c = make_contact(t1, "c-open", "q1");
  c.customer = "cust-2";
  auto ack = n().open_contact(c, hints);
  ASSERT_TRUE(ack.ok()) << describe(ack);
  EXPECT_EQ(ack->contact, "c-open");
  auto got = n().find_customer(t1, "cust-2");
  ASSERT_TRUE(got.ok()) << describe(got);
  EXPECT_EQ(got->tier, 4);
  EXPECT_EQ(got->segments, std::vector<std::string>{"business"});
  EXPECT_EQ(got->language, "en");    // not hinted: kept
  EXPECT_EQ(got->last_agent, "a3");  // the node's own
  auto live = n().find_contact(t1, "c-open");
  ASSERT_TRUE(live.ok()) << describe(live);
  EXPECT_EQ(live->segment, "business");
  // Its offer carries the contact and the merged profile (what the desktop shows).
  auto offer = offer_of("c-open", "a1");
  EXPECT_EQ(offer.offered_contact.id, "c-open");
  EXPECT_EQ(offer.offered_contact.intent, "billing");
  EXPECT_EQ(offer.offered_customer.id, "cust-2");
  EXPECT_EQ(offer.offered_customer.tier, 4);
  EXPECT_EQ(offer.offered_customer.last_agent, "a3");

  // A customer not known yet is created, hints or not.
  auto fresh = make_contact(t1, "c-fresh", "q1");
  fresh.customer = "cust-new";
  ASSERT_TRUE(n().open_contact(fresh, engine::customer_profile{}).ok());
  auto created = n().find_customer(t1, "cust-new");
  ASSERT_TRUE(created.ok()) << describe(created);
  EXPECT_EQ(n().find_contact(t1, "c-fresh")->segment, "default");

  // Without a customer it is a plain submit.
  ASSERT_TRUE(n().open_contact(make_contact(t1, "c-anon", "q1"), hints).ok());
  EXPECT_TRUE(n().find_contact(t1, "c-anon").ok());
}

TEST_F(lookup_transfer_test, an_open_contact_that_is_refused_writes_no_profile) {
  engine::customer_profile hints;
  hints.tier = 3;
  auto c = make_contact(t1, "c-x", "nowhere");
  c.customer = "cust-ghost";
  EXPECT_EQ(n().open_contact(c, hints).code(), errc::unknown_queue);
  EXPECT_EQ(n().find_customer(t1, "cust-ghost").code(), errc::unknown_customer);
  c.queue = "q1";
  c.priority = 5000;
  EXPECT_EQ(n().open_contact(c, hints).code(), errc::invalid_argument);
  EXPECT_EQ(n().find_customer(t1, "cust-ghost").code(), errc::unknown_customer);
  // Hints out of bounds fail the profile's validation: no contact either.
  c.priority = 0;
  hints.tier = 9;
  EXPECT_EQ(n().open_contact(c, hints).code(), errc::invalid_argument);
  EXPECT_EQ(n().find_contact(t1, "c-x").code(), errc::unknown_contact);
  c.tenant = "no-tenant";
  EXPECT_EQ(n().open_contact(c, engine::customer_profile{}).code(), errc::unknown_tenant);
  // A live id is refused, and its customer's profile is left as it was.
  submit("c-live");
  auto dup = make_contact(t1, "c-live", "q1");
  dup.customer = "cust-ghost";
  hints.tier = 2;
  EXPECT_EQ(n().open_contact(dup, hints).code(), errc::duplicate_id);
  EXPECT_EQ(n().find_customer(t1, "cust-ghost").code(), errc::unknown_customer);
}

TEST_F(lookup_transfer_test, find_customer_and_find_queue_return_definitions) {
  engine::customer_profile c;
  c.tenant = t1;
  c.id = "cust-1";
  c.tier = 4;
  c.segments = {"business"};
  ASSERT_TRUE(n().upsert_customer(c).ok());
  auto got = n().find_customer(t1, "cust-1");
  ASSERT_TRUE(got.ok()) << describe(got);
  EXPECT_EQ(got->tier, 4);
  EXPECT_EQ(got->segments, std::vector<std::string>{"business"});
  auto q = n().find_queue(t1, "fast");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->offer_timeout, 300);
}

TEST_F(lookup_transfer_test, position_follows_the_line) {
  submit("c1");
  submit("c2");
  auto p1 = n().position(t1, "c1");
  auto p2 = n().position(t1, "c2");
  ASSERT_TRUE(p1.ok() && p2.ok());
  EXPECT_EQ(*p1, 0);
  EXPECT_EQ(*p2, 1);
}

TEST_F(lookup_transfer_test, transfer_requeues_a_connected_contact_in_the_target_queue) {
  ASSERT_TRUE(n().define_queue(make_queue(t1, "q2")).ok());
  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto offer = offer_of("c1", "a1");
  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer.offer_id).ok());
  ASSERT_TRUE(saw(is(event_type::connected, "c1", "a1")));

  // a1 takes no new work, so the contact waits in q2 until a2 logs in.
  ASSERT_TRUE(n().set_away(t1, "a1", true).ok());
  EXPECT_EQ(n().transfer(t1, "a2", "c1", "q2").code(), errc::not_connected);
  EXPECT_EQ(n().transfer(t1, "a1", "c1", "nowhere").code(), errc::unknown_queue);
  EXPECT_EQ(n().transfer(t1, "a1", "nothing", "q2").code(), errc::unknown_contact);
  auto s = n().transfer(t1, "a1", "c1", "q2");
  ASSERT_TRUE(s.ok()) << describe(s);
  ASSERT_TRUE(saw(is(event_type::transferred, "c1", "a1")));
  auto queued = rec_.wait_event(
    [](const event& e) { return e.type == event_type::queued && e.contact == "c1" && e.queue == "q2"; });
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->state, contact_state::queued);

  auto c = n().find_contact(t1, "c1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->queue, "q2");
  EXPECT_TRUE(c->agent.empty());
  ASSERT_FALSE(c->journey.empty());
  EXPECT_EQ(c->journey.back(), "transfer:q1->q2");
  auto pos = n().position(t1, "c1");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, 0);
  ASSERT_TRUE(n().login(t1, "a2").ok());
  auto again = rec_.wait_event(
    [](const event& e) { return e.type == event_type::offered && e.contact == "c1" && e.queue == "q2"; });
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->agent, "a2");
  ASSERT_TRUE(n().accept(t1, again->agent, "c1", again->offer_id).ok());
  ASSERT_TRUE(n().complete(t1, again->agent, "c1", resolved()).ok());
  ASSERT_TRUE(saw(is(event_type::completed, "c1")));
  EXPECT_EQ(rec_.count(is(event_type::completed, "c1")), 1u);
}

TEST_F(lookup_transfer_test, a_transferred_contact_survives_a_restart_in_its_new_queue) {
  ASSERT_TRUE(n().define_queue(make_queue(t1, "q2")).ok());
  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto offer = offer_of("c1", "a1");
  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer.offer_id).ok());
  ASSERT_TRUE(n().set_away(t1, "a1", true).ok());
  ASSERT_TRUE(n().transfer(t1, "a1", "c1", "q2").ok());
  ASSERT_TRUE(saw([](const event& e) {
    return e.type == event_type::queued && e.contact == "c1" && e.queue == "q2";
  }));
  node_->shutdown();
  node_.reset();
  auto reopened = node::open(options_for(dir_.sub("db")));
  ASSERT_TRUE(reopened.ok()) << describe(reopened);
  node_ = std::move(*reopened);
  auto c = n().find_contact(t1, "c1");
  ASSERT_TRUE(c.ok()) << describe(c);
  EXPECT_EQ(c->queue, "q2");
  EXPECT_EQ(c->state, contact_state::queued);
}

}  // namespace
}  // namespace switchboard::testing
