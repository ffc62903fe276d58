// Statistics of one replication: busy and staffed time integrated per agent, the
// time series, and the replication's result.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "bench/sim/internal/replication.h"
#include "engine/queue_stats.h"

namespace switchboard::bench::sim {
namespace {

/// Mean and population standard deviation of `xs` (not empty).
struct mean_sd {
  double mean = 0;
  double sd = 0;
};

mean_sd mean_and_sd(const std::vector<double>& xs) {
  auto mean = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
  double var = 0;
  for (auto x : xs)
    var += (x - mean) * (x - mean);
  return {mean, std::sqrt(var / static_cast<double>(xs.size()))};
}

}  // namespace

void replication::touch(std::uint32_t a) {
  auto& ag = agents_[a];
  auto lo = std::max(ag.last, warmup_ms_), hi = std::max(now_, warmup_ms_);
  if (hi > lo) {
    auto dt = static_cast<double>(hi - lo) / 1000.0;
    ag.occ_area += ag.cur_occ * dt;
    if (ag.cur_logged)
      ag.staffed_area += dt;
  }
  ag.last = now_;
  live_occ_ -= ag.cur_occ;
  live_logged_ -= ag.cur_logged ? 1 : 0;
  ag.cur_logged = ag.rt->logged_in;
  ag.cur_occ = ag.cur_logged ? engine::occupancy(*ag.profile, *ag.rt) : 0.0;
  live_occ_ += ag.cur_occ;
  live_logged_ += ag.cur_logged ? 1 : 0;
}

void replication::sample() {
  series_point pt;
  pt.t_s = now_s();
  pt.waiting = static_cast<double>(domain_.waiting());
  auto closed = served_ + abandoned_;
  pt.service_level =
    engine::service_level(static_cast<double>(within_), static_cast<double>(closed));
  pt.occupancy = live_logged_ > 0 ? live_occ_ / live_logged_ : 0;
  out_.series.push_back(pt);
}

void replication::finish(extra_counts& extra) {
  now_ = horizon_ms_;
  for (std::uint32_t a = 0; a < agents_.size(); ++a)
    touch(a);
  out_.arrivals = arrivals_;
  out_.served = served_;
  out_.abandoned = abandoned_;
  out_.abandoned_after_threshold = abandoned_late_;
  if (domain_.live_experiment().on()) {
    auto live = domain_.live_experiment().overall();
    out_.live = replication_result::live_uplift{live.uplift, live.low, live.high, live.enough};
  }
  auto closed = served_ + abandoned_;
  out_.service_level =
    engine::service_level(static_cast<double>(within_), static_cast<double>(closed));
  out_.asa_s = served_ > 0 ? wait_sum_s_ / static_cast<double>(served_) : 0;
  out_.p_wait = arrivals_ > 0
                  ? 1.0 - static_cast<double>(immediate_) / static_cast<double>(arrivals_)
                  : 0;
  out_.abandon_rate =
    arrivals_ > 0 ? static_cast<double>(abandoned_) / static_cast<double>(arrivals_) : 0;
  // Outcomes are known for contacts completed by the end (served ones may still talk).
  out_.resolution_rate =
    rated_ > 0 ? static_cast<double>(resolved_) / static_cast<double>(rated_) : 0;
  out_.sale_rate = rated_ > 0 ? static_cast<double>(sales_) / static_cast<double>(rated_) : 0;
  out_.csat_mean = rated_ > 0 ? csat_sum_ / static_cast<double>(rated_) : 0;

  double busy = 0, staffed = 0;
  std::vector<double> all;
  for (std::size_t g = 0; g < s_.groups.size(); ++g) {
    group_result gr;
    gr.group = s_.groups[g].name;
    std::vector<double> occ;
    for (auto a : group_agents_[g]) {
      const auto& ag = agents_[a];
      gr.served += ag.served;
      busy += ag.occ_area;
      staffed += ag.staffed_area;
      if (ag.staffed_area > 0) {
        occ.push_back(ag.occ_area / ag.staffed_area);
        all.push_back(occ.back());
      }
    }
    if (!occ.empty()) {
      auto m = mean_and_sd(occ);
      gr.occupancy = m.mean;
      gr.occupancy_spread = m.sd;
    }
    out_.groups.push_back(std::move(gr));
  }
  out_.occupancy = staffed > 0 ? busy / staffed : 0;
  if (!all.empty())
    out_.fairness_spread = mean_and_sd(all).sd;
  extra.add(extra_);
}

}  // namespace switchboard::bench::sim
