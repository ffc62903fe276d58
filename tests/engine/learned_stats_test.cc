#include "engine/learned_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace switchboard::engine {
namespace {

outcome resolved(bool yes) {
  outcome o;
  o.resolved = yes;
  return o;
}

// Records `resolved_n` resolved and `unresolved_n` unresolved contacts.
void observe(learned_stats& s, std::string_view agent, std::string_view intent,
             std::string_view segment, int resolved_n, int unresolved_n) {
  for (int i = 0; i < resolved_n; ++i)
    s.record(agent, intent, segment, resolved(true), 1'000);
  for (int i = 0; i < unresolved_n; ++i)
    s.record(agent, intent, segment, resolved(false), 1'000);
}

TEST(learned_stats, without_observations_the_rate_is_the_neutral_prior) {
  learned_stats s;
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "billing", "gold"), 0.5);
  EXPECT_EQ(s.find("a", "billing", "gold"), nullptr);
  EXPECT_EQ(s.size(), 0u);
}

TEST(learned_stats, a_newcomer_with_three_contacts_is_judged_mostly_by_the_cohort) {
  learned_stats s;
  // Ten agents with 50 contacts each, 30 resolved: the cohort resolves 60%.
  for (int i = 0; i < 10; ++i)
    observe(s, "old" + std::to_string(i), "billing", "gold", 30, 20);
  observe(s, "new", "billing", "gold", 3, 0);
  auto r = s.resolution_rate("new", "billing", "gold");
  EXPECT_GT(r, 0.6) << "its three successes count a little";
  EXPECT_LT(r, 0.75) << "but three contacts are not 100%";
  // An agent with no contact at all is the cohort's rate.
  EXPECT_NEAR(s.resolution_rate("nobody", "billing", "gold"), 0.6, 0.01);
}

TEST(learned_stats, many_observations_move_the_rate_a_lot) {
  learned_stats many;
  observe(many, "a", "billing", "gold", 1'000, 0);
  EXPECT_GT(many.resolution_rate("a", "billing", "gold"), 0.98);
  learned_stats failing;
  observe(failing, "a", "billing", "gold", 0, 1'000);
  EXPECT_LT(failing.resolution_rate("a", "billing", "gold"), 0.02);
  EXPECT_GE(failing.resolution_rate("a", "billing", "gold"), 0.0);
}

TEST(learned_stats, an_agents_overall_difference_carries_to_a_cohort_it_has_not_served) {
  learned_stats s;
  // Everyone resolves half of billing; "star" resolves 90% of it.
  for (int i = 0; i < 5; ++i)
    observe(s, "avg" + std::to_string(i), "billing", "gold", 50, 50);
  observe(s, "star", "billing", "gold", 90, 10);
  // Sales, where star has no record: star is expected above the cohort there too.
  for (int i = 0; i < 5; ++i)
    observe(s, "avg" + std::to_string(i), "sales", "gold", 25, 25);
  EXPECT_GT(s.resolution_rate("star", "sales", "gold"),
            s.resolution_rate("nobody", "sales", "gold") + 0.1);
}

TEST(learned_stats, the_prior_strength_is_fitted_to_how_much_agents_truly_differ) {
  std::mt19937_64 rng{7};
  learned_stats differ;  // half the agents resolve 90%, half 10%
  learned_stats alike;   // everyone resolves 50%, the counts only noisy
  std::bernoulli_distribution coin{0.5};
  for (int i = 0; i < 20; ++i) {
    auto id = "a" + std::to_string(i);
    observe(differ, id, "billing", "gold", i % 2 ? 90 : 10, i % 2 ? 10 : 90);
    int heads = 0;
    for (int k = 0; k < 100; ++k)
      heads += coin(rng) ? 1 : 0;
    observe(alike, id, "billing", "gold", heads, 100 - heads);
  }
  EXPECT_LT(differ.strength("billing", "gold"), 5.0) << "a cell's own record counts soon";
  EXPECT_GT(alike.strength("billing", "gold"), 50.0) << "differences are noise: lean on the cohort";
  EXPECT_DOUBLE_EQ(learned_stats{}.strength("billing", "gold"), learned_stats::default_strength);
}

TEST(learned_stats, thompson_draws_spread_for_a_newcomer_and_narrow_with_evidence) {
  // Agents who truly differ (90% and 30%): a newcomer could be either.
  learned_stats s;
  for (int i = 0; i < 10; ++i)
    observe(s, "old" + std::to_string(i), "billing", "gold", i % 2 ? 45 : 15, i % 2 ? 5 : 35);
  observe(s, "veteran", "billing", "gold", 600, 400);
  std::mt19937_64 rng{1};
  auto spread = [&](const char* agent) {
    double lo = 1, hi = 0, sum = 0;
    for (int i = 0; i < 400; ++i) {
      auto r = s.sample(agent, "billing", "gold", rng).resolution;
      lo = std::min(lo, r);
      hi = std::max(hi, r);
      sum += r;
    }
    return std::make_pair(hi - lo, sum / 400);
  };
  auto [new_spread, new_mean] = spread("newcomer");
  auto [vet_spread, vet_mean] = spread("veteran");
  EXPECT_GT(new_spread, 2 * vet_spread) << "the newcomer is explored";
  EXPECT_NEAR(new_mean, s.resolution_rate("newcomer", "billing", "gold"), 0.03);
  EXPECT_NEAR(vet_mean, s.resolution_rate("veteran", "billing", "gold"), 0.01);
}

TEST(learned_stats, every_outcome_is_predicted) {
  learned_stats s;
  outcome good;
  good.resolved = true;
  good.sale = true;
  good.sale_amount = 80;
  good.csat = 5;
  outcome bad;
  bad.complaint = true;
  bad.csat = 1;
  for (int i = 0; i < 40; ++i) {
    s.record("closer", "billing", "gold", good, 100'000);
    s.record("grumpy", "billing", "gold", bad, 400'000);
  }
  auto c = s.estimate("closer", "billing", "gold");
  auto g = s.estimate("grumpy", "billing", "gold");
  EXPECT_GT(c.resolution, g.resolution);
  EXPECT_GT(c.sale, g.sale);
  EXPECT_GT(c.sale_amount, 50.0);
  EXPECT_GT(c.csat, g.csat);
  EXPECT_LT(c.complaint, g.complaint);
  EXPECT_LT(c.handle_ms, g.handle_ms);
  EXPECT_EQ(c.evidence, 40.0);
  EXPECT_NEAR(s.typical_handle_ms("billing", "gold"), 250'000.0, 1.0);
}

TEST(learned_stats, ids_that_concatenate_alike_stay_apart) {
  learned_stats s;
  observe(s, "ab", "c", "d", 10, 0);
  EXPECT_EQ(s.find("a", "bc", "d"), nullptr);
  EXPECT_EQ(s.estimate("a", "bc", "d").evidence, 0.0);
}

TEST(learned_stats, record_counts_every_outcome_field) {
  learned_stats s;
  outcome sale;
  sale.resolved = true;
  sale.sale = true;
  sale.sale_amount = 42.5;
  sale.csat = 5;
  outcome unrated;
  unrated.csat = 0;
  unrated.complaint = true;
  s.record("a", "billing", "gold", sale, 120'000);
  const auto& cell = s.record("a", "billing", "gold", unrated, 60'000);
  EXPECT_EQ(cell.agent, "a");
  EXPECT_EQ(cell.intent, "billing");
  EXPECT_EQ(cell.segment, "gold");
  EXPECT_EQ(cell.stats.handled, 2u);
  EXPECT_EQ(cell.stats.resolved, 1u);
  EXPECT_EQ(cell.stats.sales, 1u);
  EXPECT_DOUBLE_EQ(cell.stats.csat_sum, 5.0);
  EXPECT_EQ(cell.stats.csat_count, 1u) << "an unrated contact is not a csat of 0";
  EXPECT_DOUBLE_EQ(cell.stats.handle_ms_sum, 180'000.0);
  EXPECT_EQ(cell.stats.complaints, 1u);
  EXPECT_DOUBLE_EQ(cell.stats.sale_amount_sum, 42.5);
  ASSERT_NE(s.find("a", "billing", "gold"), nullptr);
  EXPECT_EQ(s.find("a", "billing", "gold")->handled, 2u);
}

TEST(learned_stats, restore_replaces_a_cell_without_counting_it_twice) {
  learned_stats s;
  observe(s, "a", "billing", "gold", 3, 1);
  observe(s, "a", "billing", "default", 4, 0);
  learned_record r;
  r.agent = "a";
  r.intent = "billing";
  r.segment = "gold";
  r.stats.handled = 10;
  r.stats.resolved = 2;
  s.restore(r);
  s.restore(r);
  ASSERT_NE(s.find("a", "billing", "gold"), nullptr);
  EXPECT_EQ(s.find("a", "billing", "gold")->handled, 10u);
  // The same as a model that only ever held these two cells.
  learned_stats same;
  same.restore(r);
  observe(same, "a", "billing", "default", 4, 0);
  for (const char* seg : {"gold", "default", "silver"})
    EXPECT_DOUBLE_EQ(s.resolution_rate("a", "billing", seg),
                     same.resolution_rate("a", "billing", seg))
      << seg;
}

TEST(learned_stats, restored_statistics_rate_like_recorded_ones) {
  learned_stats recorded;
  observe(recorded, "a", "billing", "gold", 7, 3);
  learned_stats restored;
  for (const auto& r : recorded.all())
    restored.restore(r);
  EXPECT_DOUBLE_EQ(restored.resolution_rate("a", "billing", "gold"),
                   recorded.resolution_rate("a", "billing", "gold"));
  EXPECT_DOUBLE_EQ(restored.resolution_rate("a", "billing", "other"),
                   recorded.resolution_rate("a", "billing", "other"));
}

TEST(learned_stats, all_lists_every_cell_once) {
  learned_stats s;
  observe(s, "a", "billing", "gold", 1, 0);
  observe(s, "a", "billing", "gold", 1, 0);
  observe(s, "a", "sales", "gold", 1, 0);
  observe(s, "b", "billing", "gold", 0, 1);
  auto cells = s.all();
  EXPECT_EQ(cells.size(), 3u);
  EXPECT_EQ(s.size(), 3u);
  auto n = std::count_if(cells.begin(), cells.end(), [](const learned_record& r) {
    return r.agent == "a" && r.intent == "billing" && r.segment == "gold" && r.stats.handled == 2;
  });
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace switchboard::engine

namespace switchboard::engine {
namespace {

TEST(learned_stats, a_copy_fits_its_own_cells) {
  learned_stats original;
  for (int i = 0; i < 20; ++i)
    observe(original, "a" + std::to_string(i), "billing", "gold", i % 2 ? 90 : 10, i % 2 ? 10 : 90);
  learned_stats copy = original;
  {
    learned_stats gone = original;  // a copy destroyed before the refit below
  }
  // Every agent of the copy turns alike: its refits read its own cells.
  for (int i = 0; i < 20; ++i) {
    learned_record r{"a" + std::to_string(i), "billing", "gold", {}};
    r.stats.handled = 100;
    r.stats.resolved = 50;
    copy.restore(r);
  }
  observe(copy, "late", "billing", "gold", 20, 20);
  EXPECT_GT(copy.strength("billing", "gold"), 50.0);
  EXPECT_LT(original.strength("billing", "gold"), 5.0);
}

}  // namespace
}  // namespace switchboard::engine
