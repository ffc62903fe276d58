// The `load` bench mode: real time, in process, through the real actors and the
// RocksDB journal of an embedded switchboard::node. One driver thread submits
// contacts with the facade's non-blocking calls; simulated agents answer from the
// node's event callback. See bench/load/README.md for what is measured.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>

#include "actors/errors.h"
#include "actors/node.h"
#include "bench/core/stats.h"
#include "bench/load/caf_rates.h"
#include "bench/load/internal/settings.h"
#include "bench/load/live_table.h"
#include "bench/modes.h"
#include "bench/sim/random.h"

#ifndef SB_BUILD_TYPE
#define SB_BUILD_TYPE "unknown"
#endif

namespace switchboard::bench {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;
using engine::errc;
using engine::event_type;
using load::load_settings;
using load::settle;

constexpr const char* tenant_id = "load";
/// Threads that define agents and customers and log agents in: enough concurrent
/// calls for the journal's group commit to batch them.
constexpr std::size_t setup_threads = 32;
/// Closed loop: submits in flight without an answer at most.
constexpr std::uint64_t max_unacked = 4096;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

std::int64_t ns_since(clock_type::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - t0).count();
}


engine::error bad(const std::string& field, const std::string& why) {
  return engine::make_error(errc::invalid_argument, field + ": " + why);
}

/// Something a simulated agent or customer does later (time_scale > 0).
struct action {
  enum kind_t : std::uint8_t { accept, complete, abandon } kind;
  clock_type::time_point at;
  std::uint64_t contact;
  std::uint32_t agent;
  std::uint64_t offer_id;
  // complete: the outcome, drawn from the agent group's hidden true rates.
  bool resolved = false;
  bool sale = false;
  std::int8_t csat = 0;
  bool operator>(const action& o) const { return at > o.at; }
};

/// One run of the load mode.
class load_run {
 public:
  load_run(const scenario& s, load_settings cfg, const progress_fn& progress)
    : s_(s), cfg_(std::move(cfg)), progress_(progress), rng_(s.seed) {}

  engine::result<run_report> run();

 private:
  engine::status open_node();
  engine::status define_everything();
  void offer_load();
  void drain();
  void on_event(const event& e);
  void submit_one();
  void act(const action& a);
  /// Counts a failed call (and prints the first few); shutting_down is not a failure.
  void call_failed(const char* call, std::uint64_t contact, const status& st);
  void later(action a);
  void run_due_actions();
  void take_sample(double t_s);
  run_report make_report(const caf_rates& caf);

  /// A draw of `d` with `rng` (the driver's or the event thread's own).
  static double sample(sim::rng& rng, const duration_dist& d, std::size_t period,
                       double none_value);
  std::size_t pick(const std::vector<double>& cdf);
  std::string contact_id(std::uint64_t n) const { return "c" + std::to_string(n); }
  static std::uint64_t contact_number(const std::string& id);
  std::uint32_t agent_number(const std::string& id) const;

  const scenario& s_;
  load_settings cfg_;
  const progress_fn& progress_;
  sim::rng rng_;
  std::unique_ptr<node> node_;
  clock_type::time_point t0_;

  // -- the world, read-only once the load starts
  std::vector<std::string> agent_ids_;
  std::vector<std::uint32_t> agent_group_;
  std::unordered_map<std::string, std::uint32_t> agent_index_;
  std::vector<std::vector<std::string>> customers_;  ///< per segment
  std::vector<double> type_cdf_, segment_cdf_;
  std::uint64_t capacity_ = 0;

  // -- contacts, shared by the driver thread and the event thread
  live_table table_;
  std::mutex actions_mutex_;
  std::priority_queue<action, std::vector<action>, std::greater<>> actions_;
  sim::rng event_rng_{s_.seed ^ 0x9e3779b97f4a7c15ull};  ///< event thread only

