// Agents that disconnect: the node holds their work for its grace period, within
// which they resume (offers re-sent); after it the node logs them out, offers
// return to their place and go to another agent, conversations go back in line at
// their place (the gateway is told: agent_lost) and wrap-ups are completed, so
// nothing hangs. A contact is never lost nor doubled.
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

class disconnect_test : public edge_fixture {
 protected:
  void configure_node(node_options& o) override { o.agent_grace = 300ms; }
};

TEST_F(disconnect_test, an_offer_held_by_an_agent_that_vanished_goes_to_another_agent) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("c1"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("c1"));
  ASSERT_TRUE(offer.has_value());
  // a2 is ready, but c1 is reserved for a1 while its offer stands.
  auto a2 = agent("t1", "a2");
  EXPECT_FALSE(a2->wait_for(offer_of("c1"), quiet_wait).has_value());

  a1->drop();
  // After the grace period a1 is logged out and c1 returns to its place, then a2.
  auto again = a2->wait_for(offer_of("c1"));
  ASSERT_TRUE(again.has_value()) << a2->error();
  ASSERT_TRUE(a2->call(accept_offer("c1", again->offer().offer_id()))->has_ack());
  auto connected = gw->wait_for(update_of("c1", "connected"));
  ASSERT_TRUE(connected.has_value());
  EXPECT_EQ(connected->contact_update().agent(), "a2");
  EXPECT_TRUE(gw->wait_for(update_of("c1", "offer_cancelled")).has_value());

  EXPECT_TRUE(rec_.wait_event(is(event_type::offer_cancelled, "c1", "a1")).has_value());
  EXPECT_EQ(rec_.count(is(event_type::connected, "c1")), 1u);
  EXPECT_EQ(rec_.count(is(event_type::offered, "c1")), 2u);
  auto c = n().find_contact("t1", "c1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->state, contact_state::connected);
  EXPECT_EQ(c->agent, "a2");
  auto info = n().find_agent("t1", "a1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, engine::agent_state::offline);
  auto out = rec_.wait_event([](const event& e) {
    return e.type == event_type::agent_logout && e.agent == "a1";
  });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->detail, "agent_lost");
}

TEST_F(disconnect_test, a_conversation_whose_agent_never_returns_goes_back_in_line) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("c2"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("c2"));
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(a1->call(accept_offer("c2", offer->offer().offer_id()))->has_ack());
  ASSERT_TRUE(gw->wait_for(update_of("c2", "connected")).has_value());
  ASSERT_TRUE(a1->call(agent_message("c2", "one moment"))->has_ack());

  a1->drop();
  // Past the node's grace period the conversation waits again, at its place.
  auto lost = gw->wait_for(update_of("c2", "agent_lost"));
  ASSERT_TRUE(lost.has_value()) << gw->error();
  EXPECT_EQ(lost->contact_update().state(), pb::CONTACT_STATE_QUEUED);
  EXPECT_EQ(lost->contact_update().position(), 0);
  auto r = gw->call(customer_message("c2", "hello?"));
  EXPECT_TRUE(is_error(r, pb::NOT_CONNECTED)) << show(r);

  // Another agent takes it, with the conversation so far on its desk.
  auto a2 = agent("t1", "a2");
  auto again = a2->wait_for(offer_of("c2"));
  ASSERT_TRUE(again.has_value()) << a2->error();
  ASSERT_TRUE(a2->call(accept_offer("c2", again->offer().offer_id()))->has_ack());
  auto connected = gw->wait_for(update_of("c2", "connected"));
  ASSERT_TRUE(connected.has_value());
  EXPECT_EQ(connected->contact_update().agent(), "a2");
  ASSERT_TRUE(gw->call(customer_message("c2", "still there?"))->has_ack());
  auto line = a2->wait_for(chat_of("c2", "customer"));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->chat_line().text(), "still there?");
  EXPECT_EQ(rec_.count(is(event_type::agent_lost, "c2")), 1u);
  EXPECT_EQ(rec_.count(is(event_type::connected, "c2")), 2u);
}

TEST_F(disconnect_test, a_wrap_up_left_behind_by_a_vanished_agent_is_completed) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("c5"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("c5"));
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(a1->call(accept_offer("c5", offer->offer().offer_id()))->has_ack());
  // The customer leaves first (the contact waits in wrap-up for the agent's
  // outcome), then the agent vanishes: nobody would ever finish it.
  ASSERT_TRUE(gw->call(end_contact("c5", 4))->has_ack());
  auto customer_left = a1->wait_for([](const pb::Envelope& e) {
    return e.has_agent_update() && e.agent_update().event() == "customer_left";
  });
  ASSERT_TRUE(customer_left.has_value());
  EXPECT_EQ(customer_left->agent_update().detail(), "customer_left");
  EXPECT_EQ(customer_left->agent_update().state(), pb::CONTACT_STATE_WRAP_UP);
  a1->drop();
  // The node completes it after its grace period.
  ASSERT_TRUE(gw->wait_for(update_of("c5", "completed")).has_value());
  EXPECT_EQ(rec_.count(is(event_type::completed, "c5")), 1u);
  EXPECT_EQ(rec_.count(is(event_type::rated, "c5")), 1u);
  EXPECT_EQ(n().find_contact("t1", "c5").code(), errc::unknown_contact);
}

class resume_test : public edge_fixture {
 protected:
  void configure_node(node_options& o) override { o.agent_grace = 20s; }
};

TEST_F(resume_test, an_agent_back_within_the_grace_period_resumes_with_its_offers) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("c3"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("c3"));
  ASSERT_TRUE(offer.has_value());
  a1->drop();
  ASSERT_TRUE(connections_reach(net::client_role::agent, 0));

  auto back = client();
  auto w = back->hello_agent(edge().mint_agent_token("t1", "a1", 1h), "t1", true);
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  EXPECT_TRUE(w->welcome().resumed());
  auto again = back->wait_for(offer_of("c3"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->offer().offer_id(), offer->offer().offer_id());
  ASSERT_TRUE(back->call(accept_offer("c3", again->offer().offer_id()))->has_ack());
  EXPECT_TRUE(gw->wait_for(update_of("c3", "connected")).has_value());
  EXPECT_EQ(rec_.count(is(event_type::offer_cancelled, "c3")), 0u);
  EXPECT_EQ(rec_.count(is(event_type::offered, "c3")), 1u);
}

TEST_F(resume_test, a_second_connection_of_the_same_agent_takes_over) {
  auto first = agent("t1", "a1");
  auto second = agent("t1", "a1");
  EXPECT_NE(first->wait_closed(), -1);
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("c4"))->has_contact_opened());
  auto offer = second->wait_for(offer_of("c4"));
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(second->call(accept_offer("c4", offer->offer().offer_id()))->has_ack());
}

}  // namespace
}  // namespace switchboard::testing
