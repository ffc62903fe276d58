#include <algorithm>
#include <cstdio>
#include <ctime>

#include "bench/sim/internal/plan.h"
#include "engine/overflow.h"

// The plan of a simulated scenario: checked once, shared by every replication.
namespace switchboard::bench::sim {


double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void extra_counts::add(const extra_counts& o) {
  static constexpr std::uint64_t extra_counts::*all[] = {
    &extra_counts::contacts, &extra_counts::events, &extra_counts::offers,
    &extra_counts::expired_offers, &extra_counts::blocked, &extra_counts::timed_out,
    &extra_counts::overflow_moves, &extra_counts::served_in_other_queue,
    &extra_counts::served_under_step, &extra_counts::crowd_served,
    &extra_counts::crowd_before_admission, &extra_counts::manager_contacts,
    &extra_counts::manager_reached};
  for (auto m : all)
    this->*m += o.*m;
}

namespace {

engine::error bad(std::string message) {
  return engine::make_error(engine::errc::invalid_argument, std::move(message));
}

}  // namespace

engine::result<plan> make_plan(const scenario& s) {
  plan p;
  p.s = &s;
  if (s.periods.empty())
    return bad("periods: at least one period is required");
  if (s.types.empty())
    return bad("types: at least one contact type is required");
  if (s.groups.empty())
    return bad("groups: at least one agent group is required");
  if (s.segments.empty())
    return bad("segments: at least one segment is required");
  if (s.replications < 1)
    return bad("replications: must be >= 1");
  if (s.days < 1)
    return bad("days: must be >= 1");
  for (const auto& per : s.periods) {
    if (!(per.duration_s > 0))
      return bad("periods: every duration_s must be > 0");
    p.period_start_s.push_back(p.day_s);
    p.day_s += per.duration_s;
  }
  p.horizon_s = p.day_s * s.days;
  if (!(s.warmup_s >= 0) || s.warmup_s >= p.horizon_s)
    return bad("warmup_s: must be >= 0 and shorter than the simulated time");
  if (!(s.sample_every_s > 0))
    return bad("sample_every_s: must be > 0");
  p.sample_every_s = s.sample_every_s;
  if (p.horizon_s / p.sample_every_s > max_series_points)
    p.sample_every_s = s.sample_every_s *
                       std::ceil(p.horizon_s / max_series_points / s.sample_every_s);

  for (std::size_t i = 0; i < s.queues.size(); ++i) {
    plan::queue_plan q;
    q.config = s.queues[i];
    q.config.tenant = std::string{tenant_id};
    if (q.config.admit_crowd) {
      q.crowd_admission = 0;
    } else {
      for (const auto& st : q.config.overflow)
        if (st.admit_crowd) {
          q.crowd_admission = st.after;
          break;
        }
    }
    auto first = engine::next_step_after(q.config, -1);
    if (q.config.max_wait > 0)
      first = first < 0 ? q.config.max_wait : std::min(first, q.config.max_wait);
    q.first_deadline = first;
    p.queues.push_back(std::move(q));
  }

  double share_sum = 0;
  for (const auto& seg : s.segments) {
    if (!(seg.share >= 0))
      return bad("segments: share must be >= 0");
    if (seg.customers == 0)
      return bad("segments[" + seg.name + "].customers: must be >= 1");
    share_sum += seg.share;
  }
  if (!(share_sum > 0))
    return bad("segments: shares must not all be 0");

  for (std::size_t k = 0; k < s.segments.size(); ++k) {
    const auto& seg = s.segments[k];
    int mg = -1;
    if (seg.dedicated_manager) {
      for (std::size_t g = 0; g < s.groups.size(); ++g)
        if (s.groups[g].name == seg.manager_group)
          mg = static_cast<int>(g);
      if (mg < 0 || s.groups[static_cast<std::size_t>(mg)].max_staff() == 0)
        return bad("segments[" + std::to_string(k) + "].manager_group: '" + seg.manager_group +
                   "' is not a group with agents");
    }
    p.manager_group.push_back(mg);
  }

  for (std::size_t j = 0; j < s.types.size(); ++j) {
    const auto& ct = s.types[j];
    auto where = "types[" + std::to_string(j) + "]";
    plan::type_plan t;
    auto q = std::find_if(p.queues.begin(), p.queues.end(),
                          [&](const plan::queue_plan& x) { return x.config.id == ct.queue; });
    if (q == p.queues.end())
      return bad(where + ".queue: '" + ct.queue + "' is not a queue of the scenario");
    t.queue = static_cast<std::uint32_t>(q - p.queues.begin());
    t.tmpl.tenant = std::string{tenant_id};
    t.tmpl.ch = ct.ch;
    t.tmpl.intent = ct.intent;
    t.tmpl.language = ct.language;
    t.tmpl.priority = ct.priority;
    t.tmpl.queue = ct.queue;
    t.tmpl.state = engine::contact_state::queued;
    if (ct.handle.type == duration_dist::kind::none)
      return bad(where + ".handle: a handle-time distribution is required");
    for (std::size_t per = 0; per < s.periods.size(); ++per) {
      auto rate = ct.rate_for(per);
      if (!(rate >= 0) || !std::isfinite(rate))
        return bad(where + ".arrivals_per_hour: must be finite and >= 0");
      t.rate_per_s.push_back(rate / 3600.0);
      t.handle.emplace_back(ct.handle, per);
      t.patience.emplace_back(ct.patience, per);
      t.wrap.emplace_back(ct.wrap_up, per);
      if (!(ct.handle.mean_for(per) >= 0) || !(ct.patience.mean_for(per) >= 0) ||
          !(ct.wrap_up.mean_for(per) >= 0))
        return bad(where + ": duration means must be >= 0");
    }
    double acc = 0;
    for (const auto& seg : s.segments) {
      acc += seg.share / share_sum;
      t.segment_cdf.push_back(acc);
    }
    t.segment_cdf.back() = 1.0;
    p.types.push_back(std::move(t));
  }

  p.outcome.resize(s.groups.size());
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    p.outcome[g].resize(s.types.size());
    for (std::size_t j = 0; j < s.types.size(); ++j)
      for (const auto& seg : s.segments)
        p.outcome[g][j].push_back(s.groups[g].truth_for(s.types[j].intent, seg.name));
  }
  return p;
}

}  // namespace switchboard::bench::sim