  // -- counters (atomics: written by the event thread and callbacks)
  std::uint64_t submitted_ = 0;  ///< driver thread only
  std::uint64_t skipped_ = 0;    ///< driver thread only: arrivals dropped by max_live
  bool reached_max_live_ = false;  ///< driver thread only
  std::atomic<std::uint64_t> live_{0}, waiting_{0}, connected_now_{0}, unacked_{0};
  std::atomic<std::uint64_t> rejected_{0}, call_errors_{0};
  std::atomic<std::uint64_t> offered_{0}, served_{0}, served_in_sl_{0}, completed_{0},
    abandoned_{0}, failed_{0}, events_{0};
  std::atomic<std::uint64_t> completed_in_window_{0};
  std::atomic<std::uint64_t> resolved_{0}, sales_{0}, csat_sum_{0};  ///< completes answered ok
  std::atomic<bool> window_open_{false};
  std::atomic<std::int64_t> wait_sum_ns_{0};
  std::vector<double> offer_latency_us_;  ///< event thread only
  std::atomic<std::uint64_t> peak_live_{0};
  std::uint64_t rss_at_peak_ = 0, live_at_peak_ = 0;
  std::uint64_t rss_before_contacts_ = 0, rss_after_setup_ = 0, rss_before_agents_ = 0;
  double setup_s_ = 0, window_s_ = 0, drain_wall_s_ = 0;
  std::vector<series_point> series_;
};

std::uint64_t load_run::contact_number(const std::string& id) {
  std::uint64_t n = 0;
  if (id.size() < 2 || id[0] != 'c')
    return live_table::none;
  auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  return ec == std::errc{} && end == id.data() + id.size() ? n : live_table::none;
}

std::uint32_t load_run::agent_number(const std::string& id) const {
  auto i = agent_index_.find(id);
  return i == agent_index_.end() ? std::uint32_t(-1) : i->second;
}

double load_run::sample(sim::rng& rng, const duration_dist& d, std::size_t period,
                        double none_value) {
  sim::duration_sampler sampler{d, period};
  if (!sampler.active())
    return none_value;
  return sampler.mean() > 0 ? sampler.draw(rng) : 0;
}

std::size_t load_run::pick(const std::vector<double>& cdf) {
  double u = std::uniform_real_distribution<double>(0, 1)(rng_);
  return static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end() - 1, u) - cdf.begin());
}

engine::status load_run::open_node() {
  if (cfg_.temp_dir) {
    auto base = fs::temp_directory_path() /
                ("sb-load-" + std::to_string(::getpid()) + "-" + std::to_string(s_.seed));
    std::error_code ec;
    fs::remove_all(base, ec);
    cfg_.data_dir = base.string();
  }
  node_options o;
  o.data_dir = cfg_.data_dir;
  o.durability = cfg_.durability;
  o.threads = cfg_.threads;
  // Long: an overloaded node answers late, and a call that timed out but then took
  // effect would be counted as rejected.
  o.request_timeout = std::chrono::hours(1);
  o.on_event = [this](const event& e) { on_event(e); };
  auto n = node::open(std::move(o));
  if (!n)
    return engine::make_error(n.err().code, "load: opening the node in " + cfg_.data_dir + ": " +
                                              n.err().message);
  node_ = std::move(*n);
  if (node_->recovered().requeued + node_->recovered().connected > 0)
    return bad("data_dir", cfg_.data_dir + " holds live contacts of an earlier run; use an "
                           "empty directory");
  return {};
}

/// Runs `n` blocking setup calls over `setup_threads` threads; the first error wins.
template <class F>
engine::status parallel_calls(std::size_t n, F call) {
  std::atomic<std::size_t> next{0};
  std::mutex m;
  engine::status first;
  std::vector<std::thread> ts;
  for (std::size_t t = 0; t < std::min(setup_threads, n); ++t)
    ts.emplace_back([&] {
      for (std::size_t i; (i = next.fetch_add(1)) < n;) {
        if (auto st = call(i); !st) {
          std::lock_guard<std::mutex> g{m};
          if (first)
            first = st;
          next = n;
        }
      }
    });
  for (auto& t : ts)
    t.join();
  return first;
}

