#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "bench/scenario/scenario.h"

namespace switchboard::bench {
namespace {

using engine::errc;

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A valid minimal file; tests below break one thing at a time.
std::string minimal(const std::string& type_extra = "", const std::string& group_extra = "",
                    const std::string& queue_extra = "", const std::string& top_extra = "") {
  return R"({
    "name": "tiny", )" + top_extra + R"(
    "periods": [{"name": "a", "duration_s": 3600}, {"name": "b", "duration_s": 1800}],
    "types": [{"name": "call", "queue": "q", "arrivals_per_hour": [60, 30],
               "handle": {"dist": "exponential", "mean_s": 200} )" + type_extra + R"(}],
    "groups": [{"name": "g", "skills": {"x": 70}, "staffing": [3, 2] )" + group_extra + R"(}],
    "queues": [{"id": "q", "skills": {"x": 50} )" + queue_extra + R"(}]
  })";
}

// `text` with the first `from` replaced by `to` (which must be there).
std::string edit(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

void expect_error(const engine::result<scenario>& r, const std::string& needle) {
  ASSERT_FALSE(r.ok()) << "expected an error containing: " << needle;
  EXPECT_EQ(r.code(), errc::invalid_argument);
  EXPECT_NE(r.err().message.find(needle), std::string::npos)
    << "message: " << r.err().message << "\nexpected to contain: " << needle;
}

// ---- built-ins --------------------------------------------------------------------

TEST(builtins, every_builtin_builds_and_validates_with_its_defaults) {
  auto all = builtins();
  ASSERT_EQ(all.size(), 5u);
  for (const auto& b : all) {
    SCOPED_TRACE(b.name);
    EXPECT_FALSE(b.summary.empty());
    EXPECT_FALSE(b.keys.empty());
    auto s = make_builtin(b.name, {});
    ASSERT_TRUE(s.ok()) << s.err().message;
    EXPECT_EQ(s->name, b.name);
    EXPECT_TRUE(validate(*s).ok());
    for (const auto& [key, meaning] : b.keys)
      EXPECT_TRUE(s->parameters.count(key)) << "effective value of " << key << " not recorded";
  }
}

TEST(builtins, mmn_is_48_erlangs_on_55_agents_and_marked_for_theory) {
  auto s = make_builtin("mmn", {});
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_EQ(s->parameters.at("model"), "mmn");
  ASSERT_EQ(s->types.size(), 1u);
  ASSERT_EQ(s->groups.size(), 1u);
  ASSERT_EQ(s->queues.size(), 1u);
  const auto& t = s->types[0];
  EXPECT_DOUBLE_EQ(t.rate_for(0) * t.handle.mean_for(0) / 3600, 48.0);
  EXPECT_EQ(t.handle.type, duration_dist::kind::exponential);
  EXPECT_EQ(t.patience.type, duration_dist::kind::none);
  EXPECT_EQ(s->groups[0].max_staff(), 55u);
  const auto& voice = s->groups[0].capacity[engine::index(engine::channel::voice)];
  EXPECT_EQ(voice.max, 1u);
  EXPECT_TRUE(voice.exclusive);
  EXPECT_EQ(s->policy, engine::policy_kind::longest_idle);
  EXPECT_EQ(s->queues[0].policy, engine::policy_kind::longest_idle);
  EXPECT_DOUBLE_EQ(s->day_s(), 8 * 3600);
  EXPECT_EQ(s->replications, 10);
}

TEST(builtins, mmn_set_overrides_reach_the_model_and_parameters) {
  auto s = make_builtin("mmn", {{"agents", "60"},
                                {"patience_s", "90"},
                                {"arrivals_per_hour", "600"},
                                {"hours", "2"},
                                {"replications", "3"},
                                {"sl_threshold_s", "30"},
                                {"policy", "skills"},
                                {"seed", "7"}});
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_EQ(s->groups[0].max_staff(), 60u);
  EXPECT_EQ(s->types[0].patience.type, duration_dist::kind::exponential);
  EXPECT_DOUBLE_EQ(s->types[0].patience.mean_for(0), 90);
  EXPECT_DOUBLE_EQ(s->types[0].rate_for(0), 600);
  EXPECT_DOUBLE_EQ(s->day_s(), 7200);
  EXPECT_EQ(s->replications, 3);
  EXPECT_DOUBLE_EQ(s->sl_threshold_s, 30);
  EXPECT_EQ(s->queues[0].sl_threshold, 30000);
  EXPECT_EQ(s->queues[0].policy, engine::policy_kind::skills);
  EXPECT_EQ(s->seed, 7u);
  EXPECT_EQ(s->parameters.at("agents"), "60");
  EXPECT_EQ(s->parameters.at("seed"), "7");
  EXPECT_EQ(s->parameters.at("offered_erlangs"), "40");
}

TEST(builtins, bad_set_values_name_the_key) {
  expect_error(make_builtin("mmn", {{"agentz", "3"}}), "unknown --set key 'agentz'");
  // ... and the message lists what is valid.
  expect_error(make_builtin("mmn", {{"agentz", "3"}}), "arrivals_per_hour");
  expect_error(make_builtin("mmn", {{"agents", "many"}}), "--set agents=many: not a finite number");
  expect_error(make_builtin("mmn", {{"agents", "0"}}), "--set agents=0");
  expect_error(make_builtin("mmn", {{"agents", "2.5"}}), "whole number");
  expect_error(make_builtin("mmn", {{"aht_s", "0"}}), "--set aht_s=0: must be > 0");
  expect_error(make_builtin("mmn", {{"arrivals_per_hour", "-1"}}), "arrivals_per_hour");
  expect_error(make_builtin("mmn", {{"policy", "random"}}), "unknown policy 'random'");
  expect_error(make_builtin("mmn", {{"journal", "maybe"}}), "--set journal=maybe");
  expect_error(make_builtin("mmn", {{"url", "http://x"}}), "ws://");
  expect_error(make_builtin("mmn", {{"hours", "0.1"}}), "warmup_s");
  expect_error(make_builtin("multiskill", {{"move_s", "10"}}), "move_s");
  expect_error(make_builtin("scale", {{"queues", "10"}, {"agents", "5"}}), "--set queues=10");
  expect_error(make_builtin("nope", {}), "unknown built-in scenario 'nope'");
}

TEST(builtins, policy_list_compares_policies) {
  auto s = make_builtin("mmn", {{"policy", "longest_idle,profile"}});
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_EQ(s->policy, engine::policy_kind::longest_idle);
  ASSERT_EQ(s->compare_policies.size(), 2u);
  EXPECT_EQ(s->compare_policies[1], engine::policy_kind::profile);
  expect_error(make_builtin("mmn", {{"policy", "skills,skills"}}), "listed twice");

  auto vip = make_builtin("vip", {});
  ASSERT_TRUE(vip.ok()) << vip.err().message;
  EXPECT_EQ(vip->compare_policies.size(), 3u);
  auto one = make_builtin("vip", {{"policy", "profile"}});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->compare_policies.empty());
}

