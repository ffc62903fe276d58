#include "net/cluster/status.h"

#include <google/protobuf/util/json_util.h>

#include <map>

#include "proto/etcd.pb.h"

namespace switchboard::net::cluster {

std::string status_json(const cluster_view& v) {
  switchboard::etcd::ClusterStatus s;
  s.set_self(v.self);
  s.set_healthy(v.healthy);
  s.set_revision(v.revision);
  s.set_watching(v.watching);
  s.set_full_reads(v.full_reads);
  for (const auto& m : v.members) {
    auto* o = s.add_members();
    o->set_name(m.name);
    o->set_state(m.state);
    o->set_cluster_endpoint(m.cluster_endpoint);
    o->set_edge_endpoint(m.edge_endpoint);
  }
  for (const auto& d : v.domains) {
    auto* o = s.add_domains();
    o->set_id(d.id);
    o->set_tenant(d.tenant);
    o->set_owner(d.owner);
    o->set_standby(d.standby);
    o->set_epoch(d.epoch);
  }
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = true;
  (void) google::protobuf::util::MessageToJsonString(s, &out, opts);
  out += '\n';
  return out;
}

namespace {

/// Prometheus label values: backslash, quote and newline escaped.
std::string label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\\' || c == '"')
      out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string status_metrics(const cluster_view& v) {
  std::string out;
  std::map<std::string, int> by_state;
  for (const auto& m : v.members)
    ++by_state[m.state];
  out += "# HELP switchboard_cluster_members Members registered in etcd, by state.\n";
  out += "# TYPE switchboard_cluster_members gauge\n";
  for (const auto& [state, n] : by_state)
    out += "switchboard_cluster_members{state=\"" + label(state) + "\"} " + std::to_string(n) + "\n";
  out += "# HELP switchboard_cluster_healthy 1 while this node holds a lease renewed in time.\n";
  out += "# TYPE switchboard_cluster_healthy gauge\n";
  out += "switchboard_cluster_healthy " + std::string{v.healthy ? "1" : "0"} + "\n";
  out += "# HELP switchboard_cluster_watching 1 while this node's etcd watch is live.\n";
  out += "# TYPE switchboard_cluster_watching gauge\n";
  out += "switchboard_cluster_watching " + std::string{v.watching ? "1" : "0"} + "\n";
  out += "# HELP switchboard_cluster_etcd_full_reads_total Whole-prefix reads of etcd (at start, "
         "after a broken watch, or while it lagged).\n";
  out += "# TYPE switchboard_cluster_etcd_full_reads_total counter\n";
  out += "switchboard_cluster_etcd_full_reads_total " + std::to_string(v.full_reads) + "\n";
  int owned = 0;
  for (const auto& d : v.domains)
    owned += d.owner == v.self;
  out += "# HELP switchboard_cluster_domains_owned Routing domains this node owns.\n";
  out += "# TYPE switchboard_cluster_domains_owned gauge\n";
  out += "switchboard_cluster_domains_owned " + std::to_string(owned) + "\n";
  out += "# HELP switchboard_cluster_domain_epoch Epoch of each domain (0: unowned).\n";
  out += "# TYPE switchboard_cluster_domain_epoch gauge\n";
  for (const auto& d : v.domains)
    out += "switchboard_cluster_domain_epoch{domain=\"" + label(d.id) + "\",owner=\"" +
           label(d.owner) + "\"} " + std::to_string(d.epoch) + "\n";
  return out;
}

std::string router_metrics(const actors::cluster_router_stats& s) {
  std::string out;
  auto line = [&](const std::string& name, const std::string& type, const std::string& help,
                  const std::vector<std::pair<std::string, std::uint64_t>>& values) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, v] : values)
      out += name + labels + " " + std::to_string(v) + "\n";
  };
  line("switchboard_cluster_calls_total", "counter",
       "Calls of this node's edge, answered here or by the tenant's owner elsewhere.",
       {{"{where=\"local\"}", s.local_calls}, {"{where=\"remote\"}", s.remote_calls}});
  line("switchboard_cluster_refused_total", "counter",
       "Remote calls refused by a node that no longer owned the tenant (retried).",
       {{"", s.refused}});
  line("switchboard_cluster_events_total", "counter",
       "Events from other nodes passed on to this node's edge.", {{"{from=\"remote\"}", s.remote_events}});
  line("switchboard_cluster_dropped_events_total", "counter",
       "Events dropped because their node no longer owned the tenant.", {{"", s.dropped_events}});
  line("switchboard_cluster_links", "gauge", "Links to other nodes' gateways.", {{"", s.links}});
  line("switchboard_cluster_replication_total", "counter",
       "Owned domains' commit parts: taken by the standby, sent as a whole-state snapshot to a "
       "new or behind standby, not taken in time (failed), or without a standby.",
       {{"{result=\"replicated\"}", s.replicated_batches},
        {"{result=\"snapshot\"}", s.replica_snapshots},
        {"{result=\"failed\"}", s.replication_failures},
        {"{result=\"no_standby\"}", s.unreplicated_batches}});
  line("switchboard_cluster_standby_applied_total", "counter",
       "Commit parts and snapshots of other nodes' domains this node took as their standby.",
       {{"", s.applied_batches}});
  line("switchboard_cluster_failovers_total", "counter",
       "Domains this node took over from its standby copy after their owner was lost.",
       {{"", s.failovers}});
  return out;
}

}  // namespace switchboard::net::cluster
