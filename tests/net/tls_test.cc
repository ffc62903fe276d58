// TLS on the edge's port: with a cert and key configured, HTTPS and WSS work and
// plain HTTP does not. The cert is a throwaway self-signed one made by the
// openssl command in the test's temp dir.
#include <cstdlib>

#include "net/client/ws_client.h"
#include "net/codec.h"
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

class tls_test : public edge_fixture {
 protected:
  void SetUp() override {
    auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
               dir_.sub("key.pem") + " -out " + dir_.sub("cert.pem") + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0)
      GTEST_SKIP() << "no openssl command to make a test certificate";
    edge_fixture::SetUp();
  }
  void configure(net::edge_options& o) override {
    o.tls_cert = dir_.sub("cert.pem");
    o.tls_key = dir_.sub("key.pem");
  }
};

TEST_F(tls_test, https_and_wss_are_served_and_plain_http_is_not) {
  EXPECT_EQ(edge().url().rfind("https://", 0), 0u);
  client::endpoint tls;  // no certificate check: the test certificate is self-signed
  tls.port = port();
  tls.tls = true;
  tls.timeout = net_wait;

  // HTTPS GET /healthz.
  auto res = client::http_get(tls, "/healthz");
  ASSERT_EQ(res.status, 200) << res.error;
  EXPECT_EQ(res.body, "ok\n");

  // WSS: Hello, Welcome.
  client::ws_client ws{tls};
  ASSERT_TRUE(ws.connected()) << ws.error();
  pb::Envelope hello;
  hello.set_request_id("h");
  hello.mutable_hello()->set_role(pb::ROLE_GATEWAY);
  hello.mutable_hello()->set_tenant("t1");
  hello.mutable_hello()->set_api_key(t1_key);
  ASSERT_TRUE(ws.send(net::encode_frame(hello, false), false)) << ws.error();
  auto f = ws.read(net_wait);
  ASSERT_TRUE(f) << ws.error();
  auto d = net::decode_frame(f->data, f->text);
  ASSERT_TRUE(d.ok()) << d.why;
  EXPECT_TRUE(d.envelope.has_welcome()) << show(d.envelope);

  // Plain HTTP and WS on the TLS port get nothing useful.
  EXPECT_NE(http_get(port(), "/healthz").status, 200);
  client::endpoint plain = tls;
  plain.tls = false;
  plain.timeout = std::chrono::milliseconds(2000);
  EXPECT_FALSE(client::ws_client(plain).connected());
}

}  // namespace
}  // namespace switchboard::testing
