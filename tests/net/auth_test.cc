// Credentials without sockets: base64url, API key checks, agent token format,
// signature, expiry; and the ServeConfig parser.
#include <gtest/gtest.h>

#include "net/auth.h"
#include "net/config.h"

namespace switchboard::net {
namespace {

TEST(auth_test, base64url_round_trips_and_rejects_non_canonical_text) {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                std::string("\0\xff\xfe", 3)})
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("a").has_value());
  EXPECT_FALSE(base64url_decode("ab=").has_value());
  EXPECT_FALSE(base64url_decode("a+b/").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());  // leftover bits set
}

TEST(auth_test, api_keys_match_only_their_tenant) {
  api_keys keys{{{"t1", "secret-one-0123456789"}, {"t2", "secret-two-0123456789"}}};
  EXPECT_TRUE(keys.verify("t1", "secret-one-0123456789"));
  EXPECT_FALSE(keys.verify("t1", "secret-two-0123456789"));
  EXPECT_FALSE(keys.verify("t2", "secret-one-0123456789"));
  EXPECT_FALSE(keys.verify("t3", "secret-one-0123456789"));
  EXPECT_FALSE(keys.verify("t1", ""));
  EXPECT_FALSE(keys.verify("t1", "secret-one-012345678"));
  EXPECT_EQ(keys.tenants(), (std::vector<std::string>{"t1", "t2"}));
}

TEST(auth_test, tokens_carry_tenant_agent_and_expiry_and_are_checked) {
  token_signer s{"a-secret-of-at-least-32-bytes-0123"};
  auto t = s.mint({"acme", "alice", 5000});
  auto ok = s.verify(t, 4999);
  ASSERT_EQ(ok.error, token_error::none);
  EXPECT_EQ(ok.claims.tenant, "acme");
  EXPECT_EQ(ok.claims.agent, "alice");
  EXPECT_EQ(ok.claims.expires_ms, 5000);
  EXPECT_EQ(s.verify(t, 5000).error, token_error::expired);
  token_signer other{"another-secret-of-32-bytes-012345"};
  EXPECT_EQ(other.verify(t, 0).error, token_error::forged);
  auto dot = t.find('.');
  auto payload = *base64url_decode(t.substr(0, dot));
  payload[payload.size() - 1] = '9';  // extend the expiry
  EXPECT_EQ(s.verify(base64url_encode(payload) + t.substr(dot), 0).error, token_error::forged);
  EXPECT_EQ(s.verify("", 0).error, token_error::forged);
  EXPECT_EQ(s.verify("abc", 0).error, token_error::forged);
  EXPECT_EQ(s.verify(".", 0).error, token_error::forged);
}

TEST(config_test, a_full_config_parses_and_defaults_apply) {
  auto c = parse_serve_config(R"({
    "listen_address": "0.0.0.0", "port": 0, "dataDir": "/tmp/x", "durability": "no_sync",
    "tenants": [{"tenant": "acme", "apiKey": "0123456789abcdef"}],
    "maxFrameBytes": 2048, "agentGraceMs": 0, "demo": true})");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->edge.listen_address, "0.0.0.0");
  EXPECT_EQ(c->edge.port, 0);
  EXPECT_EQ(c->durability, storage::durability::no_sync);
  EXPECT_EQ(c->edge.max_frame_bytes, 2048u);
  EXPECT_EQ(c->agent_grace.count(), 0);
  EXPECT_EQ(c->edge.max_send_queue, 256u);
  EXPECT_TRUE(c->demo);
  auto d = parse_serve_config(R"({"dataDir": "/tmp/x"})");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->edge.port, 8080);
  EXPECT_EQ(d->agent_grace.count(), 15000);
  EXPECT_EQ(d->customer_grace.count(), 30000);
  EXPECT_EQ(d->rating_window.count(), 600000);
  EXPECT_EQ(d->log_level, "info");
  EXPECT_TRUE(validate(*d).ok());
}

TEST(config_test, bad_configs_name_what_is_wrong) {
  for (const char* bad : {R"({"nope": 1})", R"({"port": "eighty"})", R"({"port": 65536})",
                          R"({"tenants": [{"tenant": "a/b", "apiKey": "0123456789abcdef"}]})",
                          R"({"tenants": [{"tenant": "a", "apiKey": "short"}]})",
                          R"({"tlsCert": "/x.pem"})", R"({"maxSendQueue": 1})", "[]",
                          R"({"agentGraceMs": 3600001})", R"({"customerGraceMs": 0})",
                          R"({"customerGraceMs": 4000000})", R"({"ratingWindowMs": 0})",
                          R"({"ratingWindowMs": 604800001})", R"({"customerGraceMs": -1})"}) {
    auto c = parse_serve_config(bad);
    EXPECT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.code(), engine::errc::invalid_argument) << bad;
  }
  auto no_dir = parse_serve_config("{}");
  ASSERT_TRUE(no_dir.ok());
  EXPECT_FALSE(validate(*no_dir).ok());
}

