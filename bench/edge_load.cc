// edge_load: measures a running `switchboard serve` over loopback. One thin main
// over named workloads; every run is bounded (counts and seconds are capped).
//
//   edge_load idle     --port P --tenant T --key K [--connections N] [--hold S] [--server-pid PID]
//   edge_load pipeline --port P --tenant T --key K [--frames M] [--window W] [--kind stats|empty]
//   edge_load route    --port P --tenant T --key K [--agents A] [--rate R] [--seconds S]
//
// idle: opens N WebSocket connections (each says Hello as a gateway), reports the
// time and, with --server-pid, the server's RSS before and after.
// pipeline: one agent connection keeps W requests in flight until M replies came
// back (`stats`: AgentStatsRequest, a node round trip each; `empty`: envelopes
// without a body, answered by the edge alone).
// route: a supervisor defines queue `bench` and A agents, the agents accept every
// offer and complete at once, a gateway opens R contacts/s for S seconds; reports
// the gateway-to-offer latency seen by the clients and the routing latency
// histogram of /metrics (p50/p99).
//
// The server needs a config with the tenant's key and limits that let a bench
// through, e.g. maxMessagesPerSecond 1000000 and maxConnections 20000.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/core/cli.h"
#include "bench/net/ws_client.h"
#include "net/client/prometheus.h"
#include "net/client/ws_client.h"
#include "proto/edge.pb.h"

namespace {

namespace asio = boost::asio;
namespace ws = switchboard::bench::ws;
namespace pb = switchboard::pb;
using clock_type = std::chrono::steady_clock;
using pb::Envelope;

struct args {
  std::string workload;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string tenant;
  std::string key;
  long connections = 1000;
  double hold = 1;
  long pid = 0;
  long frames = 100000;
  long window = 64;
  std::string kind = "stats";
  long agents = 8;
  double rate = 50;
  double seconds = 10;
};

/// The node the workloads talk to, resolved once.
struct target {
  ws::ws_url url;
  asio::ip::tcp::endpoint ep;
};

pb::Hello hello(pb::Role role, const args& a, const std::string& token = {}) {
  pb::Hello h;
  h.set_role(role);
  h.set_tenant(a.tenant);
  if (role == pb::ROLE_AGENT)
    h.set_agent_token(token);
  else
    h.set_api_key(a.key);
  return h;
}

/// Opens `c` with `h`; `ready(true)` once welcomed, `ready(false)` (and why on
/// stderr) when refused or unreachable.
void open(const std::shared_ptr<ws::connection>& c, const target& t, pb::Hello h,
          std::function<void(bool)> ready) {
  c->open(t.ep, t.url, std::move(h), [ready = std::move(ready)](auto welcome) {
    if (!welcome)
      std::fprintf(stderr, "edge_load: %s\n", welcome.err().message.c_str());
    ready(welcome.ok());
  });
}

long rss_kb(long pid) {
  if (pid <= 0)
    return -1;
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty())
    return -1;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  return v[i];
}

int run_idle(const args& a, const target& t) {
  asio::io_context ioc;
  ws::client_counters counters;
  auto before = rss_kb(a.pid);
  std::vector<std::shared_ptr<ws::connection>> conns;
  long ok = 0;
  long failed = 0;
  long next = 0;
  auto t0 = clock_type::now();
  // At most 256 handshakes at a time: the listen backlog is finite.
  std::function<void()> launch = [&] {
    if (next >= a.connections)
      return;
    auto c = ws::connection::make(ioc, counters);
    conns.push_back(c);
    ++next;
    open(c, t, hello(pb::ROLE_GATEWAY, a), [&](bool good) {
      (good ? ok : failed) += 1;
      launch();
    });
  };
  for (int i = 0; i < 256; ++i)
    launch();
  while (ok + failed < a.connections && ioc.run_one_for(std::chrono::seconds(30)) > 0) {
  }
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  ioc.run_for(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(a.hold)));
  auto after = rss_kb(a.pid);
  std::printf("idle: %ld connections open (%ld failed) in %.2f s", ok, failed, secs);
  if (before > 0)
    std::printf("; server RSS %.1f MiB -> %.1f MiB (%.1f KiB per connection)", before / 1024.0,
                after / 1024.0, ok > 0 ? static_cast<double>(after - before) / static_cast<double>(ok) : 0.0);
  std::printf("\n");
  return failed == 0 ? 0 : 1;
}

