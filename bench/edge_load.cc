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
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/codec.h"
#include "proto/edge.pb.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using switchboard::pb::Envelope;

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

/// One client connection, driven by the single-threaded io_context.
class conn : public std::enable_shared_from_this<conn> {
 public:
  using handler = std::function<void(conn&, Envelope&)>;

  conn(asio::io_context& ioc, handler on_msg) : ws_(ioc), on_msg_(std::move(on_msg)) {}

  void start(const tcp::endpoint& ep, Envelope hello, std::function<void(bool)> ready) {
    ready_ = std::move(ready);
    hello_ = std::move(hello);
    beast::get_lowest_layer(ws_).async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return self->fail();
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.binary(true);
      self->ws_.async_handshake("127.0.0.1", "/ws", [self](beast::error_code ec2) {
        if (ec2)
          return self->fail();
        self->send(self->hello_);
        self->read();
      });
    });
  }

  void send(const Envelope& e) {
    out_.push_back(switchboard::net::encode_frame(e, false));
    if (!writing_)
      write();
  }

  bool welcomed() const { return welcomed_; }

 private:
  void fail() {
    if (ready_) {
      auto r = std::move(ready_);
      ready_ = nullptr;
      r(false);
    }
  }
  void write() {
    writing_ = true;
    ws_.async_write(asio::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec,
                                                                           std::size_t) {
      self->writing_ = false;
      if (ec)
        return;
      self->out_.pop_front();
      if (!self->out_.empty())
        self->write();
    });
  }
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->fail();
      auto d = switchboard::net::decode_frame(beast::buffers_to_string(self->buf_.data()), false);
      self->buf_.consume(self->buf_.size());
      if (d.ok()) {
        if (!self->welcomed_ && d.envelope.has_welcome()) {
          self->welcomed_ = true;
          if (self->ready_) {
            auto r = std::move(self->ready_);
            self->ready_ = nullptr;
            r(true);
          }
        } else if (!self->welcomed_ && d.envelope.has_error()) {
          std::fprintf(stderr, "hello refused: %s\n", d.envelope.error().message().c_str());
          return self->fail();
        } else if (self->on_msg_) {
          self->on_msg_(*self, d.envelope);
        }
      }
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::deque<std::string> out_;
  bool writing_ = false;
  bool welcomed_ = false;
  Envelope hello_;
  handler on_msg_;
  std::function<void(bool)> ready_;
};

Envelope hello(switchboard::pb::Role role, const args& a, const std::string& token = {}) {
  Envelope e;
  e.set_request_id("hello");
  auto* h = e.mutable_hello();
  h->set_role(role);
  h->set_tenant(a.tenant);
  if (role == switchboard::pb::ROLE_AGENT)
    h->set_agent_token(token);
  else
    h->set_api_key(a.key);
  return e;
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

std::string http_get(const args& a, const std::string& target) {
  asio::io_context ioc;
  beast::tcp_stream s{ioc};
  s.connect(tcp::endpoint{asio::ip::make_address(a.host), a.port});
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, a.host);
  http::write(s, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(s, b, res);
  return res.body();
}

/// p-quantile from Prometheus cumulative buckets, interpolated within a bucket.
double histogram_quantile(const std::string& metrics, const std::string& name, double q) {
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative)
  std::istringstream in{metrics};
  std::string line;
  auto prefix = name + "_bucket{le=\"";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0)
      continue;
    auto end = line.find('"', prefix.size());
    auto le = line.substr(prefix.size(), end - prefix.size());
    double bound = le == "+Inf" ? 1e300 : std::stod(le);
    buckets.emplace_back(bound, std::stod(line.substr(line.rfind(' ') + 1)));
  }
  if (buckets.empty() || buckets.back().second == 0)
    return -1;
  double target = q * buckets.back().second;
  double prev_le = 0;
  double prev_n = 0;
  for (const auto& [le, n] : buckets) {
    if (n >= target) {
      if (le > 1e299)
        return prev_le;
      double frac = n > prev_n ? (target - prev_n) / (n - prev_n) : 0;
      return prev_le + frac * (le - prev_le);
    }
    prev_le = le;
    prev_n = n;
  }
  return prev_le;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty())
    return -1;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  return v[i];
}

