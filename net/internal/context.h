#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <spdlog/logger.h>

#include "actors/node_api.h"
#include "engine/clock.h"
#include "net/auth.h"
#include "net/internal/log_throttle.h"
#include "net/metrics.h"
#include "net/options.h"

namespace switchboard::net::internal {

class event_router;

/// What every part of one edge server shares. Owned by `edge_server::impl`,
/// which outlives every connection, task and timer that refers to it.
struct edge_context {
  edge_context(node_api& n_, edge_options o, std::shared_ptr<spdlog::logger> l,
               boost::asio::io_context& io, boost::asio::thread_pool& p)
    : n(n_),
      opts(std::move(o)),
      log(std::move(l)),
      clock(opts.clock ? opts.clock : std::make_shared<engine::system_clock>()),
      bad_input(log, clock, opts.bad_input_lines_per_second),
      keys(opts.tenants),
      tokens(opts.token_secret.empty() ? random_secret(32) : opts.token_secret),
      ioc(io),
      pool(p) {
    // Keys are hashed in `keys`; the plain copies are not kept.
    for (auto& t : opts.tenants)
      t.api_key.clear();
    opts.token_secret.clear();
  }

  node_api& n;  ///< the node (or the cluster's router) behind the edge
  edge_options opts;
  std::shared_ptr<spdlog::logger> log;
  std::shared_ptr<const engine::clock> clock;
  log_throttle bad_input;  ///< lines about refused frames, rate-limited per kind
  edge_metrics metrics;
  api_keys keys;
  token_signer tokens;
  boost::asio::io_context& ioc;   ///< sockets and timers
  boost::asio::thread_pool& pool; ///< blocking node calls
  event_router* router = nullptr; ///< set once at start
  std::atomic<bool> stopping{false};
};

}  // namespace switchboard::net::internal