TEST(builtins, peak_day_has_a_peak_and_a_crowd_admitted_by_overflow) {
  auto s = make_builtin("peak_day", {});
  ASSERT_TRUE(s.ok()) << s.err().message;
  ASSERT_GE(s->periods.size(), 8u);
  const auto& t = s->types[0];
  EXPECT_GT(t.rate_for(4), t.rate_for(0));
  EXPECT_GT(t.busyness_shape, 0);
  EXPECT_EQ(t.handle.type, duration_dist::kind::lognormal);
  EXPECT_NE(t.patience.type, duration_dist::kind::none);
  auto crowd = std::find_if(s->groups.begin(), s->groups.end(),
                            [](const agent_group& g) { return g.crowd; });
  ASSERT_NE(crowd, s->groups.end());
  EXPECT_EQ(crowd->level, engine::agent_level::crowd);
  EXPECT_FALSE(s->queues[0].admit_crowd);
  ASSERT_FALSE(s->queues[0].overflow.empty());
  EXPECT_TRUE(s->queues[0].overflow[0].admit_crowd);
  // In-house staffing follows the day but is planned below the peak.
  const auto& juniors = s->groups[1];
  EXPECT_EQ(juniors.staffing.size(), s->periods.size());
  EXPECT_GT(juniors.staff_for(3), juniors.staff_for(0));
}

