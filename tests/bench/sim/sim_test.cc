#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "bench/core/erlang.h"
#include "bench/modes.h"
#include "bench/scenario/scenario.h"
#include "bench/sim/internal/replication.h"

namespace switchboard::bench {
namespace {

scenario builtin(const std::string& name, const std::map<std::string, std::string>& set) {
  auto s = make_builtin(name, set);
  EXPECT_TRUE(s.ok()) << name << ": " << (s.ok() ? "" : s.err().message);
  return s.ok() ? *s : scenario{};
}

run_report simulate(const scenario& s) {
  auto r = run_sim(s, {});
  EXPECT_TRUE(r.ok()) << s.name << ": " << (r.ok() ? "" : r.err().message);
  return r.ok() ? *r : run_report{};
}

const theory_row* row(const run_report& r, const std::string& metric) {
  auto it = std::find_if(r.theory.begin(), r.theory.end(),
                         [&](const theory_row& t) { return t.metric == metric; });
  return it == r.theory.end() ? nullptr : &*it;
}

double figure(const run_report& r, const std::string& name) {
  auto it = r.figures.find(name);
  return it == r.figures.end() ? -1 : it->second;
}

// The simulated mean must lie within 4 half-widths of its 95% confidence interval
// of the theoretical value (about 8 standard errors: a false alarm is practically
// impossible), with a small absolute floor for metrics near 0.
void expect_agrees(const run_report& r, const std::string& metric, double floor) {
  const auto* t = row(r, metric);
  ASSERT_NE(t, nullptr) << "no theory row for " << metric;
  EXPECT_GE(t->simulated.n, 2);
  auto tolerance = std::max(4 * t->simulated.half_width, floor);
  EXPECT_NEAR(t->simulated.mean, t->theory, tolerance)
    << metric << " (" << t->model << "): simulated " << t->simulated.mean << " +- "
    << t->simulated.half_width << ", theory " << t->theory;
}

// 20 agents at 16 Erlangs (80% occupancy): P(wait) ~ 0.4, long enough runs for
// narrow intervals, short enough for a Debug build.
const std::map<std::string, std::string> small_mmn{
  {"agents", "20"},   {"arrivals_per_hour", "240"}, {"aht_s", "240"},
  {"hours", "40"},    {"replications", "6"},        {"warmup_s", "1800"},
};

TEST(sim, mmn_agrees_with_erlang_c) {
  auto s = builtin("mmn", small_mmn);
  auto r = simulate(s);
  ASSERT_EQ(r.replications.size(), 6u);
  auto th = theory::mmn(20, 240.0 / 3600, 1.0 / 240, s.sl_threshold_s);
  ASSERT_NE(row(r, "p_wait"), nullptr);
  EXPECT_EQ(row(r, "p_wait")->model, "Erlang C");
  EXPECT_DOUBLE_EQ(row(r, "p_wait")->theory, th.p_wait);
  expect_agrees(r, "p_wait", 0.02);
  expect_agrees(r, "asa_s", 1.0);
  expect_agrees(r, "service_level", 0.02);
  expect_agrees(r, "occupancy", 0.01);
  EXPECT_EQ(r.summary.at("abandoned").mean, 0);
}

TEST(sim, mmn_with_patience_agrees_with_erlang_a) {
  auto set = small_mmn;
  set["agents"] = "17";  // overloaded without abandonment: Erlang A keeps it stable
  set["patience_s"] = "120";
  auto r = simulate(builtin("mmn", set));
  ASSERT_NE(row(r, "abandon_rate"), nullptr);
  EXPECT_EQ(row(r, "abandon_rate")->model, "Erlang A");
  EXPECT_GT(r.summary.at("abandon_rate").mean, 0.01);
  expect_agrees(r, "abandon_rate", 0.01);
  expect_agrees(r, "p_wait", 0.02);
  expect_agrees(r, "asa_s", 1.0);
  expect_agrees(r, "service_level", 0.02);
  // Abandonments after the 20 s threshold: some, and not all (patience is
  // exponential, mean 120 s: P(patience <= 20 s) ~ 15%, and a contact that
  // waits that long has often been answered first).
  ASSERT_EQ(r.summary.count("abandoned_after_threshold"), 1u);
  for (const auto& rep : r.replications) {
    ASSERT_TRUE(rep.abandoned_after_threshold.has_value());
    EXPECT_LE(*rep.abandoned_after_threshold, rep.abandoned);
    EXPECT_GT(*rep.abandoned_after_threshold, 0u);
  }
  EXPECT_LT(r.summary.at("abandoned_after_threshold").mean, r.summary.at("abandoned").mean);
}

TEST(sim, same_seed_gives_the_same_report) {
  auto set = small_mmn;
  set["hours"] = "4";
  set["replications"] = "2";
  set["patience_s"] = "200";
  auto s = builtin("mmn", set);
  auto a = simulate(s);
  auto b = simulate(s);
  ASSERT_EQ(a.replications.size(), b.replications.size());
  for (std::size_t i = 0; i < a.replications.size(); ++i) {
    const auto& x = a.replications[i];
    const auto& y = b.replications[i];
    EXPECT_EQ(x.seed, y.seed);
    EXPECT_EQ(x.arrivals, y.arrivals);
    EXPECT_EQ(x.served, y.served);
    EXPECT_EQ(x.abandoned, y.abandoned);
    EXPECT_EQ(x.asa_s, y.asa_s);
    EXPECT_EQ(x.occupancy, y.occupancy);
    EXPECT_EQ(x.csat_mean, y.csat_mean);
    ASSERT_EQ(x.series.size(), y.series.size());
    for (std::size_t k = 0; k < x.series.size(); ++k)
      EXPECT_EQ(x.series[k].waiting, y.series[k].waiting);
  }
  EXPECT_NE(a.replications[0].arrivals, a.replications[1].arrivals)
    << "replications must use different seeds";
  s.seed += 100;
  auto c = simulate(s);
  EXPECT_NE(c.replications[0].arrivals, a.replications[0].arrivals);
}

TEST(sim, the_replications_of_seed_n_and_seed_n_plus_1_do_not_overlap) {
  auto set = small_mmn;
  set["hours"] = "2";
  set["replications"] = "3";
  auto s = builtin("mmn", set);
  auto a = simulate(s);
  s.seed += 1;
  auto b = simulate(s);
  ASSERT_EQ(a.replications.size(), 3u);
  ASSERT_EQ(b.replications.size(), 3u);
  for (const auto& x : a.replications)
    for (const auto& y : b.replications) {
      EXPECT_NE(x.seed, y.seed) << "replication " << x.index << " of seed N is replication "
                                << y.index << " of seed N+1";
      EXPECT_FALSE(x.arrivals == y.arrivals && x.served == y.served && x.asa_s == y.asa_s)
        << "replication " << x.index << " of seed N repeats " << y.index << " of seed N+1";
    }
}

TEST(sim, one_busyness_factor_per_day_is_shared_by_the_types_with_its_shape) {
  scenario s;
  s.days = 30;
  s.types.resize(4);
  s.types[0].busyness_shape = 4;
  s.types[1].busyness_shape = 4;
  s.types[2].busyness_shape = 9;  // a shape of its own: a draw of its own
  s.types[3].busyness_shape = 0;  // none
  sim::rng r{7};
  auto f = sim::busyness_factors(s, r);
  ASSERT_EQ(f.size(), 30u);
  int differ = 0;
  double sum = 0;
  for (const auto& day : f) {
    ASSERT_EQ(day.size(), 4u);
    EXPECT_EQ(day[0], day[1]);
    EXPECT_EQ(day[3], 1.0);
    EXPECT_GT(day[0], 0);
    differ += day[2] != day[0];
    sum += day[0];
  }
  EXPECT_EQ(differ, 30);
  // The days differ from each other (a factor per day, mean 1).
  EXPECT_NE(f[0][0], f[1][0]);
  EXPECT_NEAR(sum / 30, 1.0, 0.4);
}

TEST(sim, a_file_runs_report_records_its_days_warmup_and_replications) {
  auto s = parse_scenario(R"({
    "name": "file", "days": 2, "replications": 3, "warmup_s": 600,
    "periods": [{"name": "a", "duration_s": 3600}],
    "types": [{"name": "call", "queue": "q", "arrivals_per_hour": [60],
               "handle": {"dist": "exponential", "mean_s": 200}}],
    "groups": [{"name": "g", "skills": {"x": 70}, "staffing": [4]}],
    "queues": [{"id": "q", "skills": {"x": 50}}]
  })");
  ASSERT_TRUE(s.ok()) << s.err().message;
  auto r = simulate(*s);
  EXPECT_EQ(r.parameters["days"], "2");
  EXPECT_EQ(r.parameters["replications"], "3");
  EXPECT_EQ(r.parameters["warmup_s"], "600");
  EXPECT_EQ(r.replications.size(), 3u);
  auto json = to_json(r);
  EXPECT_NE(json.find("\"warmup_s\""), std::string::npos) << json.substr(0, 400);
}

// Tiny versions of every built-in: --set keys that shrink them.
std::map<std::string, std::string> tiny(const builtin_info& b) {
  std::map<std::string, std::string> set;
  auto has = [&](const std::string& k) {
    return std::any_of(b.keys.begin(), b.keys.end(), [&](const auto& kv) { return kv.first == k; });
  };
  if (has("hours"))
    set["hours"] = "1";
  if (has("replications"))
    set["replications"] = "2";
  if (b.name == "mmn")
    set["agents"] = "10";
  if (b.name == "scale") {
    set["agents"] = "60";
    set["queues"] = "6";
    set["sim_arrivals_per_hour"] = "600";
    set["aht_s"] = "600";
  }
  return set;
}

TEST(sim, every_builtin_runs_and_gives_sane_values) {
  auto all = builtins();
  ASSERT_GE(all.size(), 5u);
  for (const auto& b : all) {
    SCOPED_TRACE(b.name);
    auto s = builtin(b.name, tiny(b));
    auto r = simulate(s);
    EXPECT_EQ(r.mode, "sim");
    EXPECT_EQ(r.scenario, b.name);
    ASSERT_FALSE(r.replications.empty());
    for (const auto& rep : r.replications) {
      EXPECT_GT(rep.arrivals, 0u);
      EXPECT_GT(rep.served, 0u);
      EXPECT_LE(rep.served + rep.abandoned, rep.arrivals);
      for (auto [what, x] : {std::pair{"service_level", rep.service_level},
                             {"p_wait", rep.p_wait},
                             {"abandon_rate", rep.abandon_rate},
                             {"resolution_rate", rep.resolution_rate}}) {
        EXPECT_GE(x, 0) << what;
        EXPECT_LE(x, 1) << what;
      }
      EXPECT_GE(rep.asa_s, 0);
      EXPECT_GT(rep.occupancy, 0);
      EXPECT_LE(rep.occupancy, 1);
      EXPECT_GE(rep.csat_mean, 1);
      EXPECT_LE(rep.csat_mean, 5);
      EXPECT_FALSE(rep.series.empty());
      EXPECT_EQ(rep.groups.size(), s.groups.size());
    }
    EXPECT_TRUE(r.summary.count("service_level"));
    EXPECT_GT(figure(r, "contacts_per_cpu_s"), 0);
    EXPECT_EQ(figure(r, "crowd_served_before_admission"), 0);
    if (!s.compare_policies.empty()) {
      EXPECT_EQ(r.policies.size(), s.compare_policies.size());
    }
  }
}

TEST(sim, multiskill_overflows_to_lower_proficiency_and_the_general_queue) {
  auto s = builtin("multiskill", {{"hours", "4"}, {"replications", "2"}, {"load", "1.3"}});
  auto r = simulate(s);
  EXPECT_GT(figure(r, "served_under_overflow_step"), 0);
  EXPECT_GT(figure(r, "overflow_moves"), 0);
  EXPECT_GT(figure(r, "served_in_other_queue"), 0);
}

TEST(sim, peak_day_crowd_serves_only_after_admission) {
  auto s = builtin("peak_day", {{"replications", "2"}});
  auto r = simulate(s);
  EXPECT_GT(figure(r, "crowd_served"), 0);
  EXPECT_EQ(figure(r, "crowd_served_before_admission"), 0);
  auto crowd = std::find_if(r.replications[0].groups.begin(), r.replications[0].groups.end(),
                            [](const group_result& g) { return g.group == "crowd"; });
  ASSERT_NE(crowd, r.replications[0].groups.end());
}

// Without the hold for the manager, the engine offers a contact to a free agent at
// once, so a VIP reaches a busy manager only if the manager frees up first; at a
// moderate load (managers often free) the profile policy's affinity term sends most
// VIPs to their own manager, where longest-idle routing almost never does.
TEST(sim, vip_customers_mostly_reach_their_manager_under_profile) {
  std::map<std::string, std::string> set{{"hours", "8"},        {"replications", "2"},
                                         {"load", "0.3"},       {"policy", "profile"},
                                         {"manager_wait_s", "0"}, {"team_wait_s", "0"}};
  auto profile = simulate(builtin("vip", set));
  set["policy"] = "longest_idle";
  auto idle = simulate(builtin("vip", set));
  ASSERT_GT(figure(profile, "manager_contacts"), 30);
  EXPECT_GT(figure(profile, "manager_share"), 0.5)
    << figure(profile, "manager_reached") << " of " << figure(profile, "manager_contacts");
  EXPECT_GT(figure(profile, "manager_share"), 2 * figure(idle, "manager_share"));
}

// With the hold (30 s for the manager, the default), most VIPs reach their manager
// whatever the policy: longest_idle too.
TEST(sim, the_hold_for_the_manager_brings_vips_to_it_under_any_policy) {
  std::map<std::string, std::string> set{
    {"hours", "8"}, {"replications", "2"}, {"load", "0.3"}, {"policy", "longest_idle"}};
  auto held = simulate(builtin("vip", set));
  set["manager_wait_s"] = "0";
  set["team_wait_s"] = "0";
  auto free = simulate(builtin("vip", set));
  ASSERT_GT(figure(held, "manager_contacts"), 30);
  EXPECT_GT(figure(held, "manager_share"), 0.6);
  EXPECT_GT(figure(held, "manager_share"), 2 * figure(free, "manager_share"));
}

TEST(sim, compare_policies_fills_one_row_per_policy) {
  auto s = builtin("vip", {{"hours", "1"}, {"replications", "2"}});
  ASSERT_GE(s.compare_policies.size(), 2u);
  auto r = simulate(s);
  ASSERT_EQ(r.policies.size(), s.compare_policies.size());
  for (const auto& p : r.policies)
    EXPECT_GT(p.summary.at("served").mean, 0) << p.policy;
  // Every policy's row has each group's occupancy and spread, the same as the
  // main policy's group table.
  ASSERT_FALSE(r.replications.empty());
  for (const auto& p : r.policies)
    for (const auto& g : r.replications.front().groups) {
      ASSERT_EQ(p.summary.count("occupancy[" + g.group + "]"), 1u) << p.policy << " " << g.group;
      EXPECT_EQ(p.summary.count("fairness_spread[" + g.group + "]"), 1u) << p.policy;
      EXPECT_GE(p.summary.at("occupancy[" + g.group + "]").mean, 0) << p.policy;
      EXPECT_LE(p.summary.at("occupancy[" + g.group + "]").mean, 1) << p.policy;
    }
  const policy_row* main_row = nullptr;
  for (const auto& p : r.policies)
    if (p.policy == r.parameters.at("policy"))
      main_row = &p;
  ASSERT_NE(main_row, nullptr) << "vip compares its own policy";
  const auto& g0 = r.replications.front().groups.front().group;
  double main_occ = 0;
  for (const auto& rep : r.replications)
    main_occ += rep.groups.front().occupancy / static_cast<double>(r.replications.size());
  EXPECT_NEAR(main_row->summary.at("occupancy[" + g0 + "]").mean, main_occ, 1e-12);
  // The summary names the policy it is of; the per-group figures have a table of
  // their own.
  auto text = to_text(r);
  EXPECT_NE(text.find("Summary, policy " + r.parameters.at("policy")), std::string::npos);
  EXPECT_NE(text.find("Occupancy by agent group and policy"), std::string::npos);
}

TEST(sim, the_oracle_knows_the_true_rates_and_keeps_the_fairness_bound) {
  // hidden_abilities, shortened: agents of equal skills with hidden true rates.
  auto text = [] {
    std::ifstream in{SB_SCENARIO_DIR "/hidden_abilities.json"};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  auto s = parse_scenario(text);
  ASSERT_TRUE(s.ok()) << s.err().message;
  s->days = 1;
  s->replications = 2;
  s->oracle = true;
  auto r = simulate(*s);
  const policy_row* idle = nullptr;
  const policy_row* oracle = nullptr;
  for (const auto& p : r.policies) {
    if (p.policy == "longest_idle")
      idle = &p;
    if (p.policy == "oracle")
      oracle = &p;
  }
  ASSERT_NE(idle, nullptr);
  ASSERT_NE(oracle, nullptr) << "no oracle row";
  EXPECT_EQ(r.policies.back().policy, "oracle");
  // It routes by ability from the first contact: a clear gain over longest idle ...
  EXPECT_GT(oracle->summary.at("resolution_rate").mean,
            idle->summary.at("resolution_rate").mean + 0.03);
  // ... held to the same fairness guard (10 points) and the same arrivals.
  EXPECT_LT(oracle->summary.at("fairness_spread").mean, 0.10);
  EXPECT_EQ(oracle->summary.at("arrivals").mean, idle->summary.at("arrivals").mean);
}

// The live on/off comparison as an operator runs it: profile alternating with
// longest_idle by 30-minute slices, each replication judged on its own outcomes.
scenario shortened(const char* name) {
  std::ifstream in{std::string{SB_SCENARIO_DIR "/"} + name + ".json"};
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = parse_scenario(ss.str());
  EXPECT_TRUE(s.ok()) << name << ": " << (s.ok() ? "" : s.err().message);
  auto out = s.ok() ? *s : scenario{};
  out.days = 2;
  out.replications = 2;
  out.policy = engine::policy_kind::longest_idle;
  out.compare_policies.clear();
  out.on_off_slice_s = 1800;
  return out;
}

TEST(sim, the_live_on_off_comparison_finds_the_uplift_where_agents_differ) {
  auto r = simulate(shortened("hidden_abilities"));
  ASSERT_EQ(r.figures.count("on_off_replications"), 1u);
  EXPECT_EQ(r.figures.at("on_off_replications"), 2) << "both measured (2 days: 16 slices an arm)";
  EXPECT_EQ(r.figures.at("on_off_detected"), 2) << "each replication's interval is above 0";
  EXPECT_GT(r.figures.at("on_off_uplift_mean"), 0.02);
  EXPECT_EQ(r.policies.back().policy, "on_off");
}

TEST(sim, the_live_on_off_comparison_finds_no_uplift_between_identical_agents) {
  auto r = simulate(shortened("identical_agents"));
  EXPECT_EQ(r.figures.at("on_off_replications"), 2);
  EXPECT_EQ(r.figures.at("on_off_contains_zero"), 2) << "each replication's interval contains 0";
  EXPECT_EQ(r.figures.at("on_off_detected"), 0);
  EXPECT_LT(std::abs(r.figures.at("on_off_uplift_mean")), 0.02);
}

TEST(sim, bad_scenario_is_a_typed_error) {
  auto s = builtin("mmn", {{"hours", "1"}});
  s.types[0].queue = "nowhere";
  auto r = run_sim(s, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, engine::errc::invalid_argument);
  EXPECT_NE(r.err().message.find("types[0].queue"), std::string::npos) << r.err().message;
}

TEST(sim, progress_reaches_the_total) {
  auto s = builtin("mmn", {{"hours", "1"}, {"replications", "2"}, {"agents", "10"}});
  double last_done = -1, last_total = 0;
  auto r = run_sim(s, [&](double done, double total) {
    EXPECT_GE(done, 0);
    EXPECT_LE(done, total + 1e-9);
    last_done = done;
    last_total = total;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_GT(last_total, 0);
  EXPECT_DOUBLE_EQ(last_done, last_total);
}

}  // namespace
}  // namespace switchboard::bench