engine::status load_run::define_everything() {
  engine::tenant_config t;
  t.id = tenant_id;
  t.name = "load tenant";
  t.default_policy = s_.policy;
  if (auto st = node_->define_tenant(t); !st)
    return st;
  // Overflow targets must exist before a queue names them: first every queue without
  // its move steps, then, in full, the ones that have some.
  auto has_move = [](const engine::queue_config& q) {
    return std::any_of(q.overflow.begin(), q.overflow.end(),
                       [](const engine::overflow_step& st) { return !st.move_to_queue.empty(); });
  };
  for (int pass = 0; pass < 2; ++pass)
    for (auto q : s_.queues) {
      if (pass == 1 && !has_move(q))
        continue;
      if (pass == 0)
        std::erase_if(q.overflow, [](const engine::overflow_step& st) { return !st.move_to_queue.empty(); });
      q.tenant = tenant_id;
      q.policy = s_.policy;
      if (auto st = node_->define_queue(q); !st)
        return engine::make_error(st.err().code, "queues[" + q.id + "]: " + st.err().message);
    }
  std::vector<engine::agent_profile> agents;
  for (std::size_t g = 0; g < s_.groups.size(); ++g) {
    const auto& grp = s_.groups[g];
    std::uint32_t cap = 0;
    for (const auto& c : grp.capacity)
      cap = std::max<std::uint32_t>(cap, c.max);
    for (std::uint32_t i = 0; i < grp.max_staff(); ++i) {
      auto a = grp.profile(tenant_id, grp.name + "-" + std::to_string(i));
      agent_index_.emplace(a.id, static_cast<std::uint32_t>(agent_ids_.size()));
      agent_ids_.push_back(a.id);
      agent_group_.push_back(static_cast<std::uint32_t>(g));
      capacity_ += cap;
      agents.push_back(std::move(a));
    }
  }
  rss_before_agents_ = rss_bytes();
  if (auto st = parallel_calls(agents.size(), [&](std::size_t i) { return node_->define_agent(agents[i]); }); !st)
    return st;
  agents.clear();
  agents.shrink_to_fit();
  std::vector<std::uint32_t> manager_pool;
  customers_.resize(s_.segments.size());
  std::vector<engine::customer_profile> customers;
  for (std::size_t k = 0; k < s_.segments.size(); ++k) {
    const auto& seg = s_.segments[k];
    std::vector<std::uint32_t> pool;
    if (seg.dedicated_manager)
      for (std::uint32_t a = 0; a < agent_ids_.size(); ++a)
        if (s_.groups[agent_group_[a]].name == seg.manager_group)
          pool.push_back(a);
    for (std::uint32_t i = 0; i < seg.customers; ++i) {
      engine::customer_profile c;
      c.tenant = tenant_id;
      c.id = "u" + std::to_string(k) + "-" + std::to_string(i);
      c.tier = seg.tier;
      c.arpu = seg.arpu;
      c.segments = {seg.name};
      if (!pool.empty())
        c.account_manager = agent_ids_[pool[rng_() % pool.size()]];
      customers_[k].push_back(c.id);
      customers.push_back(std::move(c));
    }
  }
  if (auto st = parallel_calls(customers.size(), [&](std::size_t i) { return node_->upsert_customer(customers[i]); }); !st)
    return st;
  if (auto st = parallel_calls(agent_ids_.size(), [&](std::size_t i) { return node_->login(tenant_id, agent_ids_[i]); }); !st)
    return st;
  double acc = 0, sum = 0;
  for (const auto& ty : s_.types)
    sum += std::max(0.0, ty.rate_for(0));
  for (const auto& ty : s_.types) {
    acc += sum > 0 ? std::max(0.0, ty.rate_for(0)) / sum : 1.0 / static_cast<double>(s_.types.size());
    type_cdf_.push_back(acc);
  }
  acc = sum = 0;
  for (const auto& seg : s_.segments)
    sum += std::max(0.0, seg.share);
  for (const auto& seg : s_.segments) {
    acc += sum > 0 ? std::max(0.0, seg.share) / sum : 1.0 / static_cast<double>(s_.segments.size());
    segment_cdf_.push_back(acc);
  }
  return {};
}

