// Routing on the profile signals: complaint risk from the customer's path (and the
// supervisor alert), purchase intent, agent levels, the hold for a VIP's dedicated
// manager and its team, and batch assignment.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/complaint_risk.h"
#include "engine/routing_domain.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::customer_builder;
using testkit::is_ok;
using testkit::queue_builder;

constexpr time_ms hour = limits::hour_ms;
constexpr time_ms now0 = 100 * hour;  // late enough for a day of history before it

/// What an agent is known to do for (intent, segment "s"), from 10,000 contacts:
/// its rates dominate any prior.
outcome_stats known(double resolution, double csat_1_to_5, double complaint, double sale = 0.0) {
  outcome_stats s;
  s.handled = 10'000;
  s.resolved = static_cast<std::uint64_t>(resolution * 10'000);
  s.csat_count = 10'000;
  s.csat_sum = csat_1_to_5 * 10'000;
  s.complaints = static_cast<std::uint64_t>(complaint * 10'000);
  s.sales = static_cast<std::uint64_t>(sale * 10'000);
  return s;
}

class signals : public testkit::domain_fixture {
 protected:
  void learned(const std::string& agent, const std::string& intent, const outcome_stats& s) {
    domain_.restore_learned(learned_record{agent, intent, "s", s});
  }
  void set(const std::function<void(tenant_config&)>& change) {
    auto t = domain_.tenant();
    change(t);
    ASSERT_TRUE(is_ok(domain_.set_tenant(t)));
  }
  static const candidate* find(const routing_decision& d, std::string_view agent) {
    for (const auto& c : d.candidates)
      if (c.agent == agent)
        return &c;
    return nullptr;
  }
};

// -- complaint risk from the path ------------------------------------------------

TEST(complaint_risk, each_step_of_a_bad_path_raises_it_and_is_named) {
  contact c = contact_builder("c").at(now0).step("web: help centre").build();
  auto calm = complaint_risk(nullptr, c, now0, 20'000, 24 * hour);
  EXPECT_DOUBLE_EQ(calm.risk, 0.0) << "reading help pages is no failure";

  c.journey = {"bot: topic \"bill\"", "bot: FAILED to answer", "ivr: no match",
               "transfer:sales->billing"};
  auto path = complaint_risk(nullptr, c, now0, 20'000, 24 * hour);
  EXPECT_EQ(path.self_service_failures, 2);
  EXPECT_EQ(path.transfers, 1);
  EXPECT_NEAR(path.risk, 1.0 - 0.85 * 0.85 * 0.85, 1e-12);

  customer_profile cust = customer_builder("cu")
                            .complaint_risk(0.2)
                            .contacted(now0 - 2 * hour, false)
                            .contacted(now0 - 3 * hour, true, true)
                            .contacted(now0 - 48 * hour, true)  // outside the window
                            .build();
  auto all = complaint_risk(&cust, c, now0 + 45'000, 20'000, 24 * hour);
  EXPECT_EQ(all.repeats, 2);
  EXPECT_EQ(all.unresolved_repeats, 1);
  EXPECT_EQ(all.prior_complaints, 1);
  EXPECT_TRUE(all.long_wait) << "45 s against a 20 s threshold";
  EXPECT_NEAR(all.risk, 1.0 - 0.8 * 0.85 * 0.85 * 0.85 * 0.8 * 0.7 * 0.7 * 0.9, 1e-12);
  EXPECT_GT(all.risk, path.risk);
  auto text = describe(all, 24 * hour);
  for (const char* part : {"profile risk 0.20", "2 failed self-service steps", "1 transfer",
                           "1 repeat within 24 h", "1 unresolved repeat within 24 h",
                           "1 earlier complaint", "a long wait"})
    EXPECT_NE(text.find(part), std::string::npos) << part << " in " << text;
}

TEST_F(signals, an_at_risk_contact_goes_to_the_agent_who_calms_and_a_calm_one_to_the_resolver) {
  add_queue(queue_builder().policy(policy_kind::profile));
  add_agent(agent_builder("resolver"));
  add_agent(agent_builder("calmer"));
  // The resolver resolves more; the calmer draws fewer complaints and better CSAT.
  learned("resolver", "billing", known(0.85, 4.2, 0.08));
  learned("calmer", "billing", known(0.70, 4.6, 0.01));
  add_customer(customer_builder("happy").build());
  add_customer(customer_builder("angry")
                 .contacted(now0 - 2 * hour, false)
                 .contacted(now0 - 5 * hour, false, true)
                 .build());
  login("resolver", 0);
  login("calmer", 0);
  EXPECT_TRUE(match(0).empty());

  enqueue(contact_builder("calm").customer("happy").intent("billing").segment("s").at(now0));
  auto calm = match(now0);
  ASSERT_EQ(calm.size(), 1u);
  EXPECT_EQ(calm[0].agent, "resolver");
  ASSERT_TRUE(domain_.remove("calm", now0));  // both agents free again
  EXPECT_TRUE(match(now0).empty());

  enqueue(contact_builder("risky")
            .customer("angry")
            .intent("billing")
            .segment("s")
            .step("bot: failed to answer")
            .step("transfer:sales->support")
            .at(now0 + 1));
  auto risky = match(now0 + 1);
  ASSERT_EQ(risky.size(), 1u);
  EXPECT_EQ(risky[0].agent, "calmer");
  auto r = domain_.risk_of("risky", now0 + 1);
  ASSERT_TRUE(r);
  EXPECT_GT(r->risk, 0.6);
}

TEST_F(signals, a_contact_entering_at_high_risk_alerts_the_supervisors_once) {
  add_queue(queue_builder());
  add_customer(customer_builder("angry").complaint_risk(0.3).contacted(now0 - hour, false, true).build());
  add_customer(customer_builder("happy").build());
  enqueue(contact_builder("fine").customer("happy").at(now0));
  EXPECT_TRUE(domain_.take_alerts().empty());
  enqueue(contact_builder("hot")
            .customer("angry")
            .step("transfer:a->b")
            .step("transfer:b->support")
            .at(now0));
  auto alerts = domain_.take_alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].contact, "hot");
  EXPECT_EQ(alerts[0].customer, "angry");
  EXPECT_EQ(alerts[0].queue, "support");
  EXPECT_GE(alerts[0].risk, domain_.tenant().complaint_alert);
  EXPECT_NE(alerts[0].reasons.find("2 transfers"), std::string::npos) << alerts[0].reasons;
  EXPECT_TRUE(domain_.take_alerts().empty()) << "taken once";

  set([](tenant_config& t) { t.complaint_alert = 0; });
  enqueue(contact_builder("hot-2").customer("angry").step("transfer:a->b").at(now0));
  EXPECT_TRUE(domain_.take_alerts().empty()) << "0 turns alerts off";
}

TEST_F(signals, a_transfer_that_takes_the_risk_past_the_alert_raises_one) {
  add_queue(queue_builder("first"));
  add_queue(queue_builder("second"));
  add_agent(agent_builder("a"));
  add_customer(customer_builder("cu").complaint_risk(0.55).build());
  login("a", 0);
  EXPECT_TRUE(match(0).empty());
  enqueue(contact_builder("c").queue("first").customer("cu").at(now0));
  EXPECT_TRUE(domain_.take_alerts().empty()) << "0.55 is under 0.6";
  auto o = match(now0);
  ASSERT_EQ(o.size(), 1u);
  accept(o[0], now0);
  ASSERT_TRUE(is_ok(domain_.transfer("c", "a", "second", queue_key{0, now0 + 1000, 99}, now0 + 1000)));
  auto alerts = domain_.take_alerts();
  ASSERT_EQ(alerts.size(), 1u) << "1 - 0.45 x 0.85 = 0.62";
  EXPECT_EQ(alerts[0].queue, "second");
  EXPECT_NE(alerts[0].reasons.find("1 transfer"), std::string::npos) << alerts[0].reasons;
}

// -- purchase intent ---------------------------------------------------------------

TEST_F(signals, a_customer_with_a_purchase_intent_goes_to_the_agent_who_converts) {
  add_queue(queue_builder().policy(policy_kind::profile));
  add_agent(agent_builder("fixer"));
  add_agent(agent_builder("seller"));
  learned("fixer", "plans", known(0.78, 4.0, 0.02, 0.05));
  learned("seller", "plans", known(0.70, 4.0, 0.02, 0.40));
  // Tier 0, no ARPU: worth nothing as a customer, so only the intent can make a
  // sale count.
  add_customer(customer_builder("browser").build());
  add_customer(customer_builder("buyer").purchase_intent("5g-plan").build());
  login("fixer", 0);
  login("seller", 0);
  EXPECT_TRUE(match(0).empty());

  enqueue(contact_builder("question").customer("browser").intent("plans").segment("s").at(now0));
  auto q = match(now0);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].agent, "fixer");
  ASSERT_TRUE(domain_.remove("question", now0));  // both agents free again
  EXPECT_TRUE(match(now0).empty());
  enqueue(contact_builder("purchase").customer("buyer").intent("plans").segment("s").at(now0 + 1));
  auto p = match(now0 + 1);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].agent, "seller");
  const auto* s = find(p[0].decision, "seller");
  ASSERT_NE(s, nullptr);
  EXPECT_GT(s->terms.value, find(q[0].decision, "fixer")->terms.value)
    << "the sale now counts in the seller's value term";
}

