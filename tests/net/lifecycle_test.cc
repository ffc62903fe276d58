// End to end over loopback: a supervisor defines and mints, an agent logs in with
// the token, a gateway opens a contact, the agent gets the offer, accepts, both
// sides chat, the agent wraps up, the supervisor sees the numbers move. Once in
// binary frames, once in JSON text frames.
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

class lifecycle_test : public edge_fixture,
                       public ::testing::WithParamInterface<ws_client::encoding> {};

TEST_P(lifecycle_test, a_contact_goes_from_gateway_to_agent_and_back) {
  auto enc = GetParam();
  auto sup = supervisor("t1", enc);

  // The supervisor defines a queue and an agent of its own tenant.
  pb::Envelope dq;
  auto* q = dq.mutable_define_queue()->mutable_queue();
  q->set_id("support");
  q->set_name("Support");
  q->add_channels(pb::CHANNEL_CHAT);
  q->set_offer_timeout_ms(60000);
  q->set_policy(pb::ROUTING_POLICY_PROFILE);
  auto r = sup->call(dq);
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  pb::Envelope da;
  auto* a = da.mutable_define_agent()->mutable_agent();
  a->set_id("alice");
  a->set_name("Alice Example");
  a->add_languages("en");
  auto* cap = a->add_capacity();
  cap->set_channel(pb::CHANNEL_CHAT);
  cap->set_max(2);
  a->set_level(pb::AGENT_LEVEL_SENIOR);
  r = sup->call(da);
  ASSERT_TRUE(r && r->has_ack()) << show(r);

  auto tok = sup->call(mint_token("alice", 600));
  ASSERT_TRUE(tok && tok->has_agent_token()) << show(tok);
  EXPECT_EQ(tok->agent_token().agent(), "alice");
  EXPECT_GT(tok->agent_token().expires_ms(), 0);

  r = sup->call(subscribe_stats(100));
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto first = sup->wait_for([](const pb::Envelope& e) { return e.has_stats_update(); });
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->stats_update().tenant(), "t1");
  auto routed_before = first->stats_update().routed();
  auto completed_before = first->stats_update().completed();

  auto ag = client(enc);
  auto w = ag->hello_agent(tok->agent_token().token(), "t1");
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  EXPECT_EQ(w->welcome().role(), pb::ROLE_AGENT);
  EXPECT_EQ(w->welcome().agent(), "alice");
  EXPECT_FALSE(w->welcome().resumed());

  auto gw = gateway("t1", enc);
  auto opened = gw->call(open_contact("chat-1", "support", "cust-9"));
  ASSERT_TRUE(opened && opened->has_contact_opened()) << show(opened);
  EXPECT_EQ(opened->contact_opened().contact_id(), "chat-1");
  EXPECT_GT(opened->contact_opened().seq(), 0u);

  auto offer = ag->wait_for(offer_of("chat-1"));
  ASSERT_TRUE(offer.has_value()) << ag->error();
  const auto& o = offer->offer();
  EXPECT_GT(o.offer_id(), 0u);
  EXPECT_GT(o.deadline_ms(), 0);
  EXPECT_EQ(o.queue(), "support");
  EXPECT_EQ(o.channel(), pb::CHANNEL_CHAT);
  EXPECT_EQ(o.intent(), "billing");
  EXPECT_EQ(o.language(), "en");
  EXPECT_EQ(o.customer().id(), "cust-9");
  EXPECT_EQ(o.customer().tier(), 3);
  ASSERT_EQ(o.journey_size(), 1);
  EXPECT_EQ(o.journey(0), "bot:faq");
  bool has_order = false;
  for (const auto& x : o.attached())
    has_order |= x.key() == "order" && x.value() == "A-1001";
  EXPECT_TRUE(has_order);
  EXPECT_EQ(o.decision().agent(), "alice");
  EXPECT_EQ(o.decision().contact(), "chat-1");
  EXPECT_EQ(o.decision().policy(), pb::ROUTING_POLICY_PROFILE);
  EXPECT_GE(o.decision().candidates_size(), 1);

  auto acc = ag->call(accept_offer("chat-1", o.offer_id()));
  ASSERT_TRUE(acc && acc->has_ack()) << show(acc);

  auto queued = gw->wait_for(update_of("chat-1", "queued"));
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->contact_update().state(), pb::CONTACT_STATE_QUEUED);
  EXPECT_GE(queued->contact_update().position(), -1);
  auto connected = gw->wait_for(update_of("chat-1", "connected"));
  ASSERT_TRUE(connected.has_value());
  EXPECT_EQ(connected->contact_update().agent(), "alice");
  EXPECT_EQ(connected->contact_update().agent_name(), "Alice Example");

  // Messages both ways.
  auto sent = gw->call(customer_message("chat-1", "my bill is wrong"));
  ASSERT_TRUE(sent && sent->has_ack()) << show(sent);
  auto line = ag->wait_for(chat_of("chat-1", "customer"));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->chat_line().text(), "my bill is wrong");
  sent = ag->call(agent_message("chat-1", "let me fix that"));
  ASSERT_TRUE(sent && sent->has_ack()) << show(sent);
  line = gw->wait_for(chat_of("chat-1", "agent"));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->chat_line().text(), "let me fix that");

  // The customer rates (the agent's outcome cannot: its CSAT 5 is ignored).
  auto rated = gw->call(rate_contact("chat-1", 5));
  ASSERT_TRUE(rated && rated->has_ack()) << show(rated);
  auto done = ag->call(wrap_up("chat-1", true));
  ASSERT_TRUE(done && done->has_ack()) << show(done);
  auto completed = gw->wait_for(update_of("chat-1", "completed"));
  ASSERT_TRUE(completed.has_value());
  EXPECT_EQ(completed->contact_update().state(), pb::CONTACT_STATE_COMPLETED);

  // The supervisor's feed shows it.
  auto moved = sup->wait_for([&](const pb::Envelope& e) {
    return e.has_stats_update() && e.stats_update().routed() > routed_before &&
           e.stats_update().completed() > completed_before;
  });
  ASSERT_TRUE(moved.has_value()) << sup->error();
  bool saw_support = false;
  for (const auto& qs : moved->stats_update().queues())
    saw_support |= qs.queue() == "support" && qs.answered() == 1;
  EXPECT_TRUE(saw_support);

  auto st = ag->call(agent_stats_request());
  ASSERT_TRUE(st && st->has_agent_stats()) << show(st);
  EXPECT_EQ(st->agent_stats().agent(), "alice");
  EXPECT_EQ(st->agent_stats().handled(), 1u);
  EXPECT_EQ(st->agent_stats().resolved(), 1u);
  EXPECT_DOUBLE_EQ(st->agent_stats().csat_average(), 5.0);
  EXPECT_EQ(st->agent_stats().level(), pb::AGENT_LEVEL_SENIOR);
  EXPECT_EQ(st->agent_stats().state(), "available");

  // The node journaled exactly one of each.
  EXPECT_EQ(rec_.count(is(event_type::connected, "chat-1")), 1u);
  EXPECT_EQ(rec_.count(is(event_type::completed, "chat-1")), 1u);
}