void load_run::submit_one() {
  auto type = pick(type_cdf_);
  auto seg = pick(segment_cdf_);
  const auto& ty = s_.types[type];
  auto n = submitted_++;
  auto& slot = table_.add(n);
  slot.type = static_cast<std::uint32_t>(type);
  slot.segment = static_cast<std::uint32_t>(seg);
  engine::contact c;
  c.tenant = tenant_id;
  c.id = contact_id(n);
  const auto& custs = customers_[seg];
  c.customer = custs[rng_() % custs.size()];
  c.ch = ty.ch;
  c.intent = ty.intent;
  c.language = ty.language;
  c.queue = ty.queue;
  c.priority = ty.priority;
  c.segment = s_.segments[seg].name;
  auto live = live_.fetch_add(1) + 1;
  waiting_.fetch_add(1);
  auto peak = peak_live_.load();
  while (live > peak && !peak_live_.compare_exchange_weak(peak, live)) {
  }
  slot.submitted_ns.store(ns_since(t0_), std::memory_order_release);
  if (cfg_.time_scale > 0) {
    double patience = sample(rng_, ty.patience, 0, -1);
    if (patience >= 0)
      later({action::abandon, clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                                      std::chrono::duration<double>(patience * cfg_.time_scale)),
             n, 0, 0});
  }
  unacked_.fetch_add(1);
  node_->submit_async(std::move(c), [this, n](result<contact_ack> r) {
    unacked_.fetch_sub(1);
    if (r)
      return;
    // Not acknowledged. A contact whose events show it in line (offered, connected,
    // ended) is counted by them: only a failed call (e.g. shutting_down) raced its
    // acknowledgement. Otherwise it never got in line: rejected, not live.
    auto expected = static_cast<std::uint8_t>(live_table::waiting);
    if (!table_.at(n).state.compare_exchange_strong(expected, live_table::done))
      return;
    rejected_.fetch_add(1);
    live_.fetch_sub(1);
    waiting_.fetch_sub(1);
    if (r.code() != actors::errors::shutting_down && rejected_.load() <= 3)
      std::fprintf(stderr, "load: contact c%llu rejected: %s\n",
                   static_cast<unsigned long long>(n), r.err().message.c_str());
  });
}

void load_run::later(action a) {
  std::lock_guard<std::mutex> g{actions_mutex_};
  actions_.push(std::move(a));
}

void load_run::call_failed(const char* call, std::uint64_t contact, const status& st) {
  if (st || st.code() == actors::errors::shutting_down)
    return;
  if (call_errors_.fetch_add(1) < 3)
    std::fprintf(stderr, "load: %s of c%llu failed: %.*s: %s\n", call,
                 static_cast<unsigned long long>(contact),
                 static_cast<int>(engine::to_string(st.code()).size()), engine::to_string(st.code()).data(),
                 st.err().message.c_str());
}

void load_run::act(const action& a) {
  auto n = a.contact;
  switch (a.kind) {
    case action::accept:
      node_->accept_async(tenant_id, agent_ids_[a.agent], contact_id(n), a.offer_id,
                          [this, n](status st) {
                            // The offer may have expired, or the customer left, meanwhile.
                            if (st.code() != errc::not_offered && st.code() != errc::unknown_contact)
                              call_failed("accept", n, st);
                          });
      break;
    case action::complete: {
      engine::outcome o;
      o.resolved = a.resolved;
      o.sale = a.sale;
      o.csat = a.csat;  // what the customer rates, just before (counted on success)
      o.disposition = a.resolved ? "resolved" : "follow_up";
      if (a.csat > 0)
        node_->rate_async(tenant_id, contact_id(n), a.csat, 0, [this, n](status st) {
          if (!st)
            call_failed("rate", n, st);
        });
      node_->complete_async(tenant_id, agent_ids_[a.agent], contact_id(n), o,
                            [this, n, o](status st) {
                              if (!st) {
                                call_failed("complete", n, st);
                                return;
                              }
                              resolved_.fetch_add(o.resolved ? 1 : 0, std::memory_order_relaxed);
                              sales_.fetch_add(o.sale ? 1 : 0, std::memory_order_relaxed);
                              csat_sum_.fetch_add(static_cast<std::uint64_t>(o.csat),
                                                  std::memory_order_relaxed);
                            });
      break;
    }
    case action::abandon: {
      auto st = table_.at(n).state.load();
      if (st == live_table::waiting || st == live_table::offered)
        node_->end_contact_async(tenant_id, contact_id(n), "patience", [this, n](status s) {
          // It may have been answered or ended meanwhile.
          if (s.code() != errc::unknown_contact && s.code() != errc::invalid_transition)
            call_failed("end_contact", n, s);
        });
      break;
    }
  }
}

