#pragma once

/// Forward declarations of the edge's public types, for headers that only pass
/// them around.
namespace switchboard::net {

struct edge_options;
struct tenant_key;
struct serve_config;
class edge_server;
class edge_metrics;
class api_keys;
class token_signer;
struct agent_claims;

}  // namespace switchboard::net
