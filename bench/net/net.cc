// The `net` bench mode: real time against a running node over WebSocket. Every
// simulated agent and gateway is a real client connection; one thread runs them all
// on one io_context, so the node (not the tool) should be the bottleneck. See
// bench/net/README.md for the contact flow and what is measured.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <thread>
#include <unordered_map>

#include "bench/core/stats.h"
#include "bench/modes.h"
#include "bench/net/ws_client.h"
#include "net/codec.h"
#include "storage/codecs.h"

#ifndef SB_BUILD_TYPE
#define SB_BUILD_TYPE "unknown"
#endif

namespace switchboard::bench {

namespace {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using engine::errc;

constexpr double inf = std::numeric_limits<double>::infinity();
/// Default tenant when neither `?tenant=` nor `--set tenant=` names one.
constexpr const char* default_tenant = "bench";
/// Default cap on simulated agent connections.
constexpr std::uint32_t default_max_agents = 2000;
/// Hard cap on contacts alive at once, whatever the settings (memory bound).
constexpr std::uint32_t hard_live_cap = 200000;
/// Messages a gateway sends per contact (open, customer message, end) and the
/// per-connection rate the auto gateway count aims under (half the node's default 50/s).
constexpr double gateway_frames_per_contact = 3;
constexpr double gateway_frames_per_s = 25;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

clock_type::duration wall(double s) {
  return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
}

/// A number as a person writes it (20, 0.01, 1.5e+06), for notes and parameters.
std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

/// The host's 1-minute load average (Linux), or -1: a busy host slows both sides.
double load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f)
    return -1;
  double x = -1;
  if (std::fscanf(f, "%lf", &x) != 1)
    x = -1;
  std::fclose(f);
  return x;
}

engine::error bad(const std::string& field, const std::string& why) {
  return engine::make_error(errc::invalid_argument, field + ": " + why);
}

/// A `--set` value recorded in the scenario's parameters, as a number.
engine::result<double> parameter(const scenario& s, const std::string& key, double def) {
  auto i = s.parameters.find(key);
  if (i == s.parameters.end() || i->second.empty())
    return def;
  try {
    std::size_t used = 0;
    double v = std::stod(i->second, &used);
    if (used != i->second.size() || !std::isfinite(v) || v < 0)
      throw std::invalid_argument("x");
    return v;
  } catch (const std::exception&) {
    return bad(key, "expected a number >= 0, got '" + i->second + "'");
  }
}

/// What run_net derives from the scenario before it connects.
struct net_settings {
  ws::ws_url url;
  boost::asio::ip::tcp::endpoint endpoint;
  std::string tenant;
  double rate = 0;           ///< contacts/s; 0: closed loop, as fast as possible
  double duration_s = 10;    ///< load window, wall seconds
  /// Scenario seconds -> wall seconds for handle, patience, wrap-up and accept delay:
  /// the scenario's own arrival rate over `rate`, so the offered load in Erlangs and
  /// thus the queueing regime stay the scenario's. 0 in closed-loop mode (no holding).
  double time_scale = 1;
  std::uint32_t gateways = 0;
  std::uint32_t max_agents = default_max_agents;
  std::uint32_t max_live = 0;
  double drain_s = 10;
  double sample_every_s = 1;
};

/// A simulated agent: its definition, its connection and what it did.
struct sim_agent {
  std::string id;
  std::size_t group = 0;
  std::string token;
  std::shared_ptr<ws::connection> conn;
  bool ready = false;  ///< logged in and availability set
  int load = 0;        ///< contacts accepted and not yet completed
  int offered = 0;     ///< offers received and not yet answered
  std::uint32_t capacity = 0;  ///< the most contacts it takes (largest channel capacity)
  clock_type::time_point busy_since;
  double busy_s = 0;
  double busy_in_window_s = 0;  ///< busy_s when the load window closed
  std::uint64_t served = 0;
  /// A delayed accept or wrap-up, per contact; `fire` runs it now (drain).
  struct pending_action {
    std::shared_ptr<asio::steady_timer> timer;
    std::function<void()> fire;
  };
  std::unordered_map<std::string, pending_action> timers;
};

/// A contact opened by a simulated gateway, until it completes or is abandoned.
struct live_contact {
  std::string id;
  std::size_t type = 0;
  std::size_t segment = 0;
  std::size_t gateway = 0;
  clock_type::time_point opened_at;  ///< when the OpenContact was sent
  bool opened = false;               ///< ContactOpened came back
  bool offered = false;              ///< first offer reached an agent
  bool connected = false;
  bool ended = false;                ///< EndContact sent
  bool found_all_busy = false;       ///< no simulated agent had room when it was opened
  double handle_s = 0;               ///< wall seconds of conversation
  std::string agent;
  std::shared_ptr<asio::steady_timer> timer;  ///< patience, then handle time
};

/// One run of the net mode. Confined to the calling thread (which runs the io_context).
class net_run {
 public:
  net_run(const scenario& s, net_settings cfg, const progress_fn& progress)
    : s_(s), cfg_(std::move(cfg)), progress_(progress), work_(asio::make_work_guard(ioc_)),
      rng_(s.seed), arrival_timer_(ioc_), sample_timer_(ioc_) {}

  ~net_run() { shutdown(); }

  engine::result<run_report> run();

 private:
  // -- phases
  engine::status define_everything();
  engine::status connect_agents();
  engine::status connect_gateways();
  void offer_load();
  void drain();
  /// No contact live and no agent request or delayed action outstanding.
  bool settled() const;
  void shutdown();
  run_report make_report();

  // -- helpers
  /// Runs the io_context until `done()` or `deadline`; returns done().
  bool run_until(const std::function<bool()>& done, clock_type::time_point deadline);
  pb::Hello hello(pb::Role role, const std::string& token = {}) const;
  engine::result<std::shared_ptr<ws::connection>> open_supervisor();
  double sample(const duration_dist& d, double none_value);
  std::size_t pick(const std::vector<double>& weights);

  // -- gateway side
  void schedule_arrivals();
  void open_contact();
  void on_gateway_push(const pb::Envelope& e);
  void contact_connected(live_contact& c, const std::string& agent);
  void end_contact(live_contact& c, const std::string& reason);
  void finish(const std::string& id, bool abandoned);

  // -- agent side
  void on_agent_push(std::size_t a, const pb::Envelope& e);
  void accept(std::size_t a, const std::string& contact, std::uint64_t offer_id);
  void wrap_up(std::size_t a, const std::string& contact);
  /// Runs `fire` after `delay_s` unless the contact's offer goes away first.
  void delay_action(std::size_t a, const std::string& contact, double delay_s,
                    std::function<void()> fire);
  void set_load(sim_agent& ag, int delta);
  void take_sample();