void load_run::on_event(const event& e) {
  events_.fetch_add(1, std::memory_order_relaxed);
  if (e.tenant != tenant_id || e.contact.empty())
    return;
  auto n = contact_number(e.contact);
  if (n == live_table::none || !table_.has(n))
    return;
  auto& slot = table_.at(n);
  // Counted out already (rejected, or ended): later events change nothing.
  if (slot.state.load() == live_table::done)
    return;
  auto delay = [&](double scenario_s) {
    return clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                 std::chrono::duration<double>(scenario_s * cfg_.time_scale));
  };
  switch (e.type) {
    case event_type::offered: {
      auto a = agent_number(e.agent);
      if (a == std::uint32_t(-1))
        return;
      if (slot.state.exchange(live_table::offered) == live_table::waiting && !slot.offered_once) {
        slot.offered_once = true;
        offered_.fetch_add(1, std::memory_order_relaxed);
        auto at = ns_since(t0_) - slot.submitted_ns.load(std::memory_order_acquire);
        offer_latency_us_.push_back(static_cast<double>(at) / 1000.0);
      }
      action act_{action::accept, {}, n, a, e.offer_id};
      double d = s_.groups[agent_group_[a]].accept_delay_s;
      if (cfg_.time_scale > 0 && d > 0) {
        act_.at = delay(d);
        later(act_);
      } else {
        act(act_);
      }
      break;
    }
    case event_type::offer_declined:
    case event_type::offer_expired:
    case event_type::offer_cancelled:
      slot.state.store(live_table::waiting);
      break;
    case event_type::connected: {
      auto a = agent_number(e.agent);
      if (a == std::uint32_t(-1))
        return;
      slot.state.store(live_table::connected);
      waiting_.fetch_sub(1);
      connected_now_.fetch_add(1);
      served_.fetch_add(1, std::memory_order_relaxed);
      auto wait = ns_since(t0_) - slot.submitted_ns.load(std::memory_order_acquire);
      wait_sum_ns_.fetch_add(wait, std::memory_order_relaxed);
      double threshold_s = cfg_.time_scale > 0 ? s_.sl_threshold_s * cfg_.time_scale : s_.sl_threshold_s;
      if (static_cast<double>(wait) / 1e9 <= threshold_s)
        served_in_sl_.fetch_add(1, std::memory_order_relaxed);
      action act_{action::complete, {}, n, a, 0};
      const auto& truth = s_.groups[agent_group_[a]].truth_for(
        s_.types[slot.type].intent, s_.segments[slot.segment].name);
      std::uniform_real_distribution<double> u(0, 1);
      act_.resolved = u(event_rng_) < truth.resolve;
      act_.sale = u(event_rng_) < truth.sale;
      act_.csat = static_cast<std::int8_t>(std::clamp(
        std::lround(truth.csat_mean + 0.8 * std::normal_distribution<double>()(event_rng_)), 1L, 5L));
      if (cfg_.time_scale > 0) {
        const auto& ty = s_.types[slot.type];
        act_.at = delay(sample(event_rng_, ty.handle, 0, 0) + sample(event_rng_, ty.wrap_up, 0, 0));
        later(act_);
      } else {
        act(act_);
      }
      break;
    }
    case event_type::completed:
    case event_type::abandoned:
    case event_type::failed: {
      auto before = slot.state.exchange(live_table::done);
      if (before == live_table::done)
        return;
      if (before == live_table::connected)
        connected_now_.fetch_sub(1);
      else
        waiting_.fetch_sub(1);
      live_.fetch_sub(1);
      if (e.type == event_type::completed) {
        completed_.fetch_add(1, std::memory_order_relaxed);
        if (window_open_.load(std::memory_order_relaxed))
          completed_in_window_.fetch_add(1, std::memory_order_relaxed);
      } else if (e.type == event_type::abandoned) {
        abandoned_.fetch_add(1, std::memory_order_relaxed);
      } else {
        failed_.fetch_add(1, std::memory_order_relaxed);
      }
      break;
    }
    default: break;
  }
}

