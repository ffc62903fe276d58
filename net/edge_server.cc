// The Beast side of the edge: listener, HTTP sessions, WebSocket sessions (plain
// and TLS). The only translation unit that includes Beast.
#include "net/edge_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <thread>
#include <unordered_map>

#include "actors/node.h"
#include "net/codec.h"
#include "net/internal/client_session.h"
#include "net/internal/context.h"
#include "net/internal/event_router.h"
#include "net/internal/static_files.h"

namespace switchboard::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using internal::client_session;

constexpr auto http_timeout = std::chrono::seconds(30);
constexpr std::size_t http_limit = 8192;
/// Files larger than this are not served (the pages are small).
constexpr std::uintmax_t max_file_bytes = 16u << 20;

/// The node's event callback outlives the server (a node has no unsubscribe):
/// it reaches the router only through this gate, closed at stop.
struct event_gate {
  std::mutex mutex;
  internal::event_router* router = nullptr;
};

/// What the sessions share with the server. Lives in `edge_server::impl`, which
/// destroys the io_context (and with it every session) before anything here.
struct server_core {
  std::unique_ptr<asio::io_context> ioc = std::make_unique<asio::io_context>();
  std::unique_ptr<asio::thread_pool> pool;
  std::unique_ptr<internal::edge_context> ctx;
  std::unique_ptr<internal::event_router> router;
  std::shared_ptr<event_gate> gate = std::make_shared<event_gate>();
  std::optional<ssl::context> tls;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::atomic<bool> ready{false};
  std::atomic<std::uint64_t> next_id{1};

  std::mutex sessions_mutex;
  std::condition_variable sessions_cv;
  std::unordered_map<std::uint64_t, std::weak_ptr<client_session>> sessions;
  std::size_t ws_count = 0;  ///< under sessions_mutex; upgrades admitted and not finished

  /// Admits one more WebSocket connection, or false when at max_connections.
  bool admit() {
    std::lock_guard<std::mutex> g{sessions_mutex};
    if (ctx->stopping.load() || ws_count >= ctx->opts.max_connections)
      return false;
    ++ws_count;
    return true;
  }
  void add(std::uint64_t id, const std::shared_ptr<client_session>& s) {
    std::lock_guard<std::mutex> g{sessions_mutex};
    sessions[id] = s;
  }
  void release(std::uint64_t id) {
    {
      std::lock_guard<std::mutex> g{sessions_mutex};
      sessions.erase(id);
      --ws_count;
    }
    sessions_cv.notify_all();
  }
};

template <class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

using string_response = http::response<http::string_body>;

