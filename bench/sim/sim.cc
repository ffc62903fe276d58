// Discrete-event simulation of a scenario in virtual time (milliseconds) over the
// same engine::routing_domain the recommender actor uses. The simulator only plays
// the world around the router: customers arrive, wait, give up; agents log in and
// out, answer, talk, wrap up and report outcomes drawn from their hidden true
// abilities. Every routing decision is the engine's.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench/core/stats.h"
#include "bench/modes.h"
#include "bench/sim/internal/plan.h"
#include "bench/sim/internal/replication.h"
#include "bench/sim/internal/theory.h"
#include "bench/sim/random.h"

#ifndef SB_BENCH_BUILD_TYPE
#define SB_BENCH_BUILD_TYPE "unknown"
#endif

namespace switchboard::bench {

namespace {

using sim::extra_counts;
using sim::plan;
using sim::progress_tracker;
using sim::replication;

struct replication_set {
  std::vector<replication_result> results;
  extra_counts extra;
};

engine::result<replication_set> run_policy(const plan& p, engine::policy_kind policy,
                                           progress_tracker& progress, bool oracle = false,
                                           engine::time_ms on_off_slice = 0) {
  replication_set set;
  const auto& s = *p.s;
  for (int i = 0; i < s.replications; ++i) {
    auto seed = sim::replication_seed(s.seed, i);
    replication rep(p, policy, i, seed, progress, oracle, on_off_slice);
    auto r = rep.run(set.extra);
    if (!r)
      return r.err();
    set.results.push_back(std::move(*r));
    progress.done_before += p.horizon_s;
    progress.report(0);
  }
  return set;
}

/// A policy's row: the summary, and each agent group's occupancy and its spread
/// (`occupancy[GROUP]`, `fairness_spread[GROUP]`), so a comparison shows where
/// each policy puts the work.
std::map<std::string, metric_ci> summary_of(const std::vector<replication_result>& reps) {
  run_report tmp;
  tmp.replications = reps;
  summarize(tmp);
  std::map<std::string, std::vector<double>> occ, spread;
  for (const auto& rep : reps)
    for (const auto& g : rep.groups) {
      occ[g.group].push_back(g.occupancy);
      spread[g.group].push_back(g.occupancy_spread);
    }
  for (const auto& [g, xs] : occ) {
    tmp.summary["occupancy[" + g + "]"] = ci95(xs);
    tmp.summary["fairness_spread[" + g + "]"] = ci95(spread[g]);
  }
  return tmp.summary;
}

}  // namespace

engine::result<run_report> run_sim(const scenario& s, const progress_fn& progress) {
  auto wall0 = std::chrono::steady_clock::now();
  auto cpu0 = process_cpu_s();
  auto p = sim::make_plan(s);
  if (!p)
    return p.err();

  std::vector<engine::policy_kind> policies = s.compare_policies;
  if (std::find(policies.begin(), policies.end(), s.policy) == policies.end())
    policies.insert(policies.begin(), s.policy);

  progress_tracker tracker;
  tracker.fn = &progress;
  tracker.total = p->horizon_s * s.replications *
                  static_cast<double>(policies.size() + (s.oracle ? 1 : 0) +
                                      (s.on_off_slice_s > 0 ? 1 : 0));

  auto r = new_report(s, "sim", SB_BENCH_BUILD_TYPE);
  r.parameters["policy"] = std::string{engine::to_string(s.policy)};
  r.sample_every_s = p->sample_every_s;
  if (p->sample_every_s != s.sample_every_s)
    r.notes.push_back("time series sampled every " + num(p->sample_every_s) +
                      " s (at most " + std::to_string(static_cast<int>(sim::max_series_points)) +
                      " points per replication)");

  extra_counts extra;
  for (auto policy : policies) {
    auto set = run_policy(*p, policy, tracker);
    if (!set)
      return set.err();
    if (policy == s.policy) {
      r.replications = std::move(set->results);
      extra = set->extra;
      summarize(r);
      if (!s.compare_policies.empty() || s.oracle)
        r.policies.push_back(
          policy_row{std::string{engine::to_string(policy)}, summary_of(r.replications)});
    } else {
      r.policies.push_back(
        policy_row{std::string{engine::to_string(policy)}, summary_of(set->results)});
    }
  }
  // Policy rows in the order the scenario lists them.
  if (!s.compare_policies.empty()) {
    std::vector<policy_row> ordered;
    for (auto policy : s.compare_policies)
      for (auto& row : r.policies)
        if (row.policy == engine::to_string(policy))
          ordered.push_back(row);
    r.policies = std::move(ordered);
  }
  // The yardstick: what `profile` reaches knowing the true rates, under the same
  // fairness guard (the same seeds, so the same arrivals as every other row).
  if (s.oracle) {
    auto set = run_policy(*p, engine::policy_kind::profile, tracker, true);
    if (!set)
      return set.err();
    r.policies.push_back(policy_row{"oracle", summary_of(set->results)});
    r.notes.push_back("oracle: policy profile whose learned model holds each agent's true "
                      "rates from the start (100,000 outcomes per cell), same fairness guard");
  }
  // The live on/off comparison as an operator would run it: profile alternating
  // with longest_idle by slice, each replication's uplift and interval measured
  // from its own outcomes only.
  if (s.on_off_slice_s > 0) {
    auto slice = static_cast<engine::time_ms>(s.on_off_slice_s * 1000.0);
    auto set = run_policy(*p, engine::policy_kind::profile, tracker, false, slice);
    if (!set)
      return set.err();
    r.policies.push_back(policy_row{"on_off", summary_of(set->results)});
    int detected = 0, contains_zero = 0, measured = 0;
    std::vector<double> uplifts;
    for (const auto& rep : set->results) {
      if (!rep.live || !rep.live->enough)
        continue;
      ++measured;
      uplifts.push_back(rep.live->uplift);
      detected += rep.live->low > 0 ? 1 : 0;
      contains_zero += rep.live->low <= 0 && rep.live->high >= 0 ? 1 : 0;
      char line[160];
      std::snprintf(line, sizeof line,
                    "on_off replication %d: live resolution uplift %+.2f points, 95%% [%+.2f, %+.2f]",
                    rep.index, 100 * rep.live->uplift, 100 * rep.live->low, 100 * rep.live->high);
      r.notes.push_back(line);
    }
    r.notes.push_back("on_off: profile alternating with longest_idle in " + num(s.on_off_slice_s) +
                      " s slices; " + std::to_string(measured) + " replications measured, " +
                      std::to_string(detected) + " found an uplift (interval above 0), " +
                      std::to_string(contains_zero) + " an interval containing 0");
    r.figures["on_off_replications"] = measured;
    r.figures["on_off_detected"] = detected;
    r.figures["on_off_contains_zero"] = contains_zero;
    if (!uplifts.empty()) {
      auto ci = ci95(uplifts);
      r.figures["on_off_uplift_mean"] = ci.mean;
      r.figures["on_off_uplift_half_width"] = ci.half_width;
    }
  }
  sim::add_theory(r, s);

  double rep_cpu = 0;
  for (const auto& rep : r.replications)
    rep_cpu += rep.cpu_s;
  r.cpu_s = process_cpu_s() - cpu0;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  auto f = [&](const std::string& k, double v) { r.figures[k] = v; };
  f("sim_contacts", static_cast<double>(extra.contacts));
  f("sim_events", static_cast<double>(extra.events));
  f("sim_virtual_s", p->horizon_s * s.replications);
  f("sim_cpu_s", rep_cpu);
  if (rep_cpu > 0) {
    f("contacts_per_cpu_s", static_cast<double>(extra.contacts) / rep_cpu);
    f("events_per_cpu_s", static_cast<double>(extra.events) / rep_cpu);
    f("virtual_s_per_cpu_s", p->horizon_s * s.replications / rep_cpu);
  }
  f("offers", static_cast<double>(extra.offers));
  f("expired_offers", static_cast<double>(extra.expired_offers));
  f("blocked", static_cast<double>(extra.blocked));
  f("timed_out", static_cast<double>(extra.timed_out));
  f("overflow_moves", static_cast<double>(extra.overflow_moves));
  f("served_in_other_queue", static_cast<double>(extra.served_in_other_queue));
  f("served_under_overflow_step", static_cast<double>(extra.served_under_step));
  f("crowd_served", static_cast<double>(extra.crowd_served));
  f("crowd_served_before_admission", static_cast<double>(extra.crowd_before_admission));
  if (extra.manager_contacts > 0) {
    f("manager_contacts", static_cast<double>(extra.manager_contacts));
    f("manager_reached", static_cast<double>(extra.manager_reached));
    f("manager_share", static_cast<double>(extra.manager_reached) /
                         static_cast<double>(extra.manager_contacts));
  }
  r.notes.push_back("sim: virtual time over engine::routing_domain; figures count the main "
                    "policy's replications (contacts incl. warmup); statistics exclude the "
                    "first " + num(s.warmup_s) + " s");
  if (progress)
    progress(tracker.total, tracker.total);
  return r;
}

}  // namespace switchboard::bench
