#include "engine/queue_stats.h"

#include <gtest/gtest.h>

namespace switchboard::engine {
namespace {

TEST(queue_stats, before_anything_happens_the_service_level_is_met) {
  queue_stats s;
  EXPECT_DOUBLE_EQ(s.service_level(), 1.0);
  EXPECT_DOUBLE_EQ(s.average_speed_of_answer_ms(), 0.0);
  EXPECT_EQ(s.entered(), 0u);
  EXPECT_EQ(s.answered(), 0u);
  EXPECT_EQ(s.abandoned(), 0u);
  EXPECT_EQ(s.completed(), 0u);
  EXPECT_EQ(s.offers_expired(), 0u);
}

TEST(queue_stats, service_level_counts_answers_within_the_threshold_inclusive) {
  queue_stats s(20'000);
  s.on_answered(10'000);
  s.on_answered(20'000);
  s.on_answered(20'001);
  s.on_answered(30'000);
  EXPECT_DOUBLE_EQ(s.service_level(), 0.5);
}

TEST(queue_stats, every_abandonment_counts_against_the_service_level) {
  // docs/protocol.md: answered within the threshold / (answered + abandoned).
  queue_stats s(20'000);
  s.on_answered(10'000);
  s.on_answered(15'000);
  s.on_answered(30'000);
  s.on_abandoned(5'000);   // gave up quickly: still a contact not answered in time
  s.on_abandoned(20'000);  // at the threshold
  s.on_abandoned(25'000);  // waited too long
  EXPECT_DOUBLE_EQ(s.service_level(), 2.0 / 6.0);
  EXPECT_EQ(s.abandoned(), 3u);
  EXPECT_EQ(s.answered_within_threshold(), 2u);
}

TEST(queue_stats, one_abandoned_within_the_threshold_and_none_answered_is_zero) {
  queue_stats s(20'000);
  s.on_abandoned(1'000);
  EXPECT_DOUBLE_EQ(s.service_level(), 0.0);
}

TEST(queue_stats, all_abandoned_after_the_threshold_means_zero_service_level) {
  queue_stats s(20'000);
  s.on_abandoned(60'000);
  EXPECT_DOUBLE_EQ(s.service_level(), 0.0);
}

TEST(service_level, is_answered_within_over_answered_or_abandoned_and_one_when_nothing_closed) {
  EXPECT_DOUBLE_EQ(service_level(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(service_level(0, 1), 0.0);
  EXPECT_DOUBLE_EQ(service_level(3, 4), 0.75);
  EXPECT_DOUBLE_EQ(service_level(4, 4), 1.0);
}

TEST(queue_stats, the_threshold_can_be_changed) {
  queue_stats s(20'000);
  s.set_threshold(5'000);
  s.on_answered(10'000);
  EXPECT_DOUBLE_EQ(s.service_level(), 0.0);
}

TEST(queue_stats, average_speed_of_answer_is_the_mean_wait_of_answered_contacts) {
  queue_stats s;
  s.on_answered(10'000);
  s.on_answered(20'000);
  s.on_answered(30'000);
  s.on_abandoned(90'000);  // not answered: not in the ASA
  EXPECT_DOUBLE_EQ(s.average_speed_of_answer_ms(), 20'000.0);
  EXPECT_EQ(s.answered(), 3u);
}

TEST(queue_stats, average_handle_time_defaults_to_three_minutes) {
  queue_stats s;
  EXPECT_DOUBLE_EQ(s.average_handle_ms(), 180'000.0);
  s.on_completed(60'000);
  s.on_completed(120'000);
  EXPECT_DOUBLE_EQ(s.average_handle_ms(), 90'000.0);
  EXPECT_EQ(s.completed(), 2u);
}

TEST(queue_stats, estimated_wait_is_handle_time_times_place_over_agents) {
  queue_stats s;
  EXPECT_EQ(s.estimated_wait(0, 1), 180'000);
  EXPECT_EQ(s.estimated_wait(2, 3), 180'000);
  s.on_completed(60'000);
  s.on_completed(120'000);
  EXPECT_EQ(s.estimated_wait(3, 2), 180'000);
  EXPECT_EQ(s.estimated_wait(0, 4), 22'500);
}

TEST(queue_stats, estimated_wait_is_zero_when_not_waiting_and_assumes_one_agent_when_none) {
  queue_stats s;
  s.on_completed(60'000);
  EXPECT_EQ(s.estimated_wait(-1, 3), 0);
  EXPECT_EQ(s.estimated_wait(1, 0), 120'000);
}

TEST(queue_stats, counters_count_their_events) {
  queue_stats s;
  s.on_enqueued();
  s.on_enqueued();
  s.on_offer_expired();
  EXPECT_EQ(s.entered(), 2u);
  EXPECT_EQ(s.offers_expired(), 1u);
}

}  // namespace
}  // namespace switchboard::engine
