// Discrete-event simulation of a scenario in virtual time (milliseconds) over the
// same engine::routing_domain the recommender actor uses. The simulator only plays
// the world around the router: customers arrive, wait, give up; agents log in and
// out, answer, talk, wrap up and report outcomes drawn from their hidden true
// abilities. Every routing decision is the engine's.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <ctime>
#include <limits>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "bench/core/erlang.h"
#include "bench/core/stats.h"
#include "bench/modes.h"
#include "bench/sim/event_heap.h"
#include "bench/sim/random.h"
#include "engine/overflow.h"
#include "engine/routing_domain.h"

#ifndef SB_BENCH_BUILD_TYPE
#define SB_BENCH_BUILD_TYPE "unknown"
#endif

namespace switchboard::bench {

namespace {

using engine::time_ms;
using sim::duration_sampler;
using sim::event;
using sim::event_kind;

constexpr std::string_view tenant_id = "sim";
// An agent set away after too many unanswered offers comes back after this long.
constexpr time_ms away_pause_ms = 60'000;
// At most this many points per replication's time series (the interval grows).
constexpr double max_series_points = 2000;
// Progress is reported every this many events.
constexpr std::uint64_t progress_every = 1u << 16;

time_ms to_ms(double s) {
  return static_cast<time_ms>(std::llround(s * 1000.0));
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

engine::error bad(std::string message) {
  return engine::make_error(engine::errc::invalid_argument, std::move(message));
}

/// Counters beyond the report's standard metrics, summed over replications and
/// reported as figures (they let tests and readers check overflow, crowd and VIP
/// behaviour of the engine).
struct extra_counts {
  std::uint64_t contacts = 0;                 ///< arrivals incl. warmup
  std::uint64_t events = 0;
  std::uint64_t offers = 0;
  std::uint64_t expired_offers = 0;
  std::uint64_t blocked = 0;                  ///< queue full at arrival
  std::uint64_t timed_out = 0;                ///< queue max wait reached
  std::uint64_t overflow_moves = 0;
  std::uint64_t served_in_other_queue = 0;    ///< answered from a queue moved to
  std::uint64_t served_under_step = 0;        ///< answered under an overflow step
  std::uint64_t crowd_served = 0;
  std::uint64_t crowd_before_admission = 0;   ///< must stay 0: the engine gates the crowd
  std::uint64_t manager_contacts = 0;         ///< answered contacts of customers with a manager
  std::uint64_t manager_reached = 0;          ///< ... answered by that manager

  void add(const extra_counts& o) {
    contacts += o.contacts;
    events += o.events;
    offers += o.offers;
    expired_offers += o.expired_offers;
    blocked += o.blocked;
    timed_out += o.timed_out;
    overflow_moves += o.overflow_moves;
    served_in_other_queue += o.served_in_other_queue;
    served_under_step += o.served_under_step;
    crowd_served += o.crowd_served;
    crowd_before_admission += o.crowd_before_admission;
    manager_contacts += o.manager_contacts;
    manager_reached += o.manager_reached;
  }
};

/// Reports virtual-time progress across all replications and policies.
struct progress_tracker {
  const progress_fn* fn = nullptr;
  double done_before = 0;  ///< virtual seconds of finished replications
  double total = 0;

  void report(double now_s) const {
    if (fn != nullptr && *fn)
      (*fn)(done_before + now_s, total);
  }
};

/// Everything of a scenario that does not change between replications, checked
/// and precomputed once.
struct plan {
  struct queue_plan {
    engine::queue_config config;
    time_ms crowd_admission = -1;  ///< waiting time from which the crowd may serve; -1 never
    time_ms first_deadline = -1;   ///< first overflow step or max wait of a new contact
  };
  struct type_plan {
    engine::contact tmpl;
    std::uint32_t queue = 0;
    std::vector<double> rate_per_s;          ///< per period
    std::vector<duration_sampler> handle;    ///< per period
    std::vector<duration_sampler> patience;  ///< per period
    std::vector<duration_sampler> wrap;      ///< per period
    std::vector<double> segment_cdf;         ///< cumulative shares
  };

  const scenario* s = nullptr;
  std::vector<double> period_start_s;
  double day_s = 0;
  double horizon_s = 0;
  double sample_every_s = 60;
  std::vector<queue_plan> queues;
  std::vector<type_plan> types;
  std::vector<int> manager_group;  ///< per segment, -1 when none
  /// outcome[group][type][segment]: the hidden true outcome rates drawn from.
  std::vector<std::vector<std::vector<true_outcome>>> outcome;
};

const true_outcome& pick_outcome(const agent_group& g, const std::string& intent,
                                 const std::string& segment) {
  static const true_outcome fallback{};
  const true_outcome* best = nullptr;
  int best_score = -1;
  for (const auto& t : g.truth) {
    bool intent_ok = t.intent == "*" || t.intent == intent;
    bool segment_ok = t.segment == "*" || t.segment == segment;
    if (!intent_ok || !segment_ok)
      continue;
    int score = (t.intent == intent ? 2 : 0) + (t.segment == segment ? 1 : 0);
    if (score > best_score) {
      best = &t;
      best_score = score;
    }
  }
  return best != nullptr ? *best : fallback;
}

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
        p.outcome[g][j].push_back(pick_outcome(s.groups[g], s.types[j].intent, seg.name));
  }
  return p;
}

/// One replication: a fresh routing domain, world and random streams.
class replication {
 public:
  replication(const plan& p, engine::policy_kind policy, int index, std::uint64_t seed,
              const progress_tracker& progress)
      : p_(p), s_(*p.s), domain_(make_tenant(policy)), policy_(policy), progress_(progress) {
    out_.index = index;
    out_.seed = seed;
    std::uint64_t st = seed;
    arrivals_rng_ = sim::rng(sim::splitmix64(st));
    service_rng_ = sim::rng(sim::splitmix64(st));
    patience_rng_ = sim::rng(sim::splitmix64(st));
    outcome_rng_ = sim::rng(sim::splitmix64(st));
    setup_rng_ = sim::rng(sim::splitmix64(st));
  }

