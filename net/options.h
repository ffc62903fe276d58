#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/clock.h"

namespace switchboard::net {

/// The shared secret of one tenant's gateways and supervisors.
struct tenant_key {
  std::string tenant;
  std::string api_key;
  /// In a cluster, acknowledge this tenant's writes once its owner has committed
  /// them, without waiting for its standby (durability policy `local`). Default:
  /// false (`replicated`).
  bool local_durability = false;
};

/// How the edge listens, authenticates and limits its clients. Built once (by
/// `switchboard serve` from a `ServeConfig`, or by a test) and passed to
/// `edge_server::start`.
struct edge_options {
  std::string listen_address = "127.0.0.1";  ///< Default: 127.0.0.1 (loopback only).
  std::uint16_t port = 8080;                 ///< Default: 8080; 0 picks a free port.
  /// PEM files; TLS only when both are set. Default: none (plain).
  std::string tls_cert;
  std::string tls_key;
  /// Directory of the pages (index.html, agent.html, wallboard.html, chat.html, assets).
  /// Default: empty (no pages; every static path is 404).
  std::string web_dir;
  /// API keys per tenant. Only SHA-256 hashes are kept after start.
  std::vector<tenant_key> tenants;
  /// HMAC-SHA256 key of agent tokens, at least 32 bytes. Default: empty, meaning a
  /// random key per process (tokens then do not survive a restart).
  std::string token_secret;
  std::uint32_t max_frame_bytes = 65536;        ///< Default: 64 KiB.
  std::uint32_t max_messages_per_second = 50;   ///< Per connection (token bucket). Default: 50.
  std::uint32_t max_connections = 10000;        ///< WebSocket connections. Default: 10000.
  std::uint32_t max_send_queue = 256;           ///< Frames queued to one client. Default: 256.
  /// Lines about refused frames (malformed, unknown message) written per second
  /// and kind, all connections together; the rest are counted into one
  /// "suppressed K similar lines" line. Default: 5.
  std::uint32_t bad_input_lines_per_second = 5;
  /// Frames of one connection read but not yet handled before the edge stops
  /// reading from it (TCP back-pressure). Default: 64.
  std::uint32_t max_inflight = 64;
  std::uint32_t io_threads = 1;      ///< Threads running the sockets. Default: 1.
  std::uint32_t worker_threads = 4;  ///< Threads making (blocking) node calls. Default: 4.
  std::chrono::seconds default_token_ttl{8 * 3600};  ///< Default: 8 h.
  std::chrono::seconds max_token_ttl{30 * 24 * 3600};  ///< Default: 30 days.
  std::chrono::milliseconds default_stats_interval{1000};  ///< Default: 1 s.
  /// WebSocket idle timeout: a peer silent this long (pings unanswered) is dropped.
  /// Default: 60 s.
  std::chrono::milliseconds idle_timeout{60000};
  /// Time source of token expiry and timestamps; null: the wall clock.
  std::shared_ptr<const engine::clock> clock;
  /// In a cluster: `GET /cluster` answers with this JSON (members and domains);
  /// null (a single node): 404. Called on the edge's worker pool.
  std::function<std::string()> cluster_status;
  /// In a cluster: Prometheus text appended to `/metrics`; null: nothing.
  std::function<std::string()> cluster_metrics;
};

}  // namespace switchboard::net
