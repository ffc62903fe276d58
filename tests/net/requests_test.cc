// The requests of each role beyond the main flow: policy changes, availability and
// capacity, places in line, customer hints, decline, wrap-up in two steps.
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

using requests_test = edge_fixture;

TEST_F(requests_test, set_policy_changes_only_the_queues_policy) {
  auto sup = supervisor("t1");
  pb::Envelope sp;
  sp.mutable_set_policy()->set_queue("q1");
  sp.mutable_set_policy()->set_policy(pb::ROUTING_POLICY_LONGEST_IDLE);
  auto r = sup->call(sp);
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto q = n().find_queue("t1", "q1");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->policy, engine::policy_kind::longest_idle);
  EXPECT_EQ(q->offer_timeout, 60000);
  sp.mutable_set_policy()->set_policy(pb::ROUTING_POLICY_UNSPECIFIED);
  r = sup->call(sp);
  EXPECT_TRUE(is_error(r, pb::INVALID_ARGUMENT)) << show(r);
  sp.mutable_set_policy()->set_queue("nowhere");
  sp.mutable_set_policy()->set_policy(pb::ROUTING_POLICY_SKILLS);
  r = sup->call(sp);
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_QUEUE)) << show(r);
}

TEST_F(requests_test, availability_and_capacity_change_the_agent) {
  auto a1 = agent("t1", "a1");
  pb::Envelope sa;
  sa.mutable_set_availability()->set_available(false);
  auto* cap = sa.mutable_set_availability()->add_capacity();
  cap->set_channel(pb::CHANNEL_CHAT);
  cap->set_max(5);
  auto r = a1->call(sa);
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto info = n().find_agent("t1", "a1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, engine::agent_state::away);
  EXPECT_EQ(info->profile.capacity[engine::index(channel::chat)].max, 5u);
  EXPECT_EQ(info->profile.languages, std::vector<std::string>{"en"});  // the rest is kept
  // Away: a new contact waits.
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("w1"))->has_contact_opened());
  EXPECT_FALSE(a1->wait_for(offer_of("w1"), quiet_wait).has_value());
  sa.mutable_set_availability()->set_available(true);
  sa.mutable_set_availability()->clear_capacity();
  ASSERT_TRUE(a1->call(sa)->has_ack());
  EXPECT_TRUE(a1->wait_for(offer_of("w1")).has_value());
  cap = sa.mutable_set_availability()->add_capacity();
  cap->set_channel(pb::CHANNEL_UNSPECIFIED);
  r = a1->call(sa);
  EXPECT_TRUE(is_error(r, pb::INVALID_ARGUMENT)) << show(r);
}

TEST_F(requests_test, queued_updates_carry_the_place_in_line) {
  auto gw = gateway("t1");
  for (const char* id : {"p0", "p1", "p2"})
    ASSERT_TRUE(gw->call(open_contact(id))->has_contact_opened());
  for (int i = 0; i < 3; ++i) {
    auto id = "p" + std::to_string(i);
    auto u = gw->wait_for(update_of(id, "queued"));
    ASSERT_TRUE(u.has_value()) << id;
    EXPECT_EQ(u->contact_update().position(), i) << id;
    EXPECT_EQ(u->contact_update().queue(), "q1");
    EXPECT_GE(u->contact_update().estimated_wait_ms(), 0);
  }
  // Wrong channel, unknown queue, duplicate id: typed errors.
  auto bad = open_contact("p9");
  bad.mutable_open_contact()->set_channel(pb::CHANNEL_UNSPECIFIED);
  EXPECT_TRUE(is_error(gw->call(bad), pb::INVALID_ARGUMENT));
  EXPECT_TRUE(is_error(gw->call(open_contact("p9", "nowhere")), pb::UNKNOWN_QUEUE));
  EXPECT_TRUE(is_error(gw->call(open_contact("p0")), pb::DUPLICATE_ID));
  auto blank = open_contact("");
  auto r = gw->call(blank);
  ASSERT_TRUE(r && r->has_contact_opened()) << show(r);
  EXPECT_FALSE(r->contact_opened().contact_id().empty());
}

TEST_F(requests_test, customer_hints_update_the_profile_and_keep_the_rest) {
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("h1", "q1", "cust-h"))->has_contact_opened());
  auto c = n().find_customer("t1", "cust-h");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tier, 3);
  EXPECT_EQ(c->segments, std::vector<std::string>{"business"});
  EXPECT_EQ(c->language, "en");
  auto second = open_contact("h2", "q1", "cust-h");
  second.mutable_open_contact()->clear_customer();
  second.mutable_open_contact()->set_language("fr");
  ASSERT_TRUE(gw->call(second)->has_contact_opened());
  c = n().find_customer("t1", "cust-h");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tier, 3);
  EXPECT_EQ(c->language, "fr");
}

TEST_F(requests_test, decline_requeues_and_wrap_up_can_come_in_two_steps) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("d1"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("d1"));
  ASSERT_TRUE(offer.has_value());
  pb::Envelope dec;
  dec.mutable_decline_offer()->set_contact_id("d1");
  dec.mutable_decline_offer()->set_offer_id(offer->offer().offer_id());
  ASSERT_TRUE(a1->call(dec)->has_ack());
  auto back = gw->wait_for(update_of("d1", "offer_declined"));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->contact_update().state(), pb::CONTACT_STATE_QUEUED);
  // a2 gets it (a1 just declined it).
  auto a2 = agent("t1", "a2");
  auto o2 = a2->wait_for(offer_of("d1"));
  ASSERT_TRUE(o2.has_value());
  EXPECT_TRUE(is_error(a1->call(accept_offer("d1", o2->offer().offer_id())), pb::NOT_OFFERED));
  ASSERT_TRUE(a2->call(accept_offer("d1", o2->offer().offer_id()))->has_ack());
  ASSERT_TRUE(a2->call(wrap_up("d1", false))->has_ack());
  auto wu = gw->wait_for(update_of("d1", "wrap_up"));
  ASSERT_TRUE(wu.has_value());
  EXPECT_EQ(wu->contact_update().state(), pb::CONTACT_STATE_WRAP_UP);
  ASSERT_TRUE(a2->call(wrap_up("d1", true))->has_ack());
  EXPECT_TRUE(gw->wait_for(update_of("d1", "completed")).has_value());
  // a1 cannot wrap up what it never served.
  EXPECT_TRUE(a1->call(wrap_up("d1", true))->has_error());
}

}  // namespace
}  // namespace switchboard::testing