void load_run::run_due_actions() {
  std::vector<action> due;
  {
    std::lock_guard<std::mutex> g{actions_mutex_};
    auto now = clock_type::now();
    while (!actions_.empty() && actions_.top().at <= now) {
      due.push_back(actions_.top());
      actions_.pop();
    }
  }
  for (const auto& a : due)
    act(a);
}

void load_run::take_sample(double t_s) {
  series_point p;
  p.t_s = t_s;
  p.waiting = static_cast<double>(waiting_.load());
  auto served = served_.load(), ab = abandoned_.load();
  p.service_level = served + ab > 0 ? static_cast<double>(served_in_sl_.load()) / static_cast<double>(served + ab) : 0;
  p.occupancy = capacity_ > 0 ? static_cast<double>(connected_now_.load()) / static_cast<double>(capacity_) : 0;
  series_.push_back(p);
  auto live = live_.load();
  if (live >= live_at_peak_) {
    live_at_peak_ = live;
    rss_at_peak_ = rss_bytes();
  }
  if (progress_)
    progress_(std::min(t_s, cfg_.duration_s), cfg_.duration_s);
}

void load_run::offer_load() {
  rss_before_contacts_ = rss_bytes();
  t0_ = clock_type::now();
  auto end = t0_ + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(cfg_.duration_s));
  auto next_sample = cfg_.sample_every_s;
  std::exponential_distribution<double> gap(cfg_.rate > 0 ? cfg_.rate : 1);
  double next_arrival_s = cfg_.rate > 0 ? gap(rng_) : 0;
  window_open_ = true;
  for (;;) {
    auto now = clock_type::now();
    if (now >= end)
      break;
    double t = std::chrono::duration<double>(now - t0_).count();
    if (cfg_.rate > 0) {
      // Open loop: every arrival due by now, Poisson spaced; max_live drops the excess.
      while (next_arrival_s <= t) {
        if (cfg_.max_live > 0 && live_.load() >= cfg_.max_live)
          ++skipped_;
        else
          submit_one();
        next_arrival_s += gap(rng_);
      }
    } else {
      // Closed loop: keep max_live contacts in flight; a burst at most, then look around.
      // Back-pressure like a real client: at most max_unacked submits unanswered, so
      // the node holds max_live contacts, not a backlog of requests in its mailboxes.
      for (int i = 0; i < 256 && live_.load() < cfg_.max_live && unacked_.load() < max_unacked; ++i)
        submit_one();
      // Memory is sampled the moment the loop first holds max_live contacts.
      if (!reached_max_live_ && live_.load() >= cfg_.max_live) {
        reached_max_live_ = true;
        take_sample(t);
      }
    }
    run_due_actions();
    if (t >= next_sample) {
      take_sample(t);
      next_sample += cfg_.sample_every_s;
    }
    if (cfg_.rate > 0 ? next_arrival_s > t + 0.001
                      : live_.load() >= cfg_.max_live || unacked_.load() >= max_unacked)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  window_s_ = seconds_since(t0_);
  window_open_ = false;
  take_sample(window_s_);
}

void load_run::drain() {
  auto start = clock_type::now();
  auto limit = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(cfg_.drain_s));
  // Contacts that cannot finish within the drain (long handle times, nobody free to
  // take them) are counted as unfinished, not waited for: the drain ends once nothing
  // has moved for 2 s and no simulated action falls due before its limit.
  auto progress = [this] { return events_.load() + call_errors_.load(); };
  auto last = progress();
  auto still_since = clock_type::now();
  while (live_.load() > 0 && clock_type::now() < limit) {
    run_due_actions();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto now = clock_type::now();
    if (auto p = progress(); p != last) {
      last = p;
      still_since = now;
    } else if (now - still_since > std::chrono::seconds(2)) {
      std::lock_guard<std::mutex> g{actions_mutex_};
      if (actions_.empty() || actions_.top().at > limit)
        break;
    }
  }
  drain_wall_s_ = seconds_since(start);
}