  engine::result<replication_result> run(extra_counts& extra);

 private:
  enum class phase : std::uint8_t { free, waiting, offered, connected, wrap_up };

  struct sim_contact {
    std::uint32_t gen = 0;
    std::uint32_t type = 0;
    std::uint32_t segment = 0;
    std::uint32_t customer = 0;
    std::uint32_t agent = 0;
    phase ph = phase::free;
    bool counted = false;  // arrived after the warmup
    bool other_queue = false;
    bool under_step = false;
    bool before_admission = false;
    bool offered_once = false;
    time_ms arrived = 0;
    time_ms accepted = 0;
    std::uint64_t offer_id = 0;
  };

  struct sim_agent {
    std::string id;
    std::uint32_t group = 0;
    const engine::agent_profile* profile = nullptr;
    const engine::agent_runtime* rt = nullptr;
    bool online = false;          // logged in by the staffing plan
    bool pending_logout = false;  // set away, logs out once free
    time_ms last = 0;
    double cur_occ = 0;
    bool cur_logged = false;
    double occ_area = 0;
    double staffed_area = 0;
    std::uint64_t served = 0;
  };

  engine::tenant_config make_tenant(engine::policy_kind policy) const {
    engine::tenant_config t;
    t.id = std::string{tenant_id};
    t.name = "simulated tenant";
    t.default_policy = policy;
    return t;
  }

  engine::status setup();
  engine::status fail(const engine::error& e, std::string_view what) {
    return engine::make_error(e.code, std::string{what} + ": " + e.message);
  }

  std::size_t period_at(double t_s) const {
    auto in_day = std::fmod(t_s, p_.day_s);
    auto it = std::upper_bound(p_.period_start_s.begin(), p_.period_start_s.end(), in_day);
    return static_cast<std::size_t>(it - p_.period_start_s.begin()) - 1;
  }
  std::size_t day_at(double t_s) const { return static_cast<std::size_t>(t_s / p_.day_s); }
  double now_s() const { return static_cast<double>(now_) / 1000.0; }

  void schedule(event_kind k, time_ms t, std::uint32_t idx, std::uint32_t gen = 0,
                std::uint64_t aux = 0) {
    event e;
    e.t = t;
    e.kind = k;
    e.idx = idx;
    e.gen = gen;
    e.aux = aux;
    heap_.push(e);
  }
  void schedule_next_arrival(std::uint32_t type, double from_s);
  void schedule_tick(time_ms d);
  std::uint32_t alloc_contact();
  void free_contact(std::uint32_t slot);
  std::uint32_t slot_of(const std::string& id) const;
  void touch(std::uint32_t a);
  void maybe_logout(std::uint32_t a);

  engine::status on_arrival(std::uint32_t type);
  engine::status on_accept(const event& e);
  engine::status on_expire(const event& e);
  engine::status on_handle_end(const event& e);
  engine::status on_wrap_end(const event& e);
  engine::status on_patience(const event& e);
  engine::status on_staffing(std::uint32_t period, std::uint32_t day);
  engine::status on_tick();
  engine::status complete(std::uint32_t slot);
  engine::status match();
  void sample();
  void finish(extra_counts& extra);