TEST_F(signals, a_queue_with_its_own_objective_weighs_by_it_and_the_others_by_the_tenants) {
  add_queue(queue_builder("care").policy(policy_kind::profile));
  queue_config sales = queue_builder("sales").policy(policy_kind::profile);
  sales.own_objective = true;
  sales.objective.sale = 5;
  sales.objective.purchase = 1;
  add_queue(sales);
  add_agent(agent_builder("fixer"));
  add_agent(agent_builder("seller"));
  learned("fixer", "plans", known(0.82, 4.0, 0.02, 0.05));
  learned("seller", "plans", known(0.70, 4.0, 0.02, 0.40));
  // Tier 2: worth 0.2, so a sale counts a little under the tenant's weights.
  add_customer(customer_builder("mid").tier(2).build());
  login("fixer", 0);
  login("seller", 0);
  EXPECT_TRUE(match(0).empty());
  enqueue(contact_builder("in-care").queue("care").customer("mid").intent("plans").segment("s").at(now0));
  auto care = match(now0);
  ASSERT_EQ(care.size(), 1u);
  EXPECT_EQ(care[0].agent, "fixer");
  ASSERT_TRUE(domain_.remove("in-care", now0));
  EXPECT_TRUE(match(now0).empty());
  enqueue(contact_builder("in-sales").queue("sales").customer("mid").intent("plans").segment("s").at(now0 + 1));
  auto in_sales = match(now0 + 1);
  ASSERT_EQ(in_sales.size(), 1u);
  EXPECT_EQ(in_sales[0].agent, "seller");
}

