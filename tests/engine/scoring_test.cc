#include "engine/scoring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/routing_domain.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::customer_builder;
using testkit::queue_builder;

// Everything score_pair needs, with the agent free since 0 and the contact enqueued
// at 0; each test changes what it is about.
struct scoring_case {
  queue_config queue = queue_builder().skill("billing", 0);
  contact c = contact_builder("c-1").intent("billing").at(0);
  agent_profile a = agent_builder("a-1").skill("billing", 80).standard_capacity();
  agent_runtime rt = [] {
    agent_runtime r;
    r.logged_in = true;
    return r;
  }();
  std::optional<customer_profile> customer;
  learned_stats learned;
  score_weights weights;
  objective_weights objective;
  time_ms now = 0;

  score_terms score(policy_kind policy = policy_kind::profile) const {
    score_inputs in{queue, customer ? &*customer : nullptr, learned, weights, objective, now,
                    nullptr, -1.0};
    return score_pair(c, a, rt, in, policy);
  }
};

outcome resolved(bool yes) {
  outcome o;
  o.resolved = yes;
  return o;
}

// -- skill ------------------------------------------------------------------------------

TEST(skill_term, is_the_mean_proficiency_over_the_queue_skills) {
  scoring_case s;
  s.queue = queue_builder().skill("billing", 0).skill("sales", 0);
  s.a.skills = {{"billing", 80}, {"sales", 40}};
  EXPECT_DOUBLE_EQ(s.score().skill, 0.6);
}

TEST(skill_term, a_missing_skill_counts_as_zero) {
  scoring_case s;
  s.queue = queue_builder().skill("billing", 0).skill("sales", 0);
  s.a.skills = {{"billing", 80}};
  EXPECT_DOUBLE_EQ(s.score().skill, 0.4);
}

TEST(skill_term, without_queue_skills_it_is_the_proficiency_in_the_intent) {
  scoring_case s;
  s.queue = queue_builder();
  s.a.skills = {{"billing", 70}};
  EXPECT_DOUBLE_EQ(s.score().skill, 0.7);
  s.c.intent = "refund";
  EXPECT_DOUBLE_EQ(s.score().skill, 0.0);
  s.c.intent.clear();
  EXPECT_DOUBLE_EQ(s.score().skill, 0.0);
}

TEST(skill_term, higher_proficiency_scores_higher) {
  scoring_case weak;
  weak.a.skills = {{"billing", 50}};
  scoring_case strong;
  strong.a.skills = {{"billing", 95}};
  EXPECT_GT(strong.score().skill, weak.score().skill);
}

// -- affinity ---------------------------------------------------------------------------

TEST(affinity_term, account_manager_beats_last_agent_beats_anyone_else) {
  scoring_case s;
  s.customer = customer_builder("cust-1").build();
  EXPECT_DOUBLE_EQ(s.score().affinity, 0.0);
  s.customer->last_agent = "a-1";
  EXPECT_DOUBLE_EQ(s.score().affinity, 0.5);
  s.customer->account_manager = "a-1";
  EXPECT_DOUBLE_EQ(s.score().affinity, 1.0) << "the dedicated manager wins over last agent";
  s.customer->account_manager = "a-2";
  EXPECT_DOUBLE_EQ(s.score().affinity, 0.5) << "someone else's client, but we served it last";
}

TEST(affinity_term, is_zero_for_an_unknown_customer) {
  scoring_case s;
  EXPECT_DOUBLE_EQ(s.score().affinity, 0.0);
}

// -- value ------------------------------------------------------------------------------

TEST(customer_value, weighs_tier_and_arpu_equally) {
  EXPECT_DOUBLE_EQ(customer_value(nullptr), 0.25) << "unknown customers count as average-low";
  auto nobody = customer_builder("c").build();
  EXPECT_DOUBLE_EQ(customer_value(&nobody), 0.0);
  auto top = customer_builder("c").tier(5).arpu(100).build();
  EXPECT_DOUBLE_EQ(customer_value(&top), 0.5 * 1.0 + 0.5 * 0.5);
  auto mid = customer_builder("c").tier(2).arpu(300).build();
  EXPECT_DOUBLE_EQ(customer_value(&mid), 0.5 * 0.4 + 0.5 * 0.75);
  auto out_of_range = customer_builder("c").tier(9).build();
  EXPECT_DOUBLE_EQ(customer_value(&out_of_range), 0.5) << "tier is clamped to 5";
}