  const plan& p_;
  const scenario& s_;
  engine::routing_domain domain_;
  engine::policy_kind policy_;
  const progress_tracker& progress_;
  replication_result out_;
  extra_counts extra_;

  sim::rng arrivals_rng_, service_rng_, patience_rng_, outcome_rng_, setup_rng_;
  sim::event_heap heap_;
  time_ms now_ = 0;
  time_ms horizon_ms_ = 0;
  time_ms warmup_ms_ = 0;
  time_ms tick_at_ = -1;
  bool dirty_ = false;
  std::uint64_t seq_ = 0;

  std::vector<sim_contact> contacts_;
  std::vector<std::string> contact_ids_;  // "c<slot>", reused with the slot
  std::vector<std::uint32_t> free_slots_;
  std::vector<sim_agent> agents_;
  std::unordered_map<std::string, std::uint32_t> agent_index_;
  std::vector<std::vector<std::uint32_t>> group_agents_;
  std::vector<std::vector<std::string>> customer_ids_;       // [segment][i]
  std::vector<std::vector<std::uint32_t>> customer_manager_;  // agent index, VIP segments
  std::vector<std::vector<double>> busyness_;                // [day][type]
  std::vector<double> next_arrival_s_;

  // Statistics (contacts that arrived after the warmup).
  std::uint64_t arrivals_ = 0, served_ = 0, abandoned_ = 0, immediate_ = 0, within_ = 0;
  double wait_sum_s_ = 0;
  std::uint64_t resolved_ = 0, sales_ = 0, rated_ = 0;
  double csat_sum_ = 0;
  // Live totals for the time series.
  double live_occ_ = 0;
  double live_logged_ = 0;
};

engine::status replication::setup() {
  for (const auto& q : p_.queues) {
    auto cfg = q.config;
    cfg.policy = policy_;
    if (auto st = domain_.upsert_queue(std::move(cfg)); !st)
      return fail(st.err(), "queues[" + q.config.id + "]");
  }
  group_agents_.resize(s_.groups.size());
  for (std::size_t g = 0; g < s_.groups.size(); ++g) {
    const auto& grp = s_.groups[g];
    for (std::uint32_t i = 0; i < grp.max_staff(); ++i) {
      engine::agent_profile a;
      a.tenant = std::string{tenant_id};
      a.id = grp.name + "-" + std::to_string(i);
      a.name = a.id;
      a.skills = grp.skills;
      a.languages = grp.languages;
      a.capacity = grp.capacity;
      a.level = grp.level;
      a.remote = grp.crowd;
      if (auto st = domain_.upsert_agent(a); !st)
        return fail(st.err(), "groups[" + grp.name + "]");
      sim_agent sa;
      sa.id = a.id;
      sa.group = static_cast<std::uint32_t>(g);
      auto index = static_cast<std::uint32_t>(agents_.size());
      agent_index_.emplace(sa.id, index);
      group_agents_[g].push_back(index);
      agents_.push_back(std::move(sa));
    }
  }
  // The domain keeps its agents in a vector that no longer grows: pointers are stable.
  for (auto& a : agents_) {
    a.profile = domain_.find_agent(a.id);
    a.rt = domain_.find_runtime(a.id);
  }
  customer_ids_.resize(s_.segments.size());
  customer_manager_.resize(s_.segments.size());
  for (std::size_t k = 0; k < s_.segments.size(); ++k) {
    const auto& seg = s_.segments[k];
    auto mg = p_.manager_group[k];
    for (std::uint32_t i = 0; i < seg.customers; ++i) {
      engine::customer_profile c;
      c.tenant = std::string{tenant_id};
      c.id = "u" + std::to_string(k) + "-" + std::to_string(i);
      c.tier = seg.tier;
      c.arpu = seg.arpu;
      c.segments = {seg.name};
      if (mg >= 0) {
        const auto& pool = group_agents_[static_cast<std::size_t>(mg)];
        auto a = pool[setup_rng_.below(static_cast<std::uint32_t>(pool.size()))];
        c.account_manager = agents_[a].id;
        customer_manager_[k].push_back(a);
      }
      customer_ids_[k].push_back(c.id);
      if (auto st = domain_.upsert_customer(std::move(c)); !st)
        return fail(st.err(), "segments[" + seg.name + "]");
    }
  }
  busyness_.assign(static_cast<std::size_t>(s_.days), std::vector<double>(s_.types.size(), 1.0));
  for (std::size_t d = 0; d < busyness_.size(); ++d)
    for (std::size_t j = 0; j < s_.types.size(); ++j)
      if (s_.types[j].busyness_shape > 0)
        busyness_[d][j] = arrivals_rng_.gamma(s_.types[j].busyness_shape) /
                          s_.types[j].busyness_shape;
  return {};
}

void replication::schedule_next_arrival(std::uint32_t type, double from_s) {
  // Piecewise-constant rates: draw at the current rate; when the draw crosses a
  // period boundary, restart at the boundary (exact, by memorylessness).
  const auto& tp = p_.types[type];
  double t = from_s;
  while (t < p_.horizon_s) {
    auto day = day_at(t);
    auto per = period_at(t);
    auto boundary = static_cast<double>(day) * p_.day_s + p_.period_start_s[per] +
                    s_.periods[per].duration_s;
    auto rate = tp.rate_per_s[per] * busyness_[std::min(day, busyness_.size() - 1)][type];
    if (rate > 0) {
      auto next = t + arrivals_rng_.exp1() / rate;
      if (next < boundary) {
        if (next < p_.horizon_s) {
          next_arrival_s_[type] = next;
          schedule(event_kind::arrival, to_ms(next), type);
        }
        return;
      }
    }
    t = boundary;
  }
}

void replication::schedule_tick(time_ms d) {
  if (d < 0)
    return;
  d = std::max(d, now_);
  if (tick_at_ < 0 || d < tick_at_) {
    tick_at_ = d;
    schedule(event_kind::tick, d, 0);
  }
}

std::uint32_t replication::alloc_contact() {
  if (!free_slots_.empty()) {
    auto slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  auto slot = static_cast<std::uint32_t>(contacts_.size());
  contacts_.emplace_back();
  contact_ids_.push_back("c" + std::to_string(slot));
  return slot;
}

void replication::free_contact(std::uint32_t slot) {
  auto& c = contacts_[slot];
  c.ph = phase::free;
  ++c.gen;
  free_slots_.push_back(slot);
}

std::uint32_t replication::slot_of(const std::string& id) const {
  std::uint32_t slot = 0;
  std::from_chars(id.data() + 1, id.data() + id.size(), slot);
  return slot;
}

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

void replication::maybe_logout(std::uint32_t a) {
  auto& ag = agents_[a];
  if (!ag.pending_logout || ag.rt->total_load() != 0)
    return;
  if (domain_.logout(ag.id, now_)) {
    ag.pending_logout = false;
    ag.online = false;
    touch(a);
    dirty_ = true;
  }
}

engine::status replication::match() {
  dirty_ = false;
  auto offers = domain_.match(now_);
  for (auto& o : offers) {
    ++extra_.offers;
    auto slot = slot_of(o.contact);
    auto it = agent_index_.find(o.agent);
    if (slot >= contacts_.size() || contacts_[slot].ph != phase::waiting ||
        it == agent_index_.end())
      return engine::make_error(engine::errc::invalid_transition,
                                "engine offered " + o.contact + " to " + o.agent +
                                  ", which the simulator does not hold waiting");
    auto a = it->second;
    auto& c = contacts_[slot];
    c.ph = phase::offered;
    c.agent = a;
    c.offer_id = o.offer_id;
    if (!c.offered_once) {
      c.offered_once = true;
      if (c.counted && now_ == c.arrived)
        ++immediate_;
    }
    const auto& tp = p_.types[c.type];
    c.other_queue = o.queue != tp.tmpl.queue;
    c.under_step = o.decision.step >= 0;
    c.before_admission = false;
    if (s_.groups[agents_[a].group].crowd) {
      auto q = std::find_if(p_.queues.begin(), p_.queues.end(),
                            [&](const plan::queue_plan& x) { return x.config.id == o.queue; });
      c.before_admission = q == p_.queues.end() || q->crowd_admission < 0 ||
                           now_ - c.arrived < q->crowd_admission;
    }
    touch(a);
    auto delay = to_ms(s_.groups[agents_[a].group].accept_delay_s);
    if (now_ + delay >= o.deadline)
      schedule(event_kind::expire, o.deadline, slot, c.gen, o.offer_id);
    else
      schedule(event_kind::accept, now_ + delay, slot, c.gen, o.offer_id);
  }
  return {};
}

engine::status replication::on_arrival(std::uint32_t type) {
  schedule_next_arrival(type, next_arrival_s_[type]);
  const auto& tp = p_.types[type];
  ++extra_.contacts;
  auto slot = alloc_contact();
  auto& c = contacts_[slot];
  c.type = type;
  auto u = arrivals_rng_.uniform();
  c.segment = static_cast<std::uint32_t>(
    std::lower_bound(tp.segment_cdf.begin(), tp.segment_cdf.end(), u) - tp.segment_cdf.begin());
  c.segment = std::min<std::uint32_t>(c.segment, static_cast<std::uint32_t>(s_.segments.size() - 1));
  c.customer = arrivals_rng_.below(static_cast<std::uint32_t>(customer_ids_[c.segment].size()));
  c.arrived = now_;
  c.counted = now_ >= warmup_ms_;
  c.offered_once = false;
  c.ph = phase::waiting;
  if (c.counted)
    ++arrivals_;

  engine::contact ec = tp.tmpl;
  ec.id = contact_ids_[slot];
  ec.customer = customer_ids_[c.segment][c.customer];
  ec.segment = s_.segments[c.segment].name;
  ec.created_at = now_;
  ec.enqueued_at = now_;
  ec.seq = ++seq_;
  if (auto st = domain_.enqueue(std::move(ec), now_); !st) {
    if (st.code() != engine::errc::queue_full)
      return fail(st.err(), "enqueue");
    ++extra_.blocked;
    if (c.counted)
      ++abandoned_;
    free_contact(slot);
    return {};
  }
  auto per = period_at(now_s());
  const auto& pat = tp.patience[per];
  if (pat.active())
    schedule(event_kind::patience, now_ + to_ms(pat.draw(patience_rng_)), slot, c.gen);
  const auto& q = p_.queues[tp.queue];
  if (q.first_deadline >= 0)
    schedule_tick(now_ + q.first_deadline);
  dirty_ = true;
  return {};
}

engine::status replication::on_accept(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::offered || c.offer_id != e.aux)
    return {};  // the customer left while it rang
  auto& ag = agents_[c.agent];
  if (auto st = domain_.accept(contact_ids_[e.idx], ag.id, c.offer_id, now_); !st)
    return fail(st.err(), "accept");
  c.ph = phase::connected;
  c.accepted = now_;
  if (c.counted) {
    ++served_;
    auto wait = now_ - c.arrived;
    wait_sum_s_ += static_cast<double>(wait) / 1000.0;
    if (static_cast<double>(wait) <= s_.sl_threshold_s * 1000.0)
      ++within_;
    ++ag.served;
    if (c.other_queue)
      ++extra_.served_in_other_queue;
    if (c.under_step)
      ++extra_.served_under_step;
    if (s_.groups[ag.group].crowd) {
      ++extra_.crowd_served;
      if (c.before_admission)
        ++extra_.crowd_before_admission;
    }
    if (p_.manager_group[c.segment] >= 0) {
      ++extra_.manager_contacts;
      if (customer_manager_[c.segment][c.customer] == c.agent)
        ++extra_.manager_reached;
    }
  }
  auto per = period_at(now_s());
  auto handle = to_ms(p_.types[c.type].handle[per].draw(service_rng_));
  schedule(event_kind::handle_end, now_ + handle, e.idx, c.gen);
  return {};
}

engine::status replication::on_expire(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::offered || c.offer_id != e.aux)
    return {};
  auto a = c.agent;
  auto away = domain_.expire(contact_ids_[e.idx], agents_[a].id, c.offer_id, now_);
  if (!away)
    return fail(away.err(), "expire");
  ++extra_.expired_offers;
  c.ph = phase::waiting;
  touch(a);
  if (*away)
    schedule(event_kind::back, now_ + away_pause_ms, a);
  maybe_logout(a);
  schedule_tick(domain_.next_deadline());
  dirty_ = true;
  return {};
}

