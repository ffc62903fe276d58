// The net bench mode against a real `switchboard serve` child process on loopback:
// contacts are opened, routed, accepted and completed over real WebSocket
// connections; bad URLs, refused keys and silent peers give typed errors, not hangs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>

#include "actors/errors.h"
#include "bench/modes.h"
#include "bench/net/ws_client.h"
#include "bench/scenario/scenario.h"
#include "net/client/prometheus.h"
#include "tests/testkit/child_process.h"
#include "tests/testkit/temp_dir.h"

namespace switchboard::bench {
namespace {

using namespace std::chrono_literals;
using testkit::slurp;

constexpr const char* api_key = "bench-net-test-key-0123456789";

/// `switchboard serve --config FILE` as a child process (see testkit::child_process);
/// stopped with SIGTERM at destruction (SIGKILL after 5 s).
class serve_child {
 public:
  serve_child(const std::string& config, const std::string& stderr_path)
      : child_({SB_SWITCHBOARD_BIN, "serve", "--config", config}, stderr_path, SIGTERM) {}

  /// The port from "listening on http://127.0.0.1:PORT", or 0 after `timeout`.
  std::uint16_t port(std::chrono::milliseconds timeout = 30s) {
    static const std::regex listening{"listening on http://127\\.0\\.0\\.1:([0-9]+)"};
    if (!child_.started())
      return 0;
    auto text = child_.expect(listening, timeout);
    return text ? static_cast<std::uint16_t>(std::stoi(*text)) : 0;
  }

 private:
  testkit::child_process child_;
};

/// A loopback port nothing listens on (bound, then released).
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// mmn with 6 agents at 80 % load: 720/h at a 24 s handle time is 4.8 Erlangs; at
/// `rate` contacts/s the run compresses time by (720/3600)/rate.
scenario small_mmn(const std::string& url, const std::string& key, double rate, double seconds) {
  auto s = make_builtin("mmn", {{"agents", "6"}, {"aht_s", "24"}, {"arrivals_per_hour", "720"}});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().message);
  auto st = apply_set(*s, {{"url", url},
                           {"api_key", key},
                           {"target_rate", std::to_string(rate)},
                           {"duration_s", std::to_string(seconds)},
                           {"connections", "3"}});
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.err().message);
  return std::move(*s);
}

class net_mode_test : public ::testing::Test {
 protected:
  void start_node() {
    auto cfg = dir_.sub("serve.json");
    std::ofstream{cfg} << R"({"listenAddress": "127.0.0.1", "port": 0, "dataDir": ")"
                       << dir_.sub("data") << R"(", "durability": "no_sync", "logLevel": "warn",
  "tenants": [{"tenant": "bench", "apiKey": ")"
                       << api_key << R"("}],
  "tokenSecret": "bench-net-test-secret-0123456789abcdef",
  "maxMessagesPerSecond": 100000})";
    child_ = std::make_unique<serve_child>(cfg, dir_.sub("stderr.txt"));
    port_ = child_->port();
    ASSERT_GT(port_, 0) << slurp(dir_.sub("stderr.txt"));
  }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }

  testkit::temp_dir dir_{"sb-bench-net"};
  std::unique_ptr<serve_child> child_;
  std::uint16_t port_ = 0;
};

TEST_F(net_mode_test, contacts_are_routed_and_completed_through_a_real_node) {
  start_node();
  auto s = small_mmn(url(), api_key, 20, 2);
  double last_done = -1;
  int progress_calls = 0;
  auto r = run_net(s, [&](double done, double total) {
    EXPECT_LE(done, total);
    EXPECT_GE(done, last_done);
    last_done = done;
    ++progress_calls;
  });
  ASSERT_TRUE(r.ok()) << r.err().message << "\n" << slurp(dir_.sub("stderr.txt"));
  const auto& f = r->figures;
  EXPECT_EQ(r->mode, "net");
  EXPECT_GT(progress_calls, 0);
  EXPECT_EQ(f.at("agent_connections"), 6);
  EXPECT_EQ(f.at("gateway_connections"), 3);
  EXPECT_GT(f.at("contacts_opened"), 0);
  EXPECT_GT(f.at("contacts_routed"), 0);
  EXPECT_GT(f.at("contacts_completed"), 0);
  // Every contact ended one way or the other, and customers met their agents.
  EXPECT_EQ(f.at("contacts_unfinished"), 0);
  EXPECT_EQ(f.at("contacts_completed") + f.at("contacts_abandoned"), f.at("contacts_opened"));
  EXPECT_GT(f.at("chat_lines_to_agents"), 0);
  EXPECT_GT(f.at("chat_lines_to_customers"), 0);
  EXPECT_GT(f.at("completed_per_s"), 0);
  EXPECT_GT(f.at("frames_sent_per_s"), 0);
  EXPECT_EQ(f.count("errors_unauthenticated"), 0u);
  // Sane latency samples: one per routed contact, ordered percentiles, positive.
  ASSERT_TRUE(r->latency.has_value());
  const auto& l = *r->latency;
  EXPECT_EQ(static_cast<double>(l.samples), f.at("contacts_routed"));
  EXPECT_GT(l.p50_us, 0);
  EXPECT_LE(l.p50_us, l.p99_us);
  EXPECT_LE(l.p99_us, l.p999_us);
  EXPECT_LE(l.p999_us, l.max_us);
  EXPECT_LT(l.max_us, 60e6);  // bounded by the run itself, not a performance claim
  // The replication: served from the gateways' view, SL and ASA filled in.
  ASSERT_EQ(r->replications.size(), 1u);
  const auto& rep = r->replications.front();
  EXPECT_EQ(static_cast<double>(rep.served), f.at("contacts_completed"));
  EXPECT_GE(rep.service_level, 0);
  EXPECT_LE(rep.service_level, 1);
  EXPECT_GE(rep.asa_s, 0);
  ASSERT_EQ(rep.groups.size(), 1u);
  EXPECT_EQ(static_cast<double>(rep.groups.front().served), f.at("contacts_completed"));
  EXPECT_TRUE(r->summary.count("served"));
  EXPECT_FALSE(r->notes.empty());
}

