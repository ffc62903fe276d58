#include "net/config.h"

#include <fstream>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <set>
#include <sstream>

#include "engine/profiles.h"
#include "net/auth.h"
#include "proto/edge.pb.h"
#include "storage/codecs.h"

namespace switchboard::net {

namespace {

engine::error bad(std::string message) {
  return engine::make_error(engine::errc::invalid_argument, "config: " + std::move(message));
}

/// "`field` must be lo..hi, got v".
std::string range(const char* field, std::int64_t lo, std::int64_t hi, std::int64_t v) {
  return std::string{field} + " must be " + std::to_string(lo) + ".." + std::to_string(hi) +
         ", got " + std::to_string(v);
}

/// Proto3 cannot tell an absent number from a 0; for the fields where 0 means
/// something (port 0: any free port), look at the JSON object itself.
class presence {
 public:
  /// `json` has already parsed as a ServeConfig. That parser takes a key given
  /// twice (the last one wins); the Struct parser here refuses it, and `error()`
  /// then names the key. Before this was checked, the refusal left the object
  /// empty, so every presence-gated range check below was skipped.
  explicit presence(std::string_view json) {
    google::protobuf::util::JsonParseOptions o;
    auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece{json.data(), json.size()}, &root_, o);
    if (st.ok())
      return;
    // "(fields[1]) port: Repeated map key: 'port' is already set."
    std::string why{st.message()};
    constexpr std::string_view marker = "Repeated map key: '";
    auto at = why.find(marker);
    if (at == std::string::npos) {
      error_ = "not a JSON object: " + why;
      return;
    }
    at += marker.size();
    error_ = "duplicate key '" + why.substr(at, why.find('\'', at) - at) +
             "' (each key may be given once)";
  }
  /// Why the text is no JSON object with unique keys; empty when it is one.
  [[nodiscard]] const std::string& error() const { return error_; }
  /// `proto_name` (snake_case) or its lowerCamelCase JSON name is in the object.
  bool has(const std::string& proto_name) const {
    std::string camel;
    bool up = false;
    for (char ch : proto_name) {
      if (ch == '_') {
        up = true;
        continue;
      }
      camel += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
      up = false;
    }
    return root_.fields().count(proto_name) > 0 || root_.fields().count(camel) > 0;
  }

 private:
  google::protobuf::Struct root_;
  std::string error_;
};

}  // namespace

bool valid_log_level(std::string_view level) {
  static const std::set<std::string_view> levels = {"trace", "debug", "info", "warn",
                                                    "error", "critical", "off"};
  return levels.count(level) > 0;
}