TEST(builtins, vip_has_account_managers_and_hidden_truth) {
  auto s = make_builtin("vip", {{"managers", "4"}});
  ASSERT_TRUE(s.ok()) << s.err().message;
  auto vip = std::find_if(s->segments.begin(), s->segments.end(),
                          [](const segment& x) { return x.dedicated_manager; });
  ASSERT_NE(vip, s->segments.end());
  auto managers = std::find_if(s->groups.begin(), s->groups.end(), [&](const agent_group& g) {
    return g.name == vip->manager_group;
  });
  ASSERT_NE(managers, s->groups.end());
  EXPECT_EQ(managers->max_staff(), 4u);
  for (const auto& g : s->groups)
    EXPECT_FALSE(g.truth.empty()) << g.name;
}

TEST(builtins, multiskill_overflows_to_a_general_queue) {
  auto s = make_builtin("multiskill", {{"load", "1.5"}, {"staff", "2"}});
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_GE(s->queues.size(), 3u);
  bool moves = false;
  for (const auto& q : s->queues)
    for (const auto& step : q.overflow)
      moves = moves || step.move_to_queue == "general";
  EXPECT_TRUE(moves);
  std::set<std::string> languages;
  for (const auto& t : s->types)
    languages.insert(t.language);
  EXPECT_GE(languages.size(), 2u);
}