  const scenario& s_;
  net_settings cfg_;
  const progress_fn& progress_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  ws::client_counters counters_;
  std::mt19937_64 rng_;
  std::string run_id_;

  std::vector<sim_agent> agents_;
  std::unordered_map<std::string, std::size_t> agent_index_;
  std::vector<std::uint32_t> group_staff_;  ///< agents per group actually defined
  std::vector<std::shared_ptr<ws::connection>> gateways_;
  std::unordered_map<std::string, live_contact> live_;
  std::vector<double> type_weights_;
  std::vector<double> segment_weights_;
  std::uint32_t total_capacity_ = 0;

  // -- load state
  clock_type::time_point t0_;
  clock_type::time_point next_arrival_;
  bool arriving_ = false;
  bool forced_ = false;
  bool shut_ = false;  ///< the drain ran out: end and complete everything at once
  std::uint64_t next_contact_ = 0;
  std::size_t next_gateway_ = 0;
  asio::steady_timer arrival_timer_;
  asio::steady_timer sample_timer_;

  // -- measurements
  std::uint64_t attempted_ = 0;      ///< OpenContact sent
  std::uint64_t opened_ = 0;         ///< ContactOpened
  std::uint64_t open_failed_ = 0;    ///< OpenContact answered with an Error
  std::uint64_t skipped_ = 0;        ///< arrivals dropped by max_live
  std::uint64_t routed_ = 0;         ///< first offers seen by agents
  std::uint64_t served_ = 0;         ///< connected (gateway view)
  std::uint64_t served_in_sl_ = 0;
  std::uint64_t abandoned_ = 0;
  std::uint64_t completed_ = 0;      ///< WrapUp with outcome acknowledged
  std::uint64_t unfinished_ = 0;     ///< still live after the drain
  std::uint64_t opened_in_window_ = 0, routed_in_window_ = 0, completed_in_window_ = 0;
  std::uint64_t chat_to_agents_ = 0;
  std::uint64_t chat_to_customers_ = 0;
  std::uint64_t resolved_ = 0, sales_ = 0, rated_ = 0;
  double csat_sum_ = 0;
  double wait_sum_s_ = 0;  ///< wall seconds, answered contacts
  /// Answered contacts that found every simulated agent busy when they were opened
  /// (the client's view of "had to wait"; skills and languages are not considered).
  std::uint64_t waited_ = 0;
  std::vector<double> time_to_offer_us_;
  std::vector<series_point> series_;
  double load_wall_s_ = 0, drain_wall_s_ = 0;
  double load_average_ = -1;
  std::string metrics_before_, metrics_after_;
  std::vector<std::string> notes_;
};

// -- helpers ------------------------------------------------------------------------

bool net_run::run_until(const std::function<bool()>& done, clock_type::time_point deadline) {
  while (!done() && clock_type::now() < deadline)
    ioc_.run_one_for(std::chrono::milliseconds(20));
  return done();
}

pb::Hello net_run::hello(pb::Role role, const std::string& token) const {
  pb::Hello h;
  h.set_role(role);
  h.set_tenant(cfg_.tenant);
  if (role == pb::ROLE_AGENT)
    h.set_agent_token(token);
  else
    h.set_api_key(s_.realtime.api_key);
  return h;
}

engine::result<std::shared_ptr<ws::connection>> net_run::open_supervisor() {
  auto c = ws::connection::make(ioc_, counters_);
  std::optional<engine::result<pb::Welcome>> got;
  c->open(cfg_.endpoint, cfg_.url, hello(pb::ROLE_SUPERVISOR),
          [&got](engine::result<pb::Welcome> w) { got = std::move(w); });
  run_until([&] { return got.has_value(); }, clock_type::now() + std::chrono::seconds(20));
  if (!got) {
    c->close();  // no callback after this: `got` goes out of scope
    return engine::make_error(errc::timeout, "no answer from " + s_.realtime.url);
  }
  if (!*got) {
    auto e = got->err();
    if (e.code == errc::invalid_argument)
      e.message = "api_key: refused for tenant '" + cfg_.tenant + "' at " + s_.realtime.url +
                  " (" + e.message + ")";
    else
      e.message = "url: " + e.message;
    return e;
  }
  return c;
}

double net_run::sample(const duration_dist& d, double none_value) {
  double mean = d.mean_for(0);
  switch (d.type) {
    case duration_dist::kind::none: return none_value;
    case duration_dist::kind::fixed: return mean;
    case duration_dist::kind::exponential:
      return mean > 0 ? std::exponential_distribution<double>{1.0 / mean}(rng_) : 0;
    case duration_dist::kind::lognormal: {
      if (mean <= 0)
        return 0;
      double s2 = std::log(1 + d.cv * d.cv);
      return std::lognormal_distribution<double>{std::log(mean) - s2 / 2, std::sqrt(s2)}(rng_);
    }
  }
  return none_value;
}

std::size_t net_run::pick(const std::vector<double>& weights) {
  std::discrete_distribution<std::size_t> d{weights.begin(), weights.end()};
  return d(rng_);
}

// -- setup --------------------------------------------------------------------------

