#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/error.h"
#include "net/fwd.h"
#include "net/options.h"

namespace spdlog {
class logger;
}

namespace switchboard {
class node_api;
}

namespace switchboard::net {

/// The network edge of one node: HTTP (`/healthz`, `/readyz`, `/metrics`, the
/// pages) and WebSocket (`/ws`: gateways, agents, supervisors speaking
/// `proto/edge.proto`) on one port, optionally over TLS.
///
/// Owns its io threads (sockets, timers), a worker pool (the node's blocking calls
/// never run on an io thread) and the event router subscribed to the node. The
/// node (a `switchboard::node`, the cluster's router, a test's fake: any
/// `node_api`) must outlive the server. Thread-safe.
class edge_server {
 public:
  /// Listens and starts serving. Errors: invalid_argument (address, TLS files),
  /// bad_data_dir is never returned; a port in use is invalid_argument too, with
  /// the system's message.
  [[nodiscard]] static engine::result<std::unique_ptr<edge_server>> start(
    node_api& n, edge_options opts, std::shared_ptr<spdlog::logger> log = nullptr);

  /// Stops (see `stop`).
  ~edge_server();
  edge_server(const edge_server&) = delete;
  edge_server& operator=(const edge_server&) = delete;

  /// The port it listens on (the real one when started with port 0).
  std::uint16_t port() const;
  /// `http://address:port` (or `https://` with TLS).
  std::string url() const;

  /// An agent token as the supervisors' MintAgentToken makes it (no check that
  /// the agent exists). For `switchboard serve --demo` and tests.
  std::string mint_agent_token(const std::string& tenant, const std::string& agent,
                               std::chrono::seconds ttl) const;

  const edge_metrics& metrics() const;

  /// Graceful stop: /readyz turns 503, the listener closes, every client gets an
  /// Error SHUTTING_DOWN and a close frame; waits up to `drain` for them to go,
  /// then stops the threads. The node is left running (the caller shuts it down,
  /// which flushes the journal). Idempotent.
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(2));

 private:
  struct impl;
  explicit edge_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::net