// -- agent levels --------------------------------------------------------------------

TEST_F(signals, a_queue_minimum_level_keeps_lower_levels_away_and_says_why) {
  add_queue(queue_builder().min_level(agent_level::senior).policy(policy_kind::longest_idle));
  add_agent(agent_builder("junior").level(agent_level::junior));
  add_agent(agent_builder("senior").level(agent_level::senior));
  login("junior", 0);  // idle longest: it would win without the gate
  login("senior", 1000);
  EXPECT_TRUE(match(1000).empty());
  enqueue(contact_builder("c").at(5000));
  auto o = match(5000);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].agent, "senior");
  const auto* j = find(o[0].decision, "junior");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->rejected, reject_reason::level);
  EXPECT_EQ(to_string(reject_reason::level), "level");
}

TEST_F(signals, a_tier_minimum_level_gates_that_tier_only_and_not_its_own_manager) {
  set([](tenant_config& t) {
    t.min_level_by_tier[5] = agent_level::expert;
    t.manager_wait = 0;
    t.team_wait = 0;
  });
  add_queue(queue_builder().policy(policy_kind::longest_idle));
  add_agent(agent_builder("junior").level(agent_level::junior));
  add_agent(agent_builder("expert").level(agent_level::expert));
  add_customer(customer_builder("gold").tier(5).build());
  add_customer(customer_builder("plain").tier(1).build());
  add_customer(customer_builder("gold-managed").tier(5).account_manager("junior").build());
  login("junior", 0);
  login("expert", 1000);
  EXPECT_TRUE(match(1000).empty());

  enqueue(contact_builder("g").customer("gold").at(5000));
  auto g = match(5000);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].agent, "expert");
  enqueue(contact_builder("p").customer("plain").at(5001));
  auto p = match(5001);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].agent, "junior") << "tier 1 is not gated";

  // Both busy now; a tier-5 customer whose own manager is the junior reaches it.
  ASSERT_TRUE(is_ok(domain_.decline(p[0].contact, "junior", p[0].offer_id, 5002)));
  ASSERT_TRUE(is_ok(domain_.remove("p", 5002)));
  enqueue(contact_builder("m").customer("gold-managed").at(5003));
  auto m = match(5003);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].agent, "junior");
}

