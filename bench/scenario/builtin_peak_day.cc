#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/scenario/internal/builtins.h"

// peak_day: hourly periods with a midday peak and a crowd pool admitted by overflow.
namespace switchboard::bench::builtin {
namespace {

scenario build_peak_day(scenario s, knobs& k) {
  double rate = k.number("base_per_hour");
  double aht = k.number("aht_s");
  double cv = k.number("aht_cv");
  double wrap = k.number("wrap_up_s");
  double patience = k.number("patience_s");
  double shape = k.number("busyness_shape");
  double plan_cap = k.number("plan_cap");
  auto crowd = k.count("crowd_agents");
  double crowd_after = k.number("crowd_after_s");

  const std::vector<double> shape_of_day{0.55, 0.8, 1.0, 1.2, 1.5, 1.35, 1.0, 1.1, 0.9, 0.6};
  std::vector<double> rates;
  std::vector<std::uint32_t> seniors, juniors;
  for (std::size_t h = 0; h < shape_of_day.size(); ++h) {
    char name[16];
    std::snprintf(name, sizeof name, "%02zu:00", h + 8);
    s.periods.push_back(period{name, 3600});
    rates.push_back(rate * shape_of_day[h]);
    // Square-root staffing for the planned load: n = R + sqrt(R).
    double planned = rate * std::min(shape_of_day[h], plan_cap) * (aht + wrap) / 3600;
    auto n = static_cast<std::uint32_t>(std::ceil(planned + std::sqrt(planned)));
    n = std::max<std::uint32_t>(n, 2);
    seniors.push_back(n / 3);
    juniors.push_back(n - n / 3);
  }
  auto handle = dist(duration_dist::kind::lognormal, {aht}, cv);
  auto add_type = [&](std::string name, double share) {
    std::vector<double> r;
    for (double x : rates)
      r.push_back(x * share);
    auto t = make_type(name, name, "care", engine::channel::voice, "", r, handle,
                       exponential_or_none(patience));
    t.busyness_shape = shape;
    if (wrap > 0)
      t.wrap_up = dist(duration_dist::kind::fixed, {wrap});
    s.types.push_back(std::move(t));
  };
  add_type("support", 0.75);
  add_type("billing", 0.25);

  auto q =
    make_queue("care", {{"care", 50}}, mask({engine::channel::voice}), s.sl_threshold_s, s.policy);
  q.overflow.push_back(
    {static_cast<engine::time_ms>(std::llround(crowd_after * 1000)), 40, true, {}});
  s.queues.push_back(std::move(q));

  using engine::agent_level;
  s.groups.push_back(make_group("seniors", {{"care", 85}}, {}, seniors, agent_level::senior));
  s.groups.back().truth = {{"*", "*", 0.85, 0.05, 4.3}};
  s.groups.push_back(make_group("juniors", {{"care", 60}}, {}, juniors, agent_level::junior));
  s.groups.back().truth = {{"*", "*", 0.7, 0.04, 3.9}};
  if (crowd > 0) {
    s.groups.push_back(make_group("crowd", {{"care", 45}}, {}, {crowd}, agent_level::crowd));
    s.groups.back().crowd = true;
    s.groups.back().accept_delay_s = 3;
    s.groups.back().truth = {{"*", "*", 0.6, 0.02, 3.6}};
  }
  return s;
}

}  // namespace

builtin_def peak_day_builtin() {
  return {"peak_day",
          "hourly periods with a midday peak, busyness, lognormal handle times, "
          "abandonment and a crowdsourced pool admitted by overflow",
          "A 10-hour day with a midday peak: Gamma day-level busyness, lognormal handle "
          "times, abandonment, in-house staffing per hour planned below the peak and a "
          "crowdsourced pool admitted by an overflow step",
          with_run_keys(
            {
              number_key("base_per_hour", "360",
                         "arrival rate of an average hour (the day's shape multiplies it)"),
              number_key("aht_s", "300", "mean (lognormal) handle time, seconds", 0, true),
              number_key("aht_cv", "0.8", "coefficient of variation of the handle time", 0,
                         true, 10),
              number_key("wrap_up_s", "15", "fixed after-contact work, seconds"),
              number_key("patience_s", "240",
                         "mean (exponential) patience, seconds; 0: never abandon"),
              number_key("busyness_shape", "25",
                         "Gamma shape of the day's busyness factor (0: none; 25: ~20% "
                         "day-to-day spread)"),
              number_key("plan_cap", "1.2",
                         "in-house staffing is planned for at most this multiple of the "
                         "average hour, so the peak is understaffed",
                         0, true, 10),
              count_key("crowd_agents", "12", "crowdsourced agents available all day", 0,
                        10'000'000),
              number_key("crowd_after_s", "45",
                         "wait after which the crowd pool is admitted, seconds"),
            },
            "5", "independent replications",
            policy_key("profile",
                       "routing policy (longest_idle, skills, profile; comma list compares)")),
          build_peak_day};
}

}  // namespace switchboard::bench::builtin