engine::result<serve_config> parse_serve_config(std::string_view json) {
  pb::ServeConfig m;
  google::protobuf::util::JsonParseOptions popts;
  popts.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(
    google::protobuf::StringPiece{json.data(), json.size()}, &m, popts);
  if (!st.ok())
    return bad("not a valid ServeConfig: " + std::string{st.message()});
  presence set{json};
  if (!set.error().empty())
    return bad(set.error());
  serve_config c;
  auto& e = c.edge;
  if (!m.listen_address().empty())
    e.listen_address = m.listen_address();
  if (m.port() > 65535)
    return bad(range("port", 0, 65535, m.port()));
  if (set.has("port"))
    e.port = static_cast<std::uint16_t>(m.port());
  c.data_dir = m.data_dir();
  if (m.durability() == "no_sync")
    c.durability = storage::durability::no_sync;
  else if (!m.durability().empty() && m.durability() != "sync")
    return bad("durability must be sync or no_sync, got '" + m.durability() + "'");
  e.tls_cert = m.tls_cert();
  e.tls_key = m.tls_key();
  if (e.tls_cert.empty() != e.tls_key.empty())
    return bad("tls_cert and tls_key go together");
  if (!m.log_level().empty())
    c.log_level = m.log_level();
  e.web_dir = m.web_dir();
  std::set<std::string> seen;
  for (const auto& t : m.tenants()) {
    if (!engine::valid_id(t.tenant()))
      return bad("tenants: invalid tenant id '" + t.tenant() + "'");
    if (!seen.insert(t.tenant()).second)
      return bad("tenants: tenant '" + t.tenant() + "' is listed twice");
    if (t.api_key().size() < 16)
      return bad("tenants: the api_key of '" + t.tenant() + "' must have at least 16 characters");
    bool local = false;
    if (t.durability_policy() == "local")
      local = true;
    else if (!t.durability_policy().empty() && t.durability_policy() != "replicated")
      return bad("tenants: the durability_policy of '" + t.tenant() + "' must be replicated or "
                 "local, not '" + t.durability_policy() + "'");
    e.tenants.push_back({t.tenant(), t.api_key(), local});
    if (t.has_routing()) {
      // Over the engine's defaults: a field left out (or 0, proto3's "unset")
      // keeps its default.
      auto routing = storage::to_proto(engine::tenant_config{});
      routing.clear_min_level_by_tier();
      routing.MergeFrom(t.routing());
      routing.set_id(t.tenant());
      routing.set_name(t.tenant());
      auto r = storage::from_proto(routing);
      if (!r)
        return bad("tenants: the routing of '" + t.tenant() + "': " + r.err().message);
      if (auto v = engine::validate(*r); !v)
        return bad("tenants: the routing of '" + t.tenant() + "': " + v.err().message);
      c.routing.emplace(t.tenant(), std::move(*r));
    }
    if (t.domains_size() == 0)
      continue;
    auto& split = c.cluster.splits[t.tenant()];
    std::set<std::string> queues, skills;
    for (const auto& d : t.domains()) {
      auto where = "tenants: domain '" + d.id() + "' of '" + t.tenant() + "'";
      if (!engine::valid_id(d.id()))
        return bad("tenants: invalid domain id '" + d.id() + "' in '" + t.tenant() + "'");
      for (const auto& q : d.queues()) {
        if (!engine::valid_id(q))
          return bad(where + ": invalid queue id '" + q + "'");
        if (!queues.insert(q).second)
          return bad(where + ": queue '" + q + "' is listed by two domains");
      }
      for (const auto& k : d.skills()) {
        if (k.empty())
          return bad(where + ": an empty skill name");
        if (!skills.insert(k).second)
          return bad(where + ": skill '" + k + "' is listed by two domains");
      }
      split.push_back({d.id(), {d.queues().begin(), d.queues().end()},
                       {d.skills().begin(), d.skills().end()}});
    }
  }
  // A domain runs on its owner as a tenant of its id: a domain id is no other
  // tenant's id (it may be its own tenant's) and no other domain's.
  std::set<std::string> domain_ids;
  for (const auto& [tenant, split] : c.cluster.splits)
    for (const auto& d : split) {
      if (!domain_ids.insert(d.id).second)
        return bad("tenants: domain id '" + d.id + "' is listed twice");
      if (d.id != tenant && seen.count(d.id) > 0)
        return bad("tenants: domain id '" + d.id + "' of '" + tenant + "' is the id of tenant '" +
                   d.id + "'");
    }
  if (!m.token_secret().empty() && m.token_secret().size() < token_signer::min_secret)
    return bad("token_secret must have at least " + std::to_string(token_signer::min_secret) +
               " bytes");
  e.token_secret = m.token_secret();
  if (m.max_frame_bytes() != 0) {
    if (m.max_frame_bytes() < 1024 || m.max_frame_bytes() > limits::max_frame_bytes)
      return bad(range("max_frame_bytes", 1024, limits::max_frame_bytes, m.max_frame_bytes()));
    e.max_frame_bytes = m.max_frame_bytes();
  }
  if (m.max_messages_per_second() != 0) {
    if (m.max_messages_per_second() > limits::max_messages_per_second)
      return bad(range("max_messages_per_second", 1, limits::max_messages_per_second,
                       m.max_messages_per_second()));
    e.max_messages_per_second = m.max_messages_per_second();
  }
  if (m.max_connections() != 0) {
    if (m.max_connections() > limits::max_connections)
      return bad(range("max_connections", 1, limits::max_connections, m.max_connections()));
    e.max_connections = m.max_connections();
  }
  if (m.max_send_queue() != 0) {
    if (m.max_send_queue() < 2 || m.max_send_queue() > limits::max_send_queue)
      return bad(range("max_send_queue", 2, limits::max_send_queue, m.max_send_queue()));
    e.max_send_queue = m.max_send_queue();
  }
  constexpr std::uint32_t hour_ms = 3600 * 1000;
  if (set.has("agent_grace_ms")) {
    if (m.agent_grace_ms() > limits::max_agent_grace_ms)
      return bad(range("agent_grace_ms", 0, limits::max_agent_grace_ms, m.agent_grace_ms()));
    c.agent_grace = std::chrono::milliseconds(m.agent_grace_ms());
  }
  // 0 would end every contact on the first network blip: present means 1..1 h.
  if (set.has("customer_grace_ms") && (m.customer_grace_ms() == 0 || m.customer_grace_ms() > hour_ms))
    return bad(range("customer_grace_ms", 1, hour_ms, m.customer_grace_ms()));
  if (m.customer_grace_ms() != 0)
    c.customer_grace = std::chrono::milliseconds(m.customer_grace_ms());
  constexpr std::uint32_t week_ms = 7u * 24 * hour_ms;
  if (set.has("rating_window_ms") && (m.rating_window_ms() == 0 || m.rating_window_ms() > week_ms))
    return bad(range("rating_window_ms", 1, week_ms, m.rating_window_ms()));
  if (m.rating_window_ms() != 0)
    c.rating_window = std::chrono::milliseconds(m.rating_window_ms());
  if (m.io_threads() != 0) {
    if (m.io_threads() > limits::max_io_threads)
      return bad(range("io_threads", 1, limits::max_io_threads, m.io_threads()));
    e.io_threads = m.io_threads();
  }
  if (m.node_threads() > limits::max_node_threads)
    return bad(range("node_threads", 0, limits::max_node_threads, m.node_threads()));
  c.node_threads = m.node_threads();
  c.demo = m.demo();
  // Checked before it becomes a duration: seconds * 1000 must not overflow.
  if (m.default_token_ttl_s() < 0 || m.default_token_ttl_s() > e.max_token_ttl.count())
    return bad(range("default_token_ttl_s", 0, e.max_token_ttl.count(), m.default_token_ttl_s()) +
               " (30 days)");
  if (m.default_token_ttl_s() != 0)
    e.default_token_ttl = std::chrono::seconds(m.default_token_ttl_s());
  c.cluster.etcd_urls = m.etcd_urls();
  c.cluster.node_name = m.node_name();
  if (!m.cluster_name().empty())
    c.cluster.cluster_name = m.cluster_name();
  if (set.has("lease_ttl_s") && (m.lease_ttl_s() == 0 || m.lease_ttl_s() > 60))
    return bad(range("lease_ttl_s", 1, 60, m.lease_ttl_s()));
  if (m.lease_ttl_s() != 0)
    c.cluster.lease_ttl = std::chrono::seconds(m.lease_ttl_s());
  if (set.has("cluster_poll_ms") && (m.cluster_poll_ms() < 10 || m.cluster_poll_ms() > 20000))
    return bad(range("cluster_poll_ms", 10, 20000, m.cluster_poll_ms()));
  if (m.cluster_poll_ms() != 0)
    c.cluster.poll = std::chrono::milliseconds(m.cluster_poll_ms());
  if (m.cluster_port() > 65535)
    return bad(range("cluster_port", 0, 65535, m.cluster_port()));
  c.cluster.cluster_port = static_cast<std::uint16_t>(m.cluster_port());
  if (!m.cluster_address().empty())
    c.cluster.cluster_address = m.cluster_address();
  return c;
}