TEST(builtins, scale_maps_live_to_max_live_and_spreads_agents) {
  auto s = make_builtin("scale", {});
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_EQ(s->realtime.max_live, 1'000'000u);
  EXPECT_EQ(s->queues.size(), 1000u);
  std::uint64_t agents = 0;
  for (const auto& g : s->groups) {
    agents += g.max_staff();
    EXPECT_EQ(g.skills.size(), 3u);
    EXPECT_GT(g.capacity[engine::index(engine::channel::chat)].max, 0u);
  }
  EXPECT_EQ(agents, 100'000u);
  EXPECT_EQ(s->types[0].patience.type, duration_dist::kind::none);

  auto small = make_builtin("scale", {{"agents", "103"}, {"queues", "10"}, {"live", "500"}});
  ASSERT_TRUE(small.ok()) << small.err().message;
  agents = 0;
  for (const auto& g : small->groups)
    agents += g.max_staff();
  EXPECT_EQ(agents, 103u);
  EXPECT_EQ(small->parameters.at("waiting_target"), "191");  // 500 - 103 x 3
}

// The key fields of a built scenario on one line, to pin what each built-in generates.
std::string digest(const scenario& s) {
  std::ostringstream o;
  std::uint64_t staff = 0;
  for (const auto& g : s.groups)
    staff += g.max_staff();
  std::size_t steps = 0;
  for (const auto& q : s.queues)
    steps += q.overflow.size();
  const auto& t = s.types.front();
  o << s.name << " desc=" << s.description.size() << " periods=" << s.periods.size()
    << " day_s=" << s.day_s() << " reps=" << s.replications << " days=" << s.days
    << " sl=" << s.sl_threshold_s << " policy=" << static_cast<int>(s.policy)
    << " compare=" << s.compare_policies.size() << " segments=" << s.segments.size()
    << " types=" << s.types.size() << " rate0=" << t.rate_for(0)
    << " handle=" << static_cast<int>(t.handle.type) << ":" << t.handle.mean_for(0)
    << " patience=" << static_cast<int>(t.patience.type) << ":" << t.patience.mean_for(0)
    << " queues=" << s.queues.size() << " q0_sl=" << s.queues.front().sl_threshold
    << " q0_policy=" << static_cast<int>(s.queues.front().policy) << " steps=" << steps
    << " groups=" << s.groups.size() << " staff=" << staff << " params=" << s.parameters.size();
  return o.str();
}

// Pins what each built-in generates, with its defaults and with the shared keys set,
// so that a refactoring of the builders shows any change; a deliberate change to a
// built-in updates its line here.
TEST(builtins, each_builtin_generates_its_pinned_key_fields) {
  struct pinned {
    std::string name;
    std::map<std::string, std::string> set;
    std::string digest;
  };
  const std::vector<pinned> all = {
    {"mmn", {},
     "mmn desc=97 periods=1 day_s=28800 reps=10 days=1 sl=20 policy=0 compare=0 segments=1 "
     "types=1 rate0=720 handle=2:240 patience=0:0 queues=1 q0_sl=20000 q0_policy=0 steps=0 "
     "groups=1 staff=55 params=12"},
    {"multiskill", {},
     "multiskill desc=200 periods=1 day_s=28800 reps=5 days=1 sl=20 policy=1 compare=0 "
     "segments=1 types=6 rate0=240 handle=2:240 patience=2:180 queues=4 q0_sl=20000 "
     "q0_policy=1 steps=6 groups=6 staff=81 params=10"},
    {"peak_day", {},
     "peak_day desc=199 periods=10 day_s=36000 reps=5 days=1 sl=20 policy=2 compare=0 "
     "segments=1 types=2 rate0=148.5 handle=3:300 patience=2:240 queues=1 q0_sl=20000 "
     "q0_policy=2 steps=1 groups=3 staff=56 params=13"},
    {"vip", {},
     "vip desc=183 periods=1 day_s=28800 reps=5 days=1 sl=20 policy=0 compare=3 segments=3 "
     "types=2 rate0=300 handle=2:300 patience=2:300 queues=2 q0_sl=20000 q0_policy=0 "
     "steps=2 groups=4 staff=44 params=8"},
    {"scale", {{"agents", "100"}, {"queues", "10"}},
     "scale desc=172 periods=1 day_s=3600 reps=1 days=1 sl=20 policy=1 compare=0 "
     "segments=1 types=10 rate0=2000 handle=2:3600 patience=0:0 queues=10 q0_sl=20000 "
     "q0_policy=1 steps=0 groups=10 staff=100 params=13"},
    {"mmn", {{"hours", "2"}, {"patience_s", "90"}, {"days", "2"}, {"sl_threshold_s", "30"}},
     "mmn desc=97 periods=1 day_s=7200 reps=10 days=2 sl=30 policy=0 compare=0 segments=1 "
     "types=1 rate0=720 handle=2:240 patience=2:90 queues=1 q0_sl=30000 q0_policy=0 "
     "steps=0 groups=1 staff=55 params=12"},
    {"multiskill",
     {{"hours", "4"}, {"patience_s", "0"}, {"load", "2"}, {"replications", "3"},
      {"policy", "profile,skills"}},
     "multiskill desc=200 periods=1 day_s=14400 reps=3 days=1 sl=20 policy=2 compare=2 "
     "segments=1 types=6 rate0=480 handle=2:240 patience=0:0 queues=4 q0_sl=20000 "
     "q0_policy=2 steps=6 groups=6 staff=81 params=10"},
    {"peak_day", {{"patience_s", "60"}, {"days", "3"}, {"sl_threshold_s", "15"}},
     "peak_day desc=199 periods=10 day_s=36000 reps=5 days=3 sl=15 policy=2 compare=0 "
     "segments=1 types=2 rate0=148.5 handle=3:300 patience=2:60 queues=1 q0_sl=15000 "
     "q0_policy=2 steps=1 groups=3 staff=56 params=13"},
    {"vip", {{"hours", "6"}, {"load", "0.5"}, {"patience_s", "0"}, {"policy", "profile"}},
     "vip desc=183 periods=1 day_s=21600 reps=5 days=1 sl=20 policy=2 compare=0 segments=3 "
     "types=2 rate0=150 handle=2:300 patience=0:0 queues=2 q0_sl=20000 q0_policy=2 steps=2 "
     "groups=4 staff=44 params=8"},
    {"scale", {{"agents", "50"}, {"queues", "5"}, {"hours", "3"}, {"replications", "2"}},
     "scale desc=172 periods=1 day_s=10800 reps=2 days=1 sl=20 policy=1 compare=0 "
     "segments=1 types=5 rate0=4000 handle=2:3600 patience=0:0 queues=5 q0_sl=20000 "
     "q0_policy=1 steps=0 groups=5 staff=50 params=13"},
  };
  for (const auto& p : all) {
    auto s = make_builtin(p.name, p.set);
    ASSERT_TRUE(s.ok()) << p.name << ": " << s.err().message;
    EXPECT_EQ(digest(*s), p.digest) << p.name;
  }
}

// ---- apply_set ----------------------------------------------------------------------

TEST(apply_set, generic_keys_apply_to_any_scenario) {
  auto s = make_builtin("multiskill", {});
  ASSERT_TRUE(s.ok());
  auto st = apply_set(*s, {{"replications", "2"},
                           {"days", "3"},
                           {"warmup_s", "120"},
                           {"sample_every_s", "30"},
                           {"target_rate", "500"},
                           {"duration_s", "5"},
                           {"max_live", "1000"},
                           {"journal", "false"},
                           {"data_dir", "/tmp/x"},
                           {"url", "ws://127.0.0.1:8080"},
                           {"api_key", "secret"},
                           {"connections", "4"},
                           {"tenant", "acme"},
                           {"time_scale", "0.01"},
                           {"net_max_agents", "500"},
                           {"agent_urls", "ws://127.0.0.1:8081,ws://127.0.0.1:8082"}});
  ASSERT_TRUE(st.ok()) << st.err().message;
  EXPECT_EQ(s->replications, 2);
  EXPECT_EQ(s->days, 3);
  EXPECT_DOUBLE_EQ(s->warmup_s, 120);
  EXPECT_DOUBLE_EQ(s->sample_every_s, 30);
  EXPECT_DOUBLE_EQ(s->realtime.target_rate, 500);
  EXPECT_DOUBLE_EQ(s->realtime.duration_s, 5);
  EXPECT_EQ(s->realtime.max_live, 1000u);
  EXPECT_FALSE(s->realtime.journal);
  EXPECT_EQ(s->realtime.data_dir, "/tmp/x");
  EXPECT_EQ(s->realtime.url, "ws://127.0.0.1:8080");
  EXPECT_EQ(s->realtime.api_key, "secret");
  EXPECT_EQ(s->realtime.connections, 4u);
  EXPECT_EQ(s->parameters.at("api_key"), "(set)");  // secrets stay out of reports
  // Mode-specific keys without a field are passed on through the parameters.
  EXPECT_EQ(s->parameters.at("tenant"), "acme");
  EXPECT_EQ(s->parameters.at("time_scale"), "0.01");
  EXPECT_EQ(s->parameters.at("net_max_agents"), "500");
  EXPECT_EQ(s->parameters.at("agent_urls"), "ws://127.0.0.1:8081,ws://127.0.0.1:8082");
  EXPECT_TRUE(validate(*s).ok());
}

TEST(apply_set, unknown_or_bad_keys_fail_with_the_key_named) {
  auto s = make_builtin("mmn", {});
  ASSERT_TRUE(s.ok());
  auto st = apply_set(*s, {{"replicatoins", "2"}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), errc::invalid_argument);
  EXPECT_NE(st.err().message.find("'replicatoins'"), std::string::npos);
  EXPECT_NE(st.err().message.find("replications"), std::string::npos);  // valid keys listed
  st = apply_set(*s, {{"days", "0"}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("days"), std::string::npos);
  st = apply_set(*s, {{"time_scale", "fast"}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("time_scale"), std::string::npos);
  st = apply_set(*s, {{"seed", "-3"}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("seed"), std::string::npos);
}

// ---- files --------------------------------------------------------------------------

TEST(files, every_example_file_parses_and_validates) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(SB_SCENARIO_DIR)) {
    if (e.path().extension() != ".json")
      continue;
    SCOPED_TRACE(e.path().string());
    auto s = parse_scenario(read_text(e.path()));
    ASSERT_TRUE(s.ok()) << s.err().message;
    EXPECT_FALSE(s->name.empty());
    EXPECT_FALSE(s->description.empty());
    ++n;
  }
  EXPECT_GE(n, 6);
}

TEST(files, a_file_reads_into_the_model_with_documented_defaults) {
  auto s = parse_scenario(minimal());
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_EQ(s->name, "tiny");
  EXPECT_DOUBLE_EQ(s->day_s(), 5400);
  ASSERT_EQ(s->segments.size(), 1u);
  EXPECT_EQ(s->segments[0].name, "default");
  EXPECT_EQ(s->replications, 5);
  EXPECT_EQ(s->days, 1);
  EXPECT_EQ(s->seed, 1u);
  EXPECT_DOUBLE_EQ(s->sl_threshold_s, 20);
  EXPECT_EQ(s->policy, engine::policy_kind::profile);
  const auto& t = s->types[0];
  EXPECT_EQ(t.intent, "call");
  EXPECT_EQ(t.ch, engine::channel::voice);
  EXPECT_DOUBLE_EQ(t.rate_for(1), 30);
  EXPECT_EQ(t.patience.type, duration_dist::kind::none);
  const auto& g = s->groups[0];
  EXPECT_EQ(g.staff_for(0), 3u);
  EXPECT_EQ(g.max_staff(), 3u);
  EXPECT_TRUE(g.capacity[engine::index(engine::channel::voice)].exclusive);
  const auto& q = s->queues[0];
  EXPECT_EQ(q.sl_threshold, 20000);
  EXPECT_EQ(q.offer_timeout, 15000);
  EXPECT_EQ(q.channel_mask, 0x7f);
  ASSERT_EQ(q.skills.size(), 1u);
  EXPECT_EQ(q.skills[0].min_proficiency, 50);
}

TEST(files, full_queue_and_group_options_are_read) {
  auto s = parse_scenario(minimal(
    R"(, "channel": "chat", "language": "fr", "priority": 2, "busyness_shape": 10,
       "patience": {"dist": "lognormal", "mean_s": [100, 200], "cv": 0.5},
       "wrap_up": {"dist": "fixed", "mean_s": 5})",
    R"(, "languages": ["fr"], "capacity": {"chat": 4, "voice": {"max": 1, "exclusive": false}},
       "level": "expert", "accept_delay_s": 2,
       "truth": [{"intent": "call", "resolve": 0.9, "sale": 0.2, "csat_mean": 4.5}])",
    R"(, "languages": ["fr"], "channels": ["chat"], "priority": 3, "admit_crowd": true,
       "sl_target": 0.9, "sl_threshold_s": 10, "max_waiting": 100, "max_wait_s": 600,
       "offer_timeout_s": 8, "policy": "skills",
       "overflow": [{"after_s": 30, "min_proficiency": 20, "admit_crowd": true},
                    {"after_s": 60, "move_to_queue": "spare"}]},
       {"id": "spare", "channels": ["chat"])",
    R"("compare_policies": ["skills", "profile"], "realtime": {"target_rate": 100,
       "duration_s": 3, "max_live": 10, "journal": false, "url": "ws://localhost:1"},
       "parameters": {"note": "x", "k": 2},)"));
  ASSERT_TRUE(s.ok()) << s.err().message;
  const auto& t = s->types[0];
  EXPECT_EQ(t.ch, engine::channel::chat);
  EXPECT_EQ(t.language, "fr");
  EXPECT_EQ(t.priority, 2);
  EXPECT_DOUBLE_EQ(t.patience.mean_for(1), 200);
  EXPECT_DOUBLE_EQ(t.patience.cv, 0.5);
  EXPECT_EQ(t.wrap_up.type, duration_dist::kind::fixed);
  const auto& g = s->groups[0];
  EXPECT_EQ(g.capacity[engine::index(engine::channel::chat)].max, 4u);
  EXPECT_FALSE(g.capacity[engine::index(engine::channel::chat)].exclusive);
  EXPECT_FALSE(g.capacity[engine::index(engine::channel::voice)].exclusive);
  EXPECT_EQ(g.level, engine::agent_level::expert);
  ASSERT_EQ(g.truth.size(), 1u);
  EXPECT_EQ(g.truth[0].segment, "*");
  const auto& q = s->queues[0];
  EXPECT_EQ(q.channel_mask, 1u << engine::index(engine::channel::chat));
  EXPECT_EQ(q.max_wait, 600000);
  EXPECT_EQ(q.policy, engine::policy_kind::skills);
  ASSERT_EQ(q.overflow.size(), 2u);
  EXPECT_EQ(q.overflow[1].move_to_queue, "spare");
  EXPECT_EQ(s->compare_policies.size(), 2u);
  EXPECT_FALSE(s->realtime.journal);
  EXPECT_EQ(s->parameters.at("k"), "2");
}