engine::status net_run::define_everything() {
  // Agents: each group's staffing of the first period, capped (proportionally).
  std::uint64_t wanted = 0;
  for (const auto& g : s_.groups)
    wanted += g.staff_for(0);
  if (wanted == 0)
    return bad("groups", "no agent is staffed in the first period");
  double keep = wanted > cfg_.max_agents ? static_cast<double>(cfg_.max_agents) / wanted : 1.0;
  if (keep < 1.0)
    notes_.push_back("agents capped at " + std::to_string(cfg_.max_agents) + " of " +
                     std::to_string(wanted) + " staffed (--set net_max_agents=N); each group "
                     "keeps its share, so the node sees a smaller population than the scenario");
  std::vector<engine::agent_profile> profiles;
  for (std::size_t gi = 0; gi < s_.groups.size(); ++gi) {
    const auto& g = s_.groups[gi];
    auto n = static_cast<std::uint32_t>(std::floor(g.staff_for(0) * keep));
    if (n == 0 && g.staff_for(0) > 0)
      n = 1;
    group_staff_.push_back(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      engine::agent_profile p;
      p.tenant = cfg_.tenant;
      p.id = g.name + "-" + std::to_string(i + 1);
      p.name = p.id;
      p.skills = g.skills;
      p.languages = g.languages;
      p.capacity = g.capacity;
      p.level = g.level;
      p.remote = g.crowd;
      std::uint32_t cap = 0;
      for (const auto& c : p.capacity)
        cap = std::max(cap, c.max);
      if (cap == 0) {
        for (const auto& t : s_.types)
          p.capacity[engine::index(t.ch)].max = 1;
        cap = 1;
      }
      total_capacity_ += cap;
      agent_index_[p.id] = agents_.size();
      sim_agent ag;
      ag.id = p.id;
      ag.group = gi;
      ag.capacity = cap;
      agents_.push_back(std::move(ag));
      profiles.push_back(std::move(p));
    }
  }

  // A few supervisor connections share the definitions, so the node's per-connection
  // rate limit does not make the setup slow.
  auto first = open_supervisor();
  if (!first)
    return first.err();
  std::vector<std::shared_ptr<ws::connection>> sups{*first};
  auto extra = std::min<std::size_t>(7, profiles.size() / 64);
  for (std::size_t i = 0; i < extra; ++i)
    if (auto c = open_supervisor())
      sups.push_back(*c);

  std::optional<engine::error> failed;
  std::size_t pending = 0;
  auto expect_ack = [&](const std::string& what) {
    ++pending;
    return [&, what](const pb::Envelope& e) {
      --pending;
      if (e.has_error() && !failed)
        failed = engine::make_error(e.error().code() >= 1 && e.error().code() <= 22
                                      ? static_cast<errc>(e.error().code())
                                      : errc::invalid_argument,
                                    what + ": the node refused it: " +
                                      pb::ErrorCode_Name(e.error().code()) + ": " +
                                      e.error().message());
    };
  };
  for (auto q : s_.queues) {
    q.tenant = cfg_.tenant;
    q.policy = s_.policy;
    pb::Envelope e;
    *e.mutable_define_queue()->mutable_queue() = storage::to_proto(q);
    sups.front()->request(std::move(e), expect_ack("queue '" + q.id + "'"));
  }
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    auto& sup = *sups[i % sups.size()];
    pb::Envelope d;
    *d.mutable_define_agent()->mutable_agent() = storage::to_proto(profiles[i]);
    sup.request(std::move(d), expect_ack("agent '" + profiles[i].id + "'"));
    pb::Envelope t;
    t.mutable_mint_agent_token()->set_agent(profiles[i].id);
    t.mutable_mint_agent_token()->set_ttl_s(3600);
    ++pending;
    sup.request(std::move(t), [&, i](const pb::Envelope& e) {
      --pending;
      if (e.has_agent_token())
        agents_[i].token = e.agent_token().token();
      else if (!failed)
        failed = engine::make_error(errc::invalid_argument,
                                    "agent '" + profiles[i].id + "': no token: " +
                                      (e.has_error() ? e.error().message() : "unexpected reply"));
    });
  }
  auto deadline = clock_type::now() + std::chrono::seconds(30) +
                  std::chrono::milliseconds(20 * profiles.size());
  bool done = run_until([&] { return pending == 0 || failed; }, deadline);
  for (auto& c : sups)
    c->close();
  if (failed)
    return *failed;
  if (!done)
    return engine::make_error(errc::timeout, "defining " + std::to_string(profiles.size()) +
                                               " agents: " + std::to_string(pending) +
                                               " requests unanswered after the deadline");
  return {};
}

engine::status net_run::connect_agents() {
  std::size_t next = 0, answered = 0, in_flight = 0;
  std::optional<engine::error> first_error;
  constexpr std::size_t max_handshakes = 128;  // the listen backlog is finite
  std::function<void()> launch = [&] {
    while (in_flight < max_handshakes && next < agents_.size()) {
      auto a = next++;
      ++in_flight;
      auto c = ws::connection::make(ioc_, counters_);
      agents_[a].conn = c;
      c->on_push([this, a](const pb::Envelope& e) { on_agent_push(a, e); });
      c->open(cfg_.endpoint, cfg_.url, hello(pb::ROLE_AGENT, agents_[a].token),
              [&, a, c](engine::result<pb::Welcome> w) {
                --in_flight;
                if (!w) {
                  ++answered;
                  if (!first_error)
                    first_error = w.err();
                  launch();
                  return;
                }
                pb::Envelope av;
                auto* m = av.mutable_set_availability();
                m->set_available(true);
                const auto& g = s_.groups[agents_[a].group];
                for (std::size_t ch = 0; ch < engine::channel_count; ++ch) {
                  if (g.capacity[ch].max == 0)
                    continue;
                  auto* cc = m->add_capacity();
                  cc->set_channel(storage::to_proto(static_cast<engine::channel>(ch)));
                  cc->set_max(g.capacity[ch].max);
                  cc->set_exclusive(g.capacity[ch].exclusive);
                }
                c->request(std::move(av), [&, a](const pb::Envelope& e) {
                  ++answered;
                  agents_[a].ready = e.has_ack();
                });
                launch();
              });
    }
  };
  launch();
  run_until([&] { return answered == agents_.size(); },
            clock_type::now() + std::chrono::seconds(30) +
              std::chrono::milliseconds(10 * agents_.size()));
  // Connections still in their Hello (past the deadline) are given up: closing them
  // drops their callbacks, which refer to this frame.
  for (auto& a : agents_)
    if (!a.ready && a.conn) {
      a.conn->close();
      a.conn.reset();
    }
  auto ready = std::count_if(agents_.begin(), agents_.end(), [](auto& a) { return a.ready; });
  if (ready == 0)
    return first_error ? *first_error
                       : engine::make_error(errc::not_connected, "no agent could log in");
  if (static_cast<std::size_t>(ready) < agents_.size())
    notes_.push_back(std::to_string(agents_.size() - ready) + " of " +
                     std::to_string(agents_.size()) + " agent connections failed" +
                     (first_error ? " (first: " + first_error->message + ")" : std::string{}));
  return {};
}

