// The live on/off comparison: slices and arms, the uplift and its interval (its
// coverage when there is no difference, its power when there is one), and the
// routing domain routing and counting by arm.
#include "engine/experiment.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "engine/routing_domain.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::is_ok;
using testkit::queue_builder;

constexpr time_ms slice = 30 * 60'000;

TEST(experiment, is_off_without_a_slice) {
  experiment e;
  EXPECT_FALSE(e.on());
  EXPECT_EQ(e.slice_of(123'456), -1);
  e.record("q", -1, true, true);
  EXPECT_TRUE(e.report().empty());
}

TEST(experiment, each_pair_of_slices_has_one_slice_of_each_arm_drawn_at_random) {
  experiment e{"acme", experiment_config{slice, policy_kind::longest_idle}};
  int first_treated = 0;
  for (std::int64_t pair = 0; pair < 400; ++pair) {
    bool a = e.treated("billing", 2 * pair);
    bool b = e.treated("billing", 2 * pair + 1);
    EXPECT_NE(a, b) << "pair " << pair;
    first_treated += a ? 1 : 0;
  }
  // A fair draw: 200 expected, 4 standard deviations is 40.
  EXPECT_GT(first_treated, 160);
  EXPECT_LT(first_treated, 240);
  // Queues draw independently.
  int same = 0;
  for (std::int64_t s = 0; s < 400; ++s)
    same += e.treated("billing", s) == e.treated("sales", s) ? 1 : 0;
  EXPECT_GT(same, 160);
  EXPECT_LT(same, 240);
  EXPECT_EQ(e.slice_of(3 * slice + 5), 3);
}

// One simulated comparison: `slices` slices per arm, `per_slice` outcomes each, at
// rates p0 (baseline) and p1 (profile), each slice's rate moved by a shared
// slice effect (load, staffing) of standard deviation `noise`.
experiment_report simulate(std::uint64_t seed, int slices, int per_slice, double p0, double p1,
                           double noise) {
  experiment e{"acme", experiment_config{slice, policy_kind::longest_idle}};
  std::mt19937_64 rng{seed};
  std::normal_distribution<double> effect{0.0, noise};
  for (std::int64_t s = 0; s < 2 * slices; ++s) {
    bool treated = e.treated("q", s);
    double p = std::clamp((treated ? p1 : p0) + effect(rng), 0.0, 1.0);
    std::bernoulli_distribution resolved{p};
    for (int i = 0; i < per_slice; ++i)
      e.record("q", s, treated, resolved(rng));
  }
  auto r = e.report();
  EXPECT_EQ(r.size(), 1u);
  return r.empty() ? experiment_report{} : r[0];
}

TEST(experiment, the_interval_contains_zero_about_95_percent_of_the_time_with_no_difference) {
  int covered = 0;
  constexpr int runs = 400;
  for (int k = 0; k < runs; ++k) {
    auto r = simulate(1000 + k, 24, 40, 0.70, 0.70, 0.05);
    ASSERT_TRUE(r.enough);
    EXPECT_LE(r.low, r.uplift);
    EXPECT_GE(r.high, r.uplift);
    covered += r.low <= 0 && 0 <= r.high ? 1 : 0;
  }
  // 95% of 400 is 380, with a standard deviation of 4.4: this range is +-3 of them
  // (and a little for the small-sample t), so it fails only when the interval is wrong.
  EXPECT_GE(covered, 364);
  EXPECT_LE(covered, 396);
}

TEST(experiment, a_real_uplift_is_detected_and_its_size_is_inside_the_interval) {
  int detected = 0;
  int covered = 0;
  constexpr int runs = 200;
  for (int k = 0; k < runs; ++k) {
    auto r = simulate(5000 + k, 24, 40, 0.65, 0.75, 0.03);
    ASSERT_TRUE(r.enough);
    detected += r.low > 0 ? 1 : 0;
    covered += r.low <= 0.10 && 0.10 <= r.high ? 1 : 0;
    EXPECT_EQ(r.contacts[0] + r.contacts[1], 24u * 2 * 40);
    EXPECT_EQ(r.slices[0], 24u);
  }
  EXPECT_GE(detected, 190) << "10 points over 1,920 outcomes a side is found nearly always";
  EXPECT_GE(covered, 178);
}

TEST(experiment, too_few_slices_give_no_interval) {
  experiment e{"acme", experiment_config{slice, policy_kind::longest_idle}};
  e.record("q", 0, e.treated("q", 0), true);
  e.record("q", 1, e.treated("q", 1), false);
  auto r = e.report();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].enough);
  EXPECT_EQ(r[0].slices[0], 1u);
  EXPECT_EQ(r[0].slices[1], 1u);
}

class experiment_domain : public testkit::domain_fixture {};

TEST_F(experiment_domain, profile_queues_switch_policy_by_slice_and_outcomes_count_for_their_arm) {
  auto t = domain_.tenant();
  t.experiment = experiment_config{slice, policy_kind::longest_idle};
  ASSERT_TRUE(is_ok(domain_.set_tenant(t)));
  add_queue(queue_builder("support").policy(policy_kind::profile));
  add_queue(queue_builder("fifo").policy(policy_kind::longest_idle));
  add_agent(agent_builder("a"));
  login("a", 0);
  EXPECT_TRUE(match(0).empty());
  std::uint64_t resolved[2] = {0, 0};
  std::uint64_t handled[2] = {0, 0};
  for (std::int64_t s = 0; s < 8; ++s) {
    time_ms at = s * slice + 1000;
    const auto& exp = domain_.live_experiment();
    bool treated = exp.treated("support", s);
    auto policy = domain_.policy_at("support", at);
    ASSERT_TRUE(policy);
    EXPECT_EQ(*policy, treated ? policy_kind::profile : policy_kind::longest_idle) << s;
    EXPECT_EQ(*domain_.policy_at("fifo", at), policy_kind::longest_idle) << "not in the experiment";
    auto id = "c-" + std::to_string(s);
    enqueue(contact_builder(id).at(at));
    auto o = match(at);
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].decision.policy, *policy);
    accept(o[0], at);
    outcome out;
    out.resolved = s % 3 != 0;
    // Completed in the next slice: it still counts for the slice of its offer.
    ASSERT_TRUE(domain_.complete(id, "a", out, slice, at + slice));
    resolved[treated ? 1 : 0] += out.resolved ? 1 : 0;
    ++handled[treated ? 1 : 0];
  }
  auto r = domain_.live_experiment().report();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].queue, "support");
  EXPECT_EQ(r[0].slices[0] + r[0].slices[1], 8u);
  for (int arm = 0; arm < 2; ++arm) {
    EXPECT_EQ(r[0].contacts[arm], handled[arm]);
    ASSERT_GT(handled[arm], 0u);
    EXPECT_DOUBLE_EQ(r[0].resolution[arm], static_cast<double>(resolved[arm]) /
                                             static_cast<double>(handled[arm]));
  }
}

}  // namespace
}  // namespace switchboard::engine