engine::status replication::on_handle_end(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::connected)
    return {};
  auto per = period_at(now_s());
  const auto& wrap = p_.types[c.type].wrap[per];
  if (wrap.active() && wrap.mean() > 0) {
    if (auto st = domain_.wrap_up(contact_ids_[e.idx], agents_[c.agent].id, now_); !st)
      return fail(st.err(), "wrap_up");
    c.ph = phase::wrap_up;
    schedule(event_kind::wrap_end, now_ + to_ms(wrap.draw(service_rng_)), e.idx, c.gen);
    return {};
  }
  return complete(e.idx);
}

engine::status replication::on_wrap_end(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::wrap_up)
    return {};
  return complete(e.idx);
}

engine::status replication::complete(std::uint32_t slot) {
  auto& c = contacts_[slot];
  auto a = c.agent;
  auto& ag = agents_[a];
  const auto& truth = p_.outcome[ag.group][c.type][c.segment];
  engine::outcome o;
  o.resolved = outcome_rng_.bernoulli(truth.resolve);
  o.sale = outcome_rng_.bernoulli(truth.sale);
  o.csat = static_cast<int>(
    std::clamp(std::lround(truth.csat_mean + 0.8 * outcome_rng_.normal()), 1L, 5L));
  auto handle_ms = now_ - c.accepted;
  auto done = domain_.complete(contact_ids_[slot], ag.id, o, handle_ms, now_);
  if (!done)
    return fail(done.err(), "complete");
  if (c.counted) {
    resolved_ += o.resolved ? 1 : 0;
    sales_ += o.sale ? 1 : 0;
    ++rated_;
    csat_sum_ += o.csat;
  }
  free_contact(slot);
  touch(a);
  maybe_logout(a);
  dirty_ = true;
  return {};
}