/// Defines `ids` as agents of queue `bench` via a supervisor and mints their tokens.
std::map<std::string, std::string> setup_agents(const args& a, const target& t,
                                                const std::vector<std::string>& ids,
                                                std::uint32_t chats) {
  asio::io_context ioc;
  ws::client_counters counters;
  std::map<std::string, std::string> tokens;
  auto sup = ws::connection::make(ioc, counters);
  auto on_reply = [&](const Envelope& e) {
    if (e.has_error())
      std::fprintf(stderr, "setup: %s\n", e.error().message().c_str());
    if (e.has_agent_token())
      tokens[e.agent_token().agent()] = e.agent_token().token();
  };
  open(sup, t, hello(pb::ROLE_SUPERVISOR, a), [&](bool good) {
    if (!good)
      return;
    Envelope q;
    auto* m = q.mutable_define_queue()->mutable_queue();
    m->set_id("bench");
    m->set_name("bench");
    m->add_channels(pb::CHANNEL_CHAT);
    m->set_offer_timeout_ms(30000);
    m->set_policy(pb::ROUTING_POLICY_LONGEST_IDLE);
    sup->request(q, on_reply);
    for (const auto& id : ids) {
      Envelope d;
      auto* p = d.mutable_define_agent()->mutable_agent();
      p->set_id(id);
      p->set_name(id);
      auto* c = p->add_capacity();
      c->set_channel(pb::CHANNEL_CHAT);
      c->set_max(chats);
      sup->request(d, on_reply);
      Envelope tok;
      tok.mutable_mint_agent_token()->set_agent(id);
      sup->request(tok, on_reply);
    }
  });
  auto deadline = clock_type::now() + std::chrono::seconds(30);
  while (tokens.size() < ids.size() && clock_type::now() < deadline)
    ioc.run_one_for(std::chrono::seconds(1));
  sup->close();
  return tokens;
}

int run_pipeline(const args& a, const target& t) {
  auto tokens = setup_agents(a, t, {"bench-pipe"}, 1);
  if (tokens.empty())
    return 1;
  asio::io_context ioc;
  ws::client_counters counters;
  ws::connect_limits limits;
  limits.rate_limit_retries = 0;  // a refused request counts as an error reply
  long sent = 0;
  long replies = 0;
  long errors = 0;
  clock_type::time_point t0;
  auto agent = ws::connection::make(ioc, counters, limits);
  std::function<void()> next = [&] {
    Envelope e;
    if (a.kind == "stats")
      e.mutable_agent_stats_request();
    ++sent;
    agent->request(e, [&](const Envelope& r) {
      ++replies;
      if (r.has_error() && a.kind == "stats")
        ++errors;
      if (sent < a.frames)
        next();
    });
  };
  open(agent, t, hello(pb::ROLE_AGENT, a, tokens.begin()->second), [&](bool good) {
    if (!good)
      return;
    t0 = clock_type::now();
    for (long i = 0; i < a.window && sent < a.frames; ++i)
      next();
  });
  auto deadline = clock_type::now() + std::chrono::seconds(120);
  while (replies < a.frames && clock_type::now() < deadline &&
         ioc.run_one_for(std::chrono::seconds(5)) > 0) {
  }
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::printf("pipeline (%s, window %ld): %ld requests, %ld replies (%ld errors) in %.2f s: "
              "%.0f frames/s each way\n",
              a.kind.c_str(), a.window, sent, replies, errors, secs,
              static_cast<double>(replies) / secs);
  return replies == a.frames ? 0 : 1;
}

