#include "net/client/ws_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <functional>
#include <variant>

namespace switchboard::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

/// A client TLS context that accepts any certificate (tests use self-signed ones).
ssl::context& tls_context() {
  static ssl::context ctx = [] {
    ssl::context c{ssl::context::tls_client};
    c.set_verify_mode(ssl::verify_none);
    return c;
  }();
  return ctx;
}

/// Runs `ioc` until `done` or `timeout`; false on timeout.
bool run_until(asio::io_context& ioc, const bool& done, std::chrono::milliseconds timeout) {
  ioc.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline)
    if (ioc.run_one_until(deadline) == 0)
      break;
  return done;
}

/// Resolves `ep.host` (an address needs no lookup).
tcp::endpoint resolve(asio::io_context& ioc, const endpoint& ep, beast::error_code& ec) {
  auto addr = asio::ip::make_address(ep.host, ec);
  if (!ec)
    return {addr, ep.port};
  tcp::resolver r{ioc};
  auto results = r.resolve(ep.host, std::to_string(ep.port), ec);
  if (ec || results.empty())
    return {};
  return results.begin()->endpoint();
}

}  // namespace

// -- ws_client ------------------------------------------------------------------------

struct ws_client::impl {
  explicit impl(const endpoint& e) : ep(e) {
    if (e.tls)
      ws.emplace<tls_ws>(ioc, tls_context());
    else
      ws.emplace<plain_ws>(ioc);
  }

  endpoint ep;
  asio::io_context ioc;
  std::variant<std::monostate, plain_ws, tls_ws> ws;
  beast::flat_buffer buffer;
  bool connected = false;
  bool reading = false;
  std::optional<beast::error_code> done;  ///< result of the pending read
  int refused = 0;
  std::string error;

  template <class F>
  void visit(F&& f) {
    std::visit(
      [&](auto& s) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>)
          f(s);
      },
      ws);
  }

  beast::tcp_stream& lowest() {
    beast::tcp_stream* out = nullptr;
    visit([&](auto& s) { out = &beast::get_lowest_layer(s); });
    return *out;
  }

  /// One asynchronous step run to completion or the endpoint's timeout.
  beast::error_code step(const std::function<void(std::function<void(beast::error_code)>)>& start) {
    bool finished = false;
    beast::error_code result;
    start([&](beast::error_code ec) {
      result = ec;
      finished = true;
    });
    if (!run_until(ioc, finished, ep.timeout)) {
      lowest().socket().close();  // completes the step with operation_aborted
      run_until(ioc, finished, ep.timeout);
      return beast::error::timeout;
    }
    return result;
  }

  void start_read() {
    if (reading)
      return;
    reading = true;
    visit([&](auto& s) {
      s.async_read(buffer, [this](beast::error_code ec, std::size_t) {
        reading = false;
        done = ec;
      });
    });
  }
};

ws_client::ws_client(const endpoint& ep, const std::string& target, int rcvbuf)
  : impl_(std::make_unique<impl>(ep)) {
  auto& i = *impl_;
  beast::error_code ec;
  auto where = resolve(i.ioc, ep, ec);
  if (ec) {
    i.error = "resolve: " + ec.message();
    return;
  }
  auto& sock = i.lowest().socket();
  sock.open(where.protocol(), ec);
  if (rcvbuf > 0)
    sock.set_option(asio::socket_base::receive_buffer_size(rcvbuf), ec);
  ec = i.step([&](auto done) { sock.async_connect(where, done); });
  if (ec) {
    i.error = "connect: " + ec.message();
    return;
  }
  if (auto* t = std::get_if<tls_ws>(&i.ws)) {
    ec = i.step([&](auto done) { t->next_layer().async_handshake(ssl::stream_base::client, done); });
    if (ec) {
      i.error = "tls handshake: " + ec.message();
      return;
    }
  }
  websocket::response_type res;
  i.visit([&](auto& s) {
    ec = i.step([&](auto done) { s.async_handshake(res, ep.host, target, done); });
  });
  if (ec) {
    i.refused = static_cast<int>(res.result_int());
    i.error = "handshake: " + ec.message();
    return;
  }
  i.visit([](auto& s) { s.read_message_max(64u << 20); });
  i.connected = true;
}