TEST(files, invalid_json_is_a_typed_error) {
  expect_error(parse_scenario("{ \"name\": "), "invalid JSON");
  expect_error(parse_scenario(""), "invalid JSON");
  expect_error(parse_scenario("[1, 2]"), "must be an object");
  expect_error(parse_scenario(minimal(R"(, "queue": "q")")), "duplicate key 'queue'");
}

TEST(files, nesting_deeper_than_any_scenario_is_refused_before_parsing) {
  // 20 000 nested arrays kept protobuf's JSON parser busy for minutes (scenario_fuzz).
  expect_error(parse_scenario(std::string(20000, '[') + std::string(20000, ']')),
               "nested deeper than 32 levels");
  expect_error(parse_scenario(std::string(1 << 20, '[')), "nested deeper than 32 levels");
  expect_error(parse_scenario(minimal("", "", "", R"("parameters": {"a": )" +
                                                   std::string(40, '[') + std::string(40, ']') +
                                                   "},")),
               "nested deeper than 32 levels");
  // Brackets inside strings (escaped quotes too) are not nesting.
  auto name = "\"" + std::string(40, '[') + "\\\"" + std::string(40, '{') + "\"";
  auto s = parse_scenario(edit(minimal(), "\"tiny\"", name));
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_EQ(s->name, std::string(40, '[') + "\"" + std::string(40, '{'));
  // As deep as allowed: parsed, then refused by the schema, not by the nesting check.
  expect_error(parse_scenario(minimal("", "", "", R"("parameters": {"a": )" +
                                                   std::string(30, '[') + std::string(30, ']') +
                                                   "},")),
               "parameters.a: must be a string, number or boolean");
}

