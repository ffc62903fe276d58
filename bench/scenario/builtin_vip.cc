#include "bench/scenario/internal/builtins.h"

// vip: segments with a VIP tier and account managers; compares the routing policies.
namespace switchboard::bench::builtin {
namespace {

scenario build_vip(scenario s, knobs& k) {
  double load = k.number("load");
  auto managers = k.count("managers");
  double patience = k.number("patience_s");
  s.segments = {
    segment{"standard", 1, 25, 0.75, false, {}, 20000},
    segment{"gold", 3, 90, 0.20, false, {}, 3000},
    segment{"vip", 5, 600, 0.05, true, "account_managers", 120},
  };
  s.types.push_back(make_type("care", "care", "care", engine::channel::voice, "", {300 * load},
                              exponential(300), exponential_or_none(patience)));
  s.types.push_back(make_type("upgrade", "upgrade", "sales", engine::channel::voice, "",
                              {100 * load}, exponential(420), exponential_or_none(patience)));
  for (auto id : {"care", "sales"}) {
    auto q = make_queue(id, {{id, 40}}, mask({engine::channel::voice}), s.sl_threshold_s, s.policy);
    q.overflow.push_back({60000, 20, false, {}});
    s.queues.push_back(std::move(q));
  }
  using engine::agent_level;
  s.groups.push_back(
    make_group("generalists", {{"care", 60}, {"sales", 50}}, {}, {18}, agent_level::junior));
  s.groups.back().truth = {{"care", "*", 0.62, 0.02, 3.6}, {"upgrade", "*", 0.7, 0.10, 3.7}};
  s.groups.push_back(make_group("specialists", {{"care", 90}}, {}, {12}, agent_level::senior));
  s.groups.back().truth = {{"care", "*", 0.88, 0.03, 4.4}};
  s.groups.push_back(
    make_group("sellers", {{"sales", 90}, {"care", 45}}, {}, {8}, agent_level::senior));
  s.groups.back().truth = {{"upgrade", "*", 0.75, 0.30, 4.0}, {"care", "*", 0.6, 0.08, 3.8}};
  s.groups.push_back(make_group("account_managers", {{"care", 85}, {"sales", 85}}, {},
                                {managers}, agent_level::expert));
  s.groups.back().truth = {{"*", "vip", 0.92, 0.35, 4.8}, {"*", "*", 0.8, 0.2, 4.3}};
  return s;
}

}  // namespace

builtin_def vip_builtin() {
  return {"vip",
          "segments with a VIP tier and account managers; compares longest_idle, skills "
          "and profile on service level and outcomes",
          "Standard, gold and VIP customers with dedicated account managers; groups "
          "differ in hidden true resolution, sale and CSAT rates; compares routing "
          "policies on service level and outcomes",
          with_run_keys(
            {
              number_key("load", "1", "multiplier on every arrival rate"),
              number_key("hours", "8", "length of a day, hours", 0, true, 24 * 366),
              count_key("managers", "6",
                        "dedicated account managers (serve the vip segment first)", 1, 100000),
              number_key("patience_s", "300",
                         "mean (exponential) patience, seconds; 0: never abandon"),
            },
            "5", "independent replications per policy",
            policy_key("longest_idle,skills,profile",
                       "policies compared (comma list) or one policy")),
          build_vip};
}

}  // namespace switchboard::bench::builtin
