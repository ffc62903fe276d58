#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "actors/stats.h"
#include "proto/edge.pb.h"

namespace switchboard::net {

/// Who a connection is, for the connections gauge.
enum class client_role : std::uint8_t { unauthenticated, gateway, agent, supervisor };
inline constexpr std::size_t client_role_count = 4;

std::string_view to_string(client_role r);

/// The edge's counters, exported in Prometheus text format. Counters are atomics
/// (updated from io, worker and event threads); the latency histogram takes a
/// mutex. Owned by the edge server; shared by everything inside it.
class edge_metrics {
 public:
  /// Upper bounds of the routing latency histogram buckets, in microseconds.
  static constexpr std::array<std::int64_t, 19> latency_bounds_us{
    100,     250,     500,     1000,    2500,     5000,     10000,    25000,    50000,   100000,
    250000,  500000,  1000000, 2500000, 5000000, 10000000, 30000000, 60000000, 300000000};

  void connection_opened(client_role r) { connections_[index(r)].fetch_add(1); }
  void connection_closed(client_role r) { connections_[index(r)].fetch_sub(1); }
  void role_changed(client_role from, client_role to) {
    connection_closed(from);
    connection_opened(to);
  }
  void frame_received() { frames_received_.fetch_add(1, std::memory_order_relaxed); }
  void frame_sent() { frames_sent_.fetch_add(1, std::memory_order_relaxed); }
  /// A frame (or connection) refused by the edge: codes 100 and up.
  void rejected(pb::ErrorCode reason);
  /// A request the node refused (engine errors 1..22).
  void request_failed(pb::ErrorCode code);
  void http_request() { http_requests_.fetch_add(1, std::memory_order_relaxed); }
  /// Time from a contact's queued (or requeued) event to its offered event.
  void routing_latency(std::chrono::microseconds d);

  std::int64_t connections(client_role r) const { return connections_[index(r)].load(); }
  std::uint64_t rejected_count(pb::ErrorCode reason) const;

  /// The exposition text: the edge's counters plus, per tenant, contacts by
  /// state, routed, completed, abandoned and expired offers from `tenants`.
  std::string render(const std::vector<tenant_stats>& tenants) const;

 private:
  static std::size_t index(client_role r) { return static_cast<std::size_t>(r); }
  static constexpr std::size_t code_slots = 128;

  std::array<std::atomic<std::int64_t>, client_role_count> connections_{};
  std::atomic<std::uint64_t> frames_received_{0};
  std::atomic<std::uint64_t> frames_sent_{0};
  std::atomic<std::uint64_t> http_requests_{0};
  std::array<std::atomic<std::uint64_t>, code_slots> rejected_{};
  std::array<std::atomic<std::uint64_t>, code_slots> failed_{};
  mutable std::mutex latency_mutex_;
  std::array<std::uint64_t, latency_bounds_us.size() + 1> latency_buckets_{};
  std::uint64_t latency_count_ = 0;
  double latency_sum_s_ = 0;
};

}  // namespace switchboard::net