TEST(files, unknown_keys_are_named_with_their_path) {
  expect_error(parse_scenario(minimal(R"(, "arival_rate": 3)")),
               "unknown key 'arival_rate' at types[0]");
  expect_error(parse_scenario(minimal("", "", "", R"("colour": "blue",)")),
               "unknown key 'colour' at top level");
  expect_error(parse_scenario(minimal("", "", R"(, "overflow": [{"after_s": 1, "wait": 2}])")),
               "unknown key 'wait' at queues[0].overflow[0]");
}

TEST(files, wrong_types_are_named_with_their_path) {
  expect_error(parse_scenario(minimal(R"(, "priority": "high")")),
               "types[0].priority: must be a number, got a string");
  expect_error(parse_scenario(minimal("", R"(, "crowd": 1)")),
               "groups[0].crowd: must be true or false");
  expect_error(parse_scenario(minimal("", R"(, "languages": "en")")),
               "groups[0].languages: must be an array");
  expect_error(parse_scenario(edit(minimal(), R"("x": 70)", R"("x": "high")")),
               "groups[0].skills.x: must be a number");
  expect_error(parse_scenario(edit(minimal(), R"("x": 70)", R"("x": 170)")),
               "groups[0].skills.x: must be 0..100");
  expect_error(parse_scenario(edit(minimal(), "[3, 2]", "[3, 2.5]")),
               "groups[0].staffing[1]: must be a whole number");
  expect_error(parse_scenario(minimal(R"(, "channel": "pigeon")")), "unknown channel 'pigeon'");
  expect_error(parse_scenario(edit(minimal(), R"("exponential", "mean_s": 200)",
                                   R"("weibull", "mean_s": 3)")),
               "types[0].handle.dist: unknown distribution 'weibull'");
  expect_error(parse_scenario(minimal("", "", R"(, "policy": "random")")),
               "queues[0].policy: unknown policy 'random'");
}