engine::status net_run::connect_gateways() {
  std::size_t answered = 0;
  std::optional<engine::error> first_error;
  std::vector<std::shared_ptr<ws::connection>> all;
  for (std::uint32_t i = 0; i < cfg_.gateways; ++i) {
    auto c = ws::connection::make(ioc_, counters_);
    c->on_push([this](const pb::Envelope& e) { on_gateway_push(e); });
    c->open(cfg_.endpoint, cfg_.url, hello(pb::ROLE_GATEWAY), [&](engine::result<pb::Welcome> w) {
      ++answered;
      if (!w && !first_error)
        first_error = w.err();
    });
    all.push_back(std::move(c));
  }
  run_until([&] { return answered == all.size(); },
            clock_type::now() + std::chrono::seconds(30));
  for (auto& c : all)
    if (c->is_open())
      gateways_.push_back(c);
    else
      c->close();  // drops its callback, which refers to this frame
  if (gateways_.empty())
    return first_error ? *first_error
                       : engine::make_error(errc::not_connected, "no gateway could connect");
  if (gateways_.size() < all.size())
    notes_.push_back(std::to_string(all.size() - gateways_.size()) + " of " +
                     std::to_string(all.size()) + " gateway connections failed");
  return {};
}

// -- gateway side ---------------------------------------------------------------------

void net_run::schedule_arrivals() {
  if (!arriving_)
    return;
  auto end = t0_ + wall(cfg_.duration_s);
  if (cfg_.rate <= 0)
    return;  // closed loop: finish() opens the next one
  auto now = clock_type::now();
  std::exponential_distribution<double> gap{cfg_.rate};
  // Bounded: at most 10000 arrivals per wake-up (a stalled loop catches up in steps).
  for (int i = 0; i < 10000 && next_arrival_ <= now && next_arrival_ < end; ++i) {
    open_contact();
    next_arrival_ += wall(gap(rng_));
  }
  if (next_arrival_ >= end) {
    arriving_ = false;
    return;
  }
  arrival_timer_.expires_at(next_arrival_);
  arrival_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec)
      schedule_arrivals();
  });
}

void net_run::open_contact() {
  auto cap = cfg_.max_live > 0 ? cfg_.max_live : hard_live_cap;
  if (live_.size() >= cap) {
    ++skipped_;
    return;
  }
  // A gateway that still has a connection (round robin).
  std::shared_ptr<ws::connection> gw;
  for (std::size_t i = 0; i < gateways_.size() && !gw; ++i) {
    auto& g = gateways_[next_gateway_++ % gateways_.size()];
    if (g->is_open())
      gw = g;
  }
  if (!gw) {
    ++skipped_;
    return;
  }
  live_contact c;
  c.id = run_id_ + "-" + std::to_string(next_contact_++);
  c.type = pick(type_weights_);
  c.segment = pick(segment_weights_);
  c.gateway = (next_gateway_ - 1) % gateways_.size();
  const auto& t = s_.types[c.type];
  const auto& seg = s_.segments[c.segment];
  c.handle_s = sample(t.handle, 0) * cfg_.time_scale;
  double patience = sample(t.patience, inf) * cfg_.time_scale;

  pb::Envelope e;
  auto* o = e.mutable_open_contact();
  o->set_contact_id(c.id);
  auto customer_no =
    std::uniform_int_distribution<std::uint32_t>{0, std::max<std::uint32_t>(seg.customers, 1) - 1}(rng_);
  o->set_customer_id(seg.name + "-" + std::to_string(customer_no));
  o->set_channel(storage::to_proto(t.ch));
  o->set_intent(t.intent);
  o->set_language(t.language);
  o->set_queue(t.queue);
  o->set_priority(t.priority);
  auto* h = o->mutable_customer();
  h->set_tier(seg.tier);
  h->set_arpu(seg.arpu);
  h->add_segments(seg.name);
  if (seg.dedicated_manager) {
    for (std::size_t gi = 0; gi < s_.groups.size(); ++gi)
      if (s_.groups[gi].name == seg.manager_group && group_staff_[gi] > 0)
        h->set_account_manager(seg.manager_group + "-" +
                               std::to_string(customer_no % group_staff_[gi] + 1));
  }
  c.found_all_busy = std::none_of(agents_.begin(), agents_.end(), [](const sim_agent& a) {
    return a.ready && a.load + a.offered < static_cast<int>(a.capacity);
  });
  c.opened_at = clock_type::now();
  ++attempted_;
  auto id = c.id;
  auto& stored = live_.emplace(id, std::move(c)).first->second;
  if (std::isfinite(patience)) {
    stored.timer = std::make_shared<asio::steady_timer>(ioc_, wall(patience));
    stored.timer->async_wait([this, id](boost::system::error_code ec) {
      if (ec)
        return;
      auto i = live_.find(id);
      if (i != live_.end() && !i->second.connected)
        end_contact(i->second, "patience");
    });
  }
  gw->request(std::move(e), [this, id](const pb::Envelope& r) {
    auto i = live_.find(id);
    if (i == live_.end())
      return;
    if (r.has_contact_opened()) {
      i->second.opened = true;
      ++opened_;
    } else {
      ++open_failed_;
      if (i->second.timer)
        i->second.timer->cancel();
      live_.erase(i);
      if (cfg_.rate <= 0 && arriving_)
        open_contact();
    }
  });
}

void net_run::on_gateway_push(const pb::Envelope& e) {
  if (e.has_chat_line()) {
    ++chat_to_customers_;
    return;
  }
  if (!e.has_contact_update())
    return;
  const auto& u = e.contact_update();
  auto i = live_.find(u.contact_id());
  if (i == live_.end())
    return;
  auto& c = i->second;
  if (u.event() == "connected" && !c.connected)
    contact_connected(c, u.agent());
  else if (u.event() == "completed" || u.state() == pb::CONTACT_STATE_COMPLETED)
    finish(c.id, false);
  else if (u.event() == "abandoned" || u.state() == pb::CONTACT_STATE_ABANDONED ||
           u.state() == pb::CONTACT_STATE_FAILED)
    finish(c.id, !c.connected);
}

void net_run::contact_connected(live_contact& c, const std::string& agent) {
  c.connected = true;
  c.agent = agent;
  double waited = seconds_since(c.opened_at);
  ++served_;
  wait_sum_s_ += waited;
  double threshold = cfg_.time_scale > 0 ? s_.sl_threshold_s * cfg_.time_scale : s_.sl_threshold_s;
  if (waited <= threshold)
    ++served_in_sl_;
  if (c.found_all_busy)
    ++waited_;
  if (c.timer)
    c.timer->cancel();
  if (c.ended)
    return;  // the customer already gave up; the node connected it anyway
  auto gw = gateways_[c.gateway % gateways_.size()];
  pb::Envelope m;
  m.mutable_customer_message()->set_contact_id(c.id);
  m.mutable_customer_message()->set_text("Hello, I have a question about my " +
                                         s_.types[c.type].intent);
  gw->request(std::move(m));
  c.timer = std::make_shared<asio::steady_timer>(ioc_, wall(forced_ ? 0 : c.handle_s));
  c.timer->async_wait([this, id = c.id](boost::system::error_code ec) {
    if (ec)
      return;
    if (auto i = live_.find(id); i != live_.end())
      end_contact(i->second, "customer_left");
  });
}