string_response make_response(http::status st, unsigned version, bool keep_alive,
                              std::string_view type, std::string body) {
  string_response res{st, version};
  res.set(http::field::server, "switchboard");
  res.set(http::field::content_type, type);
  res.set("X-Content-Type-Options", "nosniff");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// -- WebSocket session ----------------------------------------------------------------------

template <class Stream>
class ws_session final : public internal::transport,
                         public std::enable_shared_from_this<ws_session<Stream>> {
 public:
  ws_session(server_core& core, Stream&& s)
    : core_(core), ws_(std::move(s)), kill_(ws_.get_executor()), id_(core.next_id++) {}

  ~ws_session() override {
    if (!finished_)
      core_.release(id_);  // accept never completed
  }

  void run(http::request<http::string_body> req) {
    const auto& o = core_.ctx->opts;
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = o.idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "switchboard"); }));
    // Frames up to twice the limit are read and answered FRAME_TOO_LARGE; beyond
    // that Beast fails the connection (close 1009) without buffering them.
    ws_.read_message_max(2 * static_cast<std::size_t>(o.max_frame_bytes));
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(req, beast::bind_front_handler(&ws_session::on_accept, this->shared_from_this()));
  }

  // -- transport (any thread) --

  void send(std::string frame, bool text) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), f = std::move(frame), text]() mutable {
      self->enqueue(std::move(f), text);
    });
  }

  void close(std::string last_frame, bool text, std::string reason) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), f = std::move(last_frame), text,
                                    r = std::move(reason)]() mutable {
      self->begin_close(std::move(f), text, std::move(r), websocket::close_code::going_away);
    });
  }

  void frame_done() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->inflight_ > 0)
        --self->inflight_;
      if (self->read_paused_ && self->inflight_ < self->core_.ctx->opts.max_inflight) {
        self->read_paused_ = false;
        self->do_read();
      }
    });
  }

 private:
  struct out_frame {
    std::string data;
    bool text = false;
  };

  void on_accept(beast::error_code ec) {
    if (ec) {
      finish();
      return;
    }
    session_ = std::make_shared<client_session>(*core_.ctx, this->weak_from_this(), id_);
    core_.add(id_, session_);
    do_read();
  }

  void do_read() {
    // Closing: nothing the peer sends now is read (see begin_close).
    if (finished_ || reading_ || closing_)
      return;
    if (inflight_ >= core_.ctx->opts.max_inflight) {
      read_paused_ = true;
      return;
    }
    reading_ = true;
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        core_.ctx->metrics.frame_received();
        core_.ctx->metrics.rejected(pb::FRAME_TOO_LARGE);
      }
      finish();
      return;
    }
    bool text = ws_.got_text();
    auto data = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (closing_)
      return;  // a read that was under way when the close began: dropped
    if (data.size() > core_.ctx->opts.max_frame_bytes) {
      core_.ctx->metrics.frame_received();
      core_.ctx->metrics.rejected(pb::FRAME_TOO_LARGE);
      auto err = error_envelope("", pb::FRAME_TOO_LARGE,
                                "frame of " + std::to_string(data.size()) + " bytes; the limit is " +
                                  std::to_string(core_.ctx->opts.max_frame_bytes));
      begin_close(encode_frame(err, text), text, "frame too large", websocket::close_code::too_big);
      return;
    }
    ++inflight_;
    session_->on_frame(std::move(data), text);
    do_read();
  }

  void enqueue(std::string data, bool text) {
    if (finished_ || closing_)
      return;
    if (queue_.size() >= core_.ctx->opts.max_send_queue) {
      // The client does not keep up: drop what waits (not what is being written),
      // tell it why and close. Memory stays bounded by the queue limit.
      core_.ctx->metrics.rejected(pb::SLOW_CONSUMER);
      core_.ctx->log->info("connection {}: send queue full ({} frames): closing", id_,
                           queue_.size());
      queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
      auto err = error_envelope("", pb::SLOW_CONSUMER, "the send queue overflowed");
      begin_close(encode_frame(err, text), text, "slow consumer",
                  websocket::close_code::policy_error);
      return;
    }
    queue_.push_back({std::move(data), text});
    if (!writing_)
      do_write();
  }

  void begin_close(std::string last, bool text, std::string reason, websocket::close_code code) {
    if (finished_ || closing_)
      return;
    closing_ = true;
    close_ = websocket::close_reason{code, reason};
    if (!last.empty())
      queue_.push_back({std::move(last), text});
    // From here on the session reads nothing more (do_read): async_close reads the
    // peer's close frame itself once the queue is flushed. Reading on would serve a
    // peer that keeps writing but never reads at full speed until the cut below, and
    // its writes would keep succeeding; unread, they stall on TCP back-pressure.
    // A peer that does not read would hold the close forever: cut it off.
    kill_.expires_after(std::chrono::seconds(2));
    kill_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec && !self->finished_) {
        beast::get_lowest_layer(self->ws_).close();
        self->finish();
      }
    });
    if (!writing_) {
      if (queue_.empty())
        do_close();
      else
        do_write();
    }
  }

  void do_write() {
    writing_ = true;
    ws_.text(queue_.front().text);
    ws_.async_write(asio::buffer(queue_.front().data),
                    beast::bind_front_handler(&ws_session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      finish();
      return;
    }
    core_.ctx->metrics.frame_sent();
    queue_.pop_front();
    if (!queue_.empty())
      do_write();
    else if (closing_)
      do_close();
  }

  void do_close() {
    if (close_sent_ || finished_)
      return;
    close_sent_ = true;
    ws_.async_close(close_, [self = this->shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (finished_)
      return;
    finished_ = true;
    kill_.cancel();
    queue_.clear();
    if (session_)
      session_->on_closed();
    beast::get_lowest_layer(ws_).close();
    core_.release(id_);
  }

  server_core& core_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  asio::steady_timer kill_;
  std::uint64_t id_;
  std::shared_ptr<client_session> session_;
  std::deque<out_frame> queue_;
  websocket::close_reason close_;
  std::uint32_t inflight_ = 0;
  bool reading_ = false;
  bool read_paused_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
};

// -- HTTP session --------------------------------------------------------------------------------

template <class Stream>
class http_session final : public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(server_core& core, Stream&& s) : core_(core), stream_(std::move(s)) {}

  void run() {
    if constexpr (is_tls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(http_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec)
                                  self->do_read();
                              });
    } else {
      asio::dispatch(stream_.get_executor(),
                     [self = this->shared_from_this()] { self->do_read(); });
    }
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(http_limit);
    parser_->body_limit(http_limit);
    beast::get_lowest_layer(stream_).expires_after(http_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream)
      return do_shutdown();
    if (ec)
      return;  // timeout, reset, garbage: drop the connection
    auto req = parser_->release();
    auto& ctx = *core_.ctx;
    ctx.metrics.http_request();
    auto path = std::string{internal::target_path(req.target())};
    if (websocket::is_upgrade(req)) {
      if (path != "/ws")
        return respond(make_response(http::status::not_found, req.version(), false,
                                     "text/plain", "WebSocket endpoint is /ws\n"));
      if (!core_.admit()) {
        ctx.metrics.rejected(pb::TOO_MANY_CONNECTIONS);
        return respond(make_response(http::status::service_unavailable, req.version(), false,
                                     "text/plain", "TOO_MANY_CONNECTIONS\n"));
      }
      beast::get_lowest_layer(stream_).expires_never();
      std::make_shared<ws_session<Stream>>(core_, std::move(stream_))->run(std::move(req));
      return;
    }
    bool keep = req.keep_alive();
    auto version = req.version();
    if (req.method() != http::verb::get)
      return respond(make_response(http::status::method_not_allowed, version, keep, "text/plain",
                                   "only GET\n"));
    if (path == "/healthz")
      return respond(make_response(http::status::ok, version, keep, "text/plain", "ok\n"));
    if (path == "/readyz") {
      bool ready = core_.ready.load() && !ctx.stopping.load();
      return respond(make_response(ready ? http::status::ok : http::status::service_unavailable,
                                   version, keep, "text/plain", ready ? "ready\n" : "not ready\n"));
    }
    if (path == "/metrics") {
      // node.stats blocks: render on the worker pool, answer on this strand.
      asio::post(*core_.pool, [self = this->shared_from_this(), version, keep] {
        auto& c = *self->core_.ctx;
        std::vector<tenant_stats> stats;
        for (const auto& t : c.router->tenants())
          if (auto s = c.n.stats(t))
            stats.push_back(std::move(*s));
        auto text = c.metrics.render(stats);
        if (c.opts.cluster_metrics)
          text += c.opts.cluster_metrics();
        asio::post(self->stream_.get_executor(), [self, version, keep, text = std::move(text)]() mutable {
          self->respond(make_response(http::status::ok, version, keep,
                                      "text/plain; version=0.0.4; charset=utf-8", std::move(text)));
        });
      });
      return;
    }
    if (path == "/cluster" && ctx.opts.cluster_status) {
      asio::post(*core_.pool, [self = this->shared_from_this(), version, keep] {
        auto json = self->core_.ctx->opts.cluster_status();
        asio::post(self->stream_.get_executor(), [self, version, keep, json = std::move(json)]() mutable {
          self->respond(make_response(http::status::ok, version, keep, "application/json",
                                      std::move(json)));
        });
      });
      return;
    }
    auto file = internal::resolve_static(ctx.opts.web_dir, req.target());
    std::error_code fec;
    if (!file || std::filesystem::file_size(*file, fec) > max_file_bytes || fec)
      return respond(make_response(http::status::not_found, version, keep, "text/plain",
                                   "not found\n"));
    std::ifstream in{*file, std::ios::binary};
    std::ostringstream body;
    body << in.rdbuf();
    auto res = make_response(http::status::ok, version, keep, internal::content_type(*file),
                             body.str());
    res.set(http::field::cache_control, "no-cache");
    respond(std::move(res));
  }

  void respond(string_response res) {
    auto sp = std::make_shared<string_response>(std::move(res));
    bool keep = sp->keep_alive();
    beast::get_lowest_layer(stream_).expires_after(http_timeout);
    http::async_write(stream_, *sp,
                      [self = this->shared_from_this(), sp, keep](beast::error_code ec, std::size_t) {
                        if (ec)
                          return;
                        if (!keep)
                          return self->do_shutdown();
                        self->do_read();
                      });
  }

  void do_shutdown() {
    if constexpr (is_tls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  server_core& core_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

void do_accept(server_core& core) {
  core.acceptor->async_accept(asio::make_strand(*core.ioc), [&core](beast::error_code ec,
                                                                   tcp::socket s) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !core.acceptor->is_open())
        return;
      core.ctx->log->warn("accept: {}", ec.message());
    } else if (core.tls) {
      std::make_shared<http_session<beast::ssl_stream<beast::tcp_stream>>>(
        core, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(s)), *core.tls))
        ->run();
    } else {
      std::make_shared<http_session<beast::tcp_stream>>(core, beast::tcp_stream(std::move(s)))->run();
    }
    if (core.acceptor->is_open())
      do_accept(core);
  });
}

}  // namespace