TEST(config_test, every_number_outside_its_range_is_refused_naming_the_field_and_range) {
  struct bad_number {
    const char* json;
    const char* says;
  };
  for (auto [json, says] : {
         bad_number{R"({"maxFrameBytes": 1023})", "max_frame_bytes must be 1024..16777216"},
         bad_number{R"({"maxFrameBytes": 4294967295})", "max_frame_bytes must be 1024..16777216"},
         bad_number{R"({"maxMessagesPerSecond": 4294967295})",
                    "max_messages_per_second must be 1..1000000"},
         bad_number{R"({"maxConnections": 1000001})", "max_connections must be 1..1000000"},
         bad_number{R"({"maxSendQueue": 65537})", "max_send_queue must be 2..65536"},
         bad_number{R"({"agentGraceMs": 4294967295})", "agent_grace_ms must be 0..3600000"},
         bad_number{R"({"ioThreads": 65})", "io_threads must be 1..64"},
         bad_number{R"({"nodeThreads": 257})", "node_threads must be 0..256"},
         bad_number{R"({"defaultTokenTtlS": "9223372036854775807"})",
                    "default_token_ttl_s must be 0..2592000"},
         bad_number{R"({"defaultTokenTtlS": -1})", "default_token_ttl_s must be 0..2592000"},
         bad_number{R"({"port": 70000})", "port must be 0..65535"}}) {
    auto c = parse_serve_config(json);
    ASSERT_FALSE(c.ok()) << json;
    EXPECT_EQ(c.code(), engine::errc::invalid_argument) << json;
    EXPECT_NE(c.err().message.find(says), std::string::npos) << json << ": " << c.err().message;
  }
  // The bounds themselves are accepted.
  auto c = parse_serve_config(R"({"maxFrameBytes": 16777216, "maxMessagesPerSecond": 1000000,
    "maxConnections": 1000000, "maxSendQueue": 65536, "agentGraceMs": 3600000,
    "ioThreads": 64, "nodeThreads": 256, "defaultTokenTtlS": 2592000})");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->edge.max_send_queue, 65536u);
  EXPECT_EQ(c->agent_grace.count(), 3600000);
  EXPECT_EQ(c->edge.default_token_ttl.count(), 2592000);
}

TEST(config_test, cluster_settings_parse_default_and_are_checked_together) {
  auto c = parse_serve_config(R"({"dataDir": "/tmp/x", "etcdUrls": "http://127.0.0.1:2379",
    "nodeName": "n1", "clusterName": "prod", "leaseTtlS": 6, "clusterPollMs": 500,
    "clusterPort": 7401, "clusterAddress": "10.0.0.5",
    "tokenSecret": "shared-by-every-node-0123456789abcdef"})");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->cluster.cluster_port, 7401);
  EXPECT_EQ(c->cluster.cluster_address, "10.0.0.5");
  EXPECT_EQ(c->cluster.etcd_urls, "http://127.0.0.1:2379");
  EXPECT_EQ(c->cluster.node_name, "n1");
  EXPECT_EQ(c->cluster.cluster_name, "prod");
  EXPECT_EQ(c->cluster.lease_ttl.count(), 6);
  EXPECT_EQ(c->cluster.poll.count(), 500);
  EXPECT_TRUE(validate(*c).ok());
  auto d = parse_serve_config(R"({"dataDir": "/tmp/x"})");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->cluster.etcd_urls.empty()) << "alone by default";
  EXPECT_EQ(d->cluster.cluster_name, "switchboard");
  EXPECT_EQ(d->cluster.lease_ttl.count(), 3);
  EXPECT_EQ(d->cluster.poll.count(), 250);
  EXPECT_EQ(d->cluster.cluster_port, 0) << "any free port by default";
  EXPECT_EQ(d->cluster.cluster_address, "127.0.0.1");
  for (const char* bad : {R"({"leaseTtlS": 0})", R"({"leaseTtlS": 61})", R"({"clusterPort": 65536})",
                          R"({"clusterPollMs": 9})", R"({"clusterPollMs": 20001})"}) {
    auto r = parse_serve_config(bad);
    EXPECT_EQ(r.code(), engine::errc::invalid_argument) << bad;
  }
  struct bad_pair {
    const char* json;
    const char* says;
  };
  for (auto [json, says] :
       {bad_pair{R"({"dataDir": "/x", "etcdUrls": "http://h:1"})", "node name"},
        bad_pair{R"({"dataDir": "/x", "nodeName": "n1"})", "no etcd URL"},
        bad_pair{R"({"dataDir": "/x", "etcdUrls": "http://h:1", "nodeName": "n",
                    "leaseTtlS": 1, "clusterPollMs": 500})", "a third of the lease TTL"},
        bad_pair{R"({"dataDir": "/x", "etcdUrls": "http://h:1", "nodeName": "n"})",
                 "token_secret"},
        bad_pair{R"({"dataDir": "/x", "etcdUrls": "http://h:1", "nodeName": "n", "demo": true})",
                 "demo runs one node alone"}}) {
    auto r = parse_serve_config(json);
    ASSERT_TRUE(r.ok()) << json;
    auto v = validate(*r);
    ASSERT_FALSE(v.ok()) << json;
    EXPECT_NE(v.err().message.find(says), std::string::npos) << v.err().message;
  }
}