void net_run::end_contact(live_contact& c, const std::string& reason) {
  if (c.ended)
    return;
  c.ended = true;
  auto gw = gateways_[c.gateway % gateways_.size()];
  pb::Envelope e;
  e.mutable_end_contact()->set_contact_id(c.id);
  e.mutable_end_contact()->set_reason(reason);
  gw->request(std::move(e), [this, id = c.id](const pb::Envelope& r) {
    auto i = live_.find(id);
    if (i == live_.end())
      return;
    // Ended before an agent took it: abandoned (the update may not come if the
    // node already dropped it). Unknown contact: it is gone either way.
    if (!i->second.connected && (r.has_ack() || (r.has_error() && r.error().code() == pb::UNKNOWN_CONTACT)))
      finish(id, true);
    else if (i->second.connected && r.has_error() && r.error().code() == pb::UNKNOWN_CONTACT)
      finish(id, false);
  });
}

void net_run::finish(const std::string& id, bool abandoned) {
  auto i = live_.find(id);
  if (i == live_.end())
    return;
  if (i->second.timer)
    i->second.timer->cancel();
  if (abandoned)
    ++abandoned_;
  live_.erase(i);
  if (cfg_.rate <= 0 && arriving_)
    open_contact();
}

// -- agent side -------------------------------------------------------------------------

void net_run::set_load(sim_agent& ag, int delta) {
  auto now = clock_type::now();
  if (ag.load > 0)
    ag.busy_s += std::chrono::duration<double>(now - ag.busy_since).count();
  ag.busy_since = now;
  ag.load = std::max(0, ag.load + delta);
}

void net_run::on_agent_push(std::size_t a, const pb::Envelope& e) {
  auto& ag = agents_[a];
  if (e.has_offer()) {
    const auto& o = e.offer();
    if (auto i = live_.find(o.contact_id()); i != live_.end() && !i->second.offered) {
      i->second.offered = true;
      ++routed_;
      time_to_offer_us_.push_back(seconds_since(i->second.opened_at) * 1e6);
    }
    ++ag.offered;
    double delay = forced_ ? 0 : s_.groups[ag.group].accept_delay_s * cfg_.time_scale;
    if (delay <= 0)
      return accept(a, o.contact_id(), o.offer_id());
    delay_action(a, o.contact_id(), delay,
                 [this, a, c = o.contact_id(), id = o.offer_id()] { accept(a, c, id); });
  } else if (e.has_chat_line() && e.chat_line().from() == "customer") {
    ++chat_to_agents_;
    pb::Envelope m;
    m.mutable_agent_message()->set_contact_id(e.chat_line().contact_id());
    m.mutable_agent_message()->set_text("Hi, I am looking into it.");
    ag.conn->request(std::move(m));
  } else if (e.has_agent_update()) {
    const auto& u = e.agent_update();
    if (u.event() == "customer_left") {
      double delay = 0;
      if (auto i = live_.find(u.contact_id()); i != live_.end() && !forced_)
        delay = sample(s_.types[i->second.type].wrap_up, 0) * cfg_.time_scale;
      if (delay <= 0)
        return wrap_up(a, u.contact_id());
      delay_action(a, u.contact_id(), delay, [this, a, c = u.contact_id()] { wrap_up(a, c); });
    } else if (u.event() == "offer_cancelled" || u.event() == "offer_expired" ||
               u.event() == "abandoned" || u.event() == "failed") {
      // The offer is gone: do not answer it.
      if (auto t = ag.timers.find(u.contact_id()); t != ag.timers.end()) {
        t->second.timer->cancel();
        ag.timers.erase(t);
        ag.offered = std::max(0, ag.offered - 1);
      }
    }
  }
}

void net_run::delay_action(std::size_t a, const std::string& contact, double delay_s,
                           std::function<void()> fire) {
  auto t = std::make_shared<asio::steady_timer>(ioc_, wall(delay_s));
  agents_[a].timers[contact] = sim_agent::pending_action{t, fire};
  t->async_wait([this, a, contact, fire](boost::system::error_code ec) {
    if (ec)
      return;
    agents_[a].timers.erase(contact);
    fire();
  });
}

void net_run::accept(std::size_t a, const std::string& contact, std::uint64_t offer_id) {
  pb::Envelope e;
  e.mutable_accept_offer()->set_contact_id(contact);
  e.mutable_accept_offer()->set_offer_id(offer_id);
  agents_[a].conn->request(std::move(e), [this, a](const pb::Envelope& r) {
    auto& ag = agents_[a];
    ag.offered = std::max(0, ag.offered - 1);
    if (r.has_ack())
      set_load(ag, +1);
  });
}

void net_run::wrap_up(std::size_t a, const std::string& contact) {
  auto& ag = agents_[a];
  const auto& g = s_.groups[ag.group];
  std::string intent = "*", segment = "*";
  if (auto i = live_.find(contact); i != live_.end()) {
    intent = s_.types[i->second.type].intent;
    segment = s_.segments[i->second.segment].name;
  }
  true_outcome truth;
  for (const auto& t : g.truth)
    if ((t.intent == "*" || t.intent == intent) && (t.segment == "*" || t.segment == segment)) {
      truth = t;
      break;
    }
  pb::Envelope e;
  e.mutable_wrap_up()->set_contact_id(contact);
  auto* o = e.mutable_wrap_up()->mutable_outcome();
  bool resolved = std::bernoulli_distribution{std::clamp(truth.resolve, 0.0, 1.0)}(rng_);
  bool sale = std::bernoulli_distribution{std::clamp(truth.sale, 0.0, 1.0)}(rng_);
  int csat = static_cast<int>(std::lround(
    std::clamp(std::normal_distribution<double>{truth.csat_mean, 0.8}(rng_), 1.0, 5.0)));
  o->set_resolved(resolved);
  o->set_sale(sale);
  o->set_csat(csat);
  o->set_disposition(resolved ? "fixed" : "follow_up");
  ag.conn->request(std::move(e), [this, a, resolved, sale, csat](const pb::Envelope& r) {
    if (!r.has_ack())
      return;
    auto& ag2 = agents_[a];
    set_load(ag2, -1);
    ++ag2.served;
    ++completed_;
    resolved_ += resolved;
    sales_ += sale;
    ++rated_;
    csat_sum_ += csat;
  });
}

