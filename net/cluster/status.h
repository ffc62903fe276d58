#pragma once

#include <string>

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

}  // namespace switchboard::net::cluster
