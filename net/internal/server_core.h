#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/internal/client_connection.h"
#include "net/internal/context.h"
#include "net/internal/event_router.h"

namespace switchboard::net::internal {

namespace asio = boost::asio;

/// The node's event callback outlives the server (`node_api` has no unsubscribe):
/// it reaches the router only through this gate, closed at stop.
struct event_gate {
  std::mutex mutex;
  event_router* router = nullptr;
};

/// What the connections share with the server. Lives in `edge_server::impl`, which
/// destroys the io_context (and with it every connection) before anything here.
struct server_core {
  std::unique_ptr<asio::io_context> ioc = std::make_unique<asio::io_context>();
  std::unique_ptr<asio::thread_pool> pool;
  std::unique_ptr<edge_context> ctx;
  std::unique_ptr<event_router> router;
  std::shared_ptr<event_gate> gate = std::make_shared<event_gate>();
  std::optional<asio::ssl::context> tls;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::atomic<bool> ready{false};
  std::atomic<std::uint64_t> next_id{1};

  std::mutex connections_mutex;
  std::condition_variable connections_cv;
  std::unordered_map<std::uint64_t, std::weak_ptr<client_connection>> connections;
  std::size_t ws_count = 0;  ///< under connections_mutex; upgrades admitted and not finished

  /// Admits one more WebSocket connection, or false when at max_connections.
  bool admit() {
    std::lock_guard<std::mutex> g{connections_mutex};
    if (ctx->stopping.load() || ws_count >= ctx->opts.max_connections)
      return false;
    ++ws_count;
    return true;
  }
  void add(std::uint64_t id, const std::shared_ptr<client_connection>& s) {
    std::lock_guard<std::mutex> g{connections_mutex};
    connections[id] = s;
  }
  void release(std::uint64_t id) {
    {
      std::lock_guard<std::mutex> g{connections_mutex};
      connections.erase(id);
      --ws_count;
    }
    connections_cv.notify_all();
  }
};

}  // namespace switchboard::net::internal
