// The Beast side of the edge: listener, HTTP connections (plain and TLS), start and
// stop. With internal/ws_connection.h (WebSocket connections, included only here) the
// only code that includes Beast.
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
#include <filesystem>
#include <fstream>
#include <sstream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <thread>
#include <unordered_map>

#include "actors/node_api.h"
#include "net/codec.h"
#include "net/internal/client_connection.h"
#include "net/internal/context.h"
#include "net/internal/event_router.h"
#include "net/internal/server_core.h"
#include "net/internal/static_files.h"
#include "net/internal/ws_connection.h"

namespace switchboard::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using internal::client_connection;
using internal::server_core;
using internal::ws_connection;

constexpr auto http_timeout = std::chrono::seconds(30);
constexpr std::size_t http_limit = 8192;
/// Files larger than this are not served (the pages are small).
constexpr std::uintmax_t max_file_bytes = 16u << 20;

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

// -- HTTP connection -----------------------------------------------------------------------------

template <class Stream>
class http_connection final : public std::enable_shared_from_this<http_connection<Stream>> {
 public:
  http_connection(server_core& core, Stream&& s) : core_(core), stream_(std::move(s)) {}

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
                     beast::bind_front_handler(&http_connection::on_read, this->shared_from_this()));
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
      std::make_shared<ws_connection<Stream>>(core_, std::move(stream_))->run(std::move(req));
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
      std::make_shared<http_connection<beast::ssl_stream<beast::tcp_stream>>>(
        core, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(s)), *core.tls))
        ->run();
    } else {
      std::make_shared<http_connection<beast::tcp_stream>>(core, beast::tcp_stream(std::move(s)))->run();
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
  node_api& n, edge_options opts, std::shared_ptr<spdlog::logger> log) {
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
  std::vector<std::shared_ptr<client_connection>> live;
  {
    std::lock_guard<std::mutex> g{p.connections_mutex};
    for (auto& [id, w] : p.connections)
      if (auto s = w.lock())
        live.push_back(std::move(s));
  }
  for (auto& s : live)
    s->shutdown_notice();
  live.clear();
  {
    std::unique_lock<std::mutex> g{p.connections_mutex};
    p.connections_cv.wait_for(g, drain, [&p] { return p.ws_count == 0; });
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