engine::status replication::on_patience(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || (c.ph != phase::waiting && c.ph != phase::offered))
    return {};
  auto was_offered = c.ph == phase::offered;
  auto r = domain_.remove(contact_ids_[e.idx], now_);
  if (!r)
    return fail(r.err(), "remove");
  if (c.counted)
    ++abandoned_;
  auto a = c.agent;
  free_contact(e.idx);
  if (was_offered) {
    touch(a);
    maybe_logout(a);
  }
  dirty_ = true;
  return {};
}

engine::status replication::on_staffing(std::uint32_t period, std::uint32_t day) {
  for (std::size_t g = 0; g < s_.groups.size(); ++g) {
    const auto& pool = group_agents_[g];
    auto target = std::min<std::size_t>(s_.groups[g].staff_for(period), pool.size());
    std::size_t active = 0;
    for (auto a : pool)
      if (agents_[a].online && !agents_[a].pending_logout)
        ++active;
    // More agents: first keep those about to leave, then log in the others.
    for (auto a : pool) {
      if (active >= target)
        break;
      auto& ag = agents_[a];
      if (ag.online && ag.pending_logout) {
        ag.pending_logout = false;
        if (auto st = domain_.set_away(ag.id, false, now_); !st)
          return fail(st.err(), "set_away");
        ++active;
      }
    }
    for (auto a : pool) {
      if (active >= target)
        break;
      auto& ag = agents_[a];
      if (!ag.online) {
        if (auto st = domain_.login(ag.id, now_); !st)
          return fail(st.err(), "login");
        ag.online = true;
        touch(a);
        ++active;
      }
    }
    // Fewer agents: idle ones leave now, busy ones when they finish.
    for (auto it = pool.rbegin(); it != pool.rend() && active > target; ++it) {
      auto& ag = agents_[*it];
      if (ag.online && !ag.pending_logout && ag.rt->total_load() == 0) {
        if (auto r = domain_.logout(ag.id, now_); !r)
          return fail(r.err(), "logout");
        ag.online = false;
        touch(*it);
        --active;
      }
    }
    for (auto it = pool.rbegin(); it != pool.rend() && active > target; ++it) {
      auto& ag = agents_[*it];
      if (ag.online && !ag.pending_logout) {
        if (auto st = domain_.set_away(ag.id, true, now_); !st)
          return fail(st.err(), "set_away");
        ag.pending_logout = true;
        --active;
      }
    }
  }
  dirty_ = true;
  auto next_period = static_cast<std::uint32_t>((period + 1) % s_.periods.size());
  if (next_period == 0)
    ++day;
  auto next = static_cast<double>(day) * p_.day_s + p_.period_start_s[next_period];
  if (next < p_.horizon_s)
    schedule(event_kind::staffing, to_ms(next), next_period, day);
  return {};
}