run_report load_run::make_report(const caf_rates& caf) {
  auto r = new_report(s_, "load", SB_BUILD_TYPE);
  r.parameters["load.target_rate"] = cfg_.rate > 0 ? num(cfg_.rate) : "as fast as possible";
  r.parameters["load.duration_s"] = num(cfg_.duration_s);
  r.parameters["load.time_scale"] = num(cfg_.time_scale);
  r.parameters["load.max_live"] = std::to_string(cfg_.max_live);
  r.parameters["load.durability"] = cfg_.durability == storage::durability::sync ? "sync" : "no_sync";
  r.parameters["load.agents"] = std::to_string(agent_ids_.size());
  r.parameters["load.threads"] = cfg_.threads > 0 ? std::to_string(cfg_.threads) : "one per core";
  r.sample_every_s = cfg_.sample_every_s;

  replication_result rep;
  rep.seed = s_.seed;
  rep.arrivals = submitted_ - rejected_.load();
  rep.served = served_.load();
  rep.abandoned = abandoned_.load();
  auto finished = rep.served + rep.abandoned;
  rep.service_level = finished > 0 ? static_cast<double>(served_in_sl_.load()) / static_cast<double>(finished) : 0;
  double asa_wall = rep.served > 0 ? static_cast<double>(wait_sum_ns_.load()) / 1e9 / static_cast<double>(rep.served) : 0;
  rep.asa_s = cfg_.time_scale > 0 ? asa_wall / cfg_.time_scale : asa_wall;
  rep.abandon_rate = rep.arrivals > 0 ? static_cast<double>(rep.abandoned) / static_cast<double>(rep.arrivals) : 0;
  // Outcomes drawn from the groups' hidden true rates, of completes the node accepted.
  auto rated = completed_.load();
  if (rated > 0) {
    rep.resolution_rate = static_cast<double>(resolved_.load()) / static_cast<double>(rated);
    rep.sale_rate = static_cast<double>(sales_.load()) / static_cast<double>(rated);
    rep.csat_mean = static_cast<double>(csat_sum_.load()) / static_cast<double>(rated);
  }
  rep.series = series_;
  r.replications.push_back(std::move(rep));
  summarize(r);

  auto& f = r.figures;
  f["contacts_submitted"] = static_cast<double>(submitted_);
  f["contacts_rejected"] = static_cast<double>(rejected_.load());
  f["contacts_skipped_max_live"] = static_cast<double>(skipped_);
  f["contacts_routed"] = static_cast<double>(offered_.load());
  f["contacts_completed"] = static_cast<double>(completed_.load());
  f["contacts_failed"] = static_cast<double>(failed_.load());
  f["contacts_unfinished"] = static_cast<double>(live_.load());
  f["call_errors"] = static_cast<double>(call_errors_.load());
  f["window_s"] = window_s_;
  f["drain_s"] = drain_wall_s_;
  f["setup_s"] = setup_s_;
  f["lifecycles_per_s"] = window_s_ > 0 ? static_cast<double>(completed_in_window_.load()) / window_s_ : 0;
  f["submitted_per_s"] = window_s_ > 0 ? static_cast<double>(submitted_) / window_s_ : 0;
  // Contact events are published after their session handed them to the journal.
  f["journal_events_per_s"] = window_s_ + drain_wall_s_ > 0 ? static_cast<double>(events_.load()) / (window_s_ + drain_wall_s_) : 0;
  f["agents"] = static_cast<double>(agent_ids_.size());
  f["peak_live_contacts"] = static_cast<double>(peak_live_.load());
  f["rss_bytes_peak_sample"] = static_cast<double>(rss_at_peak_);
  f["rss_bytes_hwm"] = static_cast<double>(peak_rss_bytes());
  f["rss_bytes_before_agents"] = static_cast<double>(rss_before_agents_);
  f["rss_bytes_before_contacts"] = static_cast<double>(rss_before_contacts_);
  if (!agent_ids_.empty() && rss_before_contacts_ > rss_before_agents_)
    f["bytes_per_agent"] = static_cast<double>(rss_before_contacts_ - rss_before_agents_) / static_cast<double>(agent_ids_.size());
  if (live_at_peak_ > 0 && rss_at_peak_ > rss_before_contacts_)
    f["bytes_per_live_session"] = static_cast<double>(rss_at_peak_ - rss_before_contacts_) / static_cast<double>(live_at_peak_);
  f["live_at_rss_sample"] = static_cast<double>(live_at_peak_);
  if (caf.ping_pong_per_s > 0) {
    f["caf_ping_pong_msgs_per_s"] = caf.ping_pong_per_s;
    f["caf_fan_out_msgs_per_s"] = caf.fan_out_per_s;
    f["lifecycles_per_caf_msg_rate"] = f["lifecycles_per_s"] / caf.ping_pong_per_s;
    if (f["lifecycles_per_s"] > 0)
      f["caf_msgs_per_lifecycle_budget"] = caf.ping_pong_per_s / f["lifecycles_per_s"];
  }
  if (!offer_latency_us_.empty())
    r.latency = make_latency_histogram(offer_latency_us_);

  auto& n = r.notes;
  n.push_back("in process through the real actors: " + std::to_string(agent_ids_.size()) +
              " agents logged in, journal on (" + r.parameters["load.durability"] + ") in " +
              (cfg_.temp_dir ? std::string{"a temporary directory"} : cfg_.data_dir));
  if (cfg_.rate > 0)
    n.push_back("open loop: Poisson arrivals at " + num(cfg_.rate) + "/s; scenario times x " +
                num(cfg_.time_scale) + " wall seconds");
  else
    n.push_back("closed loop, as fast as possible: " + std::to_string(cfg_.max_live) +
                " contacts kept in flight; scenario times x " + num(cfg_.time_scale) +
                (cfg_.time_scale == 0 ? " (agents accept and complete at once)" : ""));
  n.push_back("latency: submit call -> first offer event (admission, journal hand-off, "
              "matching and the event hub), microseconds");
  if (caf.ping_pong_per_s > 0)
    n.push_back("CAF raw rates (same tool, " + std::to_string(caf.pairs) + " ping-pong pairs; fan-out 1 -> " +
                std::to_string(caf.fan_out) + "): " + num(caf.ping_pong_per_s) + " and " +
                num(caf.fan_out_per_s) + " msgs/s");
  n.push_back("RSS includes the driver's bookkeeping (about " + std::to_string(sizeof(live_table::slot)) +
              " bytes per contact submitted)");
  if (live_.load() > 0)
    n.push_back(std::to_string(live_.load()) + " contacts were still live when the run ended "
                "(handle times beyond the drain); the node journaled them and stopped cleanly");
  return r;
}