int run_idle(const args& a) {
  asio::io_context ioc;
  tcp::endpoint ep{asio::ip::make_address(a.host), a.port};
  auto before = rss_kb(a.pid);
  std::vector<std::shared_ptr<conn>> conns;
  long ok = 0;
  long failed = 0;
  long next = 0;
  auto t0 = clock_type::now();
  // At most 256 handshakes at a time: the listen backlog is finite.
  std::function<void()> launch = [&] {
    if (next >= a.connections)
      return;
    auto c = std::make_shared<conn>(ioc, nullptr);
    conns.push_back(c);
    ++next;
    c->start(ep, hello(switchboard::pb::ROLE_GATEWAY, a), [&](bool good) {
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
std::map<std::string, std::string> setup_agents(const args& a, const std::vector<std::string>& ids,
                                                std::uint32_t chats) {
  asio::io_context ioc;
  tcp::endpoint ep{asio::ip::make_address(a.host), a.port};
  std::map<std::string, std::string> tokens;
  std::size_t acks = 0;
  auto sup = std::make_shared<conn>(ioc, [&](conn&, Envelope& e) {
    if (e.has_error())
      std::fprintf(stderr, "setup: %s\n", e.error().message().c_str());
    if (e.has_agent_token())
      tokens[e.agent_token().agent()] = e.agent_token().token();
    else
      ++acks;
  });
  sup->start(ep, hello(switchboard::pb::ROLE_SUPERVISOR, a), [&](bool good) {
    if (!good)
      return;
    Envelope q;
    auto* m = q.mutable_define_queue()->mutable_queue();
    m->set_id("bench");
    m->set_name("bench");
    m->add_channels(switchboard::pb::CHANNEL_CHAT);
    m->set_offer_timeout_ms(30000);
    m->set_policy(switchboard::pb::ROUTING_POLICY_LONGEST_IDLE);
    sup->send(q);
    for (const auto& id : ids) {
      Envelope d;
      auto* p = d.mutable_define_agent()->mutable_agent();
      p->set_id(id);
      p->set_name(id);
      auto* c = p->add_capacity();
      c->set_channel(switchboard::pb::CHANNEL_CHAT);
      c->set_max(chats);
      sup->send(d);
      Envelope t;
      t.mutable_mint_agent_token()->set_agent(id);
      sup->send(t);
    }
  });
  auto deadline = clock_type::now() + std::chrono::seconds(30);
  while (tokens.size() < ids.size() && clock_type::now() < deadline)
    ioc.run_one_for(std::chrono::seconds(1));
  return tokens;
}

int run_pipeline(const args& a) {
  auto tokens = setup_agents(a, {"bench-pipe"}, 1);
  if (tokens.empty())
    return 1;
  asio::io_context ioc;
  tcp::endpoint ep{asio::ip::make_address(a.host), a.port};
  long sent = 0;
  long replies = 0;
  long errors = 0;
  clock_type::time_point t0;
  auto next = [&](conn& c) {
    Envelope e;
    e.set_request_id(std::to_string(sent++));
    if (a.kind == "stats")
      e.mutable_agent_stats_request();
    c.send(e);
  };
  auto agent = std::make_shared<conn>(ioc, [&](conn& c, Envelope& e) {
    ++replies;
    if (e.has_error() && a.kind == "stats")
      ++errors;
    if (sent < a.frames)
      next(c);
  });
  agent->start(ep, hello(switchboard::pb::ROLE_AGENT, a, tokens.begin()->second), [&](bool good) {
    if (!good)
      return;
    t0 = clock_type::now();
    for (long i = 0; i < a.window && sent < a.frames; ++i)
      next(*agent);
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

int run_route(const args& a) {
  std::vector<std::string> ids;
  for (long i = 1; i <= a.agents; ++i)
    ids.push_back("bench-agent-" + std::to_string(i));
  auto tokens = setup_agents(a, ids, 4);
  if (tokens.size() != ids.size())
    return 1;
  asio::io_context ioc;
  tcp::endpoint ep{asio::ip::make_address(a.host), a.port};
  std::unordered_map<std::string, clock_type::time_point> opened_at;
  std::vector<double> latency_ms;
  long offers = 0;
  long completed = 0;
  long ready = 0;
  std::vector<std::shared_ptr<conn>> agents;
  for (const auto& [id, token] : tokens) {
    auto c = std::make_shared<conn>(ioc, [&](conn& c, Envelope& e) {
      if (e.has_offer()) {
        auto i = opened_at.find(e.offer().contact_id());
        if (i != opened_at.end()) {
          latency_ms.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - i->second).count());
          opened_at.erase(i);
        }
        ++offers;
        Envelope acc;
        acc.set_request_id("a:" + e.offer().contact_id());
        acc.mutable_accept_offer()->set_contact_id(e.offer().contact_id());
        acc.mutable_accept_offer()->set_offer_id(e.offer().offer_id());
        c.send(acc);
      } else if (e.has_ack() && e.request_id().rfind("a:", 0) == 0) {
        Envelope w;
        w.set_request_id("w:" + e.request_id().substr(2));
        w.mutable_wrap_up()->set_contact_id(e.request_id().substr(2));
        w.mutable_wrap_up()->mutable_outcome()->set_resolved(true);
        c.send(w);
      } else if (e.has_ack() && e.request_id().rfind("w:", 0) == 0) {
        ++completed;
      }
    });
    c->start(ep, hello(switchboard::pb::ROLE_AGENT, a, token), [&](bool good) { ready += good; });
    agents.push_back(c);
  }
  long opened = 0;
  long target = static_cast<long>(a.rate * a.seconds);
  auto gw = std::make_shared<conn>(ioc, nullptr);
  asio::steady_timer tick{ioc};
  clock_type::time_point t0;
  std::function<void()> open_next = [&] {
    auto due = static_cast<long>(
      std::chrono::duration<double>(clock_type::now() - t0).count() * a.rate);
    while (opened < std::min(due, target)) {
      Envelope o;
      auto id = "bench-" + std::to_string(t0.time_since_epoch().count() % 1000000) + "-" +
                std::to_string(opened++);
      o.set_request_id(id);
      auto* m = o.mutable_open_contact();
      m->set_contact_id(id);
      m->set_customer_id("bench-customer-" + std::to_string(opened % 100));
      m->set_channel(switchboard::pb::CHANNEL_CHAT);
      m->set_queue("bench");
      opened_at[id] = clock_type::now();
      gw->send(o);
    }
    if (opened < target) {
      tick.expires_after(std::chrono::milliseconds(5));
      tick.async_wait([&](beast::error_code) { open_next(); });
    }
  };
  gw->start(ep, hello(switchboard::pb::ROLE_GATEWAY, a), [&](bool good) {
    if (!good)
      return;
    t0 = clock_type::now();
    open_next();
  });
  auto deadline = clock_type::now() +
                  std::chrono::duration_cast<clock_type::duration>(
                    std::chrono::duration<double>(a.seconds + 30));
  while ((opened < target || completed < target) && clock_type::now() < deadline &&
         ioc.run_one_for(std::chrono::seconds(5)) > 0) {
  }
  auto metrics = http_get(a, "/metrics");
  auto p50 = histogram_quantile(metrics, "switchboard_routing_latency_seconds", 0.5);
  auto p99 = histogram_quantile(metrics, "switchboard_routing_latency_seconds", 0.99);
  std::printf("route: %ld agents, %ld contacts opened at %.0f/s, %ld offers, %ld completed\n",
              ready, opened, a.rate, offers, completed);
  std::printf("  gateway OpenContact -> agent Offer (client clocks): p50 %.2f ms, p99 %.2f ms\n",
              percentile(latency_ms, 0.5), percentile(latency_ms, 0.99));
  std::printf("  /metrics routing latency (queued -> offered, edge): p50 %.3f ms, p99 %.3f ms "
              "(bucket-interpolated)\n",
              p50 * 1000, p99 * 1000);
  return completed == target ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  args a;
  if (argc < 2) {
    std::fprintf(stderr, "usage: edge_load idle|pipeline|route --port P --tenant T --key K ...\n"
                         "  (see the comment at the top of bench/edge_load.cc)\n");
    return 2;
  }
  a.workload = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--host") a.host = v;
    else if (k == "--port") a.port = static_cast<std::uint16_t>(std::stoi(v));
    else if (k == "--tenant") a.tenant = v;
    else if (k == "--key") a.key = v;
    else if (k == "--connections") a.connections = std::clamp(std::stol(v), 1L, 19000L);
    else if (k == "--hold") a.hold = std::clamp(std::stod(v), 0.0, 600.0);
    else if (k == "--server-pid") a.pid = std::stol(v);
    else if (k == "--frames") a.frames = std::clamp(std::stol(v), 1L, 10000000L);
    else if (k == "--window") a.window = std::clamp(std::stol(v), 1L, 4096L);
    else if (k == "--kind") a.kind = v;
    else if (k == "--agents") a.agents = std::clamp(std::stol(v), 1L, 1000L);
    else if (k == "--rate") a.rate = std::clamp(std::stod(v), 0.1, 100000.0);
    else if (k == "--seconds") a.seconds = std::clamp(std::stod(v), 0.1, 600.0);
    else {
      std::fprintf(stderr, "edge_load: unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  if (a.port == 0 || a.tenant.empty() || a.key.empty()) {
    std::fprintf(stderr, "edge_load: --port, --tenant and --key are required\n");
    return 2;
  }
  try {
    if (a.workload == "idle")
      return run_idle(a);
    if (a.workload == "pipeline")
      return run_pipeline(a);
    if (a.workload == "route")
      return run_route(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edge_load: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "edge_load: unknown workload %s\n", a.workload.c_str());
  return 2;
}