// -- the run ----------------------------------------------------------------------------

void net_run::take_sample() {
  series_point p;
  p.t_s = seconds_since(t0_);
  for (const auto& [id, c] : live_)
    p.waiting += c.connected || c.ended ? 0 : 1;
  p.service_level = served_ + abandoned_ > 0
                      ? static_cast<double>(served_in_sl_) / static_cast<double>(served_ + abandoned_)
                      : 1.0;
  double load = 0;
  for (const auto& a : agents_)
    load += a.load;
  p.occupancy = total_capacity_ > 0 ? load / total_capacity_ : 0;
  series_.push_back(p);
  if (progress_)
    progress_(std::min(p.t_s, cfg_.duration_s), cfg_.duration_s);
  sample_timer_.expires_after(wall(cfg_.sample_every_s));
  sample_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec)
      take_sample();
  });
}

void net_run::offer_load() {
  load_average_ = load_average();
  t0_ = clock_type::now();
  arriving_ = true;
  take_sample();
  if (cfg_.rate > 0) {
    next_arrival_ = t0_;
    schedule_arrivals();
  } else {
    auto fill = std::max<std::uint32_t>(1, cfg_.max_live);
    for (std::uint32_t i = 0; i < fill; ++i)
      open_contact();
  }
  auto end = t0_ + wall(cfg_.duration_s);
  run_until([] { return false; }, end);
  arriving_ = false;
  arrival_timer_.cancel();
  load_wall_s_ = seconds_since(t0_);
  // Rates and occupancy are taken over the load window (the drain is a tail).
  opened_in_window_ = opened_;
  routed_in_window_ = routed_;
  completed_in_window_ = completed_;
  for (auto& a : agents_) {
    set_load(a, 0);
    a.busy_in_window_s = a.busy_s;
  }
}

bool net_run::settled() const {
  // The gateway's `completed` push can overtake the agent's WrapUp Ack (two
  // connections), so the agents' replies and delayed actions are waited for too.
  return live_.empty() && std::all_of(agents_.begin(), agents_.end(), [](const sim_agent& a) {
           return a.timers.empty() && (!a.conn || a.conn->pending() == 0);
         });
}

void net_run::drain() {
  auto start = clock_type::now();
  run_until([&] { return settled(); }, start + wall(cfg_.drain_s));
  if (!live_.empty()) {
    // Out of patience: every customer hangs up, every agent completes at once.
    forced_ = true;
    notes_.push_back(std::to_string(live_.size()) + " contacts were still live after the " +
                     std::to_string(static_cast<int>(cfg_.drain_s)) +
                     " s drain; the gateways ended them");
    std::vector<std::string> ids;
    for (const auto& [id, c] : live_)
      ids.push_back(id);
    for (const auto& id : ids)
      if (auto i = live_.find(id); i != live_.end()) {
        if (i->second.timer)
          i->second.timer->cancel();
        i->second.ended = false;  // send the EndContact again if it was lost
        end_contact(i->second, "bench_drain");
      }
    for (auto& a : agents_) {
      auto pending = std::move(a.timers);
      a.timers.clear();
      for (auto& [c, p] : pending) {
        p.timer->cancel();
        p.fire();
      }
    }
    run_until([&] { return settled(); }, clock_type::now() + std::chrono::seconds(10));
  }
  unfinished_ = live_.size();
  drain_wall_s_ = seconds_since(start);
  sample_timer_.cancel();
  take_sample();
  sample_timer_.cancel();
}

void net_run::shutdown() {
  if (shut_)
    return;
  shut_ = true;
  arrival_timer_.cancel();
  sample_timer_.cancel();
  for (auto& [id, c] : live_)
    if (c.timer)
      c.timer->cancel();
  for (auto& a : agents_) {
    for (auto& [c, p] : a.timers)
      p.timer->cancel();
    if (a.conn)
      a.conn->close();
  }
  for (auto& g : gateways_)
    g->close();
  work_.reset();
  // Close handshakes are bounded by the connections' own timeouts; this bounds the lot.
  ioc_.run_for(std::chrono::seconds(3));
  ioc_.stop();
  gateways_.clear();
  for (auto& a : agents_)
    a.conn.reset();
}

engine::result<run_report> net_run::run() {
  std::uniform_int_distribution<std::uint64_t> nonce;
  char buf[32];
  std::snprintf(buf, sizeof buf, "nb-%08llx", static_cast<unsigned long long>(nonce(rng_) & 0xffffffffu));
  run_id_ = buf;
  for (const auto& t : s_.types)
    type_weights_.push_back(std::max(0.0, t.rate_for(0)));
  if (std::all_of(type_weights_.begin(), type_weights_.end(), [](double w) { return w <= 0; }))
    std::fill(type_weights_.begin(), type_weights_.end(), 1.0);
  for (const auto& g : s_.segments)
    segment_weights_.push_back(std::max(0.0, g.share));
  if (std::all_of(segment_weights_.begin(), segment_weights_.end(), [](double w) { return w <= 0; }))
    std::fill(segment_weights_.begin(), segment_weights_.end(), 1.0);

  auto cpu0 = process_cpu_s();
  auto wall0 = clock_type::now();
  if (auto st = define_everything(); !st)
    return st.err();
  if (progress_)
    progress_(0, cfg_.duration_s);
  if (auto st = connect_agents(); !st)
    return st.err();
  if (auto st = connect_gateways(); !st)
    return st.err();
  if (cfg_.rate <= 0 && cfg_.max_live == 0)
    cfg_.max_live = std::max<std::uint32_t>(1, 2 * total_capacity_);
  auto host = cfg_.url.host + ":" + std::to_string(cfg_.url.port);
  if (auto m = ws::http_get(cfg_.endpoint, host, "/metrics", std::chrono::seconds(5)))
    metrics_before_ = *m;
  offer_load();
  drain();
  if (auto m = ws::http_get(cfg_.endpoint, host, "/metrics", std::chrono::seconds(5)))
    metrics_after_ = *m;
  else
    notes_.push_back("/metrics could not be read: " + m.err().message);
  auto report = make_report();
  shutdown();
  report.cpu_s = process_cpu_s() - cpu0;
  report.wall_s = seconds_since(wall0);
  report.replications.front().cpu_s = report.cpu_s;
  report.replications.front().wall_s = report.wall_s;
  return report;
}

