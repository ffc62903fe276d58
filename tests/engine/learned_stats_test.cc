#include "engine/learned_stats.h"

#include <gtest/gtest.h>

#include <algorithm>

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

TEST(learned_stats, the_intent_rate_shrinks_toward_the_prior_with_five_pseudo_observations) {
  learned_stats s;
  observe(s, "a", "billing", "gold", 8, 2);
  // An unseen segment of a seen intent leans only on the intent: (8 + 5*0.5) / (10 + 5).
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "billing", "silver"), 10.5 / 15.0);
}

TEST(learned_stats, a_cell_shrinks_toward_its_intent_rate) {
  learned_stats s;
  observe(s, "a", "billing", "gold", 2, 0);
  observe(s, "a", "billing", "default", 6, 2);
  // Intent: 8 resolved of 10 -> (8 + 2.5) / 15 = 0.7.
  const double intent_rate = 10.5 / 15.0;
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "billing", "gold"), (2.0 + 5.0 * intent_rate) / 7.0);
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "billing", "default"),
                   (6.0 + 5.0 * intent_rate) / 13.0);
}

TEST(learned_stats, few_observations_move_the_rate_little_and_many_move_it_a_lot) {
  learned_stats few;
  observe(few, "a", "billing", "gold", 1, 0);
  learned_stats many;
  observe(many, "a", "billing", "gold", 1'000, 0);
  auto r_few = few.resolution_rate("a", "billing", "gold");
  auto r_many = many.resolution_rate("a", "billing", "gold");
  EXPECT_GT(r_few, 0.5);
  EXPECT_LT(r_few, 0.7);
  EXPECT_GT(r_many, 0.99);
  EXPECT_LE(r_many, 1.0);

  learned_stats failing;
  observe(failing, "a", "billing", "gold", 0, 1'000);
  EXPECT_LT(failing.resolution_rate("a", "billing", "gold"), 0.01);
  EXPECT_GE(failing.resolution_rate("a", "billing", "gold"), 0.0);
}

TEST(learned_stats, agents_and_intents_do_not_share_statistics) {
  learned_stats s;
  observe(s, "a", "billing", "gold", 10, 0);
  EXPECT_DOUBLE_EQ(s.resolution_rate("b", "billing", "gold"), 0.5);
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "sales", "gold"), 0.5);
}

TEST(learned_stats, ids_that_concatenate_alike_stay_apart) {
  learned_stats s;
  observe(s, "ab", "c", "d", 10, 0);
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "bc", "d"), 0.5);
  EXPECT_EQ(s.find("a", "bc", "d"), nullptr);
}

TEST(learned_stats, record_counts_every_outcome_field) {
  learned_stats s;
  outcome sale;
  sale.resolved = true;
  sale.sale = true;
  sale.csat = 5;
  outcome unrated;
  unrated.csat = 0;
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
  // The intent now holds 10 + 4 handled, 2 + 4 resolved.
  const double intent_rate = (6.0 + 2.5) / 19.0;
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "billing", "silver"), intent_rate);
  EXPECT_DOUBLE_EQ(s.resolution_rate("a", "billing", "gold"), (2.0 + 5.0 * intent_rate) / 15.0);
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
