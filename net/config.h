#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "actors/cluster.h"
#include "engine/error.h"
#include "net/options.h"
#include "storage/store.h"

namespace switchboard::net {

/// Upper bounds of the ServeConfig numbers (docs/protocol.md, "Limits"); a value
/// outside is errc::invalid_argument naming the field and its range.
namespace limits {
inline constexpr std::uint32_t max_frame_bytes = 16u << 20;       ///< 16 MiB
inline constexpr std::uint32_t max_messages_per_second = 1'000'000;
inline constexpr std::uint32_t max_connections = 1'000'000;
inline constexpr std::uint32_t max_send_queue = 65536;
inline constexpr std::uint32_t max_agent_grace_ms = 3'600'000;    ///< 1 h
inline constexpr std::uint32_t max_io_threads = 64;
inline constexpr std::uint32_t max_node_threads = 256;
}  // namespace limits

/// Membership in a cluster (net/cluster/membership.h); `etcd_urls` empty: alone.
struct cluster_config {
  std::string etcd_urls;  ///< "http://host:port[,...]". Default: empty (no cluster).
  std::string node_name;  ///< Required with etcd_urls.
  std::string cluster_name = "switchboard";  ///< Default: switchboard.
  std::chrono::seconds lease_ttl{3};         ///< 1..60 s. Default: 3 s.
  std::chrono::milliseconds poll{250};       ///< 10 ms..lease_ttl/3. Default: 250 ms.
  /// Where the cluster gateway listens (and is reached). Default: 127.0.0.1.
  std::string cluster_address = "127.0.0.1";
  std::uint16_t cluster_port = 0;  ///< 0: any free port, advertised in etcd. Default: 0.
  /// Tenants split into several routing domains (`TenantKey.domains`), by tenant.
  /// Default: none (each tenant one domain of its own id).
  std::map<std::string, std::vector<actors::tenant_domain>> splits;
};

/// What `switchboard serve` runs: the edge's options plus the node's. Built from
/// the JSON mapping of `pb::ServeConfig` (proto/edge.proto), then overridden by
/// command-line flags.
struct serve_config {
  edge_options edge;
  std::string data_dir;  ///< Required.
  storage::durability durability = storage::durability::sync;  ///< Default: sync.
  std::size_t node_threads = 0;  ///< 0: one per core. Default: 0.
  std::string log_level = "info";  ///< trace|debug|info|warn|error. Default: info.
  bool demo = false;  ///< Run the demo tenant and its simulated load. Default: false.
  /// The node's presence policies (`node_options`): an agent whose connection is
  /// gone keeps its work this long. 0..1 h. Default: 15 s.
  std::chrono::milliseconds agent_grace{15000};
  /// A customer whose connection is gone this long has left. 1 ms..1 h. Default: 30 s.
  std::chrono::milliseconds customer_grace{30000};
  /// How long after completion the customer's rating is taken. 1 ms..7 days.
  /// Default: 10 min.
  std::chrono::milliseconds rating_window{600000};
  cluster_config cluster;
  /// Routing settings of the tenants that have them in the config
  /// (`TenantKey.routing`), validated, by tenant id; applied at every start.
  std::map<std::string, engine::tenant_config> routing;
};

/// Parses a ServeConfig in JSON. Unknown fields, wrong types and bad values are
/// errc::invalid_argument with a message naming the field; so is a key given twice
/// in one object (`config: duplicate key 'port' ...`). Fields left out (or 0)
/// take their defaults. `data_dir` is checked by `validate`, since a flag may
/// still set it.
[[nodiscard]] engine::result<serve_config> parse_serve_config(std::string_view json);

/// Reads and parses a config file.
[[nodiscard]] engine::result<serve_config> load_serve_config(const std::string& path);

/// The checks that hold after flags were applied (data dir, port, log level, TLS pair).
[[nodiscard]] engine::status validate(const serve_config& c);

/// True for trace, debug, info, warn, error, critical, off.
bool valid_log_level(std::string_view level);

}  // namespace switchboard::net