TEST(config_test, a_key_given_twice_is_refused_and_hides_no_range_check) {
  // Found by config_fuzz (fuzz/corpus/config/duplicate_key_hid_lease_ttl.json): the
  // second "port" made the presence of every key unknown, so leaseTtlS 9091 (range
  // 1..60) was accepted.
  struct twice {
    const char* json;
    const char* says;
  };
  for (auto [json, says] : {
         twice{R"({"port": 8082, "dataDir": "/x", "port": 8082, "leaseTtlS": 9091})",
               "config: duplicate key 'port'"},
         twice{R"({"dataDir": "/x", "dataDir": "/y"})", "config: duplicate key 'dataDir'"},
         twice{R"({"dataDir": "/x", "tenants": [{"tenant": "a", "tenant": "b",
                                                "apiKey": "0123456789abcdef"}]})",
               "config: duplicate key 'tenant'"}}) {
    auto r = parse_serve_config(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.code(), engine::errc::invalid_argument) << json;
    EXPECT_EQ(r.err().message.rfind(says, 0), 0u) << r.err().message;
  }
  // The snake_case and lowerCamelCase names of one field are two keys of the
  // object: accepted as before, and the range check still sees the field.
  auto both = parse_serve_config(R"({"dataDir": "/x", "lease_ttl_s": 5, "leaseTtlS": 61})");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.err().message.find("lease_ttl_s must be 1..60"), std::string::npos)
    << both.err().message;
}

}  // namespace
TEST(config_test, a_tenants_durability_policy_is_replicated_local_or_refused) {
  auto c = parse_serve_config(R"({"tenants": [
    {"tenant": "a", "apiKey": "key-of-a-0123456789"},
    {"tenant": "b", "apiKey": "key-of-b-0123456789", "durabilityPolicy": "replicated"},
    {"tenant": "c", "apiKey": "key-of-c-0123456789", "durabilityPolicy": "local"}]})");
  ASSERT_TRUE(c.ok()) << c.err().message;
  ASSERT_EQ(c->edge.tenants.size(), 3u);
  EXPECT_FALSE(c->edge.tenants[0].local_durability) << "replicated by default";
  EXPECT_FALSE(c->edge.tenants[1].local_durability);
  EXPECT_TRUE(c->edge.tenants[2].local_durability);
  auto bad = parse_serve_config(R"({"tenants": [
    {"tenant": "a", "apiKey": "key-of-a-0123456789", "durabilityPolicy": "sometimes"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), engine::errc::invalid_argument);
  EXPECT_NE(bad.err().message.find("durability_policy of 'a'"), std::string::npos)
    << bad.err().message;
}

}  // namespace switchboard::net