engine::status replication::on_tick() {
  tick_at_ = -1;
  time_ms d = -1;
  // A move can make steps of the new queue due at once: apply them in the same instant.
  for (int round = 0; round < 16; ++round) {
    auto r = domain_.tick(now_);
    for (const auto& m : r.moves) {
      auto slot = slot_of(m.contact);
      if (contacts_[slot].counted)
        ++extra_.overflow_moves;
    }
    for (const auto& id : r.timed_out) {
      auto slot = slot_of(id);
      if (contacts_[slot].counted) {
        ++abandoned_;
        ++extra_.timed_out;
      }
      free_contact(slot);
    }
    if (!r.moves.empty() || !r.timed_out.empty())
      dirty_ = true;
    d = domain_.next_deadline();
    if (d < 0 || d > now_)
      break;
  }
  if (d >= 0)
    schedule_tick(std::max(d, now_ + 1));
  return {};
}

void replication::sample() {
  series_point pt;
  pt.t_s = now_s();
  pt.waiting = static_cast<double>(domain_.waiting());
  auto closed = served_ + abandoned_;
  pt.service_level = closed > 0 ? static_cast<double>(within_) / static_cast<double>(closed) : 0;
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
  auto closed = served_ + abandoned_;
  out_.service_level = closed > 0 ? static_cast<double>(within_) / static_cast<double>(closed) : 0;
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
      auto mean = std::accumulate(occ.begin(), occ.end(), 0.0) / static_cast<double>(occ.size());
      double var = 0;
      for (auto x : occ)
        var += (x - mean) * (x - mean);
      gr.occupancy = mean;
      gr.occupancy_spread = std::sqrt(var / static_cast<double>(occ.size()));
    }
    out_.groups.push_back(std::move(gr));
  }
  out_.occupancy = staffed > 0 ? busy / staffed : 0;
  if (!all.empty()) {
    auto mean = std::accumulate(all.begin(), all.end(), 0.0) / static_cast<double>(all.size());
    double var = 0;
    for (auto x : all)
      var += (x - mean) * (x - mean);
    out_.fairness_spread = std::sqrt(var / static_cast<double>(all.size()));
  }
  extra.add(extra_);
}