TEST(profiles_validation, levels_and_new_tenant_settings_are_range_checked) {
  auto t = testkit::make_tenant();
  EXPECT_TRUE(is_ok(validate(t)));
  auto bad = t;
  bad.complaint_alert = 1.5;
  EXPECT_FALSE(is_ok(validate(bad)));
  bad = t;
  bad.manager_wait = -1;
  EXPECT_FALSE(is_ok(validate(bad)));
  bad = t;
  bad.min_level_by_tier[3] = static_cast<agent_level>(9);
  EXPECT_FALSE(is_ok(validate(bad)));
  bad = t;
  bad.experiment.slice = 10;  // below 1 min
  EXPECT_FALSE(is_ok(validate(bad)));
  bad = t;
  bad.experiment.slice = 60'000;
  bad.experiment.baseline = policy_kind::profile;
  EXPECT_FALSE(is_ok(validate(bad)));
  bad = t;
  bad.objective.purchase = -1;
  EXPECT_FALSE(is_ok(validate(bad)));
  queue_config q = queue_builder();
  q.min_level = static_cast<agent_level>(7);
  EXPECT_FALSE(is_ok(validate(q)));
  queue_config own = queue_builder();
  own.own_objective = true;
  own.objective.sale = -2;
  EXPECT_FALSE(is_ok(validate(own)));
  own.objective.sale = 2;
  EXPECT_TRUE(is_ok(validate(own)));
  agent_profile a = agent_builder("a").team("has/slash");
  EXPECT_FALSE(is_ok(validate(a)));
}

// -- the hold for a VIP's dedicated manager -------------------------------------------

class vip_hold : public signals {
 protected:
  void SetUp() override {
    add_queue(queue_builder().policy(policy_kind::longest_idle));
    add_agent(agent_builder("manager").team("gold-team"));
    add_agent(agent_builder("mate").team("gold-team"));
    add_agent(agent_builder("stranger"));
    add_customer(customer_builder("vip").tier(5).account_manager("manager").build());
    add_customer(customer_builder("someone").build());
    // The manager gets busy first.
    login("manager", 0);
    enqueue(contact_builder("first").customer("someone").at(1000));
    auto o = match(1000);
    ASSERT_EQ(o.size(), 1u);
    ASSERT_EQ(o[0].agent, "manager");
    accept(o[0], 1000);
    login("stranger", 2000);  // idle longest of the two others
    login("mate", 3000);
    EXPECT_TRUE(match(3000).empty());
  }
  const time_ms t0 = 10'000;
};

