#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/error.h"
#include "proto/edge.pb.h"

/// A small asynchronous client of the edge protocol for load tools: many
/// WebSocket connections on one `io_context` (one thread), binary frames,
/// request/reply by request id, pushes to a handler, bounded connect and Hello.
/// Used by the `net` bench mode and edge_load; nothing here blocks. HTTP and the
/// Prometheus reader are in net/client.
namespace switchboard::bench::ws {

/// Where a node listens: `ws://host:port[/path][?tenant=T]`.
struct ws_url {
  std::string host;
  std::uint16_t port = 0;
  std::string target = "/ws";  ///< the WebSocket path. Default: /ws.
  std::string tenant;          ///< from `?tenant=`; empty when absent
};

/// Parses a node URL. `wss://` (TLS) is not supported by the bench client;
/// anything malformed is errc::invalid_argument "FIELD: 'URL': why", FIELD being the
/// setting the URL came from (`url`, `agent_urls`).
[[nodiscard]] engine::result<ws_url> parse_ws_url(std::string_view url,
                                                  std::string_view field = "url");

/// Resolves `host:port` (blocking, a name lookup at most) to an endpoint.
[[nodiscard]] engine::result<boost::asio::ip::tcp::endpoint> resolve(const ws_url& u);

/// Client-side counters shared by many connections (one thread, no locks).
struct client_counters {
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t retries = 0;  ///< requests sent again after RATE_LIMITED
  /// Error frames received, by code label (`rate_limited`, `unknown_contact`, ...).
  std::map<std::string, std::uint64_t> errors;
  std::uint64_t connect_failures = 0;
  std::uint64_t unexpected_closes = 0;  ///< connections the peer closed mid-run
};

/// How long the steps of opening a connection may take.
struct connect_limits {
  std::chrono::milliseconds connect{5000};  ///< TCP connect + WebSocket upgrade. Default: 5 s.
  std::chrono::milliseconds hello{10000};   ///< Hello -> Welcome. Default: 10 s.
  /// Attempts of a request refused with RATE_LIMITED before its Error is passed on.
  int rate_limit_retries = 20;              ///< Default: 20 (backoff 20 ms .. 500 ms).
};

/// One WebSocket connection to a node. Created with `make`, confined to the
/// io_context's thread; it keeps itself alive while operations are pending, and
/// the owner keeps the shared_ptr for as long as it wants to send.
class connection : public std::enable_shared_from_this<connection> {
 public:
  using reply_fn = std::function<void(const pb::Envelope&)>;
  using push_fn = std::function<void(const pb::Envelope&)>;
  using closed_fn = std::function<void(const std::string& why)>;
  using welcome_fn = std::function<void(engine::result<pb::Welcome>)>;

  static std::shared_ptr<connection> make(boost::asio::io_context& ioc, client_counters& counters,
                                          connect_limits limits = {});
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Frames without a request id (offers, updates, chat lines, stats).
  void on_push(push_fn f) { on_push_ = std::move(f); }
  /// Called once when the connection ends after a successful Hello without
  /// `close()` having been called (the node closed it, or the socket failed).
  void on_closed(closed_fn f) { on_closed_ = std::move(f); }

  /// Connects, upgrades to WebSocket on `url.target`, sends `hello` and calls
  /// `done` once with the Welcome, or with: not_connected (refused, unreachable,
  /// upgrade refused), timeout (a step took longer than its limit),
  /// invalid_argument (the node refused the Hello; the message has its code).
  void open(const boost::asio::ip::tcp::endpoint& ep, const ws_url& url, pb::Hello hello,
            welcome_fn done);

  /// Sends a request (a request id is assigned) and calls `on_reply` with its
  /// reply or Error. RATE_LIMITED is retried with backoff before it is passed on.
  /// Without an open connection the request is dropped (no callback).
  void request(pb::Envelope e, reply_fn on_reply = nullptr);

  /// Starts a graceful close; no callbacks after it.
  void close();

  bool is_open() const { return state_ == state::open; }
  /// Requests sent and not yet answered.
  std::size_t pending() const { return pending_.size(); }

 private:
  enum class state : std::uint8_t { idle, connecting, hello, open, closed };
  struct impl;
  connection(boost::asio::io_context& ioc, client_counters& counters, connect_limits limits);

  void fail_open(engine::error e);
  void write_next();
  void send_frame(const pb::Envelope& e);
  void read_next();
  void on_frame(pb::Envelope e);
  void lost(const std::string& why);

  std::unique_ptr<impl> impl_;
  client_counters& counters_;
  connect_limits limits_;
  state state_ = state::idle;
  welcome_fn welcome_;
  push_fn on_push_;
  closed_fn on_closed_;
  struct pending_request {
    pb::Envelope env;
    reply_fn on_reply;
    int attempts = 0;
  };
  std::unordered_map<std::string, pending_request> pending_;
  std::deque<std::string> out_;
  bool writing_ = false;
  std::uint64_t next_id_ = 1;
};

}  // namespace switchboard::bench::ws
