// What the recommender tells supervisors over the real protocol: complaint-risk
// alerts and the live on/off comparison in StatsUpdate and on /metrics.
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

using recommender_feed_test = edge_fixture;

std::function<bool(const pb::Envelope&)> stats_where(
  const std::function<bool(const pb::StatsUpdate&)>& pred) {
  return [pred](const pb::Envelope& e) { return e.has_stats_update() && pred(e.stats_update()); };
}

TEST_F(recommender_feed_test, a_contact_after_a_bad_path_raises_an_alert_to_supervisors) {
  auto sup = supervisor("t1");
  ASSERT_TRUE(sup->call(subscribe_stats(50))->has_ack());
  auto gw = gateway("t1");
  // A calm one first: no alert.
  auto calm = gw->call(open_contact("calm-1", "q1", "cust-calm"));
  ASSERT_TRUE(calm && calm->has_contact_opened()) << show(calm);
  // Then a customer whose bot failed and who was transferred twice, with a
  // complaint risk of 0.4 on its profile: 1 - 0.6 x 0.85^3 = 0.63, over the
  // default alert level of 0.6 (open_contact's own step "bot:faq" is no failure).
  auto hot = open_contact("hot-1", "q1", "cust-hot");
  auto* m = hot.mutable_open_contact();
  m->add_journey("bot: failed to find the bill");
  m->add_journey("transfer:sales->billing");
  m->add_journey("transfer:billing->q1");
  m->mutable_customer()->set_complaint_risk(0.4);
  auto opened = gw->call(hot);
  ASSERT_TRUE(opened && opened->has_contact_opened()) << show(opened);

  auto upd = sup->wait_for(stats_where([](const pb::StatsUpdate& u) { return u.alerts_size() > 0; }));
  ASSERT_TRUE(upd.has_value()) << sup->error();
  const auto& u = upd->stats_update();
  ASSERT_EQ(u.alerts_size(), 1) << "only the contact with the bad path";
  const auto& a = u.alerts(0);
  EXPECT_EQ(a.contact_id(), "hot-1");
  EXPECT_EQ(a.customer_id(), "cust-hot");
  EXPECT_EQ(a.queue(), "q1");
  EXPECT_NEAR(a.risk(), 1 - 0.6 * 0.85 * 0.85 * 0.85, 1e-9);
  EXPECT_NE(a.reasons().find("2 transfers"), std::string::npos) << a.reasons();
  EXPECT_NE(a.reasons().find("1 failed self-service step"), std::string::npos) << a.reasons();
  EXPECT_EQ(u.alerts_raised(), 1u);
  EXPECT_EQ(metric_value(metrics(), "switchboard_complaint_alerts_total{tenant=\"t1\"}"), 1.0);
  EXPECT_EQ(metric_value(metrics(), "switchboard_complaint_alerts_total{tenant=\"t2\"}"), 0.0)
    << "another tenant sees none";
}

TEST_F(recommender_feed_test, outcomes_count_for_the_policy_that_routed_them_in_the_live_comparison) {
  // t1 alternates profile and longest_idle by 10-minute slices in its profile queues.
  auto t = n().stats("t1");
  ASSERT_TRUE(t.ok());
  engine::tenant_config cfg;
  cfg.id = "t1";
  cfg.name = "t1";
  cfg.experiment = {600'000, engine::policy_kind::longest_idle};
  ASSERT_TRUE(n().define_tenant(cfg).ok());
  auto sup = supervisor("t1");
  pb::Envelope sp;
  sp.mutable_set_policy()->set_queue("q1");
  sp.mutable_set_policy()->set_policy(pb::ROUTING_POLICY_PROFILE);
  auto r = sup->call(sp);
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  ASSERT_TRUE(sup->call(subscribe_stats(50))->has_ack());

  auto ag = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("ab-1", "q1", "cust-ab"))->has_contact_opened());
  auto offer = ag->wait_for(offer_of("ab-1"));
  ASSERT_TRUE(offer.has_value()) << ag->error();
  auto policy = offer->offer().decision().policy();
  EXPECT_TRUE(policy == pb::ROUTING_POLICY_PROFILE || policy == pb::ROUTING_POLICY_LONGEST_IDLE)
    << pb::RoutingPolicy_Name(policy);
  ASSERT_TRUE(ag->call(accept_offer("ab-1", offer->offer().offer_id()))->has_ack());
  ASSERT_TRUE(ag->call(wrap_up("ab-1", true))->has_ack());

  auto upd = sup->wait_for(stats_where([](const pb::StatsUpdate& u) {
    for (const auto& c : u.comparisons())
      if (c.queue() == "q1" && c.baseline_contacts() + c.profile_contacts() == 1)
        return true;
    return false;
  }));
  ASSERT_TRUE(upd.has_value()) << sup->error();
  const auto& c = upd->stats_update().comparisons(0);
  EXPECT_EQ(c.baseline(), pb::ROUTING_POLICY_LONGEST_IDLE);
  bool profile = policy == pb::ROUTING_POLICY_PROFILE;
  EXPECT_EQ(c.profile_contacts(), profile ? 1u : 0u);
  EXPECT_EQ(c.baseline_contacts(), profile ? 0u : 1u);
  EXPECT_DOUBLE_EQ(profile ? c.profile_resolution() : c.baseline_resolution(), 1.0)
    << "the outcome was resolved";
  EXPECT_FALSE(c.enough()) << "one slice is not enough for an interval";
  auto text = metrics();
  EXPECT_EQ(metric_value(text, std::string{"switchboard_policy_outcomes{tenant=\"t1\",queue=\"q1\",policy=\""} +
                                 (profile ? "profile" : "longest_idle") + "\"}"),
            1.0)
    << text;
}

}  // namespace
}  // namespace switchboard::testing
