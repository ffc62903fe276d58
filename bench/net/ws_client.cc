#include "bench/net/ws_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "actors/errors.h"
#include "net/codec.h"

namespace switchboard::bench::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// -- url ------------------------------------------------------------------------------

engine::result<ws_url> parse_ws_url(std::string_view url, std::string_view field) {
  auto bad = [&](const std::string& why) {
    return engine::make_error(engine::errc::invalid_argument,
                              std::string{field} + ": '" + std::string{url} + "': " + why);
  };
  constexpr std::string_view scheme = "ws://";
  if (url.rfind("wss://", 0) == 0)
    return bad("wss:// (TLS) is not supported by the bench client; use ws://");
  if (url.rfind(scheme, 0) != 0)
    return bad("expected ws://host:port");
  auto rest = url.substr(scheme.size());
  ws_url u;
  auto query = rest.find('?');
  if (query != std::string_view::npos) {
    auto q = rest.substr(query + 1);
    rest = rest.substr(0, query);
    while (!q.empty()) {
      auto amp = q.find('&');
      auto kv = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
      auto eq = kv.find('=');
      auto key = kv.substr(0, eq);
      auto value = eq == std::string_view::npos ? std::string_view{} : kv.substr(eq + 1);
      if (key == "tenant")
        u.tenant = std::string{value};
      else
        return bad("unknown query parameter '" + std::string{key} + "' (only tenant=)");
    }
  }
  auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    u.target = std::string{rest.substr(slash)};
    if (u.target == "/")
      u.target = "/ws";
    rest = rest.substr(0, slash);
  }
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return bad("expected ws://host:port (the port is required)");
  u.host = std::string{rest.substr(0, colon)};
  if (u.host.size() > 2 && u.host.front() == '[' && u.host.back() == ']')
    u.host = u.host.substr(1, u.host.size() - 2);
  auto port_text = rest.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return bad("port must be 1..65535");
  u.port = static_cast<std::uint16_t>(port);
  return u;
}

engine::result<tcp::endpoint> resolve(const ws_url& u) {
  asio::io_context ioc;
  tcp::resolver r{ioc};
  beast::error_code ec;
  auto results = r.resolve(u.host, std::to_string(u.port), ec);
  if (ec || results.empty())
    return engine::make_error(engine::errc::not_connected,
                              "cannot resolve '" + u.host + "': " + ec.message());
  return results.begin()->endpoint();
}

// -- connection -----------------------------------------------------------------------

struct connection::impl {
  explicit impl(asio::io_context& ioc) : ioc(ioc), ws(ioc), hello_timer(ioc) {}
  asio::io_context& ioc;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  asio::steady_timer hello_timer;
  websocket::response_type upgrade;
  bool close_after_write = false;
};

std::shared_ptr<connection> connection::make(asio::io_context& ioc, client_counters& counters,
                                             connect_limits limits) {
  return std::shared_ptr<connection>(new connection(ioc, counters, limits));
}

connection::connection(asio::io_context& ioc, client_counters& counters, connect_limits limits)
  : impl_(std::make_unique<impl>(ioc)), counters_(counters), limits_(limits) {}

connection::~connection() = default;

void connection::open(const tcp::endpoint& ep, const ws_url& url, pb::Hello hello,
                      welcome_fn done) {
  state_ = state::connecting;
  welcome_ = std::move(done);
  auto& stream = beast::get_lowest_layer(impl_->ws);
  stream.expires_after(limits_.connect);
  auto where = url.host + ":" + std::to_string(url.port);
  stream.async_connect(ep, [self = shared_from_this(), url, where,
                            hello = std::move(hello)](beast::error_code ec) mutable {
    if (self->state_ != state::connecting)
      return;
    if (ec) {
      auto code = ec == beast::error::timeout ? actors::errors::timeout : engine::errc::not_connected;
      return self->fail_open(
        engine::make_error(code, "cannot connect to ws://" + where + ": " + ec.message()));
    }
    self->impl_->ws.binary(true);
    self->impl_->ws.read_message_max(16u << 20);
    self->impl_->ws.async_handshake(
      self->impl_->upgrade, where, url.target,
      [self, where, target = url.target, hello = std::move(hello)](beast::error_code ec2) mutable {
        if (self->state_ != state::connecting)
          return;
        if (ec2) {
          auto status = self->impl_->upgrade.result_int();
          std::string why = status != 0 ? "HTTP " + std::to_string(status) + " " +
                                            self->impl_->upgrade.body()
                                        : ec2.message();
          auto code = ec2 == beast::error::timeout ? actors::errors::timeout
                                                   : engine::errc::not_connected;
          return self->fail_open(engine::make_error(
            code, "WebSocket upgrade at ws://" + where + target + " refused: " + why));
        }
        // The tcp_stream timer guarded connect and upgrade; from here the
        // WebSocket's own timeouts apply (close handshake bounded, no idle limit).
        beast::get_lowest_layer(self->impl_->ws).expires_never();
        websocket::stream_base::timeout t{};
        t.handshake_timeout = self->limits_.connect;
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        self->impl_->ws.set_option(t);
        self->state_ = state::hello;
        pb::Envelope e;
        e.set_request_id("hello");
        *e.mutable_hello() = std::move(hello);
        self->send_frame(e);
        self->read_next();
        self->impl_->hello_timer.expires_after(self->limits_.hello);
        self->impl_->hello_timer.async_wait([self](beast::error_code tec) {
          if (!tec && self->state_ == state::hello)
            self->fail_open(engine::make_error(actors::errors::timeout,
                                               "no Welcome within " +
                                                 std::to_string(self->limits_.hello.count()) +
                                                 " ms of the Hello"));
        });
      });
  });
}