run_report net_run::make_report() {
  run_report r;
  r.scenario = s_.name;
  r.mode = "net";
  r.seed = s_.seed;
  r.build_type = SB_BUILD_TYPE;
  r.cores = std::thread::hardware_concurrency();
  r.parameters = s_.parameters;
  r.parameters["net.url"] = s_.realtime.url;
  r.parameters["net.tenant"] = cfg_.tenant;
  r.parameters["net.agents"] = std::to_string(agents_.size());
  r.parameters["net.gateways"] = std::to_string(cfg_.gateways);
  r.parameters["net.target_rate"] = cfg_.rate > 0 ? num(cfg_.rate) : "as fast as possible";
  r.parameters["net.duration_s"] = num(cfg_.duration_s);
  r.parameters["net.time_scale"] = num(cfg_.time_scale);
  r.parameters["net.max_live"] = std::to_string(cfg_.max_live);
  r.sl_threshold_s = s_.sl_threshold_s;
  r.sample_every_s = cfg_.sample_every_s;

  replication_result rep;
  rep.index = 0;
  rep.seed = s_.seed;
  rep.arrivals = opened_;
  rep.served = served_;
  rep.abandoned = abandoned_;
  rep.service_level = served_ + abandoned_ > 0
                        ? static_cast<double>(served_in_sl_) / static_cast<double>(served_ + abandoned_)
                        : 0;
  double asa_wall = served_ > 0 ? wait_sum_s_ / static_cast<double>(served_) : 0;
  // In scenario seconds when time is scaled, so it compares with sim and theory.
  rep.asa_s = cfg_.time_scale > 0 ? asa_wall / cfg_.time_scale : asa_wall;
  rep.p_wait = served_ > 0 ? static_cast<double>(waited_) / static_cast<double>(served_) : 0;
  rep.abandon_rate = opened_ > 0 ? static_cast<double>(abandoned_) / static_cast<double>(opened_) : 0;
  rep.resolution_rate = completed_ > 0 ? static_cast<double>(resolved_) / completed_ : 0;
  rep.sale_rate = completed_ > 0 ? static_cast<double>(sales_) / completed_ : 0;
  rep.csat_mean = rated_ > 0 ? csat_sum_ / static_cast<double>(rated_) : 0;
  double window = load_wall_s_;
  std::vector<double> all_occ;
  for (std::size_t gi = 0; gi < s_.groups.size(); ++gi) {
    group_result g;
    g.group = s_.groups[gi].name;
    std::vector<double> occ;
    for (auto& a : agents_) {
      if (a.group != gi)
        continue;
      occ.push_back(window > 0 ? std::min(1.0, a.busy_in_window_s / window) : 0);
      g.served += a.served;
    }
    if (!occ.empty()) {
      auto ci = ci95(occ);
      g.occupancy = ci.mean;
      double var = 0;
      for (double x : occ)
        var += (x - ci.mean) * (x - ci.mean);
      g.occupancy_spread = std::sqrt(var / static_cast<double>(occ.size()));
    }
    all_occ.insert(all_occ.end(), occ.begin(), occ.end());
    rep.groups.push_back(g);
  }
  if (!all_occ.empty()) {
    double mean = 0;
    for (double x : all_occ)
      mean += x;
    mean /= static_cast<double>(all_occ.size());
    double var = 0;
    for (double x : all_occ)
      var += (x - mean) * (x - mean);
    rep.occupancy = mean;
    rep.fairness_spread = std::sqrt(var / static_cast<double>(all_occ.size()));
  }
  rep.series = series_;
  r.replications.push_back(std::move(rep));
  summarize(r);

  auto per_s = [](std::uint64_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0.0; };
  auto& f = r.figures;
  f["contacts_attempted"] = static_cast<double>(attempted_);
  f["contacts_opened"] = static_cast<double>(opened_);
  f["contacts_routed"] = static_cast<double>(routed_);
  f["contacts_completed"] = static_cast<double>(completed_);
  f["contacts_abandoned"] = static_cast<double>(abandoned_);
  f["contacts_open_failed"] = static_cast<double>(open_failed_);
  f["contacts_skipped_max_live"] = static_cast<double>(skipped_);
  f["contacts_unfinished"] = static_cast<double>(unfinished_);
  f["opened_per_s"] = per_s(opened_in_window_, load_wall_s_);
  f["routed_per_s"] = per_s(routed_in_window_, load_wall_s_);
  f["completed_per_s"] = per_s(completed_in_window_, load_wall_s_);
  f["load_wall_s"] = load_wall_s_;
  f["drain_wall_s"] = drain_wall_s_;
  f["asa_wall_ms"] = asa_wall * 1000;
  f["time_scale"] = cfg_.time_scale;
  f["chat_lines_to_agents"] = static_cast<double>(chat_to_agents_);
  f["chat_lines_to_customers"] = static_cast<double>(chat_to_customers_);
  double active = load_wall_s_ + drain_wall_s_;
  f["frames_sent_per_s"] = per_s(counters_.frames_sent, active);
  f["frames_received_per_s"] = per_s(counters_.frames_received, active);
  f["frames_sent"] = static_cast<double>(counters_.frames_sent);
  f["frames_received"] = static_cast<double>(counters_.frames_received);
  f["bytes_sent"] = static_cast<double>(counters_.bytes_sent);
  f["bytes_received"] = static_cast<double>(counters_.bytes_received);
  f["rate_limited_retries"] = static_cast<double>(counters_.retries);
  f["connect_failures"] = static_cast<double>(counters_.connect_failures);
  f["connections_lost"] = static_cast<double>(counters_.unexpected_closes);
  f["agent_connections"] =
    static_cast<double>(std::count_if(agents_.begin(), agents_.end(), [](auto& a) { return a.ready; }));
  f["gateway_connections"] = static_cast<double>(gateways_.size());
  for (const auto& [code, n] : counters_.errors)
    f["errors_" + code] = static_cast<double>(n);
  f["client_rss_bytes"] = static_cast<double>(rss_bytes());
  f["client_cpu_s"] = process_cpu_s();
  if (load_average_ >= 0)
    f["host_load_average_1m"] = load_average_;

  if (!time_to_offer_us_.empty()) {
    r.latency = make_latency_histogram(time_to_offer_us_);
    f["time_to_offer_p50_us"] = r.latency->p50_us;
    f["time_to_offer_p99_us"] = r.latency->p99_us;
    f["time_to_offer_p999_us"] = r.latency->p999_us;
  }
  if (!metrics_after_.empty()) {
    const std::string name = "switchboard_routing_latency_seconds";
    auto after = ws::parse_prom_histogram(metrics_after_, name);
    auto window_h = after.minus(ws::parse_prom_histogram(metrics_before_, name));
    if (window_h.count() > 0) {
      f["node_routing_samples"] = window_h.count();
      f["node_routing_p50_us"] = window_h.quantile(0.5) * 1e6;
      f["node_routing_p99_us"] = window_h.quantile(0.99) * 1e6;
    }
  }

  auto& n = r.notes;
  n.push_back("net mode: " + std::to_string(static_cast<long>(f["agent_connections"])) +
              " agent and " + std::to_string(gateways_.size()) +
              " gateway WebSocket connections from one client thread to " + s_.realtime.url +
              " (tenant '" + cfg_.tenant + "')");
  if (cfg_.rate > 0)
    n.push_back("open loop: Poisson arrivals at " + num(cfg_.rate) + " contacts/s for " +
                num(cfg_.duration_s) +
                " s; handle, patience, wrap-up and accept delay are the scenario's times "
                "x " + num(cfg_.time_scale) +
                " (time_scale = scenario rate / target rate, so the offered Erlangs are the "
                "scenario's); asa_s and the service level are in scenario seconds, "
                "asa_wall_ms in wall time");
  else
    n.push_back("closed loop, as fast as possible: " + std::to_string(cfg_.max_live) +
                " contacts kept live for " + num(cfg_.duration_s) +
                " s, no handle/wrap-up/accept delay; the service level uses the threshold in "
                "wall seconds");
  n.push_back("*_per_s and occupancy are over the " + num(load_wall_s_) +
              " s load window (from the first arrival, so they include the ramp-up); "
              "contacts_* count the drain too");
  n.push_back("time to offer = gateway sends OpenContact -> agent connection receives the "
              "Offer, both on the client's clock (includes both WebSocket hops and the "
              "client's own queueing); first offer of each contact only");
  if (f.count("node_routing_p50_us"))
    n.push_back("node_routing_* = the node's /metrics routing latency (queued -> offered, so "
                "it includes time in line when no agent is free), bucket-interpolated, for "
                "this run's window only");
  n.push_back("p_wait = answered contacts that found every simulated agent busy (client's "
              "view; skills ignored); resolution, sale and CSAT are drawn by each simulated "
              "agent from its group's hidden rates (the profile policy learns from them)");
  n.push_back("only the first period's staffing and arrival mix are used; busyness factors "
              "and time-varying rates are not (sim mode has them)");
  if (counters_.retries > 0)
    n.push_back(std::to_string(counters_.retries) +
                " requests were retried after RATE_LIMITED; raise maxMessagesPerSecond in the "
                "node's config for load tests");
  n.insert(n.end(), notes_.begin(), notes_.end());
  return r;
}

