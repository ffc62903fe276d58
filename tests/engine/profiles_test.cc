#include "engine/profiles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "engine/customer_hints.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::customer_builder;
using testkit::is_ok;
using testkit::make_tenant;
using testkit::queue_builder;

// -- ids and names ---------------------------------------------------------------------

TEST(valid_id, takes_1_to_128_printable_characters_without_slash) {
  EXPECT_TRUE(valid_id("a"));
  EXPECT_TRUE(valid_id("agent-7_x.y@z"));
  EXPECT_TRUE(valid_id(std::string(128, 'x')));
  EXPECT_FALSE(valid_id(""));
  EXPECT_FALSE(valid_id(std::string(129, 'x')));
  EXPECT_FALSE(valid_id("a/b"));
  EXPECT_FALSE(valid_id("a b"));
  EXPECT_FALSE(valid_id("a\nb"));
  EXPECT_FALSE(valid_id("caf\xc3\xa9"));
  EXPECT_FALSE(valid_id(std::string_view{"a\0b", 3}));
}

TEST(enum_names, channels_policies_and_levels_round_trip) {
  for (std::size_t i = 0; i < channel_count; ++i) {
    auto c = static_cast<channel>(i);
    EXPECT_EQ(parse_channel(to_string(c)), c);
  }
  EXPECT_EQ(to_string(channel::voice), "voice");
  EXPECT_EQ(to_string(channel::email), "email");
  for (auto p : {policy_kind::longest_idle, policy_kind::skills, policy_kind::profile})
    EXPECT_EQ(parse_policy(to_string(p)), p);
  for (auto l : {agent_level::crowd, agent_level::junior, agent_level::senior, agent_level::expert})
    EXPECT_EQ(parse_agent_level(to_string(l)), l);
  EXPECT_FALSE(parse_channel("fax").has_value());
  EXPECT_FALSE(parse_policy("random").has_value());
  EXPECT_FALSE(parse_agent_level("intern").has_value());
  EXPECT_EQ(to_string(static_cast<channel>(42)), "invalid");
}

// -- tenant ---------------------------------------------------------------------------

TEST(validate_tenant, accepts_defaults) {
  EXPECT_TRUE(is_ok(validate(make_tenant())));
}

TEST(validate_tenant, ring_no_answer_limit_must_be_at_least_one) {
  auto t = make_tenant("acme", 0);
  EXPECT_EQ(validate(t).code(), errc::invalid_argument);
  t.ring_no_answer_limit = 1;
  EXPECT_TRUE(is_ok(validate(t)));
}

TEST(validate_tenant, weights_must_be_finite_and_not_negative) {
  for (double bad : {-0.1, std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN()}) {
    auto t = make_tenant();
    t.weights.fairness = bad;
    EXPECT_EQ(validate(t).code(), errc::invalid_argument) << bad;
  }
  auto t = make_tenant();
  t.weights = {0, 0, 0, 0, 0};
  EXPECT_TRUE(is_ok(validate(t)));
}

TEST(validate_tenant, cooldown_ring_limit_and_weights_have_upper_bounds) {
  auto t = make_tenant();
  t.decline_cooldown = 3'600'000;
  t.ring_no_answer_limit = 100;
  t.weights.value = 1000;
  EXPECT_TRUE(is_ok(validate(t)));
  t.decline_cooldown = std::numeric_limits<time_ms>::max();
  auto st = validate(t);
  ASSERT_EQ(st.code(), errc::invalid_argument);
  EXPECT_NE(st.err().message.find("decline_cooldown_ms must be 0..3600000"), std::string::npos)
    << st.err().message;
  t = make_tenant("acme", 101);
  st = validate(t);
  ASSERT_EQ(st.code(), errc::invalid_argument);
  EXPECT_NE(st.err().message.find("ring_no_answer_limit must be 1..100"), std::string::npos)
    << st.err().message;
  t = make_tenant();
  t.weights.skill = 1000.5;
  EXPECT_EQ(validate(t).code(), errc::invalid_argument);
}

TEST(validate_tenant, id_must_be_valid) {
  EXPECT_EQ(validate(make_tenant("a/b")).code(), errc::invalid_argument);
}

// -- queue ----------------------------------------------------------------------------

TEST(validate_queue, accepts_proficiency_bounds_0_and_100) {
  EXPECT_TRUE(is_ok(validate(queue_builder().skill("billing", 0).skill("sales", 100).build())));
}

TEST(validate_queue, min_proficiency_outside_0_to_100_is_invalid_proficiency) {
  EXPECT_EQ(validate(queue_builder().skill("billing", -1).build()).code(),
            errc::invalid_proficiency);
  EXPECT_EQ(validate(queue_builder().skill("billing", 101).build()).code(),
            errc::invalid_proficiency);
}

