// TLS on the edge's port: with a cert and key configured, HTTPS and WSS work and
// plain HTTP does not. The cert is a throwaway self-signed one made by the
// openssl command in the test's temp dir.
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdlib>

#include "net/codec.h"
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

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
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  ctx.set_verify_mode(ssl::verify_none);  // self-signed test certificate

  // HTTPS GET /healthz.
  {
    beast::ssl_stream<beast::tcp_stream> s{ioc, ctx};
    beast::get_lowest_layer(s).expires_after(net_wait);
    http::request<http::string_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(false);
    http::response<http::string_body> res;
    beast::flat_buffer buf;
    beast::error_code result;
    beast::get_lowest_layer(s).async_connect(
      tcp::endpoint{asio::ip::make_address("127.0.0.1"), port()}, [&](beast::error_code ec) {
        if ((result = ec))
          return;
        s.async_handshake(ssl::stream_base::client, [&](beast::error_code ec2) {
          if ((result = ec2))
            return;
          http::async_write(s, req, [&](beast::error_code ec3, std::size_t) {
            if ((result = ec3))
              return;
            http::async_read(s, buf, res, [&](beast::error_code ec4, std::size_t) { result = ec4; });
          });
        });
      });
    ioc.run();
    ASSERT_FALSE(result) << result.message();
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "ok\n");
  }

  // WSS: Hello, Welcome.
  {
    ioc.restart();
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{ioc, ctx};
    beast::get_lowest_layer(ws).expires_after(net_wait);
    pb::Envelope hello;
    hello.set_request_id("h");
    hello.mutable_hello()->set_role(pb::ROLE_GATEWAY);
    hello.mutable_hello()->set_tenant("t1");
    hello.mutable_hello()->set_api_key(t1_key);
    auto frame = net::encode_frame(hello, false);
    beast::flat_buffer buf;
    beast::error_code result;
    beast::get_lowest_layer(ws).async_connect(
      tcp::endpoint{asio::ip::make_address("127.0.0.1"), port()}, [&](beast::error_code ec) {
        if ((result = ec))
          return;
        ws.next_layer().async_handshake(ssl::stream_base::client, [&](beast::error_code ec2) {
          if ((result = ec2))
            return;
          ws.async_handshake("127.0.0.1", "/ws", [&](beast::error_code ec3) {
            if ((result = ec3))
              return;
            ws.binary(true);
            ws.async_write(asio::buffer(frame), [&](beast::error_code ec4, std::size_t) {
              if ((result = ec4))
                return;
              ws.async_read(buf, [&](beast::error_code ec5, std::size_t) {
                result = ec5;
                beast::get_lowest_layer(ws).close();
              });
            });
          });
        });
      });
    ioc.run();
    ASSERT_FALSE(result) << result.message();
    auto d = net::decode_frame(beast::buffers_to_string(buf.data()), false);
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d.envelope.has_welcome()) << show(d.envelope);
  }

  // Plain HTTP on the TLS port gets nothing useful.
  EXPECT_NE(http_get(port(), "/healthz").status, 200);
}

}  // namespace
}  // namespace switchboard::testing
