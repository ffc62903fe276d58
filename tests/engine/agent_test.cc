#include "engine/agent.h"

#include <gtest/gtest.h>

#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;

agent_profile standard() {
  return agent_builder("a-1").standard_capacity();
}

agent_runtime logged_in(time_ms since = 0) {
  agent_runtime rt;
  rt.logged_in = true;
  rt.idle_since = since;
  return rt;
}

// -- state ------------------------------------------------------------------------

TEST(agent_state, is_offline_until_logged_in) {
  agent_runtime rt;
  EXPECT_EQ(rt.state(), agent_state::offline);
  // Load kept across a logout (a connected contact) does not make it busy.
  rt.load[index(channel::chat)] = 1;
  EXPECT_EQ(rt.state(), agent_state::offline);
}

TEST(agent_state, is_available_when_logged_in_without_load) {
  EXPECT_EQ(logged_in().state(), agent_state::available);
}

TEST(agent_state, is_away_when_away_without_load) {
  auto rt = logged_in();
  rt.away = true;
  EXPECT_EQ(rt.state(), agent_state::away);
}

TEST(agent_state, is_busy_with_any_load_not_in_wrap_up) {
  auto rt = logged_in();
  add_load(rt, channel::chat, 10);
  EXPECT_EQ(rt.state(), agent_state::busy);
  // Away only stops new work; the agent is still busy with what it has.
  rt.away = true;
  EXPECT_EQ(rt.state(), agent_state::busy);
}

TEST(agent_state, is_wrap_up_when_all_its_load_is_in_wrap_up) {
  auto rt = logged_in();
  add_load(rt, channel::chat, 10);
  add_load(rt, channel::chat, 10);
  rt.wrap_count = 1;
  EXPECT_EQ(rt.state(), agent_state::busy);
  rt.wrap_count = 2;
  EXPECT_EQ(rt.state(), agent_state::wrap_up);
}

TEST(agent_state, names_round_trip_through_to_string) {
  EXPECT_EQ(to_string(agent_state::offline), "offline");
  EXPECT_EQ(to_string(agent_state::available), "available");
  EXPECT_EQ(to_string(agent_state::busy), "busy");
  EXPECT_EQ(to_string(agent_state::wrap_up), "wrap_up");
  EXPECT_EQ(to_string(agent_state::away), "away");
}

// -- capacity per channel ------------------------------------------------------------------

TEST(agent_capacity, an_offline_or_away_agent_has_no_free_capacity) {
  auto p = standard();
  agent_runtime offline;
  EXPECT_FALSE(has_free_capacity(p, offline, channel::chat));
  EXPECT_FALSE(has_any_free_capacity(p, offline));
  auto away = logged_in();
  away.away = true;
  EXPECT_FALSE(has_free_capacity(p, away, channel::chat));
  EXPECT_FALSE(has_any_free_capacity(p, away));
}

TEST(agent_capacity, chat_takes_three_and_no_fourth) {
  auto p = standard();
  auto rt = logged_in();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(has_free_capacity(p, rt, channel::chat)) << i;
    add_load(rt, channel::chat, 100);
  }
  EXPECT_FALSE(has_free_capacity(p, rt, channel::chat));
  EXPECT_EQ(rt.load[index(channel::chat)], 3u);
}

TEST(agent_capacity, email_takes_five_and_no_sixth) {
  auto p = standard();
  auto rt = logged_in();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(has_free_capacity(p, rt, channel::email)) << i;
    add_load(rt, channel::email, 100);
  }
  EXPECT_FALSE(has_free_capacity(p, rt, channel::email));
}

TEST(agent_capacity, voice_is_exclusive_and_blocks_every_other_channel) {
  auto p = standard();
  auto rt = logged_in();
  ASSERT_TRUE(has_free_capacity(p, rt, channel::voice));
  add_load(rt, channel::voice, 100);
  EXPECT_FALSE(has_free_capacity(p, rt, channel::voice));
  EXPECT_FALSE(has_free_capacity(p, rt, channel::chat));
  EXPECT_FALSE(has_free_capacity(p, rt, channel::email));
  EXPECT_FALSE(has_any_free_capacity(p, rt));
}