void connection::fail_open(engine::error e) {
  state_ = state::closed;
  ++counters_.connect_failures;
  impl_->hello_timer.cancel();
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
  if (auto f = std::move(welcome_)) {
    welcome_ = nullptr;
    f(std::move(e));
  }
}

void connection::send_frame(const pb::Envelope& e) {
  auto bytes = switchboard::net::encode_frame(e, false);
  counters_.bytes_sent += bytes.size();
  ++counters_.frames_sent;
  out_.push_back(std::move(bytes));
  if (!writing_)
    write_next();
}

void connection::write_next() {
  if (out_.empty())
    return;
  writing_ = true;
  impl_->ws.async_write(asio::buffer(out_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          self->writing_ = false;
                          if (!self->out_.empty())
                            self->out_.pop_front();
                          if (ec) {
                            self->out_.clear();
                            if (self->state_ == state::open)
                              self->lost("write: " + ec.message());
                            return;
                          }
                          if (self->state_ == state::closed) {
                            if (self->impl_->close_after_write) {
                              self->impl_->close_after_write = false;
                              self->impl_->ws.async_close(websocket::close_code::normal,
                                                          [self](beast::error_code) {});
                            }
                            return;
                          }
                          self->write_next();
                        });
}

void connection::read_next() {
  impl_->ws.async_read(impl_->buffer, [self = shared_from_this()](beast::error_code ec,
                                                                   std::size_t n) {
    if (ec) {
      if (self->state_ == state::hello)
        self->fail_open(engine::make_error(engine::errc::not_connected,
                                           "connection closed before the Welcome: " + ec.message()));
      else if (self->state_ == state::open)
        self->lost("read: " + ec.message());
      return;
    }
    self->counters_.bytes_received += n;
    ++self->counters_.frames_received;
    auto d = switchboard::net::decode_frame(beast::buffers_to_string(self->impl_->buffer.data()),
                                            !self->impl_->ws.got_binary());
    self->impl_->buffer.consume(self->impl_->buffer.size());
    if (self->state_ == state::closed)
      return;
    if (d.ok())
      self->on_frame(std::move(d.envelope));
    else
      ++self->counters_.errors["undecodable_frame_from_node"];
    if (self->state_ != state::closed)
      self->read_next();
  });
}

void connection::on_frame(pb::Envelope e) {
  if (state_ == state::hello) {
    if (e.has_welcome()) {
      state_ = state::open;
      impl_->hello_timer.cancel();
      if (auto f = std::move(welcome_)) {
        welcome_ = nullptr;
        f(e.welcome());
      }
    } else if (e.has_error()) {
      ++counters_.errors[switchboard::net::code_label(e.error().code())];
      fail_open(engine::make_error(engine::errc::invalid_argument,
                                   "the node refused the Hello: " +
                                     pb::ErrorCode_Name(e.error().code()) + ": " +
                                     e.error().message()));
    }
    return;
  }
  if (e.has_error() && e.request_id().empty())
    ++counters_.errors[switchboard::net::code_label(e.error().code())];
  if (e.request_id().empty()) {
    if (on_push_)
      on_push_(e);
    return;
  }
  auto i = pending_.find(e.request_id());
  if (i == pending_.end())
    return;
  if (e.has_error() && e.error().code() == pb::RATE_LIMITED &&
      i->second.attempts < limits_.rate_limit_retries) {
    ++counters_.retries;
    auto attempt = ++i->second.attempts;
    auto backoff = std::chrono::milliseconds(std::min(500, 20 * attempt));
    auto t = std::make_shared<asio::steady_timer>(impl_->ioc, backoff);
    t->async_wait([self = shared_from_this(), t, id = e.request_id()](beast::error_code) {
      if (self->state_ != state::open)
        return;
      if (auto j = self->pending_.find(id); j != self->pending_.end())
        self->send_frame(j->second.env);
    });
    return;
  }
  if (e.has_error())
    ++counters_.errors[switchboard::net::code_label(e.error().code())];
  auto f = std::move(i->second.on_reply);
  pending_.erase(i);
  if (f)
    f(e);
}

void connection::request(pb::Envelope e, reply_fn on_reply) {
  if (state_ != state::open)
    return;
  auto id = "r" + std::to_string(next_id_++);
  e.set_request_id(id);
  send_frame(e);
  pending_.emplace(std::move(id), pending_request{std::move(e), std::move(on_reply), 0});
}

void connection::lost(const std::string& why) {
  state_ = state::closed;
  ++counters_.unexpected_closes;
  pending_.clear();
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
  if (auto f = std::move(on_closed_)) {
    on_closed_ = nullptr;
    f(why);
  }
}

void connection::close() {
  auto was = state_;
  state_ = state::closed;
  pending_.clear();
  welcome_ = nullptr;
  on_closed_ = nullptr;
  on_push_ = nullptr;
  impl_->hello_timer.cancel();
  if (was == state::open || was == state::hello) {
    if (writing_) {
      // Let the frame being written finish (a half-written frame breaks the
      // stream), drop the rest, then close.
      while (out_.size() > 1)
        out_.pop_back();
      impl_->close_after_write = true;
    } else {
      out_.clear();
      impl_->ws.async_close(websocket::close_code::normal, [self = shared_from_this()](
                                                             beast::error_code) {});
    }
  } else if (was == state::connecting) {
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
  }
}

}  // namespace switchboard::bench::ws
