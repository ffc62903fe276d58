// `switchboard serve` config files (the JSON mapping of pb::ServeConfig) through
// net::parse_serve_config and net::validate.
//
// Properties: a refused config is errc::invalid_argument with a "config: "
// message; an accepted one holds every range of docs/protocol.md "Limits" and the
// tenant and split-domain rules; parsing is deterministic; validate never throws
// and refuses only with invalid_argument.
#include <set>

#include "engine/types.h"
#include "fuzz/check.h"
#include "net/config.h"

namespace {

using namespace std::chrono_literals;
using switchboard::fuzz::require;
namespace net = switchboard::net;
namespace engine = switchboard::engine;

void check_accepted(const net::serve_config& c) {
  const auto& e = c.edge;
  require(e.max_frame_bytes >= 1024 && e.max_frame_bytes <= net::limits::max_frame_bytes,
          "max_frame_bytes within 1 KiB..16 MiB");
  require(e.max_messages_per_second >= 1 &&
            e.max_messages_per_second <= net::limits::max_messages_per_second,
          "max_messages_per_second within its range");
  require(e.max_connections >= 1 && e.max_connections <= net::limits::max_connections,
          "max_connections within its range");
  require(e.max_send_queue >= 2 && e.max_send_queue <= net::limits::max_send_queue,
          "max_send_queue within 2..65536");
  require(e.io_threads >= 1 && e.io_threads <= net::limits::max_io_threads,
          "io_threads within 1..64");
  require(c.node_threads <= net::limits::max_node_threads, "node_threads within 0..256");
  require(c.agent_grace >= 0ms && c.agent_grace <= 1h, "agent_grace within 0..1 h");
  require(c.customer_grace >= 1ms && c.customer_grace <= 1h, "customer_grace within 1 ms..1 h");
  require(c.rating_window >= 1ms && c.rating_window <= 7 * 24h,
          "rating_window within 1 ms..7 days");
  require(e.default_token_ttl >= 0s && e.default_token_ttl <= e.max_token_ttl,
          "default_token_ttl within 0..max_token_ttl");
  require(c.cluster.lease_ttl >= 1s && c.cluster.lease_ttl <= 60s, "lease_ttl within 1..60 s");
  require(c.cluster.poll >= 10ms && c.cluster.poll <= 20000ms, "cluster poll within 10 ms..20 s");
  require(e.tls_cert.empty() == e.tls_key.empty(), "tls_cert and tls_key go together");
  require(e.token_secret.empty() || e.token_secret.size() >= 32, "token_secret of 32+ bytes");

  std::set<std::string> tenants;
  for (const auto& t : e.tenants) {
    require(engine::valid_id(t.tenant), "tenant ids are valid ids");
    require(tenants.insert(t.tenant).second, "tenant ids are unique");
    require(t.api_key.size() >= 16, "api keys of 16+ characters");
  }
  std::set<std::string> domain_ids;
  for (const auto& [tenant, split] : c.cluster.splits) {
    require(tenants.count(tenant) > 0, "a split tenant is a listed tenant");
    require(!split.empty(), "a split has at least one domain");
    std::set<std::string> queues, skills;
    for (const auto& d : split) {
      require(engine::valid_id(d.id), "domain ids are valid ids");
      require(domain_ids.insert(d.id).second, "domain ids are unique in the cluster");
      require(d.id == tenant || tenants.count(d.id) == 0, "a domain id is no other tenant's id");
      for (const auto& q : d.queues)
        require(engine::valid_id(q) && queues.insert(q).second,
                "a split's queues are valid and in one domain each");
      for (const auto& k : d.skills)
        require(!k.empty() && skills.insert(k).second,
                "a split's skills are named and in one domain each");
    }
  }
}

/// The parts of two configs that parsing sets, compared field by field.
bool same(const net::serve_config& a, const net::serve_config& b) {
  const auto& x = a.edge;
  const auto& y = b.edge;
  if (x.tenants.size() != y.tenants.size())
    return false;
  for (std::size_t i = 0; i < x.tenants.size(); ++i)
    if (x.tenants[i].tenant != y.tenants[i].tenant ||
        x.tenants[i].api_key != y.tenants[i].api_key ||
        x.tenants[i].local_durability != y.tenants[i].local_durability)
      return false;
  return x.listen_address == y.listen_address && x.port == y.port && a.data_dir == b.data_dir &&
         a.durability == b.durability && x.tls_cert == y.tls_cert && x.tls_key == y.tls_key &&
         a.log_level == b.log_level && x.web_dir == y.web_dir &&
         x.token_secret == y.token_secret && x.max_frame_bytes == y.max_frame_bytes &&
         x.max_messages_per_second == y.max_messages_per_second &&
         x.max_connections == y.max_connections && x.max_send_queue == y.max_send_queue &&
         x.io_threads == y.io_threads && a.node_threads == b.node_threads &&
         a.demo == b.demo && a.agent_grace == b.agent_grace &&
         a.customer_grace == b.customer_grace && a.rating_window == b.rating_window &&
         x.default_token_ttl == y.default_token_ttl &&
         a.cluster.etcd_urls == b.cluster.etcd_urls && a.cluster.node_name == b.cluster.node_name &&
         a.cluster.cluster_name == b.cluster.cluster_name &&
         a.cluster.lease_ttl == b.cluster.lease_ttl && a.cluster.poll == b.cluster.poll &&
         a.cluster.cluster_address == b.cluster.cluster_address &&
         a.cluster.cluster_port == b.cluster.cluster_port &&
         a.cluster.splits.size() == b.cluster.splits.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  auto json = switchboard::fuzz::input(data, size);
  auto r = net::parse_serve_config(json);
  if (!switchboard::fuzz::accepted(r, engine::errc::invalid_argument, "config: "))
    return 0;
  check_accepted(*r);
  auto again = net::parse_serve_config(json);
  require(again.ok() && same(*r, *again), "parsing is deterministic");
  auto v = net::validate(*r);
  require(v.ok() || v.code() == engine::errc::invalid_argument,
          "validate refuses with invalid_argument");
  return 0;
}