engine::result<serve_config> load_serve_config(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return bad("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20))
    return bad(path + " is larger than 1 MiB");
  return parse_serve_config(text.str());
}

engine::status validate(const serve_config& c) {
  if (c.data_dir.empty())
    return bad("data_dir is required (in the file or --data-dir)");
  if (!valid_log_level(c.log_level))
    return bad("log_level must be trace, debug, info, warn, error, critical or off");
  if (c.edge.tls_cert.empty() != c.edge.tls_key.empty())
    return bad("tls_cert and tls_key go together");
  if (!c.cluster.etcd_urls.empty()) {
    if (c.cluster.node_name.empty())
      return bad("a cluster member needs a node name (node_name or --node-name)");
    if (c.cluster.poll * 3 > c.cluster.lease_ttl)
      return bad("cluster_poll_ms must be at most a third of the lease TTL");
    if (c.demo)
      return bad("the demo runs one node alone: use --demo without --etcd (or scripts/cluster.sh "
                 "for a cluster)");
    if (c.edge.token_secret.empty())
      return bad("a cluster member needs token_secret, the same on every node: an agent "
                 "token minted on one node is checked on whichever node the agent joins");
  } else if (!c.cluster.node_name.empty()) {
    return bad("node_name is set but no etcd URL (etcd_urls or --etcd): a node name is for a cluster");
  }
  return {};
}

}  // namespace switchboard::net