TEST_F(net_mode_test, as_fast_as_possible_keeps_contacts_flowing) {
  start_node();
  auto s = small_mmn(url(), api_key, 0, 1);
  auto r = run_net(s, nullptr);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_GT(r->figures.at("contacts_completed"), 0);
  EXPECT_EQ(r->figures.at("contacts_unfinished"), 0);
  EXPECT_EQ(r->figures.at("time_scale"), 0);
  // The node's own routing latency for the window came from /metrics.
  EXPECT_GT(r->figures.count("node_routing_samples"), 0u);
}

TEST_F(net_mode_test, a_second_run_reuses_the_queues_and_agents) {
  start_node();
  auto s = small_mmn(url(), api_key, 10, 1);
  auto first = run_net(s, nullptr);
  ASSERT_TRUE(first.ok()) << first.err().message;
  auto second = run_net(s, nullptr);
  ASSERT_TRUE(second.ok()) << second.err().message;
  EXPECT_GT(second->figures.at("contacts_completed"), 0);
  EXPECT_EQ(second->figures.at("agent_connections"), 6);
}

TEST_F(net_mode_test, a_wrong_key_is_refused_with_a_clear_error) {
  start_node();
  auto s = small_mmn(url(), "not-the-key-0123456789", 10, 1);
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_net(s, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), engine::errc::invalid_argument);
  EXPECT_NE(r.err().message.find("api_key"), std::string::npos) << r.err().message;
  EXPECT_NE(r.err().message.find("UNAUTHENTICATED"), std::string::npos) << r.err().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  // Another tenant than the key's is refused the same way.
  s.realtime.url = url() + "/ws?tenant=other";
  s.realtime.api_key = api_key;
  r = run_net(s, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("'other'"), std::string::npos) << r.err().message;
}

TEST(net_mode_errors, an_unreachable_url_is_a_clear_error) {
  auto s = small_mmn("ws://127.0.0.1:" + std::to_string(closed_port()), api_key, 10, 1);
  auto r = run_net(s, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), engine::errc::not_connected);
  EXPECT_NE(r.err().message.find("url"), std::string::npos) << r.err().message;
  EXPECT_NE(r.err().message.find("cannot connect"), std::string::npos) << r.err().message;
}

TEST(net_mode_errors, a_peer_that_never_answers_times_out) {
  // Listens (the kernel completes TCP handshakes) but never accepts or answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  auto s = small_mmn("ws://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), api_key, 10, 1);
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_net(s, nullptr);
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), actors::errors::timeout) << r.err().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
}

TEST(net_mode_errors, missing_or_malformed_settings_name_the_field) {
  auto s = small_mmn("ws://127.0.0.1:1", api_key, 10, 1);
  s.realtime.url.clear();
  auto r = run_net(s, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), engine::errc::invalid_argument);
  EXPECT_EQ(r.err().message.rfind("url", 0), 0u) << r.err().message;

  s.realtime.url = "ws://127.0.0.1:1";
  s.realtime.api_key.clear();
  r = run_net(s, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message.rfind("api_key", 0), 0u) << r.err().message;

  s.realtime.api_key = api_key;
  for (const char* u : {"ws://127.0.0.1", "wss://127.0.0.1:8443", "ws://127.0.0.1:99999",
                        "ws://127.0.0.1:80/ws?bogus=1"}) {
    s.realtime.url = u;
    r = run_net(s, nullptr);
    ASSERT_FALSE(r.ok()) << u;
    EXPECT_EQ(r.code(), engine::errc::invalid_argument) << u;
    EXPECT_EQ(r.err().message.rfind("url", 0), 0u) << r.err().message;
  }
}

