#include "net/config.h"

#include <fstream>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <set>
#include <sstream>

#include "engine/profiles.h"
#include "net/auth.h"
#include "proto/edge.pb.h"

namespace switchboard::net {

namespace {

engine::error bad(std::string message) {
  return engine::make_error(engine::errc::invalid_argument, "config: " + std::move(message));
}

/// Proto3 cannot tell an absent number from a 0; for the fields where 0 means
/// something (port 0: any free port), look at the JSON object itself.
class presence {
 public:
  explicit presence(std::string_view json) {
    google::protobuf::util::JsonParseOptions o;
    (void) google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece{json.data(), json.size()}, &root_, o);
  }
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
  serve_config c;
  auto& e = c.edge;
  if (!m.listen_address().empty())
    e.listen_address = m.listen_address();
  if (m.port() > 65535)
    return bad("port must be 0..65535, got " + std::to_string(m.port()));
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
    e.tenants.push_back({t.tenant(), t.api_key()});
  }
  if (!m.token_secret().empty() && m.token_secret().size() < token_signer::min_secret)
    return bad("token_secret must have at least " + std::to_string(token_signer::min_secret) +
               " bytes");
  e.token_secret = m.token_secret();
  if (m.max_frame_bytes() != 0) {
    if (m.max_frame_bytes() < 1024 || m.max_frame_bytes() > (16u << 20))
      return bad("max_frame_bytes must be 1024..16777216");
    e.max_frame_bytes = m.max_frame_bytes();
  }
  if (m.max_messages_per_second() != 0)
    e.max_messages_per_second = m.max_messages_per_second();
  if (m.max_connections() != 0)
    e.max_connections = m.max_connections();
  if (m.max_send_queue() != 0) {
    if (m.max_send_queue() < 2)
      return bad("max_send_queue must be at least 2");
    e.max_send_queue = m.max_send_queue();
  }
  constexpr std::uint32_t hour_ms = 3600 * 1000;
  if (m.agent_grace_ms() > hour_ms)
    return bad("agent_grace_ms must be 0..3600000 (at most 1 h), got " +
               std::to_string(m.agent_grace_ms()));
  if (set.has("agent_grace_ms"))
    c.agent_grace = std::chrono::milliseconds(m.agent_grace_ms());
  // 0 would end every contact on the first network blip: present means 1..1 h.
  if (set.has("customer_grace_ms") && (m.customer_grace_ms() == 0 || m.customer_grace_ms() > hour_ms))
    return bad("customer_grace_ms must be 1..3600000 (at most 1 h), got " +
               std::to_string(m.customer_grace_ms()));
  if (m.customer_grace_ms() != 0)
    c.customer_grace = std::chrono::milliseconds(m.customer_grace_ms());
  constexpr std::uint32_t week_ms = 7u * 24 * hour_ms;
  if (set.has("rating_window_ms") && (m.rating_window_ms() == 0 || m.rating_window_ms() > week_ms))
    return bad("rating_window_ms must be 1..604800000 (at most 7 days), got " +
               std::to_string(m.rating_window_ms()));
  if (m.rating_window_ms() != 0)
    c.rating_window = std::chrono::milliseconds(m.rating_window_ms());
  if (m.io_threads() != 0) {
    if (m.io_threads() > 64)
      return bad("io_threads must be 1..64");
    e.io_threads = m.io_threads();
  }
  if (m.node_threads() > 256)
    return bad("node_threads must be 0..256");
  c.node_threads = m.node_threads();
  c.demo = m.demo();
  if (m.default_token_ttl_s() < 0)
    return bad("default_token_ttl_s must not be negative");
  if (m.default_token_ttl_s() != 0)
    e.default_token_ttl = std::chrono::seconds(m.default_token_ttl_s());
  if (e.default_token_ttl > e.max_token_ttl)
    return bad("default_token_ttl_s must be at most 30 days");
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
  return {};
}

}  // namespace switchboard::net
