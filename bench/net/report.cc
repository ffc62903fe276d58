// The net mode's report: the replication from the gateways' view, figures from the
// client's counters and the node's /metrics, and notes that say how to read them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "bench/core/stats.h"
#include "bench/net/internal/net_run.h"
#include "net/client/prometheus.h"

#ifndef SB_BUILD_TYPE
#define SB_BUILD_TYPE "unknown"
#endif

namespace switchboard::bench::net_mode {
namespace {


/// Mean and population standard deviation of `xs` (not empty).
struct mean_sd {
  double mean = 0;
  double sd = 0;
};

mean_sd mean_and_sd(const std::vector<double>& xs) {
  double mean = 0;
  for (double x : xs)
    mean += x;
  mean /= static_cast<double>(xs.size());
  double var = 0;
  for (double x : xs)
    var += (x - mean) * (x - mean);
  return {mean, std::sqrt(var / static_cast<double>(xs.size()))};
}

}  // namespace

run_report net_run::make_report() {
  auto r = new_report(s_, "net", SB_BUILD_TYPE);
  r.parameters["net.url"] = s_.realtime.url;
  std::string agent_urls;
  for (const auto& node : cfg_.agent_nodes)
    agent_urls += (agent_urls.empty() ? "" : ",") + node.text;
  r.parameters["net.agent_urls"] = agent_urls;
  r.parameters["net.tenant"] = cfg_.tenant;
  r.parameters["net.agents"] = std::to_string(agents_.size());
  r.parameters["net.gateways"] = std::to_string(cfg_.gateways);
  r.parameters["net.target_rate"] = cfg_.rate > 0 ? num(cfg_.rate) : "as fast as possible";
  r.parameters["net.duration_s"] = num(cfg_.duration_s);
  r.parameters["net.time_scale"] = num(cfg_.time_scale);
  r.parameters["net.max_live"] = std::to_string(cfg_.max_live);
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
      auto m = mean_and_sd(occ);
      g.occupancy = m.mean;
      g.occupancy_spread = m.sd;
    }
    all_occ.insert(all_occ.end(), occ.begin(), occ.end());
    rep.groups.push_back(g);
  }
  if (!all_occ.empty()) {
    auto m = mean_and_sd(all_occ);
    rep.occupancy = m.mean;
    rep.fairness_spread = m.sd;
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
  if (!open_ack_us_.empty()) {
    auto h = make_latency_histogram(open_ack_us_);
    f["open_ack_p50_us"] = h.p50_us;
    f["open_ack_p99_us"] = h.p99_us;
  }
  // Per agents' node (agent_urls item k, from 1): in a cluster, an agent on the owner
  // and one elsewhere see offers over different paths.
  if (time_to_offer_by_node_us_.size() > 1)
    for (std::size_t k = 0; k < time_to_offer_by_node_us_.size(); ++k) {
      auto& xs = time_to_offer_by_node_us_[k];
      if (xs.empty())
        continue;
      auto h = make_latency_histogram(xs);
      auto key = "time_to_offer_agent_url_" + std::to_string(k + 1);
      f[key + "_samples"] = static_cast<double>(h.samples);
      f[key + "_p50_us"] = h.p50_us;
      f[key + "_p99_us"] = h.p99_us;
    }
  if (!metrics_after_.empty()) {
    const std::string name = "switchboard_routing_latency_seconds";
    auto after = client::parse_prom_histogram(metrics_after_, name);
    auto window_h = after.minus(client::parse_prom_histogram(metrics_before_, name));
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
  if (cfg_.agent_urls_set) {
    // Agent i went to node i % size: count what each node was given.
    std::vector<std::size_t> per_node(cfg_.agent_nodes.size());
    for (std::size_t i = 0; i < agents_.size(); ++i)
      per_node[i % per_node.size()] += agents_[i].ready ? 1 : 0;
    std::string spread;
    for (std::size_t k = 0; k < per_node.size(); ++k)
      spread += (k ? ", " : "") + std::to_string(per_node[k]) + " at " + cfg_.agent_nodes[k].text;
    n.push_back("agents logged in round-robin over agent_urls: " + spread +
                "; supervisors and gateways at " + s_.realtime.url +
                "; /metrics is read from " + s_.realtime.url +
                " only (in a cluster the tenant's owner routes: node_routing_* is its "
                "figure only when url is the owner)");
  }
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

}  // namespace switchboard::bench::net_mode