engine::result<replication_result> replication::run(extra_counts& extra) {
  auto wall0 = std::chrono::steady_clock::now();
  auto cpu0 = thread_cpu_s();
  if (auto st = setup(); !st)
    return st.err();
  horizon_ms_ = to_ms(p_.horizon_s);
  warmup_ms_ = to_ms(s_.warmup_s);
  next_arrival_s_.assign(s_.types.size(), 0);
  // Staffing for the first period, then the arrival streams and the samples.
  if (auto st = on_staffing(0, 0); !st)
    return st.err();
  for (std::uint32_t j = 0; j < s_.types.size(); ++j)
    schedule_next_arrival(j, 0);
  auto sample_ms = to_ms(p_.sample_every_s);
  schedule(event_kind::sample, sample_ms, 0);
  if (auto st = match(); !st)
    return st.err();

  std::uint64_t events = 0;
  while (!heap_.empty()) {
    if (heap_.top().t > horizon_ms_)
      break;
    auto e = heap_.pop();
    now_ = e.t;
    ++events;
    engine::status st;
    switch (e.kind) {
      case event_kind::arrival: st = on_arrival(e.idx); break;
      case event_kind::accept: st = on_accept(e); break;
      case event_kind::expire: st = on_expire(e); break;
      case event_kind::handle_end: st = on_handle_end(e); break;
      case event_kind::wrap_end: st = on_wrap_end(e); break;
      case event_kind::patience: st = on_patience(e); break;
      case event_kind::staffing: st = on_staffing(e.idx, e.gen); break;
      case event_kind::back: {
        auto& ag = agents_[e.idx];
        if (ag.online && !ag.pending_logout && ag.rt->away) {
          st = domain_.set_away(ag.id, false, now_);
          dirty_ = true;
        }
        break;
      }
      case event_kind::tick:
        if (e.t == tick_at_)
          st = on_tick();
        break;
      case event_kind::sample:
        sample();
        schedule(event_kind::sample, now_ + sample_ms, 0);
        break;
    }
    if (!st)
      return st.err();
    if (dirty_)
      if (auto m = match(); !m)
        return m.err();
    if (events % progress_every == 0)
      progress_.report(now_s());
  }
  extra_.events = events;
  finish(extra);
  out_.cpu_s = thread_cpu_s() - cpu0;
  out_.wall_s =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return std::move(out_);
}

struct replication_set {
  std::vector<replication_result> results;
  extra_counts extra;
};

engine::result<replication_set> run_policy(const plan& p, engine::policy_kind policy,
                                           progress_tracker& progress) {
  replication_set set;
  const auto& s = *p.s;
  for (int i = 0; i < s.replications; ++i) {
    auto seed = s.seed + static_cast<std::uint64_t>(i);
    replication rep(p, policy, i, seed, progress);
    auto r = rep.run(set.extra);
    if (!r)
      return r.err();
    set.results.push_back(std::move(*r));
    progress.done_before += p.horizon_s;
    progress.report(0);
  }
  return set;
}

std::map<std::string, metric_ci> summary_of(const std::vector<replication_result>& reps) {
  run_report tmp;
  tmp.replications = reps;
  summarize(tmp);
  return tmp.summary;
}

bool constant(const std::vector<double>& xs) {
  return std::all_of(xs.begin(), xs.end(), [&](double x) { return x == xs.front(); });
}