TEST(validate_queue, overflow_min_proficiency_is_0_to_100_or_minus_one) {
  EXPECT_TRUE(is_ok(validate(queue_builder().lower_to(1'000, 0).build())));
  EXPECT_TRUE(is_ok(validate(queue_builder().crowd_after(1'000).build())));  // keeps: -1
  EXPECT_EQ(validate(queue_builder().lower_to(1'000, -2).build()).code(),
            errc::invalid_proficiency);
  EXPECT_EQ(validate(queue_builder().lower_to(1'000, 101).build()).code(),
            errc::invalid_proficiency);
}

TEST(validate_queue, overflow_steps_need_increasing_non_negative_times) {
  EXPECT_TRUE(is_ok(validate(queue_builder().lower_to(1'000, 50).crowd_after(1'000).build())));
  EXPECT_EQ(validate(queue_builder().lower_to(2'000, 50).crowd_after(1'000).build()).code(),
            errc::invalid_argument);
  EXPECT_EQ(validate(queue_builder().lower_to(-1, 50).build()).code(), errc::invalid_argument);
}

TEST(validate_queue, overflow_cannot_move_to_itself_or_to_an_invalid_id) {
  EXPECT_EQ(validate(queue_builder("sales").move_after(1'000, "sales").build()).code(),
            errc::invalid_argument);
  EXPECT_EQ(validate(queue_builder("sales").move_after(1'000, "a/b").build()).code(),
            errc::invalid_argument);
  EXPECT_TRUE(is_ok(validate(queue_builder("sales").move_after(1'000, "general").build())));
}

TEST(validate_queue, rejects_bad_ids_channels_targets_and_times) {
  EXPECT_EQ(validate(queue_builder("").build()).code(), errc::invalid_argument);
  EXPECT_EQ(validate(queue_builder().tenant("").build()).code(), errc::invalid_argument);
  EXPECT_EQ(validate(queue_builder().skill("", 10).build()).code(), errc::invalid_argument);
  auto q = queue_builder().build();
  q.channel_mask = 0x80;  // no known channel
  EXPECT_EQ(validate(q).code(), errc::invalid_argument);
  q = queue_builder().build();
  q.sl_target = 1.5;
  EXPECT_EQ(validate(q).code(), errc::invalid_argument);
  q.sl_target = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(validate(q).code(), errc::invalid_argument);
  EXPECT_EQ(validate(queue_builder().sl_threshold(0).build()).code(), errc::invalid_argument);
  EXPECT_EQ(validate(queue_builder().offer_timeout(0).build()).code(), errc::invalid_argument);
  EXPECT_EQ(validate(queue_builder().max_wait(-1).build()).code(), errc::invalid_argument);
}

// Every bounded number: the lowest and highest allowed value pass, one step beyond
// either end and the extremes of the type fail with invalid_argument, and the
// message names the field and its range.
template <class T, class Set>
void expect_bounds(const char* field, T lo, T hi, Set set) {
  SCOPED_TRACE(field);
  for (T v : {lo, hi}) {
    auto q = queue_builder().build();
    set(q, v);
    EXPECT_TRUE(is_ok(validate(q))) << v;
  }
  for (T v : {static_cast<T>(lo - 1), static_cast<T>(hi + 1), std::numeric_limits<T>::max(),
              std::numeric_limits<T>::min()}) {
    if (v >= lo && v <= hi)
      continue;  // e.g. lo - 1 wrapped around for an unsigned type
    auto q = queue_builder().build();
    set(q, v);
    auto st = validate(q);
    ASSERT_EQ(st.code(), errc::invalid_argument) << v;
    EXPECT_NE(st.err().message.find(field), std::string::npos) << st.err().message;
    EXPECT_NE(st.err().message.find(std::to_string(lo) + ".." + std::to_string(hi)),
              std::string::npos)
      << st.err().message;
  }
}

TEST(validate_queue, every_number_has_a_documented_range) {
  expect_bounds<time_ms>("offer_timeout_ms", 100, 3'600'000,
                         [](queue_config& q, time_ms v) { q.offer_timeout = v; });
  expect_bounds<time_ms>("service_level_threshold_ms", 1, 3'600'000,
                         [](queue_config& q, time_ms v) { q.sl_threshold = v; });
  expect_bounds<time_ms>("max_wait_ms", 0, 7 * 24 * 3'600'000LL,
                         [](queue_config& q, time_ms v) { q.max_wait = v; });
  expect_bounds<std::uint32_t>("max_waiting", 0, 1'000'000,
                               [](queue_config& q, std::uint32_t v) { q.max_waiting = v; });
  expect_bounds<int>("priority", -1000, 1000, [](queue_config& q, int v) { q.priority = v; });
  expect_bounds<time_ms>("overflow after_ms", 0, 7 * 24 * 3'600'000LL, [](queue_config& q, time_ms v) {
    q.overflow.push_back({});
    q.overflow.back().after = v;
    q.overflow.back().admit_crowd = true;
  });
}

TEST(validate_queue, an_offer_timeout_of_int64_max_is_rejected_not_overflowed) {
  auto q = queue_builder("q1").offer_timeout(std::numeric_limits<time_ms>::max()).build();
  auto st = validate(q);
  ASSERT_EQ(st.code(), errc::invalid_argument);
  EXPECT_EQ(st.err().message,
            "queue q1: offer_timeout_ms must be 100..3600000, got 9223372036854775807");
}

TEST(validate_queue, at_most_32_overflow_steps) {
  auto q = queue_builder().build();
  for (int i = 0; i < 32; ++i)
    q.overflow.push_back({i * 1000, -1, true, {}});
  EXPECT_TRUE(is_ok(validate(q)));
  q.overflow.push_back({40'000, -1, true, {}});
  EXPECT_EQ(validate(q).code(), errc::invalid_argument);
}

TEST(queue_config, accepts_only_the_channels_in_its_mask) {
  auto q = queue_builder().only(channel::voice).build();
  EXPECT_TRUE(q.accepts(channel::voice));
  EXPECT_FALSE(q.accepts(channel::chat));
  EXPECT_FALSE(q.accepts(channel::email));
  auto all = queue_builder().build();
  for (std::size_t i = 0; i < channel_count; ++i)
    EXPECT_TRUE(all.accepts(static_cast<channel>(i)));
}

// -- agent ----------------------------------------------------------------------------

TEST(validate_agent, proficiency_outside_0_to_100_is_invalid_proficiency) {
  agent_profile low = agent_builder("a").skill("billing", -1);
  EXPECT_EQ(validate(low).code(), errc::invalid_proficiency);
  agent_profile high = agent_builder("a").skill("billing", 101);
  EXPECT_EQ(validate(high).code(), errc::invalid_proficiency);
  agent_profile bounds = agent_builder("a").skill("billing", 0).skill("sales", 100);
  EXPECT_TRUE(is_ok(validate(bounds)));
}

TEST(validate_agent, channel_capacity_is_at_most_64) {
  agent_profile ok = agent_builder("a").capacity(channel::email, 64);
  EXPECT_TRUE(is_ok(validate(ok)));
  agent_profile too_many = agent_builder("a").capacity(channel::email, 65);
  EXPECT_EQ(validate(too_many).code(), errc::invalid_capacity);
}

TEST(validate_agent, an_exclusive_channel_has_capacity_one) {
  agent_profile voice = agent_builder("a").capacity(channel::voice, 1, true);
  EXPECT_TRUE(is_ok(validate(voice)));
  agent_profile two = agent_builder("a").capacity(channel::voice, 2, true);
  EXPECT_EQ(validate(two).code(), errc::invalid_capacity);
}

TEST(validate_agent, an_agent_without_any_capacity_is_invalid_capacity) {
  agent_profile none = agent_builder("a").no_capacity();
  EXPECT_EQ(validate(none).code(), errc::invalid_capacity);
}

TEST(validate_agent, sorts_skills_so_lookups_work_and_rejects_duplicates) {
  agent_profile a = agent_builder("a").skill("sales", 40).skill("billing", 70).skill("tech", 10);
  ASSERT_TRUE(is_ok(validate(a)));
  ASSERT_EQ(a.skills.size(), 3u);
  EXPECT_EQ(a.skills[0].name, "billing");
  EXPECT_EQ(a.skills[2].name, "tech");
  EXPECT_EQ(a.proficiency("billing"), 70);
  EXPECT_EQ(a.proficiency("sales"), 40);
  EXPECT_EQ(a.proficiency("tech"), 10);
  EXPECT_EQ(a.proficiency("legal"), -1);

  agent_profile dup = agent_builder("a").skill("sales", 40).skill("sales", 50);
  EXPECT_EQ(validate(dup).code(), errc::invalid_argument);
  agent_profile unnamed = agent_builder("a").skill("", 40);
  EXPECT_EQ(validate(unnamed).code(), errc::invalid_argument);
}

TEST(validate_agent, rejects_bad_ids_and_negative_tips) {
  agent_profile bad_id = agent_builder("a/b");
  EXPECT_EQ(validate(bad_id).code(), errc::invalid_argument);
  agent_profile bad_tenant = agent_builder("a").tenant("");
  EXPECT_EQ(validate(bad_tenant).code(), errc::invalid_argument);
  agent_profile tips = agent_builder("a");
  tips.tips = -1;
  EXPECT_EQ(validate(tips).code(), errc::invalid_argument);
}

TEST(validate_agent, tips_and_outcome_amounts_are_at_most_a_billion) {
  agent_profile a = agent_builder("a");
  a.tips = 1e9;
  EXPECT_TRUE(is_ok(validate(a)));
  a.tips = 1e300;
  EXPECT_EQ(validate(a).code(), errc::invalid_argument);
  outcome o;
  o.sale_amount = 1e9;
  o.tip = 1e9;
  EXPECT_TRUE(is_ok(validate(o)));
  o.sale_amount = std::numeric_limits<double>::infinity();
  EXPECT_EQ(validate(o).code(), errc::invalid_argument);
  o.sale_amount = 0;
  o.tip = 2e9;
  auto st = validate(o);
  ASSERT_EQ(st.code(), errc::invalid_argument);
  EXPECT_NE(st.err().message.find("tip"), std::string::npos) << st.err().message;
  EXPECT_EQ(validate(customer_builder("c").arpu(2e9).build()).code(), errc::invalid_argument);
}

TEST(agent_profile, speaks_only_its_languages) {
  agent_profile a = agent_builder("a").language("en").language("fr");
  EXPECT_TRUE(a.speaks("en"));
  EXPECT_TRUE(a.speaks("fr"));
  EXPECT_FALSE(a.speaks("de"));
  EXPECT_FALSE(a.speaks(""));
}

// -- customer and outcome ------------------------------------------------------------

TEST(validate_customer, tier_arpu_and_risks_have_bounds) {
  EXPECT_TRUE(is_ok(validate(customer_builder("c").tier(5).arpu(1e6).build())));
  EXPECT_EQ(validate(customer_builder("c").tier(6).build()).code(), errc::invalid_argument);
  EXPECT_EQ(validate(customer_builder("c").tier(-1).build()).code(), errc::invalid_argument);
  EXPECT_EQ(validate(customer_builder("c").arpu(-1).build()).code(), errc::invalid_argument);
  auto risky = customer_builder("c").build();
  risky.churn_risk = 1.5;
  EXPECT_EQ(validate(risky).code(), errc::invalid_argument);
  EXPECT_EQ(validate(customer_builder("").build()).code(), errc::invalid_argument);
}

TEST(customer_profile, primary_segment_is_the_first_tag_or_default) {
  EXPECT_EQ(customer_builder("c").build().primary_segment(), "default");
  EXPECT_EQ(customer_builder("c").segment("gold").segment("b2b").build().primary_segment(), "gold");
}

TEST(validate_outcome, csat_is_0_to_5_and_amounts_are_not_negative) {
  outcome o;
  EXPECT_TRUE(is_ok(validate(o)));
  o.csat = 5;
  EXPECT_TRUE(is_ok(validate(o)));
  o.csat = 6;
  EXPECT_EQ(validate(o).code(), errc::invalid_argument);
  o.csat = -1;
  EXPECT_EQ(validate(o).code(), errc::invalid_argument);
  o = {};
  o.sale_amount = -5;
  EXPECT_EQ(validate(o).code(), errc::invalid_argument);
  o = {};
  o.tip = std::numeric_limits<double>::infinity();
  EXPECT_EQ(validate(o).code(), errc::invalid_argument);
}

// -- a gateway's hints -------------------------------------------------------------------

TEST(apply_hints, set_hints_replace_the_stored_values_and_the_rest_is_kept) {
  auto p = customer_builder("c").tier(2).arpu(30).build();
  p.segments = {"consumer"};
  p.language = "en";
  p.last_agent = "a7";
  p.churn_risk = 0.4;
  p.history.push_back({});
  customer_profile h;
  h.tier = 4;
  h.segments = {"vip", "consumer"};
  h.purchase_intents = {"upgrade"};
  EXPECT_TRUE(apply_hints(p, h));
  EXPECT_EQ(p.tier, 4);
  EXPECT_EQ(p.arpu, 30);  // not hinted
  EXPECT_EQ(p.segments, (std::vector<std::string>{"vip", "consumer"}));
  EXPECT_EQ(p.purchase_intents, std::vector<std::string>{"upgrade"});
  EXPECT_EQ(p.language, "en");
  EXPECT_EQ(p.last_agent, "a7");
  EXPECT_EQ(p.churn_risk, 0.4);
  EXPECT_EQ(p.history.size(), 1u);
}

TEST(apply_hints, hints_equal_to_the_stored_values_change_nothing) {
  auto p = customer_builder("c").tier(3).arpu(50).build();
  p.language = "fr";
  customer_profile h;
  h.tier = 3;
  h.language = "fr";
  auto before = p;
  EXPECT_FALSE(apply_hints(p, h));
  EXPECT_FALSE(apply_hints(p, customer_profile{}));  // no hint at all
  EXPECT_EQ(p.tier, before.tier);
  EXPECT_EQ(p.language, before.language);
  h.language = "de";
  EXPECT_TRUE(apply_hints(p, h));
  EXPECT_EQ(p.language, "de");
}

}  // namespace
}  // namespace switchboard::engine