TEST_F(vip_hold, the_manager_who_frees_up_within_the_wait_gets_the_vip) {
  enqueue(contact_builder("v").customer("vip").at(t0));
  EXPECT_TRUE(match(t0).empty()) << "held for the manager though two agents are free";
  auto done = domain_.complete("first", "manager", outcome{}, 9000, t0 + 20'000);
  ASSERT_TRUE(done);
  auto o = match(t0 + 20'000);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].agent, "manager");
}

TEST_F(vip_hold, then_the_managers_team_then_anyone) {
  enqueue(contact_builder("v").customer("vip").at(t0));
  EXPECT_TRUE(match(t0).empty());
  EXPECT_EQ(domain_.next_deadline(), t0 + domain_.tenant().manager_wait);
  domain_.tick(t0 + 30'000);
  auto team = match(t0 + 30'000);
  ASSERT_EQ(team.size(), 1u);
  EXPECT_EQ(team[0].agent, "mate") << "the team before the longer-idle stranger";
  const auto* s = find(team[0].decision, "stranger");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->rejected, reject_reason::reserved);

  // The mate lets it ring out; after the team's wait it goes to anyone.
  ASSERT_TRUE(domain_.expire("v", "mate", team[0].offer_id, t0 + 31'000));
  EXPECT_TRUE(match(t0 + 31'000).empty()) << "the stranger is still held off";
  domain_.tick(t0 + 60'000);
  auto any = match(t0 + 60'000);
  ASSERT_EQ(any.size(), 1u);
  EXPECT_EQ(any[0].agent, "stranger");
}

TEST_F(vip_hold, a_manager_who_is_away_is_not_waited_for) {
  ASSERT_TRUE(is_ok(domain_.set_away("manager", true, t0 - 1)));
  enqueue(contact_builder("v").customer("vip").at(t0));
  auto team = match(t0);
  ASSERT_EQ(team.size(), 1u);
  EXPECT_EQ(team[0].agent, "mate");
}

TEST_F(vip_hold, a_manager_who_is_not_logged_in_is_not_waited_for) {
  auto o = domain_.logout("manager", t0 - 1);
  ASSERT_TRUE(o);
  enqueue(contact_builder("v").customer("vip").at(t0));
  auto team = match(t0);
  ASSERT_EQ(team.size(), 1u);
  EXPECT_EQ(team[0].agent, "mate");
}

// -- batch assignment ---------------------------------------------------------------

TEST_F(signals, agents_freed_together_get_the_pairs_worth_most_together) {
  add_queue(queue_builder().policy(policy_kind::profile));
  add_agent(agent_builder("all-rounder"));
  add_agent(agent_builder("specialist"));
  // One at a time, the all-rounder (idle longest) would take x, its best, and
  // leave y to the specialist who is poor at it: 0.90 + 0.20. Together: 0.80 + 0.85.
  learned("all-rounder", "x", known(0.90, 4.0, 0.02));
  learned("all-rounder", "y", known(0.80, 4.0, 0.02));
  learned("specialist", "x", known(0.85, 4.0, 0.02));
  learned("specialist", "y", known(0.20, 4.0, 0.02));
  enqueue(contact_builder("cx").intent("x").segment("s").at(1000));
  enqueue(contact_builder("cy").intent("y").segment("s").at(1001));
  EXPECT_TRUE(match(1001).empty());
  login("all-rounder", 2000);
  login("specialist", 2000);
  auto offers = match(2000);
  ASSERT_EQ(offers.size(), 2u);
  for (const auto& o : offers) {
    EXPECT_EQ(o.agent, o.contact == "cx" ? "specialist" : "all-rounder") << o.contact;
    EXPECT_TRUE(o.decision.batch);
    EXPECT_EQ(o.decision.considered, 4u);
    ASSERT_EQ(o.decision.candidates.size(), 1u);
    EXPECT_EQ(o.decision.candidates[0].agent, o.agent);
  }
  EXPECT_EQ(domain_.batch_offers(), 2u);
}

TEST_F(signals, a_batch_serves_higher_priority_contacts_first_when_agents_are_short) {
  add_queue(queue_builder().policy(policy_kind::profile));
  add_agent(agent_builder("a"));
  add_agent(agent_builder("b"));
  for (int i = 0; i < 4; ++i)
    enqueue(contact_builder("low-" + std::to_string(i)).at(1000 + i));
  enqueue(contact_builder("urgent-1").priority(5).at(1500));
  enqueue(contact_builder("urgent-2").priority(5).at(1501));
  EXPECT_TRUE(match(1501).empty());
  login("a", 2000);
  login("b", 2000);
  auto offers = match(2000);
  ASSERT_EQ(offers.size(), 2u);
  std::vector<std::string> got{offers[0].contact, offers[1].contact};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"urgent-1", "urgent-2"}));
  EXPECT_TRUE(offers[0].decision.batch);
}

TEST_F(signals, contacts_arriving_together_at_free_agents_are_assigned_together) {
  add_queue(queue_builder().policy(policy_kind::profile));
  add_agent(agent_builder("all-rounder"));
  add_agent(agent_builder("specialist"));
  learned("all-rounder", "x", known(0.90, 4.0, 0.02));
  learned("all-rounder", "y", known(0.80, 4.0, 0.02));
  learned("specialist", "x", known(0.85, 4.0, 0.02));
  learned("specialist", "y", known(0.20, 4.0, 0.02));
  login("all-rounder", 0);
  login("specialist", 0);
  EXPECT_TRUE(match(0).empty());
  enqueue(contact_builder("cx").intent("x").segment("s").at(1000));
  enqueue(contact_builder("cy").intent("y").segment("s").at(1000));
  auto offers = match(1000);
  ASSERT_EQ(offers.size(), 2u);
  for (const auto& o : offers) {
    EXPECT_EQ(o.agent, o.contact == "cx" ? "specialist" : "all-rounder") << o.contact;
    EXPECT_TRUE(o.decision.batch);
  }
}

}  // namespace
}  // namespace switchboard::engine