/// Erlang C / Erlang A rows for an M/M/n scenario; a note when it does not qualify.
void add_theory(run_report& r, const scenario& s) {
  auto it = s.parameters.find("model");
  if (it == s.parameters.end() || it->second != "mmn")
    return;
  std::string why;
  const auto& t = s.types.front();
  const auto& g = s.groups.front();
  if (s.types.size() != 1 || s.groups.size() != 1)
    why = "more than one contact type or group";
  else if (t.handle.type != duration_dist::kind::exponential || t.handle.mean_s.empty() ||
           !constant(t.handle.mean_s))
    why = "handle time is not exponential with one mean";
  else if (t.arrivals_per_hour.empty() || !constant(t.arrivals_per_hour) || t.busyness_shape > 0)
    why = "arrival rate is not constant";
  else if (g.staffing.empty() ||
           !std::all_of(g.staffing.begin(), g.staffing.end(),
                        [&](std::uint32_t x) { return x == g.staffing.front(); }))
    why = "staffing is not constant";
  else if (t.wrap_up.type != duration_dist::kind::none && t.wrap_up.mean_for(0) > 0)
    why = "wrap-up time is not zero";
  else if (g.accept_delay_s > 0)
    why = "agents take time to accept";
  else if (t.patience.type != duration_dist::kind::none &&
           (t.patience.type != duration_dist::kind::exponential || !constant(t.patience.mean_s)))
    why = "patience is neither infinite nor exponential";
  if (!why.empty()) {
    r.notes.push_back("theory: no Erlang comparison (" + why + ")");
    return;
  }
  auto n = static_cast<int>(g.staffing.front());
  auto lambda = t.arrivals_per_hour.front() / 3600.0;
  auto mu = 1.0 / t.handle.mean_s.front();
  auto thr = s.sl_threshold_s;
  auto row = [&](const std::string& metric, const std::string& model, double theory) {
    theory_row tr;
    tr.metric = metric;
    tr.model = model;
    tr.theory = theory;
    auto m = r.summary.find(metric);
    if (m != r.summary.end())
      tr.simulated = m->second;
    tr.rel_error = theory != 0 ? (tr.simulated.mean - theory) / theory : 0;
    r.theory.push_back(tr);
  };
  if (t.patience.type == duration_dist::kind::none) {
    auto th = theory::mmn(n, lambda, mu, thr);
    row("p_wait", "Erlang C", th.p_wait);
    row("asa_s", "Erlang C", th.asa);
    row("service_level", "Erlang C", th.service_level);
    row("occupancy", "Erlang C", th.occupancy);
    if (lambda / mu >= n)
      r.notes.push_back("theory: offered load >= agents, the M/M/n queue is unstable");
  } else {
    auto theta = 1.0 / t.patience.mean_s.front();
    auto th = theory::mmnm(n, lambda, mu, theta, thr);
    row("p_wait", "Erlang A", th.p_wait);
    row("abandon_rate", "Erlang A", th.p_abandon);
    row("asa_s", "Erlang A", th.asa);
    row("service_level", "Erlang A", th.service_level);
    row("occupancy", "Erlang A", th.occupancy);
  }
  r.notes.push_back(
    "theory: service_level = answered within " + num(thr) +
    " s / (served + abandoned), the same definition as erlang.h's; asa_s is the mean wait of "
    "answered contacts; p_wait the share of arrivals not offered to an agent on arrival");
}

}  // namespace

engine::result<run_report> run_sim(const scenario& s, const progress_fn& progress) {
  auto wall0 = std::chrono::steady_clock::now();
  auto cpu0 = process_cpu_s();
  auto p = make_plan(s);
  if (!p)
    return p.err();

  std::vector<engine::policy_kind> policies = s.compare_policies;
  if (std::find(policies.begin(), policies.end(), s.policy) == policies.end())
    policies.insert(policies.begin(), s.policy);

  progress_tracker tracker;
  tracker.fn = &progress;
  tracker.total = p->horizon_s * s.replications * static_cast<double>(policies.size());

  run_report r;
  r.scenario = s.name;
  r.mode = "sim";
  r.seed = s.seed;
  r.build_type = SB_BENCH_BUILD_TYPE;
  r.cores = std::thread::hardware_concurrency();
  r.parameters = s.parameters;
  r.parameters["policy"] = std::string{engine::to_string(s.policy)};
  r.sl_threshold_s = s.sl_threshold_s;
  r.sample_every_s = p->sample_every_s;
  if (p->sample_every_s != s.sample_every_s)
    r.notes.push_back("time series sampled every " + num(p->sample_every_s) +
                      " s (at most " + std::to_string(static_cast<int>(max_series_points)) +
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
      if (!s.compare_policies.empty())
        r.policies.push_back(policy_row{std::string{engine::to_string(policy)}, r.summary});
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
  add_theory(r, s);

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
