// `switchboard serve` as a real child process: config file, printed port, HTTP and
// WebSocket on it, exit 0 on SIGTERM, exit 2 on a bad config, and the demo mode's
// ready-made agent token.
#include <csignal>
#include <fstream>
#include <map>
#include <regex>

#include "tests/net/edge_fixture.h"
#include "tests/testkit/child_process.h"

namespace switchboard::testing {
namespace {

using testkit::slurp;

/// `switchboard serve ARGS` as a child process (see testkit::child_process);
/// SIGKILLed if still running at destruction.
struct serve_child : testkit::child_process {
  serve_child(std::vector<std::string> args, const std::string& stderr_path)
      : child_process(with_binary(std::move(args)), stderr_path) {}

  static std::vector<std::string> with_binary(std::vector<std::string> args) {
    args.insert(args.begin(), {SB_SWITCHBOARD_BIN, "serve"});
    return args;
  }
};

class serve_test : public ::testing::Test {
 protected:
  std::string write_config(const std::string& json) {
    auto path = dir_.sub("serve.json");
    std::ofstream{path} << json;
    return path;
  }
  /// A valid config; each of `set` (key, raw JSON value) replaces the key's value
  /// or adds the key, so no key is given twice (the config refuses that).
  std::string base_config(const std::map<std::string, std::string>& set = {}) {
    std::map<std::string, std::string> kv = {
      {"listenAddress", R"("127.0.0.1")"},
      {"port", "0"},
      {"dataDir", "\"" + dir_.sub("data") + "\""},
      {"durability", R"("no_sync")"},
      {"logLevel", R"("warn")"},
      {"tenants", R"([{"tenant": "acme", "apiKey": "acme-key-0123456789"}])"},
      {"tokenSecret", R"("serve-test-secret-0123456789abcdefgh")"},
    };
    for (const auto& [k, v] : set)
      kv[k] = v;
    std::string json = "{";
    for (const auto& [k, v] : kv)
      json += (json.size() > 1 ? ", \"" : "\"") + k + "\": " + v;
    return json + "}";
  }
  temp_dir dir_;
  const std::regex listening{"listening on http://127\\.0\\.0\\.1:([0-9]+)"};
};

TEST_F(serve_test, serves_on_the_printed_port_and_exits_0_on_sigterm) {
  serve_child child{{"--config", write_config(base_config())}, dir_.sub("stderr.txt")};
  ASSERT_TRUE(child.started());
  auto port_text = child.expect(listening);
  ASSERT_TRUE(port_text.has_value()) << child.output() << slurp(dir_.sub("stderr.txt"));
  auto port = static_cast<std::uint16_t>(std::stoi(*port_text));
  ASSERT_GT(port, 0);
  EXPECT_EQ(http_get(port, "/healthz").status, 200);
  EXPECT_EQ(http_get(port, "/readyz").status, 200);
  // The configured tenant exists (defined at start), and its key works.
  ws_client sup{port};
  ASSERT_TRUE(sup.connected()) << sup.error();
  auto w = sup.hello(pb::ROLE_SUPERVISOR, "acme", "acme-key-0123456789");
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  pb::Envelope dq;
  dq.mutable_define_queue()->mutable_queue()->set_id("main");
  auto r = sup.call(dq);
  EXPECT_TRUE(r && r->has_ack()) << show(r);

  child.signal(SIGTERM);
  // The client is told before the server goes.
  auto bye = sup.wait_for([](const pb::Envelope& e) { return e.has_error(); });
  EXPECT_TRUE(is_error(bye, pb::SHUTTING_DOWN)) << show(bye);
  EXPECT_EQ(sup.wait_closed(), 1001);  // going away
  EXPECT_EQ(child.wait_exit(), 0) << child.output() << slurp(dir_.sub("stderr.txt"));
}

TEST_F(serve_test, flags_override_the_config_file) {
  serve_child child{{"--config", write_config(base_config({{"port", "1"}})), "--port", "0",
                     "--log-level", "error"},
                    dir_.sub("stderr.txt")};
  auto port_text = child.expect(listening);
  ASSERT_TRUE(port_text.has_value()) << child.output() << slurp(dir_.sub("stderr.txt"));
  EXPECT_NE(*port_text, "1");
  child.signal(SIGINT);
  EXPECT_EQ(child.wait_exit(), 0);
}

TEST_F(serve_test, a_bad_config_is_refused_with_exit_2) {
  struct bad {
    std::vector<std::string> args;
    std::string in_stderr;
  };
  auto cfg = [&](const std::string& json) { return write_config(json); };
  std::vector<std::pair<std::string, std::string>> configs = {
    {base_config({{"bogusField", R"(1)"}}), "bogusField"},
    {base_config({{"port", R"(70000)"}}), "port"},
    {base_config({{"durability", R"("sometimes")"}}), "durability"},
    {base_config({{"logLevel", R"("loud")"}}), "log_level"},
    {base_config({{"tokenSecret", R"("short")"}}), "token_secret"},
    {R"({"port": 0})", "data_dir"},
    {"{not json", "ServeConfig"},
    // A key given twice is refused by name, not read as "no key at all" (which
    // skipped the range check of leaseTtlS).
    {R"({"dataDir": "/x", "leaseTtlS": 5, "leaseTtlS": 9091})", "duplicate key 'leaseTtlS'"},
  };
  for (const auto& [json, what] : configs) {
    serve_child child{{"--config", cfg(json)}, dir_.sub("stderr.txt")};
    EXPECT_EQ(child.wait_exit(), 2) << json;
    EXPECT_NE(slurp(dir_.sub("stderr.txt")).find(what), std::string::npos)
      << json << ": " << slurp(dir_.sub("stderr.txt"));
  }
  serve_child missing{{"--config", dir_.sub("nope.json")}, dir_.sub("stderr.txt")};
  EXPECT_EQ(missing.wait_exit(), 2);
  serve_child unknown_flag{{"--frobnicate"}, dir_.sub("stderr.txt")};
  EXPECT_EQ(unknown_flag.wait_exit(), 2);
}

TEST_F(serve_test, demo_mode_prints_a_token_that_logs_the_agent_in) {
  serve_child child{{"--demo", "--port", "0", "--data-dir", dir_.sub("demo"), "--log-level", "warn"},
                    dir_.sub("stderr.txt")};
  auto port_text = child.expect(listening, 30s);
  ASSERT_TRUE(port_text.has_value()) << child.output() << slurp(dir_.sub("stderr.txt"));
  auto port = static_cast<std::uint16_t>(std::stoi(*port_text));
  auto token = child.expect(std::regex{"agent desktop +http://[^?]+\\?tenant=demo&token=([A-Za-z0-9_.-]+)"});
  ASSERT_TRUE(token.has_value()) << child.output();
  auto key = child.expect(std::regex{"wallboard +http://[^?]+\\?tenant=demo&key=([A-Za-z0-9_.~%-]+)"});
  ASSERT_TRUE(key.has_value()) << child.output();
  ws_client ag{port};
  auto w = ag.hello_agent(*token, "demo");
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  EXPECT_EQ(w->welcome().agent(), "agent-1");
  ws_client sup{port};
  w = sup.hello(pb::ROLE_SUPERVISOR, "demo", *key);
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  // The simulated load is running: contacts get routed.
  ASSERT_TRUE(sup.call(subscribe_stats(200))->has_ack());
  auto busy = sup.wait_for(
    [](const pb::Envelope& e) { return e.has_stats_update() && e.stats_update().routed() > 0; },
    20s);
  EXPECT_TRUE(busy.has_value()) << sup.error();
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait_exit(), 0) << slurp(dir_.sub("stderr.txt"));
}

}  // namespace
}  // namespace switchboard::testing