int run_route(const args& a, const target& t) {
  std::vector<std::string> ids;
  for (long i = 1; i <= a.agents; ++i)
    ids.push_back("bench-agent-" + std::to_string(i));
  auto tokens = setup_agents(a, t, ids, 4);
  if (tokens.size() != ids.size())
    return 1;
  asio::io_context ioc;
  ws::client_counters counters;
  std::unordered_map<std::string, clock_type::time_point> opened_at;
  std::vector<double> latency_ms;
  long offers = 0;
  long completed = 0;
  long ready = 0;
  std::vector<std::shared_ptr<ws::connection>> agents;
  for (const auto& [id, token] : tokens) {
    auto c = ws::connection::make(ioc, counters);
    std::weak_ptr<ws::connection> weak = c;
    c->on_push([&, weak](const Envelope& e) {
      auto self = weak.lock();
      if (!self || !e.has_offer())
        return;
      auto contact = e.offer().contact_id();
      auto i = opened_at.find(contact);
      if (i != opened_at.end()) {
        latency_ms.push_back(
          std::chrono::duration<double, std::milli>(clock_type::now() - i->second).count());
        opened_at.erase(i);
      }
      ++offers;
      Envelope acc;
      acc.mutable_accept_offer()->set_contact_id(contact);
      acc.mutable_accept_offer()->set_offer_id(e.offer().offer_id());
      self->request(acc, [&, weak, contact](const Envelope& r) {
        auto again = weak.lock();
        if (!again || !r.has_ack())
          return;
        Envelope w;
        w.mutable_wrap_up()->set_contact_id(contact);
        w.mutable_wrap_up()->mutable_outcome()->set_resolved(true);
        again->request(w, [&](const Envelope& done) { completed += done.has_ack(); });
      });
    });
    open(c, t, hello(pb::ROLE_AGENT, a, token), [&](bool good) { ready += good; });
    agents.push_back(c);
  }
  long opened = 0;
  long goal = static_cast<long>(a.rate * a.seconds);
  auto gw = ws::connection::make(ioc, counters);
  asio::steady_timer tick{ioc};
  clock_type::time_point t0;
  std::function<void()> open_next = [&] {
    auto due = static_cast<long>(
      std::chrono::duration<double>(clock_type::now() - t0).count() * a.rate);
    while (opened < std::min(due, goal)) {
      Envelope o;
      auto id = "bench-" + std::to_string(t0.time_since_epoch().count() % 1000000) + "-" +
                std::to_string(opened++);
      auto* m = o.mutable_open_contact();
      m->set_contact_id(id);
      m->set_customer_id("bench-customer-" + std::to_string(opened % 100));
      m->set_channel(pb::CHANNEL_CHAT);
      m->set_queue("bench");
      opened_at[id] = clock_type::now();
      gw->request(o);
    }
    if (opened < goal) {
      tick.expires_after(std::chrono::milliseconds(5));
      tick.async_wait([&](boost::system::error_code) { open_next(); });
    }
  };
  open(gw, t, hello(pb::ROLE_GATEWAY, a), [&](bool good) {
    if (!good)
      return;
    t0 = clock_type::now();
    open_next();
  });
  auto deadline = clock_type::now() +
                  std::chrono::duration_cast<clock_type::duration>(
                    std::chrono::duration<double>(a.seconds + 30));
  while ((opened < goal || completed < goal) && clock_type::now() < deadline &&
         ioc.run_one_for(std::chrono::seconds(5)) > 0) {
  }
  switchboard::client::endpoint node;
  node.host = a.host;
  node.port = a.port;
  auto metrics = switchboard::client::http_get(node, "/metrics");
  auto h = switchboard::client::parse_prom_histogram(metrics.body,
                                                     "switchboard_routing_latency_seconds");
  std::printf("route: %ld agents, %ld contacts opened at %.0f/s, %ld offers, %ld completed\n",
              ready, opened, a.rate, offers, completed);
  std::printf("  gateway OpenContact -> agent Offer (client clocks): p50 %.2f ms, p99 %.2f ms\n",
              percentile(latency_ms, 0.5), percentile(latency_ms, 0.99));
  std::printf("  /metrics routing latency (queued -> offered, edge): p50 %.3f ms, p99 %.3f ms "
              "(bucket-interpolated)\n",
              h.quantile(0.5) * 1000, h.quantile(0.99) * 1000);
  return completed == goal ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = switchboard::bench::cli;
  args a;
  CLI::App app{"edge_load: measures a running `switchboard serve` over loopback (see the "
               "comment at the top of bench/edge_load.cc).",
               "edge_load"};
  app.add_option("workload", a.workload, "idle, pipeline or route")
    ->required()
    ->check(CLI::IsMember({"idle", "pipeline", "route"}));
  app.add_option("--host", a.host, "the node's address")->capture_default_str();
  app.add_option("--port", a.port, "the node's port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--tenant", a.tenant, "tenant to log in to")->required()->check(cli::non_empty);
  app.add_option("--key", a.key, "the tenant's API key")->required()->check(cli::non_empty);
  app.add_option("--connections", a.connections, "idle: connections to open")
    ->check(CLI::Range(1L, 19000L))->capture_default_str();
  app.add_option("--hold", a.hold, "idle: seconds to hold them open")
    ->check(cli::between(0, 600))->capture_default_str();
  app.add_option("--server-pid", a.pid, "idle: the server's pid, to report its RSS")
    ->check(CLI::PositiveNumber);
  app.add_option("--frames", a.frames, "pipeline: replies to wait for")
    ->check(CLI::Range(1L, 10000000L))->capture_default_str();
  app.add_option("--window", a.window, "pipeline: requests in flight")
    ->check(CLI::Range(1L, 4096L))->capture_default_str();
  app.add_option("--kind", a.kind, "pipeline: stats (a node round trip) or empty (the edge alone)")
    ->check(CLI::IsMember({"stats", "empty"}))->capture_default_str();
  app.add_option("--agents", a.agents, "route: agents")
    ->check(CLI::Range(1L, 1000L))->capture_default_str();
  app.add_option("--rate", a.rate, "route: contacts opened per second")
    ->check(cli::between(0.1, 100000))->capture_default_str();
  app.add_option("--seconds", a.seconds, "route: seconds of arrivals")
    ->check(cli::between(0.1, 600))->capture_default_str();
  if (auto rc = cli::parse(app, argc, argv))
    return *rc;

  target t;
  t.url.host = a.host;
  t.url.port = a.port;
  auto ep = ws::resolve(t.url);
  if (!ep) {
    std::fprintf(stderr, "edge_load: %s\n", ep.err().message.c_str());
    return 1;
  }
  t.ep = *ep;
  if (a.workload == "idle")
    return run_idle(a, t);
  if (a.workload == "pipeline")
    return run_pipeline(a, t);
  return run_route(a, t);
}