ws_client::~ws_client() {
  if (impl_->connected) {
    beast::error_code ec;
    impl_->lowest().socket().close(ec);
  }
}

bool ws_client::connected() const {
  return impl_->connected;
}

int ws_client::refused_status() const {
  return impl_->refused;
}

const std::string& ws_client::error() const {
  return impl_->error;
}

bool ws_client::send(std::string_view bytes, bool text) {
  auto& i = *impl_;
  if (!i.connected)
    return false;
  beast::error_code ec;
  i.visit([&](auto& s) {
    s.text(text);
    s.write(asio::buffer(bytes.data(), bytes.size()), ec);
  });
  if (ec)
    i.error = "write: " + ec.message();
  return !ec;
}

std::optional<frame> ws_client::read(std::chrono::milliseconds timeout) {
  auto& i = *impl_;
  if (!i.connected)
    return std::nullopt;
  i.start_read();
  i.ioc.restart();
  i.ioc.run_for(timeout);
  if (!i.done)
    return std::nullopt;
  auto ec = *i.done;
  i.done.reset();
  if (ec) {
    i.connected = false;
    i.error = "read: " + ec.message();
    return std::nullopt;
  }
  frame f;
  f.data = beast::buffers_to_string(i.buffer.data());
  i.buffer.consume(i.buffer.size());
  i.visit([&](auto& s) { f.text = s.got_text(); });
  return f;
}

int ws_client::close_code() const {
  if (impl_->connected)
    return -1;
  int code = -1;
  impl_->visit([&](auto& s) { code = s.reason().code; });
  return code;
}

void ws_client::close() {
  auto& i = *impl_;
  if (!i.connected)
    return;
  // The close handshake completes the pending read (if any) with `closed`.
  bool closed = false;
  i.visit([&](auto& s) {
    s.async_close(websocket::close_code::normal, [&closed](beast::error_code) { closed = true; });
  });
  i.start_read();
  i.ioc.restart();
  i.ioc.run_for(i.ep.timeout);
  i.connected = false;
}

void ws_client::drop() {
  beast::error_code ec;
  auto& sock = impl_->lowest().socket();
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
  impl_->connected = false;
}

// -- http -------------------------------------------------------------------------------

namespace {

/// A request with `Connection: close`; a body (and its length) when there is one
/// or the method takes one.
http::request<http::string_body> make_request(const endpoint& ep, http::verb verb,
                                              const std::string& target, std::string body,
                                              std::string_view content_type) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, ep.host);
  req.keep_alive(false);
  if (!content_type.empty())
    req.set(http::field::content_type, content_type);
  if (!body.empty() || verb == http::verb::post || verb == http::verb::put) {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  return req;
}

template <class Stream>
void exchange(Stream& s, http::request<http::string_body>& req,
              http::response<http::string_body>& res, beast::flat_buffer& buf,
              std::function<void(beast::error_code, const char*)> done) {
  http::async_write(s, req, [&s, &res, &buf, done](beast::error_code ec, std::size_t) {
    if (ec)
      return done(ec, "write");
    http::async_read(s, buf, res,
                     [done](beast::error_code ec2, std::size_t) { done(ec2, "read"); });
  });
}

}  // namespace

http_result http_get(const endpoint& ep, const std::string& target) {
  return http_request(ep, "GET", target, {}, {});
}

http_result http_request(const endpoint& ep, std::string_view method, const std::string& target,
                         std::string body, std::string_view content_type) {
  http_result out;
  auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    out.error = "unknown method " + std::string{method};
    return out;
  }
  asio::io_context ioc;
  beast::error_code ec;
  auto where = resolve(ioc, ep, ec);
  if (ec) {
    out.error = "resolve: " + ec.message();
    return out;
  }
  auto req = make_request(ep, verb, target, std::move(body), content_type);
  http::response<http::string_body> res;
  beast::flat_buffer buf;
  bool finished = false;
  auto done = [&](beast::error_code e, const char* step) {
    if (e)
      out.error = std::string{step} + ": " + e.message();
    finished = true;
  };
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::tcp_stream* lowest = nullptr;
  if (ep.tls) {
    tls.emplace(ioc, tls_context());
    lowest = &beast::get_lowest_layer(*tls);
  } else {
    plain.emplace(ioc);
    lowest = &*plain;
  }
  lowest->expires_after(ep.timeout);
  lowest->async_connect(where, [&](beast::error_code e) {
    if (e)
      return done(e, "connect");
    if (!tls)
      return exchange(*plain, req, res, buf, done);
    tls->async_handshake(ssl::stream_base::client, [&](beast::error_code e2) {
      if (e2)
        return done(e2, "tls handshake");
      exchange(*tls, req, res, buf, done);
    });
  });
  // The stream's expiry bounds every step; the extra margin only catches a hang.
  if (!run_until(ioc, finished, ep.timeout + std::chrono::milliseconds(500)))
    out.error = "timeout";
  if (!out.error.empty())
    return out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  out.content_type = std::string{res[http::field::content_type]};
  return out;
}