namespace switchboard::net {

TEST(config_test, a_tenants_routing_settings_parse_keep_defaults_and_are_checked) {
  auto c = parse_serve_config(R"({"tenants": [
    {"tenant": "a", "apiKey": "key-of-a-0123456789"},
    {"tenant": "b", "apiKey": "key-of-b-0123456789", "routing": {
      "objective": {"sale": 3}, "fairnessBound": 0.2, "managerWaitMs": "0",
      "minLevelByTier": ["AGENT_LEVEL_UNSPECIFIED", "AGENT_LEVEL_UNSPECIFIED",
                         "AGENT_LEVEL_UNSPECIFIED", "AGENT_LEVEL_UNSPECIFIED",
                         "AGENT_LEVEL_SENIOR", "AGENT_LEVEL_EXPERT"],
      "experiment": {"sliceMs": "1800000"}}}]})");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->routing.count("a"), 0u) << "no routing given: nothing to apply";
  ASSERT_EQ(c->routing.count("b"), 1u);
  const auto& b = c->routing.at("b");
  engine::tenant_config defaults;
  EXPECT_EQ(b.id, "b");
  EXPECT_EQ(b.objective.sale, 3.0);
  EXPECT_EQ(b.objective.resolution, defaults.objective.resolution);
  EXPECT_EQ(b.fairness_bound, 0.2);
  EXPECT_EQ(b.manager_wait, 0);
  EXPECT_EQ(b.team_wait, defaults.team_wait);
  EXPECT_EQ(b.min_level_by_tier[4], engine::agent_level::senior);
  EXPECT_EQ(b.min_level_by_tier[5], engine::agent_level::expert);
  EXPECT_EQ(b.min_level_by_tier[0], engine::agent_level::crowd);
  EXPECT_EQ(b.experiment.slice, 1'800'000);
  EXPECT_EQ(b.experiment.baseline, engine::policy_kind::longest_idle);
  for (const auto* routing : {R"({"complaintAlert": 1.5})", R"({"fairnessBound": -0.1})",
                              R"({"experiment": {"sliceMs": "1000"}})",
                              R"({"experiment": {"sliceMs": "60000", "baseline": "ROUTING_POLICY_PROFILE"}})",
                              R"({"objective": {"purchase": -1}})"}) {
    auto bad = parse_serve_config(std::string{R"({"tenants": [{"tenant": "b", "apiKey": "key-of-b-0123456789", "routing": )"} +
                                  routing + "}]}");
    ASSERT_FALSE(bad.ok()) << routing;
    EXPECT_EQ(bad.code(), engine::errc::invalid_argument);
    EXPECT_NE(bad.err().message.find("the routing of 'b'"), std::string::npos) << bad.err().message;
  }
}

TEST(config_test, a_tenant_splits_into_domains_by_queue_and_skill_or_is_refused_clearly) {
  auto c = parse_serve_config(R"({"tenants": [
    {"tenant": "a", "apiKey": "key-of-a-0123456789", "domains": [
      {"id": "a", "queues": ["general"], "skills": ["billing"]},
      {"id": "a-sales", "queues": ["sales", "upsell"], "skills": ["selling"]}]},
    {"tenant": "b", "apiKey": "key-of-b-0123456789"}]})");
  ASSERT_TRUE(c.ok()) << c.err().message;
  ASSERT_EQ(c->cluster.splits.size(), 1u);
  const auto& split = c->cluster.splits.at("a");
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(split[0].id, "a") << "a domain may take its own tenant's id";
  EXPECT_EQ(split[1].id, "a-sales");
  EXPECT_EQ(split[1].queues, (std::vector<std::string>{"sales", "upsell"}));
  EXPECT_EQ(split[1].skills, (std::vector<std::string>{"selling"}));
  for (const auto& [domains, says] : std::vector<std::pair<std::string, std::string>>{
         {R"([{"id": "a1", "queues": ["q"]}, {"id": "a2", "queues": ["q"]}])",
          "queue 'q' is listed by two domains"},
         {R"([{"id": "a1", "skills": ["s"]}, {"id": "a2", "skills": ["s"]}])",
          "skill 's' is listed by two domains"},
         {R"([{"id": "a1"}, {"id": "a1"}])", "domain id 'a1' is listed twice"},
         {R"([{"id": "b"}])", "is the id of tenant 'b'"},
         {R"([{"id": "bad id"}])", "invalid domain id"}}) {
    auto bad = parse_serve_config(R"({"tenants": [
      {"tenant": "a", "apiKey": "key-of-a-0123456789", "domains": )" + domains + R"(},
      {"tenant": "b", "apiKey": "key-of-b-0123456789"}]})");
    ASSERT_FALSE(bad.ok()) << domains;
    EXPECT_EQ(bad.code(), engine::errc::invalid_argument);
    EXPECT_NE(bad.err().message.find(says), std::string::npos) << bad.err().message;
  }
}

}  // namespace switchboard::net