engine::result<run_report> load_run::run() {
  auto cpu0 = process_cpu_s();
  auto wall0 = clock_type::now();
  caf_rates caf;
  if (cfg_.caf_seconds > 0)
    caf = measure_caf_rates(cfg_.threads, cfg_.caf_seconds);
  if (auto st = open_node(); !st)
    return st.err();
  auto setup0 = clock_type::now();
  if (auto st = define_everything(); !st)
    return st.err();
  setup_s_ = seconds_since(setup0);
  if (cfg_.rate <= 0 && cfg_.max_live == 0)
    cfg_.max_live = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(2 * capacity_, 1, 10'000'000));
  if (progress_)
    progress_(0, cfg_.duration_s);
  offer_load();
  drain();
  // Stopped before the report is made: the node's threads (the event callback
  // among them) may still be routing a backlog and touching the counters.
  node_->shutdown();
  node_.reset();
  auto report = make_report(caf);
  std::error_code ec;
  std::uint64_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(cfg_.data_dir, ec))
    if (e.is_regular_file(ec))
      bytes += e.file_size(ec);
  report.figures["data_dir_bytes"] = static_cast<double>(bytes);
  if (cfg_.temp_dir)
    fs::remove_all(cfg_.data_dir, ec);
  report.cpu_s = process_cpu_s() - cpu0;
  report.wall_s = seconds_since(wall0);
  report.replications.front().cpu_s = report.cpu_s;
  report.replications.front().wall_s = report.wall_s;
  return report;
}

}  // namespace

engine::result<run_report> run_load(const scenario& s, const progress_fn& progress) {
  auto cfg = settle(s);
  if (!cfg)
    return cfg.err();
  load_run r{s, std::move(*cfg), progress};
  return r.run();
}

}  // namespace switchboard::bench