TEST(files, missing_required_keys_are_named) {
  expect_error(parse_scenario(R"({"name": "x", "periods": [{"duration_s": 1}],
                                  "types": [], "groups": [], "queues": []})"),
               "types: must not be empty");
  expect_error(parse_scenario(R"({"periods": [{"duration_s": 1}]})"),
               "missing required key 'name'");
  expect_error(parse_scenario(edit(minimal(), R"(, "mean_s": 200)", "")),
               "types[0].handle: missing required key 'mean_s'");
}

TEST(files, negative_and_non_finite_values_are_rejected_with_their_path) {
  auto text = minimal();
  auto bad_rate = text;
  bad_rate.replace(bad_rate.find("[60, 30]"), 8, "[60, -1]");
  expect_error(parse_scenario(bad_rate), "types[0].arrivals_per_hour[1]: must be >= 0");
  expect_error(parse_scenario(minimal(R"(, "patience": {"dist": "exponential", "mean_s": 0})")),
               "types[0].patience.mean_s[0]: must be > 0");
  expect_error(
    parse_scenario(minimal(R"(, "patience": {"dist": "lognormal", "mean_s": 3, "cv": 0})")),
    "types[0].patience.cv: must be > 0");
  expect_error(parse_scenario(minimal("", "", R"(, "max_wait_s": -5)")),
               "queues[0].max_wait_s: must be >= 0");
  expect_error(parse_scenario(minimal("", "", "", R"("replications": 0,)")), "replications");
  expect_error(parse_scenario(minimal("", "", "", R"("sl_threshold_s": 0,)")),
               "sl_threshold_s: must be > 0");
}