struct edge_server::impl : server_core {
  std::string url;
  std::mutex stop_mutex;
  bool stopped = false;
};

edge_server::edge_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

edge_server::~edge_server() {
  stop();
}

engine::result<std::unique_ptr<edge_server>> edge_server::start(
  node& n, edge_options opts, std::shared_ptr<spdlog::logger> log) {
  using engine::errc;
  if (!log) {
    log = std::make_shared<spdlog::logger>("net",
                                           std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    log->set_level(spdlog::level::warn);
  }
  if (opts.max_frame_bytes < 64 || opts.max_send_queue < 2 || opts.max_connections < 1 ||
      opts.max_inflight < 1)
    return engine::make_error(errc::invalid_argument,
                              "edge: max_frame_bytes >= 64, max_send_queue >= 2, "
                              "max_connections >= 1 and max_inflight >= 1 are required");
  auto p = std::make_unique<impl>();
  beast::error_code ec;
  auto addr = asio::ip::make_address(opts.listen_address, ec);
  if (ec)
    return engine::make_error(errc::invalid_argument,
                              "edge: bad listen address '" + opts.listen_address + "'");
  if (!opts.tls_cert.empty() || !opts.tls_key.empty()) {
    if (opts.tls_cert.empty() || opts.tls_key.empty())
      return engine::make_error(errc::invalid_argument, "edge: TLS needs both a cert and a key");
    try {
      p->tls.emplace(ssl::context::tls_server);
      p->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
      p->tls->use_certificate_chain_file(opts.tls_cert);
      p->tls->use_private_key_file(opts.tls_key, ssl::context::pem);
    } catch (const std::exception& e) {
      return engine::make_error(errc::invalid_argument,
                                std::string{"edge: cannot load the TLS cert/key: "} + e.what());
    }
  }
  auto workers = std::max<std::uint32_t>(1, opts.worker_threads);
  auto io_threads = std::max<std::uint32_t>(1, opts.io_threads);
  p->pool = std::make_unique<asio::thread_pool>(workers);
  p->ctx = std::make_unique<internal::edge_context>(n, std::move(opts), log, *p->ioc, *p->pool);
  p->router = std::make_unique<internal::event_router>(*p->ctx);
  p->ctx->router = p->router.get();
  p->acceptor = std::make_unique<tcp::acceptor>(*p->ioc);
  tcp::endpoint ep{addr, p->ctx->opts.port};
  auto fail = [&](const char* what) {
    return engine::make_error(errc::invalid_argument, "edge: cannot " + std::string{what} + " " +
                                                        p->ctx->opts.listen_address + ":" +
                                                        std::to_string(p->ctx->opts.port) + ": " +
                                                        ec.message());
  };
  if (p->acceptor->open(ep.protocol(), ec); ec)
    return fail("open");
  if (p->acceptor->set_option(asio::socket_base::reuse_address(true), ec); ec)
    return fail("configure");
  if (p->acceptor->bind(ep, ec); ec)
    return fail("bind");
  if (p->acceptor->listen(asio::socket_base::max_listen_connections, ec); ec)
    return fail("listen on");
  p->port = p->acceptor->local_endpoint().port();
  auto host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  p->url = std::string{p->tls ? "https" : "http"} + "://" + host + ":" + std::to_string(p->port);
  p->gate->router = p->router.get();
  n.subscribe([gate = p->gate](const event& e) {
    std::lock_guard<std::mutex> g{gate->mutex};
    if (gate->router != nullptr)
      gate->router->on_event(e);
  });
  p->work.emplace(asio::make_work_guard(*p->ioc));
  do_accept(*p);
  for (std::uint32_t i = 0; i < io_threads; ++i)
    p->threads.emplace_back([io = p->ioc.get()] { io->run(); });
  p->ready = true;
  log->info("listening on {}", p->url);
  return std::unique_ptr<edge_server>{new edge_server(std::move(p))};
}

std::uint16_t edge_server::port() const {
  return impl_->port;
}

std::string edge_server::url() const {
  return impl_->url;
}

std::string edge_server::mint_agent_token(const std::string& tenant, const std::string& agent,
                                          std::chrono::seconds ttl) const {
  auto& c = *impl_->ctx;
  return c.tokens.mint({tenant, agent, c.clock->wall() + ttl.count() * 1000});
}

const edge_metrics& edge_server::metrics() const {
  return impl_->ctx->metrics;
}

void edge_server::stop(std::chrono::milliseconds drain) {
  auto& p = *impl_;
  std::lock_guard<std::mutex> guard{p.stop_mutex};
  if (p.stopped)
    return;
  p.stopped = true;
  p.ready = false;
  p.ctx->stopping = true;
  // 1. No new connections.
  asio::post(*p.ioc, [&p] {
    beast::error_code ec;
    p.acceptor->close(ec);
  });
  // 2. Tell every client, then wait (bounded) for them to close.
  std::vector<std::shared_ptr<client_session>> live;
  {
    std::lock_guard<std::mutex> g{p.sessions_mutex};
    for (auto& [id, w] : p.sessions)
      if (auto s = w.lock())
        live.push_back(std::move(s));
  }
  for (auto& s : live)
    s->shutdown_notice();
  live.clear();
  {
    std::unique_lock<std::mutex> g{p.sessions_mutex};
    p.sessions_cv.wait_for(g, drain, [&p] { return p.ws_count == 0; });
  }
  // 3. No more events, timers or logouts; finish the node calls in flight.
  {
    std::lock_guard<std::mutex> g{p.gate->mutex};
    p.gate->router = nullptr;
  }
  p.router->stop();
  p.work.reset();
  p.ioc->stop();
  for (auto& t : p.threads)
    t.join();
  p.threads.clear();
  p.pool->join();
  // 4. Destroy what is bound to the io_context while everything it refers to is alive.
  p.acceptor.reset();
  p.router->release_timers();
  p.ioc.reset();
  p.ctx->log->info("edge stopped");
}

}  // namespace switchboard::net