TEST(value_term, is_the_objective_over_the_neutral_rates_without_history) {
  scoring_case s;
  s.customer = customer_builder("cust-1").tier(5).arpu(100).build();
  // Nothing handled yet: neutral rates, no handle time to weigh.
  const objective_weights w;
  const double want = w.resolution * learned_stats::prior +
                      w.sale * 0.75 * learned_stats::sale_prior +
                      w.csat * learned_stats::csat_prior -
                      w.complaint * learned_stats::complaint_prior;
  EXPECT_DOUBLE_EQ(s.score().value, want);
}

TEST(value_term, counts_resolution_for_a_customer_of_no_value) {
  // Tier 0 and no ARPU: resolution still counts (it used to be weighted away).
  scoring_case good;
  good.customer = customer_builder("cust-0").build();
  scoring_case poor = good;
  for (int i = 0; i < 30; ++i) {
    good.learned.record("a-1", "billing", "default", resolved(true), 60'000);
    poor.learned.record("a-1", "billing", "default", resolved(false), 60'000);
  }
  EXPECT_GT(good.score().value, poor.score().value + 0.2);
}

TEST(value_term, a_better_resolver_scores_higher_for_the_same_customer) {
  scoring_case good;
  good.customer = customer_builder("cust-1").tier(3).build();
  scoring_case poor = good;
  for (int i = 0; i < 10; ++i) {
    good.learned.record("a-1", "billing", "default", resolved(true), 1);
    poor.learned.record("a-1", "billing", "default", resolved(false), 1);
  }
  EXPECT_GT(good.score().value, poor.score().value);
}

TEST(value_term, a_sale_counts_more_for_a_more_valuable_customer) {
  outcome sold;
  sold.sale = true;
  sold.sale_amount = 50;
  scoring_case vip;
  vip.customer = customer_builder("cust-1").tier(5).arpu(500).build();
  for (int i = 0; i < 20; ++i)
    vip.learned.record("a-1", "billing", "default", sold, 1);
  scoring_case basic = vip;
  basic.customer = customer_builder("cust-2").tier(1).arpu(5).build();
  EXPECT_GT(vip.score().value, basic.score().value);
}

TEST(value_term, complaints_count_against_and_more_for_a_customer_at_risk) {
  outcome bad;
  bad.complaint = true;
  scoring_case calm;
  calm.customer = customer_builder("cust-1").build();
  scoring_case angry = calm;
  angry.customer->complaint_risk = 1.0;
  scoring_case clean = calm;
  for (int i = 0; i < 20; ++i) {
    calm.learned.record("a-1", "billing", "default", bad, 1);
    angry.learned.record("a-1", "billing", "default", bad, 1);
    clean.learned.record("a-1", "billing", "default", outcome{}, 1);
  }
  EXPECT_LT(calm.score().value, clean.score().value);
  EXPECT_LT(angry.score().value, calm.score().value);
}

TEST(value_term, uses_the_contact_segment_like_the_completion_that_recorded_it) {
  scoring_case s;  // no customer profile: completion records under the contact's segment
  s.c.segment = "smb";
  for (int i = 0; i < 10; ++i)
    s.learned.record("a-1", "billing", "smb", resolved(true), 1);
  auto smb = s.score().value;
  s.c.segment = "other";
  EXPECT_GT(smb, s.score().value) << "the smb cell's own record counts for smb contacts";
}

// -- fairness ---------------------------------------------------------------------------

TEST(fairness_term, grows_with_idle_time) {
  scoring_case s;
  s.rt.idle_since = 0;
  s.now = 0;
  EXPECT_DOUBLE_EQ(s.score().fairness, 0.5);
  s.now = 60'000;
  EXPECT_DOUBLE_EQ(s.score().fairness, 0.75);
  s.now = 600'000;
  EXPECT_GT(s.score().fairness, 0.95);
  EXPECT_LT(s.score().fairness, 1.0);
}

TEST(fairness_term, falls_with_occupancy) {
  scoring_case s;  // capacity 1 + 3 + 5 = 9
  s.now = 60'000;
  auto free = s.score().fairness;
  add_load(s.rt, channel::chat, 60'000);
  add_load(s.rt, channel::chat, 60'000);
  add_load(s.rt, channel::chat, 60'000);
  // Idle time restarts at the last assignment, occupancy is 3/9.
  EXPECT_DOUBLE_EQ(s.score().fairness, 0.5 * (1.0 - 3.0 / 9.0));
  EXPECT_LT(s.score().fairness, free);
}

// -- aging ------------------------------------------------------------------------------

TEST(aging_term, grows_with_waiting_time_against_the_sl_threshold) {
  scoring_case s;
  s.queue.sl_threshold = 20'000;
  s.c.enqueued_at = 10'000;
  s.now = 10'000;
  EXPECT_DOUBLE_EQ(s.score().aging, 0.0);
  s.now = 30'000;
  EXPECT_DOUBLE_EQ(s.score().aging, 0.5);
  s.now = 70'000;
  EXPECT_DOUBLE_EQ(s.score().aging, 0.75);
  s.now = 5'000;
  EXPECT_DOUBLE_EQ(s.score().aging, 0.0) << "never negative";
}

// -- totals by policy ---------------------------------------------------------------------

TEST(score_total, longest_idle_ranks_by_idle_seconds) {
  scoring_case s;
  s.rt.idle_since = 1'000;
  s.now = 46'000;
  EXPECT_DOUBLE_EQ(s.score(policy_kind::longest_idle).total, 45.0);
}

TEST(score_total, skills_ranks_by_the_skill_term) {
  scoring_case s;
  s.a.skills = {{"billing", 65}};
  auto t = s.score(policy_kind::skills);
  EXPECT_DOUBLE_EQ(t.total, 0.65);
  EXPECT_DOUBLE_EQ(t.total, t.skill);
}

TEST(score_total, profile_is_the_weighted_sum_of_every_term) {
  scoring_case s;
  s.customer = customer_builder("cust-1").tier(4).arpu(50).last_agent("a-1").build();
  s.c.enqueued_at = 0;
  s.now = 30'000;
  s.rt.idle_since = 10'000;
  s.weights = {1.5, 3.0, 0.5, 2.0, 0.25};
  auto t = s.score(policy_kind::profile);
  EXPECT_GT(t.skill, 0);
  EXPECT_GT(t.affinity, 0);
  EXPECT_GT(t.value, 0);
  EXPECT_GT(t.fairness, 0);
  EXPECT_GT(t.aging, 0);
  EXPECT_DOUBLE_EQ(t.total, 1.5 * t.skill + 3.0 * t.affinity + 0.5 * t.value +
                              2.0 * t.fairness + 0.25 * t.aging);
}

TEST(score_total, every_policy_still_computes_every_term_for_the_record) {
  scoring_case s;
  s.customer = customer_builder("cust-1").tier(2).account_manager("a-1").build();
  s.now = 10'000;
  auto profile = s.score(policy_kind::profile);
  for (auto p : {policy_kind::longest_idle, policy_kind::skills}) {
    auto t = s.score(p);
    EXPECT_DOUBLE_EQ(t.skill, profile.skill);
    EXPECT_DOUBLE_EQ(t.affinity, profile.affinity);
    EXPECT_DOUBLE_EQ(t.value, profile.value);
    EXPECT_DOUBLE_EQ(t.fairness, profile.fairness);
    EXPECT_DOUBLE_EQ(t.aging, profile.aging);
  }
}

TEST(better, prefers_the_higher_total_then_the_longer_idle_agent) {
  score_terms high;
  high.total = 2.0;
  score_terms low;
  low.total = 1.0;
  EXPECT_TRUE(better(high, 0, low, 1'000'000));
  EXPECT_FALSE(better(low, 1'000'000, high, 0));
  EXPECT_TRUE(better(low, 2'000, low, 1'000));
  EXPECT_FALSE(better(low, 1'000, low, 2'000));
  EXPECT_FALSE(better(low, 1'000, low, 1'000));
}

// -- policies in the routing domain --------------------------------------------------------

class routing_policy : public testkit::domain_fixture {
 protected:
  const candidate* find(const routing_decision& d, std::string_view agent) const {
    for (const auto& c : d.candidates)
      if (c.agent == agent)
        return &c;
    return nullptr;
  }
  // Logs the agents in at the given times and lets them find nothing to do, so
  // the next contact is matched by the contact (which records every candidate).
  void staff(const std::vector<std::pair<std::string, time_ms>>& logins) {
    for (const auto& [id, at] : logins)
      login(id, at);
    EXPECT_TRUE(match(logins.back().second).empty());
  }

  struct billing_agent {
    std::string id;
    int proficiency = 0;
    time_ms login_at = 0;
  };
  // One billing queue under `policy`, these agents staffed, and one contact at 40 s:
  // the offers of that contact's match.
  auto route_one(policy_kind policy, const std::vector<billing_agent>& agents) {
    add_queue(queue_builder().skill("billing", 10).policy(policy));
    std::vector<std::pair<std::string, time_ms>> logins;
    for (const auto& a : agents) {
      add_agent(agent_builder(a.id).skill("billing", a.proficiency));
      logins.emplace_back(a.id, a.login_at);
    }
    staff(logins);
    enqueue(contact_builder("c-1").at(40'000));
    return match(40'000);
  }
};

TEST_F(routing_policy, longest_idle_offers_to_the_agent_idle_longest) {
  auto offers = route_one(policy_kind::longest_idle, {{"expert", 100, 20'000},
                                                      {"veteran-idler", 20, 1'000},
                                                      {"newcomer", 60, 30'000}});
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].agent, "veteran-idler");
  EXPECT_EQ(offers[0].decision.policy, policy_kind::longest_idle);
  ASSERT_FALSE(offers[0].decision.candidates.empty());
  EXPECT_DOUBLE_EQ(offers[0].decision.candidates[0].terms.total, 39.0);
}

TEST_F(routing_policy, skills_offers_to_the_most_proficient_agent) {
  auto offers = route_one(policy_kind::skills, {{"expert", 95, 30'000},
                                                {"veteran-idler", 20, 1'000},
                                                {"middle", 60, 20'000}});
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].agent, "expert");
}

TEST_F(routing_policy, profile_offers_to_the_best_weighted_total_and_records_it) {
  // No hold for the manager: here it wins on its score alone (signals_test has the hold).
  auto t = domain_.tenant();
  t.manager_wait = 0;
  t.team_wait = 0;
  ASSERT_TRUE(testkit::is_ok(domain_.set_tenant(t)));
  add_queue(queue_builder().skill("billing", 10).policy(policy_kind::profile));
  add_customer(customer_builder("cust-1").tier(5).arpu(200).account_manager("manager"));
  add_agent(agent_builder("manager").skill("billing", 50));
  add_agent(agent_builder("expert").skill("billing", 100));
  add_agent(agent_builder("idler").skill("billing", 40));
  staff({{"manager", 30'000}, {"expert", 30'000}, {"idler", 0}});
  enqueue(contact_builder("c-1").customer("cust-1").intent("billing").at(40'000));
  auto offers = match(40'000);
  ASSERT_EQ(offers.size(), 1u);
  const auto& d = offers[0].decision;
  EXPECT_EQ(offers[0].agent, "manager") << "affinity 1.0 x weight 2 outweighs skill and idle time";
  ASSERT_EQ(d.candidates.size(), 3u);
  EXPECT_EQ(d.candidates[0].agent, "manager");
  for (std::size_t i = 1; i < d.candidates.size(); ++i)
    EXPECT_GE(d.candidates[i - 1].terms.total, d.candidates[i].terms.total);
  const auto* m = find(d, "manager");
  const auto* e = find(d, "expert");
  ASSERT_NE(m, nullptr);
  ASSERT_NE(e, nullptr);
  EXPECT_DOUBLE_EQ(m->terms.affinity, 1.0);
  EXPECT_DOUBLE_EQ(e->terms.affinity, 0.0);
  EXPECT_DOUBLE_EQ(e->terms.skill, 1.0);
  EXPECT_DOUBLE_EQ(m->terms.skill, 0.5);
  const auto& w = domain_.tenant().weights;
  EXPECT_DOUBLE_EQ(m->terms.total, w.skill * m->terms.skill + w.affinity * m->terms.affinity +
                                     w.value * m->terms.value + w.fairness * m->terms.fairness +
                                     w.aging * m->terms.aging);
}

TEST_F(routing_policy, profile_prefers_the_last_agent_over_a_stranger_when_all_else_is_equal) {
  add_queue(queue_builder().skill("billing", 10).policy(policy_kind::profile));
  add_customer(customer_builder("cust-1").last_agent("familiar"));
  add_agent(agent_builder("stranger").skill("billing", 70));
  add_agent(agent_builder("familiar").skill("billing", 70));
  staff({{"stranger", 0}, {"familiar", 0}});
  enqueue(contact_builder("c-1").customer("cust-1").at(10'000));
  auto offers = match(10'000);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].agent, "familiar");
  ASSERT_FALSE(offers[0].decision.candidates.empty());
  EXPECT_DOUBLE_EQ(offers[0].decision.candidates[0].terms.affinity, 0.5);
}

TEST_F(routing_policy, the_decision_records_candidates_with_terms_and_rejections_with_reasons) {
  add_queue(queue_builder().skill("billing", 50).policy(policy_kind::profile));
  add_agent(agent_builder("good").skill("billing", 90).language("en"));
  add_agent(agent_builder("ok").skill("billing", 60).language("en"));
  add_agent(agent_builder("weak").skill("billing", 30).language("en"));
  add_agent(agent_builder("french").skill("billing", 90).language("fr"));
  add_agent(agent_builder("crowd").skill("billing", 90).language("en").remote());
  add_agent(agent_builder("voice-only").skill("billing", 90).language("en").no_capacity()
              .capacity(channel::voice, 1, true));
  staff({{"good", 0}, {"ok", 0}, {"weak", 0}, {"french", 0}, {"crowd", 0}, {"voice-only", 0}});
  enqueue(contact_builder("c-1").language("en").at(5'000));
  auto offers = match(5'000);
  ASSERT_EQ(offers.size(), 1u);
  const auto& d = offers[0].decision;
  EXPECT_EQ(d.contact, "c-1");
  EXPECT_EQ(d.queue, testkit::default_queue);
  EXPECT_EQ(d.agent, "good");
  EXPECT_EQ(d.at, 5'000);
  EXPECT_EQ(d.step, -1);
  EXPECT_FALSE(d.agent_triggered);
  EXPECT_EQ(d.considered, 6u);
  ASSERT_EQ(d.candidates.size(), 6u);
  // Eligible first, best first, with their terms.
  EXPECT_EQ(d.candidates[0].agent, "good");
  EXPECT_EQ(d.candidates[1].agent, "ok");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(d.candidates[i].rejected, reject_reason::none);
    EXPECT_GT(d.candidates[i].terms.total, 0);
  }
  EXPECT_DOUBLE_EQ(d.candidates[0].terms.skill, 0.9);
  EXPECT_DOUBLE_EQ(d.candidates[1].terms.skill, 0.6);
  // Then the rejected ones, each with its reason.
  auto reason = [&](std::string_view agent) {
    const auto* c = find(d, agent);
    return c == nullptr ? reject_reason::none : c->rejected;
  };
  EXPECT_EQ(reason("weak"), reject_reason::proficiency);
  EXPECT_EQ(reason("french"), reject_reason::language);
  EXPECT_EQ(reason("crowd"), reject_reason::crowd_not_admitted);
  EXPECT_EQ(reason("voice-only"), reject_reason::no_capacity);
  for (std::size_t i = 2; i < d.candidates.size(); ++i)
    EXPECT_NE(d.candidates[i].rejected, reject_reason::none) << d.candidates[i].agent;
  // The offer carries the same decision.
  EXPECT_EQ(offers[0].decision.agent, offers[0].agent);
}

TEST_F(routing_policy, the_decision_keeps_at_most_the_configured_number_of_candidates) {
  add_queue(queue_builder().skill("billing", 50).policy(policy_kind::skills));
  std::vector<std::pair<std::string, time_ms>> logins;
  for (int i = 0; i < 12; ++i) {
    auto id = "good-" + std::to_string(i);
    add_agent(agent_builder(id).skill("billing", 51 + i));
    logins.emplace_back(id, 0);
    auto weak = "weak-" + std::to_string(i);
    add_agent(agent_builder(weak).skill("billing", 10));
    logins.emplace_back(weak, 0);
  }
  staff(logins);
  enqueue(contact_builder("c-1").at(1'000));
  auto offers = match(1'000);
  ASSERT_EQ(offers.size(), 1u);
  const auto& d = offers[0].decision;
  EXPECT_EQ(d.agent, "good-11");
  EXPECT_EQ(d.considered, 24u);
  ASSERT_EQ(d.candidates.size(),
            routing_domain::max_recorded_candidates + routing_domain::max_recorded_rejections);
  for (std::size_t i = 0; i < routing_domain::max_recorded_candidates; ++i) {
    EXPECT_EQ(d.candidates[i].agent, "good-" + std::to_string(11 - i));
    EXPECT_EQ(d.candidates[i].rejected, reject_reason::none);
  }
  for (std::size_t i = routing_domain::max_recorded_candidates; i < d.candidates.size(); ++i)
    EXPECT_EQ(d.candidates[i].rejected, reject_reason::proficiency);
}

TEST_F(routing_policy, an_agent_freed_up_records_an_agent_triggered_decision) {
  add_queue(queue_builder().skill("billing", 10).policy(policy_kind::profile));
  add_agent(agent_builder("a").skill("billing", 70));
  enqueue(contact_builder("c-1").at(0));
  EXPECT_TRUE(match(0).empty());
  login("a", 5'000);
  auto offers = match(5'000);
  ASSERT_EQ(offers.size(), 1u);
  const auto& d = offers[0].decision;
  EXPECT_TRUE(d.agent_triggered);
  EXPECT_EQ(d.agent, "a");
  ASSERT_FALSE(d.candidates.empty());
  EXPECT_EQ(d.candidates[0].agent, "a");
  EXPECT_DOUBLE_EQ(d.candidates[0].terms.skill, 0.7);
  EXPECT_GE(d.considered, 1u);
}

}  // namespace
}  // namespace switchboard::engine
