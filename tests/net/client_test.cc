// The test-and-bench client (net/client) against the real edge: the Prometheus
// reader on real /metrics output, read timeouts, text frames, refused connects.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cmath>

#include "net/client/prometheus.h"
#include "net/client/ws_client.h"
#include "net/codec.h"
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

using client_test = edge_fixture;

constexpr const char* latency = "switchboard_routing_latency_seconds";

TEST_F(client_test, prometheus_reader_reads_the_edges_metrics) {
  auto ag = agent("t1", "a1");
  auto gw = gateway("t1");
  auto opened = gw->call(open_contact("prom-1"));
  ASSERT_TRUE(opened && opened->has_contact_opened()) << show(opened);
  ASSERT_TRUE(ag->wait_for(offer_of("prom-1"))) << ag->error();
  // The edge observes the latency when it routes the offer event; poll until seen.
  std::string text;
  ASSERT_TRUE(eventually([&] {
    text = metrics();
    return client::parse_prom_histogram(text, latency).count() >= 1;
  })) << text;

  EXPECT_EQ(client::prom_value(text, R"(switchboard_edge_connections{role="agent"})"), 1.0);
  EXPECT_EQ(client::prom_value(text, R"(switchboard_edge_connections{role="gateway"})"), 1.0);
  EXPECT_FALSE(client::prom_value(text, "switchboard_no_such_series").has_value());

  auto h = client::parse_prom_histogram(text, latency);
  ASSERT_GE(h.le.size(), 2u);
  EXPECT_TRUE(std::isinf(h.le.back()));
  for (std::size_t i = 1; i < h.le.size(); ++i) {
    EXPECT_LT(h.le[i - 1], h.le[i]);
    EXPECT_LE(h.cumulative[i - 1], h.cumulative[i]);
  }
  EXPECT_EQ(client::prom_value(text, std::string{latency} + "_count"), h.count());
  auto p50 = h.quantile(0.5);
  EXPECT_GE(p50, 0.0);
  EXPECT_LE(p50, h.le[h.le.size() - 2]);
  EXPECT_EQ(h.minus(h).count(), 0.0);
}

TEST(prometheus_reader, reads_special_values_and_rejects_broken_lines) {
  std::string text =
    "# HELP x_seconds A histogram.\n"
    "# TYPE x_seconds histogram\n"
    "x_seconds_bucket{le=\"0.1\"} 1\n"
    "x_seconds_bucket{le=\"1\"} 3\n"
    "x_seconds_bucket{le=\"+Inf\"} 4\n"
    "up 1 1700000000000\n"
    "down NaN\n"
    "broken_bucket{le=\"1\"} lots\n";
  auto h = client::parse_prom_histogram(text, "x_seconds");
  ASSERT_EQ(h.le.size(), 3u);
  EXPECT_EQ(h.count(), 4.0);
  EXPECT_DOUBLE_EQ(h.quantile(0.5), 0.1 + 0.5 * 0.9);  // 2nd of 4 sits halfway into (0.1, 1]
  EXPECT_DOUBLE_EQ(h.quantile(1.0), 1.0);                // in +Inf: the last finite bound
  EXPECT_EQ(client::prom_value(text, "up"), 1.0);         // a timestamp may follow
  EXPECT_TRUE(std::isnan(*client::prom_value(text, "down")));
  EXPECT_TRUE(client::parse_prom_histogram(text, "broken").le.empty());
  EXPECT_EQ(client::parse_prom_histogram(text, "absent").quantile(0.5), -1);
}

TEST_F(client_test, a_read_times_out_and_the_connection_stays_usable) {
  client::endpoint ep;
  ep.port = port();
  client::ws_client ws{ep};
  ASSERT_TRUE(ws.connected()) << ws.error();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(ws.read(std::chrono::milliseconds(100)).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(100));
  EXPECT_TRUE(ws.connected());

  // A JSON Hello in a text frame is answered in a text frame.
  pb::Envelope hello;
  hello.set_request_id("h");
  hello.mutable_hello()->set_role(pb::ROLE_GATEWAY);
  hello.mutable_hello()->set_tenant("t1");
  hello.mutable_hello()->set_api_key(t1_key);
  ASSERT_TRUE(ws.send(net::encode_frame(hello, true), true));
  auto f = ws.read(net_wait);
  ASSERT_TRUE(f) << ws.error();
  EXPECT_TRUE(f->text);
  auto d = net::decode_frame(f->data, f->text);
  ASSERT_TRUE(d.ok()) << d.why;
  EXPECT_TRUE(d.envelope.has_welcome()) << show(d.envelope);
  ws.close();
  EXPECT_FALSE(ws.connected());
}

TEST(client_ws, a_refused_connect_is_an_error_not_a_crash) {
  // Bind a port, then close it: nothing listens there afterwards.
  client::endpoint ep;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a{ioc, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    ep.port = a.local_endpoint().port();
  }
  ep.timeout = std::chrono::milliseconds(2000);
  client::ws_client ws{ep};
  EXPECT_FALSE(ws.connected());
  EXPECT_EQ(ws.error().rfind("connect", 0), 0u) << ws.error();
  EXPECT_FALSE(ws.send("x", false));
  EXPECT_FALSE(ws.read(std::chrono::milliseconds(10)).has_value());
  auto r = client::http_get(ep, "/healthz");
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  ep.host = "no-such-host.invalid";
  EXPECT_FALSE(client::ws_client(ep).connected());
}

}  // namespace
}  // namespace switchboard::testing