http_result http_stream(const endpoint& ep, const std::string& target, std::string body,
                        std::string_view content_type,
                        const std::function<bool(std::string_view)>& on_data,
                        const std::function<bool()>& keep_going) {
  http_result out;
  if (ep.tls) {
    out.error = "a streamed request speaks plain HTTP only";
    return out;
  }
  asio::io_context ioc;
  beast::error_code ec;
  auto where = resolve(ioc, ep, ec);
  if (ec) {
    out.error = "resolve: " + ec.message();
    return out;
  }
  auto req = make_request(ep, http::verb::post, target, std::move(body), content_type);
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);  // a stream has no end in sight
  bool stopped = false;  // by on_data
  auto on_chunk = [&](std::uint64_t, beast::string_view data, beast::error_code& e) {
    if (!stopped && !on_data(std::string_view{data.data(), data.size()})) {
      stopped = true;
      e = asio::error::operation_aborted;
    }
    return data.size();
  };
  parser.on_chunk_body(on_chunk);
  beast::tcp_stream s{ioc};
  beast::flat_buffer buf;
  bool finished = false;
  auto done = [&](beast::error_code e, const char* step) {
    if (e && !stopped && e != http::error::end_of_stream)
      out.error = std::string{step} + ": " + e.message();
    finished = true;
  };
  std::function<void()> read_more = [&] {
    http::async_read_some(s, buf, parser, [&](beast::error_code e, std::size_t) {
      if (e || parser.is_done())
        return done(e, "read");
      read_more();
    });
  };
  s.expires_after(ep.timeout);
  s.async_connect(where, [&](beast::error_code e) {
    if (e)
      return done(e, "connect");
    // A stream may stay quiet for long: TCP keepalives (after 5 s idle, every 2 s,
    // 3 missed) find a peer that is gone without closing (a partition, a dead host)
    // within about 11 s, and the stream then ends with an error.
    beast::error_code opt;
    s.socket().set_option(asio::socket_base::keep_alive(true), opt);
    int fd = s.socket().native_handle();
    int idle = 5, interval = 2, count = 3;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    http::async_write(s, req, [&](beast::error_code e2, std::size_t) {
      if (e2)
        return done(e2, "write");
      http::async_read_header(s, buf, parser, [&](beast::error_code e3, std::size_t) {
        if (e3)
          return done(e3, "read header");
        out.status = static_cast<int>(parser.get().result_int());
        s.expires_never();  // quiet streams are normal; the caller decides when to stop
        if (parser.is_done())
          return done({}, "read");
        read_more();
      });
    });
  });
  while (!finished) {
    ioc.run_for(std::chrono::milliseconds(100));
    if (finished)
      break;
    if (ioc.stopped()) {  // no work left, yet not finished: not expected
      out.error = "the stream stopped unexpectedly";
      break;
    }
    if (!keep_going()) {
      stopped = true;
      beast::error_code ignored;
      s.socket().shutdown(tcp::socket::shutdown_both, ignored);
      s.socket().close(ignored);
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(500));  // the handlers see the close
      break;
    }
  }
  // A 200 answer not sent in chunks has its body here, whole.
  if (out.status == 200 && !parser.get().body().empty() && !stopped)
    on_data(parser.get().body());
  else if (out.status != 0 && out.status != 200)
    out.body = std::move(parser.get().body());
  return out;
}

}  // namespace switchboard::client
