#pragma once

#include <string>

#include "actors/cluster.h"
#include "net/cluster/membership.h"

/// How a node shows its view of the cluster: `GET /cluster` (JSON, the mapping of
/// `ClusterStatus` in proto/etcd.proto) and lines appended to `/metrics`.
namespace switchboard::net::cluster {

/// {"self", "healthy", "revision", "members": [...], "domains": [...]}; numbers of
/// 64 bits are JSON strings, as in protobuf's JSON mapping.
std::string status_json(const cluster_view& v);

/// switchboard_cluster_members{state}, switchboard_cluster_healthy,
/// switchboard_cluster_domains_owned (by this node),
/// switchboard_cluster_domain_epoch{domain,owner} (one line per domain).
std::string status_metrics(const cluster_view& v);

/// The router's counters: switchboard_cluster_calls_total{where="local|remote"},
/// switchboard_cluster_refused_total, switchboard_cluster_events_total{from="remote"},
/// switchboard_cluster_dropped_events_total, switchboard_cluster_links.
std::string router_metrics(const actors::cluster_router_stats& s);

}  // namespace switchboard::net::cluster