/// Everything run_net checks and derives before touching the network.
engine::result<net_settings> settle(const scenario& s) {
  const auto& rt = s.realtime;
  if (rt.url.empty())
    return bad("url", "net mode needs the node's address (--set url=ws://host:port)");
  if (rt.api_key.empty())
    return bad("api_key", "net mode needs the tenant's API key (--set api_key=...)");
  if (!(rt.target_rate >= 0) || !std::isfinite(rt.target_rate))
    return bad("target_rate", "must be >= 0 (0: as fast as possible)");
  if (!(rt.duration_s > 0) || rt.duration_s > 86400)
    return bad("duration_s", "must be in (0, 86400]");
  if (s.groups.empty() || s.types.empty() || s.segments.empty())
    return bad("scenario", "needs at least one group, contact type and segment");
  net_settings c;
  auto u = ws::parse_ws_url(rt.url);
  if (!u)
    return u.err();
  c.url = *u;
  c.tenant = c.url.tenant;
  if (auto t = s.parameters.find("tenant"); c.tenant.empty() && t != s.parameters.end())
    c.tenant = t->second;
  if (c.tenant.empty())
    c.tenant = default_tenant;
  if (!engine::valid_id(c.tenant))
    return bad("tenant", "'" + c.tenant + "' is not a valid id");
  c.rate = rt.target_rate;
  c.duration_s = rt.duration_s;
  auto max_agents = parameter(s, "net_max_agents", default_max_agents);
  if (!max_agents)
    return max_agents.err();
  c.max_agents = static_cast<std::uint32_t>(std::clamp(*max_agents, 1.0, 20000.0));
  double scenario_rate = 0;  // contacts/s of the first period
  for (const auto& t : s.types)
    scenario_rate += std::max(0.0, t.rate_for(0)) / 3600.0;
  auto scale = parameter(s, "time_scale", -1);
  if (!scale)
    return scale.err();
  if (c.rate <= 0)
    c.time_scale = 0;
  else if (*scale >= 0)
    c.time_scale = *scale;
  else
    c.time_scale = scenario_rate > 0 ? scenario_rate / c.rate : 0;
  if (rt.connections > 0)
    c.gateways = std::min<std::uint32_t>(rt.connections, 10000);
  else if (c.rate > 0)
    c.gateways = static_cast<std::uint32_t>(std::clamp(
      std::ceil(c.rate * gateway_frames_per_contact / gateway_frames_per_s), 4.0, 2000.0));
  else
    c.gateways = 50;
  c.max_live = rt.max_live;
  // Long enough for a handle + wrap-up + accept at the scale, bounded.
  double hold = 0;
  for (const auto& t : s.types)
    hold = std::max(hold, t.handle.mean_for(0) + t.wrap_up.mean_for(0));
  double accept = 0;
  for (const auto& g : s.groups)
    accept = std::max(accept, g.accept_delay_s);
  c.drain_s = std::clamp(5 * (hold + accept) * c.time_scale + 5, 5.0, 120.0);
  c.sample_every_s = std::clamp(c.duration_s / 20, 0.1, 60.0);
  auto ep = ws::resolve(c.url);
  if (!ep)
    return engine::make_error(ep.err().code, "url: " + ep.err().message);
  c.endpoint = *ep;
  return c;
}

}  // namespace

engine::result<run_report> run_net(const scenario& s, const progress_fn& progress) {
  auto cfg = settle(s);
  if (!cfg)
    return cfg.err();
  try {
    net_run r{s, std::move(*cfg), progress};
    return r.run();
  } catch (const std::exception& e) {
    // Asio and protobuf report a few failures (out of descriptors, ...) by throwing.
    return engine::make_error(errc::not_connected, std::string{"net mode: "} + e.what());
  }
}

}  // namespace switchboard::bench