TEST(files, per_period_arrays_must_have_one_or_one_per_period) {
  auto text = minimal();
  auto three = text;
  three.replace(three.find("[60, 30]"), 8, "[60, 30, 10]");
  expect_error(parse_scenario(three),
               "types[0].arrivals_per_hour: has 3 elements; must have 1 or 2");
  expect_error(parse_scenario(edit(minimal(), "[3, 2]", "[1, 2, 3]")),
               "groups[0].staffing: has 3 elements");
  // One element means every period.
  auto one = text;
  one.replace(one.find("[60, 30]"), 8, "[60]");
  ASSERT_TRUE(parse_scenario(one).ok());
}

TEST(files, references_must_resolve) {
  auto unknown_queue = minimal();
  unknown_queue.replace(unknown_queue.find(R"("queue": "q")"), 12, R"("queue": "nope")");
  expect_error(parse_scenario(unknown_queue), "types[0].queue: unknown queue 'nope'");
  expect_error(parse_scenario(edit(minimal(), R"("x": 50)", R"("x": 50, "y": 10)")),
               "queues[0].skills.y: missing skill 'y' required by queue 'q'");
  expect_error(
    parse_scenario(minimal("", "", R"(, "overflow": [{"after_s": 5, "move_to_queue": "zz"}])")),
    "queues[0].overflow[0].move_to_queue: unknown queue 'zz'");
  expect_error(parse_scenario(minimal("", R"(, "truth": [{"intent": "nope"}])")),
               "groups[0].truth[0].intent: unknown intent 'nope'");
  expect_error(parse_scenario(minimal("", "", "", R"("segments": [{"name": "v",
      "dedicated_manager": true, "manager_group": "ghosts"}],)")),
               "segments[0].manager_group: unknown group 'ghosts'");
}

TEST(files, a_type_nobody_can_serve_is_rejected) {
  // The group speaks no French.
  expect_error(parse_scenario(minimal(R"(, "language": "fr")")), "no agent group can ever serve");
  // Proficiency 70 < 80 and no overflow step lowers it.
  expect_error(parse_scenario(edit(minimal(), R"("x": 50)", R"("x": 80)")),
               "no agent group can ever serve");
  // ... but an overflow step that lowers the minimum makes it servable.
  auto relaxed = parse_scenario(edit(minimal("", "", R"(, "overflow": [{"after_s": 30,
      "min_proficiency": 60}])"), R"("x": 50)", R"("x": 80)"));
  ASSERT_TRUE(relaxed.ok()) << relaxed.err().message;
  // A crowd-only group needs admit_crowd somewhere.
  expect_error(parse_scenario(minimal("", R"(, "crowd": true)")), "no agent group can ever serve");
  // Channel without capacity.
  expect_error(parse_scenario(minimal(R"(, "channel": "chat")")), "no agent group can ever serve");
}

TEST(validate, catches_what_a_program_can_get_wrong) {
  auto s = make_builtin("multiskill", {});
  ASSERT_TRUE(s.ok());
  auto broken = *s;
  broken.periods.clear();
  EXPECT_FALSE(validate(broken).ok());
  broken = *s;
  broken.groups[0].name = "has space";
  auto st = validate(broken);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("groups[0].name"), std::string::npos);
  broken = *s;
  broken.queues[0].overflow[0].after = 200000;  // after the move step: not increasing
  st = validate(broken);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("queues[0]"), std::string::npos);
  broken = *s;
  broken.groups[0].capacity[engine::index(engine::channel::voice)].max = 2;  // exclusive x2
  st = validate(broken);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("groups[0]"), std::string::npos);
  broken = *s;
  broken.types[0].handle = {};
  st = validate(broken);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("types[0].handle"), std::string::npos);
  broken = *s;
  broken.warmup_s = broken.day_s();
  EXPECT_FALSE(validate(broken).ok());
}

}  // namespace
}  // namespace switchboard::bench