TEST(agent_capacity, any_chat_or_email_load_blocks_exclusive_voice) {
  auto p = standard();
  auto rt = logged_in();
  add_load(rt, channel::chat, 100);
  EXPECT_FALSE(has_free_capacity(p, rt, channel::voice));
  EXPECT_TRUE(has_free_capacity(p, rt, channel::chat));
  EXPECT_TRUE(has_free_capacity(p, rt, channel::email));

  auto emailing = logged_in();
  add_load(emailing, channel::email, 100);
  EXPECT_FALSE(has_free_capacity(p, emailing, channel::voice));
}

TEST(agent_capacity, chat_and_email_share_an_agent_independently) {
  auto p = standard();
  auto rt = logged_in();
  for (int i = 0; i < 3; ++i)
    add_load(rt, channel::chat, 100);
  EXPECT_FALSE(has_free_capacity(p, rt, channel::chat));
  EXPECT_TRUE(has_free_capacity(p, rt, channel::email));
  EXPECT_TRUE(has_any_free_capacity(p, rt));
}

TEST(agent_capacity, a_channel_without_capacity_is_never_free) {
  auto p = standard();
  auto rt = logged_in();
  EXPECT_FALSE(has_free_capacity(p, rt, channel::sms));
  EXPECT_FALSE(has_free_capacity(p, rt, channel::video));
}

TEST(agent_capacity, freeing_voice_makes_other_channels_free_again) {
  auto p = standard();
  auto rt = logged_in();
  add_load(rt, channel::voice, 100);
  remove_load(rt, channel::voice, 200);
  EXPECT_TRUE(has_free_capacity(p, rt, channel::chat));
  EXPECT_TRUE(has_free_capacity(p, rt, channel::voice));
}

TEST(agent_capacity, occupancy_is_load_over_total_capacity) {
  auto p = standard();  // 1 + 3 + 5 = 9
  auto rt = logged_in();
  EXPECT_DOUBLE_EQ(occupancy(p, rt), 0.0);
  add_load(rt, channel::chat, 0);
  add_load(rt, channel::chat, 0);
  add_load(rt, channel::email, 0);
  EXPECT_DOUBLE_EQ(occupancy(p, rt), 3.0 / 9.0);
  EXPECT_EQ(rt.total_load(), 3u);
  agent_profile none = agent_builder("x").no_capacity();
  EXPECT_DOUBLE_EQ(occupancy(none, rt), 1.0);
}

// -- load and idle time --------------------------------------------------------------

TEST(agent_load, adding_load_records_when_the_agent_last_got_work) {
  auto rt = logged_in(1'000);
  add_load(rt, channel::chat, 5'000);
  EXPECT_EQ(rt.last_assigned, 5'000);
  EXPECT_EQ(rt.idle_since, 1'000);
  EXPECT_EQ(rt.load[index(channel::chat)], 1u);
}

TEST(agent_load, idle_since_moves_when_the_load_drops_to_zero) {
  auto rt = logged_in(1'000);
  add_load(rt, channel::chat, 2'000);
  add_load(rt, channel::chat, 3'000);
  remove_load(rt, channel::chat, 4'000);
  EXPECT_EQ(rt.idle_since, 1'000) << "still has one chat";
  remove_load(rt, channel::chat, 6'000);
  EXPECT_EQ(rt.idle_since, 6'000);
  EXPECT_EQ(rt.total_load(), 0u);
}

TEST(agent_load, removing_load_that_is_not_there_does_not_underflow) {
  auto rt = logged_in();
  remove_load(rt, channel::email, 10);
  EXPECT_EQ(rt.load[index(channel::email)], 0u);
  EXPECT_EQ(rt.total_load(), 0u);
}

TEST(agent_load, idle_time_counts_from_idle_since_when_free) {
  auto rt = logged_in(10'000);
  EXPECT_EQ(rt.idle_ms(10'000), 0);
  EXPECT_EQ(rt.idle_ms(25'000), 15'000);
  // Never negative, even if asked about an earlier time.
  EXPECT_EQ(rt.idle_ms(5'000), 0);
}

TEST(agent_load, idle_time_counts_from_the_last_assignment_when_busy) {
  auto rt = logged_in(10'000);
  add_load(rt, channel::chat, 20'000);
  EXPECT_EQ(rt.idle_ms(30'000), 10'000);
}

}  // namespace
}  // namespace switchboard::engine
