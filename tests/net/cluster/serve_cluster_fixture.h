#pragma once

// The fixture of the cluster tests with real processes: a real etcd and
// `switchboard serve` members on loopback, with helpers to define a tenant, open
// contacts, serve them with a ledger and check it. Used by serve_cluster_test.cc
// (membership, routing, join and leave) and failover_test.cc (kills and pauses).
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "engine/placement.h"
#include "net/client/ws_client.h"
#include "proto/etcd.pb.h"
#include "tests/net/edge_fixture.h"
#include "tests/testkit/etcd_server.h"

namespace switchboard::cluster_testing {

using namespace std::chrono_literals;
using status_pb = switchboard::etcd::ClusterStatus;

constexpr int tenants = 6;

/// One `switchboard serve` member of the cluster.
struct member {
  std::string name;
  std::unique_ptr<testkit::temp_dir> dir;
  std::unique_ptr<testkit::child_process> proc;
  std::uint16_t port = 0;
};

/// On failure, the nodes' logs say why (printed when the test body ends).
struct dump_logs {
  std::vector<member*> ms;
  ~dump_logs() {
    if (!::testing::Test::HasFailure() && std::getenv("SB_TEST_LOGS") == nullptr)
      return;
    for (auto* m : ms) {
      if (!m->dir)
        continue;
      std::ifstream before{m->dir->sub("stderr.log.1")};
      std::ifstream in{m->dir->sub("stderr.log")};
      std::string text{std::istreambuf_iterator<char>(before), {}};
      text.append(std::istreambuf_iterator<char>(in), {});
      std::printf("---- %s stderr (last 200000 bytes):\n%s\n", m->name.c_str(),
                  text.substr(text.size() > 200000 ? text.size() - 200000 : 0).c_str());
    }
  }
};

class serve_cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(etcd_.ready()) << "etcd did not start: " << etcd_.log_path();
    write_config("");
  }

  /// The nodes' config file: the tenants, then `more_tenants` (`, {...}` ...),
  /// and `extra` (`, "key": value` ...) at its top level. Read by nodes started
  /// after this.
  void write_config(const std::string& extra, const std::string& more_tenants = {}) {
    std::ofstream cfg{config_.sub("serve.json")};
    cfg << R"({"tenants": [)";
    for (int i = 0; i < tenants; ++i)
      cfg << (i ? "," : "") << R"({"tenant": "t)" << i << R"(", "api_key": "key-of-tenant-)" << i
          << R"(-0123456789"})";
    cfg << more_tenants;
    // One token secret for all: an agent token minted on any node works on any node.
    cfg << R"(], "tokenSecret": "cluster-test-secret-0123456789abcdef")" << extra << "}";
  }

  member start(const std::string& name) {
    member m;
    m.name = name;
    m.dir = std::make_unique<testkit::temp_dir>("sb-" + name);
    launch(m);
    return m;
  }

  /// Starts `m`'s process (again, after a kill: same data dir; the log of the run
  /// before is kept as stderr.log.1).
  void launch(member& m) {
    const auto& name = m.name;
    if (m.proc)
      std::rename(m.dir->sub("stderr.log").c_str(), m.dir->sub("stderr.log.1").c_str());
    m.proc = std::make_unique<testkit::child_process>(
      std::vector<std::string>{SB_SWITCHBOARD_BIN, "serve", "--config", config_.sub("serve.json"),
                               "--port", "0", "--data-dir", m.dir->sub("data"), "--etcd",
                               etcd_.url(), "--node-name", name, "--cluster-name", "test",
                               "--lease-ttl", "3", "--log-level",
                               std::getenv("SB_TEST_LOG_LEVEL") ? std::getenv("SB_TEST_LOG_LEVEL")
                                                                : "info"},
      m.dir->sub("stderr.log"), SIGTERM);
    auto port = m.proc->expect(std::regex{"listening on http://127\\.0\\.0\\.1:([0-9]+)"}, 30s);
    EXPECT_TRUE(port) << name << " did not start: see " << m.dir->sub("stderr.log");
    if (port)
      m.port = static_cast<std::uint16_t>(std::stoi(*port));
    EXPECT_TRUE(m.proc->expect(std::regex{"cluster test: member " + name}, 30s)) << name;
  }

  static std::optional<status_pb> status(const member& m) {
    client::endpoint ep;
    ep.port = m.port;
    ep.timeout = 2s;
    auto r = client::http_get(ep, "/cluster");
    if (r.status != 200)
      return std::nullopt;
    status_pb s;
    if (!google::protobuf::util::JsonStringToMessage(r.body, &s).ok())
      return std::nullopt;
    return s;
  }

  /// domain -> (owner, epoch) as `m` sees it, when every domain (`domains_` of
  /// them) is owned by the rendezvous choice among `alive` and `m` sees exactly
  /// those members.
  std::optional<std::map<std::string, std::pair<std::string, std::int64_t>>> settled(
    const member& m, const std::vector<std::string>& alive) const {
    auto s = status(m);
    if (!s || !s->healthy() || s->members_size() != static_cast<int>(alive.size()) ||
        s->domains_size() != domains_)
      return std::nullopt;
    std::map<std::string, std::pair<std::string, std::int64_t>> out;
    for (const auto& d : s->domains()) {
      if (d.epoch() <= 0 || d.owner() != engine::rendezvous_order(d.id(), alive).front())
        return std::nullopt;
      out[d.id()] = {d.owner(), d.epoch()};
    }
    return out;
  }

  template <class F>
  static auto wait_for(F f, std::chrono::milliseconds timeout) -> decltype(f()) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto v = f())
        return v;
      std::this_thread::sleep_for(50ms);
    }
    return f();
  }

  static std::string key_of(const std::string& tenant) {
    return "key-of-tenant-" + tenant.substr(1) + "-0123456789";
  }

  /// Through `sup` (a supervisor of `tenant`): a chat queue "support" and agents
  /// taking one chat each; returns their tokens.
  static std::map<std::string, std::string> define(testing::ws_client& sup,
                                                   const std::vector<std::string>& agents) {
    std::map<std::string, std::string> tokens;
    pb::Envelope dq;
    auto* q = dq.mutable_define_queue()->mutable_queue();
    q->set_id("support");
    q->add_channels(pb::CHANNEL_CHAT);
    q->set_offer_timeout_ms(60000);
    auto r = sup.call(dq);
    EXPECT_TRUE(r && r->has_ack()) << testing::show(r);
    for (const auto& name : agents) {
      pb::Envelope da;
      auto* ag = da.mutable_define_agent()->mutable_agent();
      ag->set_id(name);
      ag->set_name("Agent " + name);
      ag->add_languages("en");
      auto* cap = ag->add_capacity();
      cap->set_channel(pb::CHANNEL_CHAT);
      cap->set_max(1);
      r = sup.call(da);
      EXPECT_TRUE(r && r->has_ack()) << testing::show(r);
      auto tok = sup.call(testing::mint_token(name, 600));
      EXPECT_TRUE(tok && tok->has_agent_token()) << testing::show(tok);
      if (tok && tok->has_agent_token())
        tokens[name] = tok->agent_token().token();
    }
    return tokens;
  }

  /// Opens contact `id` in queue "support" through `gw`, trying again with the
  /// same id until it is acknowledged (DUPLICATE_ID says an earlier try was taken,
  /// though its answer was lost: a node died). Fails the test after 30 s. Returns
  /// how many tries were made again.
  static int open_until_acked(testing::ws_client& gw, const std::string& id) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (int again = 0;; ++again) {
      auto r = gw.call(testing::open_contact(id, "support"));
      if (r && (r->has_contact_opened() || testing::is_error(r, pb::DUPLICATE_ID)))
        return again;
      if (std::chrono::steady_clock::now() >= deadline) {
        ADD_FAILURE() << id << " was never acknowledged: " << testing::show(r);
        return again;
      }
      std::this_thread::sleep_for(100ms);
    }
  }

  /// A tenant's people, each connected to the node port given: a supervisor, who
  /// defines queue "support" and agents x and y (`define`); x and y logged in; a
  /// gateway. Every hello must be welcomed (the test fails otherwise).
  struct staffed_tenant {
    staffed_tenant(const std::string& tenant, std::uint16_t sup_at, std::uint16_t x_at,
                   std::uint16_t y_at, std::uint16_t gw_at)
      : sup{sup_at}, x{x_at}, y{y_at}, gw{gw_at} {
      auto w = sup.hello(pb::ROLE_SUPERVISOR, tenant, key_of(tenant));
      EXPECT_TRUE(w && w->has_welcome()) << "supervisor: " << testing::show(w);
      tokens = define(sup, {"x", "y"});
      w = x.hello_agent(tokens["x"], tenant);
      EXPECT_TRUE(w && w->has_welcome()) << "x: " << testing::show(w);
      w = y.hello_agent(tokens["y"], tenant);
      EXPECT_TRUE(w && w->has_welcome()) << "y: " << testing::show(w);
      w = gw.hello(pb::ROLE_GATEWAY, tenant, key_of(tenant));
      EXPECT_TRUE(w && w->has_welcome()) << "gateway: " << testing::show(w);
    }

    /// Opens the next `count` contacts (k1000, k1001, ...) through the gateway,
    /// each until acknowledged (`open_until_acked`).
    void open(int count) {
      for (int i = 0; i < count; ++i, ++opened)
        retried += open_until_acked(gw, "k" + std::to_string(1000 + opened.load()));
    }

    testing::ws_client sup, x, y, gw;
    std::map<std::string, std::string> tokens;
    std::atomic<int> opened{0};   ///< contacts opened so far (read while `open` runs)
    std::atomic<int> retried{0};  ///< opens tried again
  };

  /// The ledger of one test client: what each agent served, in order.
  struct ledger {
    std::map<std::string, std::vector<int>> served;  ///< agent -> contact numbers
    std::map<int, int> times;                        ///< contact number -> times served
    int stale_offers = 0;  ///< offers withdrawn by a move, answered NOT_OFFERED
    /// When the first offer came in `serve_all` (for the failover figure).
    std::optional<std::chrono::steady_clock::time_point> first_offer_at;
  };

  /// Each agent takes what it is offered, one at a time, until `n` contacts (all
  /// numbered below `n`) were served or `timeout` passed. An offer withdrawn by a
  /// handoff is refused and its contact offered again by the new owner.
  static void serve_all(std::vector<std::pair<std::string, testing::ws_client*>> agents, int n,
                        ledger& out, std::chrono::seconds timeout = 60s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (static_cast<int>(out.times.size()) < n && std::chrono::steady_clock::now() < deadline) {
      for (auto& [agent, cl] : agents) {
        auto offer = cl->wait_for([](const pb::Envelope& e) { return e.has_offer(); }, 100ms);
        if (!offer)
          continue;
        if (!out.first_offer_at)
          out.first_offer_at = std::chrono::steady_clock::now();
        auto id = offer->offer().contact_id();
        auto acc = cl->call(testing::accept_offer(id, offer->offer().offer_id()));
        // An offer the old owner made before a move: the contact was offered again
        // by the new owner (NOT_OFFERED), or already served by another agent
        // (UNKNOWN_CONTACT).
        if (testing::is_error(acc, pb::NOT_OFFERED) || testing::is_error(acc, pb::UNKNOWN_CONTACT)) {
          ++out.stale_offers;
          if (std::getenv("SB_TEST_LOGS") != nullptr)
            std::printf("stale offer %s to %s (offer %llu): %s\n", id.c_str(), agent.c_str(),
                        static_cast<unsigned long long>(offer->offer().offer_id()),
                        testing::show(acc).c_str());
          continue;
        }
        ASSERT_TRUE(acc && acc->has_ack()) << agent << " " << id << ": " << testing::show(acc)
                                           << " (offer " << testing::show(offer) << ")";
        auto done = cl->call(testing::wrap_up(id, true));
        ASSERT_TRUE(done && done->has_ack()) << agent << " " << id << ": " << testing::show(done);
        if (std::getenv("SB_TEST_LOGS") != nullptr)
          std::printf("served %s by %s (offer %llu)\n", id.c_str(), agent.c_str(),
                      static_cast<unsigned long long>(offer->offer().offer_id()));
        int k = std::stoi(id.substr(1)) - 1000;
        out.served[agent].push_back(k);
        ++out.times[k];
      }
    }
  }

  static void check(const ledger& l, int n) {
    EXPECT_EQ(static_cast<int>(l.times.size()), n) << "contacts never served";
    for (const auto& [k, count] : l.times)
      EXPECT_EQ(count, 1) << "k" << 1000 + k << " served " << count << " times";
    for (const auto& [agent, ks] : l.served) {
      std::string seq;
      for (auto k : ks)
        seq += " k" + std::to_string(1000 + k);
      EXPECT_TRUE(std::is_sorted(ks.begin(), ks.end()))
        << agent << " was offered out of order:" << seq;
    }
  }

  testkit::etcd_server etcd_;
  testkit::temp_dir config_{"sb-cluster-cfg"};
  int domains_ = tenants;  ///< how many domains the config makes
};

}  // namespace switchboard::cluster_testing
