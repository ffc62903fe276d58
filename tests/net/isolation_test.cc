// Tenant isolation: clients of tenant t1 naming t2's contacts, agents and queues
// (or t2 itself) get errors, see nothing of t2, and t2 is unaffected.
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

class isolation_test : public edge_fixture {
 protected:
  void SetUp() override {
    edge_fixture::SetUp();
    if (HasFatalFailure())
      return;
    // Only t2 has queue q3 and agent b1.
    ASSERT_TRUE(n().define_queue(make_queue("t2", "q3")).ok());
    auto b1 = make_agent("t2", "b1", 2);
    b1.languages = {"en"};
    ASSERT_TRUE(n().define_agent(b1).ok());
  }
};

TEST_F(isolation_test, tenant_a_cannot_see_route_to_or_touch_tenant_b) {
  auto gw_b = gateway("t2");
  for (const char* id : {"b-only", "shared-id"}) {
    auto r = gw_b->call(open_contact(id));
    ASSERT_TRUE(r && r->has_contact_opened()) << show(r);
  }
  auto gw_a = gateway("t1");
  auto r = gw_a->call(open_contact("shared-id"));
  ASSERT_TRUE(r && r->has_contact_opened()) << "same id, other tenant: " << show(r);

  // Gateway of t1: t2's contact and queue do not exist for it.
  r = gw_a->call(end_contact("b-only"));
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_CONTACT)) << show(r);
  r = gw_a->call(customer_message("b-only", "hello b?"));
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_CONTACT)) << show(r);
  r = gw_a->call(open_contact("into-b", "q3"));
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_QUEUE)) << show(r);
  r = gw_a->call(open_contact("b-only"));  // t2's id is free in t1
  EXPECT_TRUE(r && r->has_contact_opened()) << show(r);
  r = gw_a->call(end_contact("shared-id"));
  EXPECT_TRUE(r && r->has_ack()) << show(r);

  // Agent of t1: t2's contacts cannot be accepted, messaged, wrapped up or moved.
  auto ag_a = agent("t1", "a3");
  r = ag_a->call(accept_offer("b-only", 1));
  EXPECT_TRUE(r && r->has_error()) << show(r);
  r = ag_a->call(agent_message("shared-id", "psst"));
  EXPECT_TRUE(is_error(r, pb::NOT_CONNECTED)) << show(r);
  r = ag_a->call(wrap_up("shared-id", true));
  EXPECT_TRUE(r && r->has_error()) << show(r);
  pb::Envelope tr;
  tr.mutable_transfer_contact()->set_contact_id("shared-id");
  tr.mutable_transfer_contact()->set_to_queue("q3");
  r = ag_a->call(tr);
  EXPECT_TRUE(r && r->has_error()) << show(r);

  // Supervisor of t1: cannot define into t2, mint for t2's agents, or change t2's queues.
  auto sup_a = supervisor("t1");
  pb::Envelope dq;
  auto* q = dq.mutable_define_queue()->mutable_queue();
  q->set_tenant("t2");
  q->set_id("q1");
  q->set_name("hijack");
  r = sup_a->call(dq);
  EXPECT_TRUE(is_error(r, pb::CROSS_TENANT)) << show(r);
  pb::Envelope da;
  auto* a = da.mutable_define_agent()->mutable_agent();
  a->set_tenant("t2");
  a->set_id("b1");
  r = sup_a->call(da);
  EXPECT_TRUE(is_error(r, pb::CROSS_TENANT)) << show(r);
  r = sup_a->call(mint_token("b1"));
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_AGENT)) << show(r);
  pb::Envelope sp;
  sp.mutable_set_policy()->set_queue("q3");
  sp.mutable_set_policy()->set_policy(pb::ROUTING_POLICY_LONGEST_IDLE);
  r = sup_a->call(sp);
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_QUEUE)) << show(r);
  r = sup_a->call(subscribe_stats(100));
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto st = sup_a->wait_for([](const pb::Envelope& e) { return e.has_stats_update(); });
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->stats_update().tenant(), "t1");
  for (const auto& qs : st->stats_update().queues())
    EXPECT_NE(qs.queue(), "q3");
  for (const auto& as : st->stats_update().agents())
    EXPECT_NE(as.agent(), "b1");

  // A t1 key does not open t2.
  auto sneaky = client();
  r = sneaky->hello(pb::ROLE_SUPERVISOR, "t2", t1_key);
  EXPECT_TRUE(is_error(r, pb::UNAUTHENTICATED)) << show(r);

  // t2 is unaffected: both contacts still wait, its queue keeps its policy, and
  // its agent gets them.
  for (const char* id : {"b-only", "shared-id"}) {
    auto c = n().find_contact("t2", id);
    ASSERT_TRUE(c.ok()) << id << ": " << describe(c);
    EXPECT_EQ(c->state, contact_state::queued);
  }
  auto q1 = n().find_queue("t2", "q1");
  ASSERT_TRUE(q1.ok());
  EXPECT_EQ(q1->name, "queue q1");
  auto q3 = n().find_queue("t2", "q3");
  ASSERT_TRUE(q3.ok());
  EXPECT_EQ(q3->policy, engine::policy_kind::skills);
  auto ag_b = agent("t2", "b1");
  auto o1 = ag_b->wait_for(offer_of("b-only"));
  auto o2 = ag_b->wait_for(offer_of("shared-id"));
  ASSERT_TRUE(o1.has_value() && o2.has_value());
  ASSERT_TRUE(ag_b->call(accept_offer("b-only", o1->offer().offer_id()))->has_ack());
  EXPECT_TRUE(gw_b->wait_for(update_of("b-only", "connected")).has_value());

  // t1's gateway never heard of t2's contacts: nothing about them reached it.
  EXPECT_FALSE(gw_a->wait_for(
                     [](const pb::Envelope& e) {
                       return e.has_contact_update() &&
                              e.contact_update().event() == "connected";
                     },
                     quiet_wait)
                 .has_value());
}

}  // namespace
}  // namespace switchboard::testing
