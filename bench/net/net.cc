// The `net` bench mode: real time against a running node over WebSocket. Every
// simulated agent and gateway is a real client connection; one thread runs them all
// on one io_context, so the node (not the tool) should be the bottleneck. See
// bench/net/README.md for the contact flow and what is measured.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>

#include "bench/core/stats.h"
#include "bench/modes.h"
#include "bench/net/internal/net_run.h"
#include "net/client/ws_client.h"

namespace switchboard::bench {

namespace net_mode {
namespace {

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

/// The nodes agents connect to: `--set agent_urls=URL,URL,...` (each checked like
/// `url`, and naming no other tenant than the run's), or `url` alone.
engine::result<std::vector<node_address>> agent_nodes(const scenario& s, const net_settings& c) {
  auto p = s.parameters.find("agent_urls");
  if (p == s.parameters.end())
    return std::vector<node_address>{{s.realtime.url, c.url, c.endpoint}};
  std::vector<node_address> out;
  std::string_view rest = p->second;
  for (std::size_t i = 1;; ++i) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item.empty())
      return bad("agent_urls", "item " + std::to_string(i) +
                                 " is empty (expected ws://host:port,ws://host:port,...)");
    auto u = ws::parse_ws_url(item, "agent_urls");
    if (!u)
      return u.err();
    std::string text{item};
    if (!u->tenant.empty() && u->tenant != c.tenant)
      return bad("agent_urls", "'" + text + "': tenant '" + u->tenant +
                                 "' is not the run's tenant '" + c.tenant + "'");
    auto ep = ws::resolve(*u);
    if (!ep)
      return engine::make_error(ep.err().code, "agent_urls: '" + text + "': " + ep.err().message);
    out.push_back({std::move(text), std::move(*u), *ep});
    if (comma == std::string_view::npos)
      break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

}  // namespace

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
  // Contact ids are unique per run, not per seed: a node refuses an id it saw end
  // recently (DUPLICATE_ID), so a second run with the same seed must not reuse them.
  // The draw from rng_ stays, so the run's random sequence is the seed's.
  std::uniform_int_distribution<std::uint64_t> nonce;
  auto id_bits = nonce(rng_) ^ std::random_device{}();
  char buf[32];
  std::snprintf(buf, sizeof buf, "nb-%08llx", static_cast<unsigned long long>(id_bits & 0xffffffffu));
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
  client::endpoint node;
  node.host = cfg_.endpoint.address().to_string();
  node.port = cfg_.endpoint.port();
  node.timeout = std::chrono::seconds(5);
  if (auto m = client::http_get(node, "/metrics"); m.status == 200)
    metrics_before_ = std::move(m.body);
  offer_load();
  drain();
  if (auto m = client::http_get(node, "/metrics"); m.status == 200)
    metrics_after_ = std::move(m.body);
  else
    notes_.push_back("/metrics could not be read: " +
                     (m.error.empty() ? "HTTP " + std::to_string(m.status) : m.error));
  auto report = make_report();
  shutdown();
  report.cpu_s = process_cpu_s() - cpu0;
  report.wall_s = seconds_since(wall0);
  report.replications.front().cpu_s = report.cpu_s;
  report.replications.front().wall_s = report.wall_s;
  return report;
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
  auto max_agents = number_parameter(s, "net_max_agents", default_max_agents);
  if (!max_agents)
    return max_agents.err();
  c.max_agents = static_cast<std::uint32_t>(std::clamp(*max_agents, 1.0, 20000.0));
  double scenario_rate = first_period_rate_per_s(s);
  auto scale = number_parameter(s, "time_scale", -1);
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
  c.drain_s = drain_seconds(s, c.time_scale, 120.0);
  c.sample_every_s = std::clamp(c.duration_s / 20, 0.1, 60.0);
  auto ep = ws::resolve(c.url);
  if (!ep)
    return engine::make_error(ep.err().code, "url: " + ep.err().message);
  c.endpoint = *ep;
  auto agents_at = agent_nodes(s, c);
  if (!agents_at)
    return agents_at.err();
  c.agent_nodes = std::move(*agents_at);
  c.agent_urls_set = s.parameters.count("agent_urls") > 0;
  return c;
}

}  // namespace net_mode

engine::result<run_report> run_net(const scenario& s, const progress_fn& progress) {
  using net_mode::errc;
  auto cfg = net_mode::settle(s);
  if (!cfg)
    return cfg.err();
  try {
    net_mode::net_run r{s, std::move(*cfg), progress};
    return r.run();
  } catch (const std::exception& e) {
    // Asio and protobuf report a few failures (out of descriptors, ...) by throwing.
    return engine::make_error(errc::not_connected, std::string{"net mode: "} + e.what());
  }
}

}  // namespace switchboard::bench