TEST_F(net_mode_test, bad_agent_urls_are_refused_before_anything_is_defined) {
  start_node();
  auto s = small_mmn(url(), api_key, 10, 1);
  auto refused = [&](const std::string& agent_urls) {
    s.parameters["agent_urls"] = agent_urls;
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_net(s, nullptr);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s) << agent_urls;
    return r;
  };
  // Malformed: the item is named, with the URL parser's reason.
  for (const char* bad : {"ws://127.0.0.1", "http://127.0.0.1:80", "wss://127.0.0.1:8443",
                          "ws://127.0.0.1:0", "ws://127.0.0.1:80/ws?bogus=1"}) {
    auto r = refused(url() + "," + bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.code(), engine::errc::invalid_argument) << bad;
    EXPECT_EQ(r.err().message.rfind("agent_urls: '" + std::string{bad} + "'", 0), 0u)
      << r.err().message;
  }
  auto r = refused(url() + ",," + url());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), engine::errc::invalid_argument);
  EXPECT_EQ(r.err().message, "agent_urls: item 2 is empty (expected ws://host:port,ws://host:port,...)");
  r = refused(url() + "/ws?tenant=other");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), engine::errc::invalid_argument);
  EXPECT_NE(r.err().message.find("tenant 'other' is not the run's tenant 'bench'"),
            std::string::npos)
    << r.err().message;
  // Well formed but nobody listens there: the agents' node is named, not `url`'s.
  auto nowhere = "ws://127.0.0.1:" + std::to_string(closed_port());
  r = refused(nowhere);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), engine::errc::not_connected) << r.err().message;
  EXPECT_EQ(r.err().message.rfind("agent_urls: '" + nowhere + "'", 0), 0u) << r.err().message;
  // An empty value never reaches the mode: --set refuses it.
  auto st = apply_set(s, {{"agent_urls", ""}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("agent_urls"), std::string::npos) << st.err().message;
}

TEST_F(net_mode_test, agents_are_spread_round_robin_over_agent_urls) {
  start_node();
  // Two spellings of the same node: the spread and the report, without a cluster
  // (tests/net/cluster has the real cross-node routing).
  auto s = small_mmn(url(), api_key, 20, 1);
  auto other = url() + "/ws";
  ASSERT_TRUE(apply_set(s, {{"agent_urls", url() + ", " + other}}).ok());
  auto r = run_net(s, nullptr);
  ASSERT_TRUE(r.ok()) << r.err().message << "\n" << slurp(dir_.sub("stderr.txt"));
  EXPECT_EQ(r->figures.at("agent_connections"), 6);
  EXPECT_GT(r->figures.at("contacts_completed"), 0);
  EXPECT_EQ(r->figures.at("contacts_unfinished"), 0);
  EXPECT_EQ(r->parameters.at("net.agent_urls"), url() + "," + other);
  // Time to offer is also given per agents' URL, the two together being all of it.
  EXPECT_EQ(r->figures.at("time_to_offer_agent_url_1_samples") +
              r->figures.at("time_to_offer_agent_url_2_samples"),
            r->figures.at("contacts_routed"));
  EXPECT_GT(r->figures.at("time_to_offer_agent_url_2_p50_us"), 0);
  auto spread = "3 at " + url() + ", 3 at " + other;
  EXPECT_TRUE(std::any_of(r->notes.begin(), r->notes.end(), [&](const std::string& n) {
    return n.find(spread) != std::string::npos;
  })) << spread;
}

TEST(ws_client, urls_are_parsed_with_path_and_tenant) {
  auto u = ws::parse_ws_url("ws://localhost:8080");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/ws");
  EXPECT_EQ(u->tenant, "");
  u = ws::parse_ws_url("ws://[::1]:9000/edge?tenant=acme");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/edge");
  EXPECT_EQ(u->tenant, "acme");
}

TEST(prometheus_reader, histogram_quantiles_are_interpolated_per_window) {
  std::string before =
    "x_bucket{le=\"0.001\"} 10\nx_bucket{le=\"0.01\"} 10\nx_bucket{le=\"+Inf\"} 10\n";
  std::string after =
    "x_bucket{le=\"0.001\"} 10\nx_bucket{le=\"0.01\"} 110\nx_bucket{le=\"+Inf\"} 110\n";
  auto h = client::parse_prom_histogram(after, "x").minus(client::parse_prom_histogram(before, "x"));
  EXPECT_EQ(h.count(), 100);
  // All 100 samples of the window fell in (1 ms, 10 ms]: the median is the middle.
  EXPECT_NEAR(h.quantile(0.5), 0.0055, 1e-9);
  EXPECT_EQ(client::parse_prom_histogram("", "x").quantile(0.5), -1);
  EXPECT_EQ(client::prom_value("a_total 5\nab_total 7\n", "ab_total"), 7);
}

}  // namespace
}  // namespace switchboard::bench