TEST_P(lifecycle_test, transfer_sends_the_contact_to_another_queue) {
  auto enc = GetParam();
  auto a1 = agent("t1", "a1", enc);
  auto gw = gateway("t1", enc);
  ASSERT_TRUE(gw->call(open_contact("tr-1", "q1"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("tr-1"));
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(a1->call(accept_offer("tr-1", offer->offer().offer_id()))->has_ack());
  pb::Envelope away;
  away.mutable_set_availability()->set_available(false);
  ASSERT_TRUE(a1->call(away)->has_ack());
  pb::Envelope tr;
  tr.mutable_transfer_contact()->set_contact_id("tr-1");
  tr.mutable_transfer_contact()->set_to_queue("q2");
  auto r = a1->call(tr);
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto upd = gw->wait_for(update_of("tr-1", "transferred"));
  ASSERT_TRUE(upd.has_value());
  auto requeued = gw->wait_for([](const pb::Envelope& e) {
    return e.has_contact_update() && e.contact_update().event() == "queued" &&
           e.contact_update().queue() == "q2";
  });
  ASSERT_TRUE(requeued.has_value());
  EXPECT_EQ(requeued->contact_update().position(), 0);
  auto a2 = agent("t1", "a2", enc);
  auto again = a2->wait_for(offer_of("tr-1"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->offer().queue(), "q2");
}

INSTANTIATE_TEST_SUITE_P(frames, lifecycle_test,
                         ::testing::Values(ws_client::encoding::binary, ws_client::encoding::json),
                         [](const auto& info) {
                           return info.param == ws_client::encoding::binary ? "binary" : "json";
                         });

}  // namespace
}  // namespace switchboard::testing
