#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"
#include "net/client/ws_client.h"

namespace google::protobuf {
class Message;
}

/// A blocking client of etcd's v3 API through its HTTP/JSON gateway (`/v3/...`),
/// with the few operations the cluster needs: leases, puts, prefix reads and the
/// compare-and-set transactions that make ownership claims atomic. Requests go to
/// one endpoint at a time; a failed one moves to the next. Thread-safe.
///
/// Errors: `unavailable` (no endpoint answered within the timeout: every step is
/// bounded), `invalid_argument` (etcd refused the request: it says why).
namespace switchboard::net::cluster {

using engine::result;
using engine::status;

/// "http://host:port[,http://host:port...]" (https is refused: the gateway client
/// speaks plain HTTP; put etcd on loopback or a private network, docs/cluster.md).
result<std::vector<client::endpoint>> parse_etcd_urls(std::string_view csv,
                                                      std::chrono::milliseconds timeout);

/// One key as etcd holds it. `create_revision` names this incarnation of the key:
/// deleted and created again, it gets a new one (the cluster's epochs).
struct etcd_kv {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t lease = 0;
};

/// A prefix read: the keys, and the store's revision when it was read.
struct etcd_range {
  std::int64_t revision = 0;
  std::vector<etcd_kv> kvs;
};

/// One change under a watched prefix.
struct etcd_event {
  bool deleted = false;
  etcd_kv kv;  ///< deleted: the key and its mod_revision only
};

/// What one watch answer brings: the changes (in revision order) and the store's
/// revision as of that answer.
struct etcd_changes {
  std::int64_t revision = 0;
  std::vector<etcd_event> events;
};

/// A conditional write: whether it applied, and the key as it is afterwards
/// (absent: nullopt).
struct etcd_cas {
  bool applied = false;
  std::optional<etcd_kv> current;
  std::int64_t revision = 0;  ///< the store's revision after the transaction
};

class etcd_client {
 public:
  explicit etcd_client(std::vector<client::endpoint> endpoints);

  /// A lease of `ttl`; its id. Keys written with it vanish when it expires.
  result<std::int64_t> grant(std::chrono::seconds ttl);
  /// Renews a lease; the seconds it has left, 0 when it had already expired.
  result<std::int64_t> keep_alive(std::int64_t lease);
  /// Ends a lease now: its keys vanish at once (a graceful leave).
  status revoke(std::int64_t lease);
  /// Writes `key` (attached to `lease` unless 0); the store's new revision.
  result<std::int64_t> put(const std::string& key, const std::string& value,
                           std::int64_t lease = 0);
  /// Every key under `prefix`, in key order.
  result<etcd_range> range_prefix(const std::string& prefix);
  /// Creates `key` only if it does not exist.
  result<etcd_cas> create(const std::string& key, const std::string& value, std::int64_t lease);
  /// Writes `key` only while its incarnation is `create_revision` (keeps it).
  result<etcd_cas> update(const std::string& key, const std::string& value, std::int64_t lease,
                          std::int64_t create_revision);
  /// Deletes `key` only while its incarnation is `create_revision`.
  result<etcd_cas> erase(const std::string& key, std::int64_t create_revision);
  /// Watches every key under `prefix` from `start_revision` on, and blocks: calls
  /// `on_changes` with each answer etcd streams (the first, without events, once
  /// the watch is in place). Ends ok when `on_changes` or `keep_going` (asked every
  /// 100 ms) returns false; `unavailable` when no endpoint took the watch, the
  /// stream broke, or etcd cancelled it (`start_revision` was compacted away): the
  /// caller reads the prefix again and watches from there.
  status watch_prefix(const std::string& prefix, std::int64_t start_revision,
                      const std::function<bool(const etcd_changes&)>& on_changes,
                      const std::function<bool()>& keep_going);

 private:
  /// POSTs `req` as JSON to `path` and parses the answer into `out`.
  status call(const std::string& path, const google::protobuf::Message& req,
              google::protobuf::Message& out);

  std::vector<client::endpoint> endpoints_;
  std::mutex mutex_;
  std::size_t current_ = 0;  ///< the endpoint that answered last
};

}  // namespace switchboard::net::cluster
