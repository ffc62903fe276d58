// The edge's own logic over a fake node (tests/net/fake_node.h): what it asks the
// node, in which tenant, and what it makes of the answers and events. Real sockets
// on loopback; no actors, no database.
#include <gtest/gtest.h>

#include "actors/errors.h"
#include "net/edge_server.h"
#include "storage/errors.h"
#include "tests/net/edge_fixture.h"
#include "tests/net/fake_node.h"

namespace switchboard::testing {
namespace {

using engine::errc;
using engine::make_error;

/// An edge server on port 0 over a `fake_node` holding tenants t1 and t2, each
/// with queue q1 and agent a1.
class edge_over_fake_node : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* t : {"t1", "t2"}) {
      fake_.add_tenant(t);
      engine::queue_config q;
      q.tenant = t;
      q.id = "q1";
      ASSERT_TRUE(fake_.define_queue(q).ok());
      engine::agent_profile a;
      a.tenant = t;
      a.id = "a1";
      ASSERT_TRUE(fake_.define_agent(a).ok());
    }
    net::edge_options o;
    o.port = 0;
    o.tenants = {{"t1", t1_key}, {"t2", t2_key}};
    o.token_secret = token_secret;
    auto e = net::edge_server::start(fake_, o);
    ASSERT_TRUE(e.ok()) << e.err().message;
    edge_ = std::move(*e);
    setup_calls_ = fake_.calls().size();
  }

  void TearDown() override {
    if (edge_)
      edge_->stop();
  }

  /// The calls the edge made since SetUp.
  std::vector<std::string> edge_calls() const {
    auto all = fake_.calls();
    return {all.begin() + static_cast<std::ptrdiff_t>(setup_calls_), all.end()};
  }

  std::unique_ptr<ws_client> client() {
    auto c = std::make_unique<ws_client>(edge_->port());
    EXPECT_TRUE(c->connected()) << c->error();
    return c;
  }

  std::unique_ptr<ws_client> gateway(const std::string& tenant) {
    auto c = client();
    auto w = c->hello(pb::ROLE_GATEWAY, tenant, tenant == "t1" ? t1_key : t2_key);
    EXPECT_TRUE(w && w->has_welcome()) << show(w);
    return c;
  }

  std::unique_ptr<ws_client> supervisor(const std::string& tenant) {
    auto c = client();
    auto w = c->hello(pb::ROLE_SUPERVISOR, tenant, tenant == "t1" ? t1_key : t2_key);
    EXPECT_TRUE(w && w->has_welcome()) << show(w);
    return c;
  }

  /// The agent's Hello with a token the edge minted; the answer in `reply`.
  std::unique_ptr<ws_client> agent(const std::string& tenant, const std::string& a,
                                   std::optional<pb::Envelope>* reply = nullptr) {
    auto c = client();
    auto w = c->hello_agent(edge_->mint_agent_token(tenant, a, std::chrono::hours(1)), tenant);
    if (reply != nullptr)
      *reply = w;
    else
      EXPECT_TRUE(w && w->has_welcome()) << show(w);
    return c;
  }

  static engine::contact contact_in(const std::string& tenant, const std::string& id) {
    engine::contact c;
    c.tenant = tenant;
    c.id = id;
    c.queue = "q1";
    c.intent = "billing";
    c.language = "en";
    return c;
  }

  fake_node fake_;
  std::unique_ptr<net::edge_server> edge_;
  std::size_t setup_calls_ = 0;
};

bool has(const std::vector<std::string>& calls, const std::string& line) {
  return std::find(calls.begin(), calls.end(), line) != calls.end();
}

TEST_F(edge_over_fake_node, the_edge_subscribes_once_and_a_gateway_hello_asks_the_node_nothing) {
  EXPECT_EQ(fake_.subscribers(), 1u);
  auto c = client();
  auto w = c->hello(pb::ROLE_GATEWAY, "t1", t1_key);
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  EXPECT_EQ(w->welcome().role(), pb::ROLE_GATEWAY);
  EXPECT_EQ(w->welcome().tenant(), "t1");
  EXPECT_TRUE(edge_calls().empty());
}

TEST_F(edge_over_fake_node, an_agent_hello_looks_the_agent_up_then_logs_it_in_available) {
  auto a = agent("t1", "a1");
  EXPECT_EQ(edge_calls(),
            (std::vector<std::string>{"find_agent t1 a1", "login t1 a1", "set_away t1 a1 0"}));
}

TEST_F(edge_over_fake_node, an_agent_the_node_does_not_define_is_refused_and_never_logged_in) {
  std::optional<pb::Envelope> reply;
  auto a = agent("t1", "ghost", &reply);
  ASSERT_TRUE(is_error(reply, pb::UNAUTHENTICATED)) << show(reply);
  EXPECT_NE(reply->error().message().find("agent removed"), std::string::npos);
  EXPECT_NE(a->wait_closed(), -1);
  EXPECT_EQ(edge_calls(), (std::vector<std::string>{"find_agent t1 ghost"}));
}

TEST_F(edge_over_fake_node, a_failed_login_reaches_the_agent_as_the_nodes_error_code) {
  fake_.fail("login", make_error(storage::errors::storage_failure, "disk full"));
  std::optional<pb::Envelope> reply;
  auto a = agent("t1", "a1", &reply);
  ASSERT_TRUE(is_error(reply, pb::STORAGE_FAILURE)) << show(reply);
  EXPECT_NE(reply->error().message().find("disk full"), std::string::npos);
  EXPECT_NE(a->wait_closed(), -1);
  EXPECT_FALSE(has(edge_calls(), "set_away t1 a1 0"));
}

TEST_F(edge_over_fake_node, unknown_ids_come_back_as_the_nodes_typed_errors) {
  auto g = gateway("t1");
  auto r = g->call(rate_contact("nope", 5));
  ASSERT_TRUE(is_error(r, pb::UNKNOWN_CONTACT)) << show(r);
  EXPECT_EQ(r->error().message(), "unknown contact 'nope'");
  auto s = supervisor("t1");
  pb::Envelope policy;
  policy.mutable_set_policy()->set_queue("nq");
  policy.mutable_set_policy()->set_policy(pb::ROUTING_POLICY_SKILLS);
  r = s->call(policy);
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_QUEUE)) << show(r);
  r = s->call(mint_token("ghost"));
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_AGENT)) << show(r);
  r = s->call(get_transcript("nope"));
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_CONTACT)) << show(r);
}

TEST_F(edge_over_fake_node, ids_are_looked_up_in_the_connections_tenant_only) {
  fake_.add_contact(contact_in("t1", "c1"));
  auto other = gateway("t2");
  auto r = other->call(end_contact("c1"));
  ASSERT_TRUE(is_error(r, pb::UNKNOWN_CONTACT)) << show(r);
  auto owner = gateway("t1");
  r = owner->call(end_contact("c1"));
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  EXPECT_EQ(fake_.calls_starting("end_contact"),
            (std::vector<std::string>{"end_contact t2 c1 customer_left",
                                      "end_contact t1 c1 customer_left"}));
}

TEST_F(edge_over_fake_node, get_decision_bounds_the_limit_and_asks_for_an_agents_own_offers) {
  for (const char* agent : {"a1", "a2", "a1"}) {
    engine::routing_decision d;
    d.contact = "c1";
    d.agent = agent;
    fake_.add_decision("t1", d);
  }
  auto s = supervisor("t1");
  auto r = s->call(get_decision("c1"));
  ASSERT_TRUE(r && r->has_decisions()) << show(r);
  EXPECT_EQ(r->decisions().decisions_size(), 3);
  r = s->call(get_decision("c1", 1000));
  ASSERT_TRUE(r && r->has_decisions()) << show(r);
  // The default, then the most a client may ask for.
  EXPECT_EQ(fake_.calls_starting("decisions"),
            (std::vector<std::string>{"decisions t1 c1 20", "decisions t1 c1 100"}));
  // An agent: all the node keeps, then only its own, the most recent `limit`.
  auto a = agent("t1", "a1");
  r = a->call(get_decision("c1", 1));
  ASSERT_TRUE(r && r->has_decisions()) << show(r);
  ASSERT_EQ(r->decisions().decisions_size(), 1);
  EXPECT_EQ(r->decisions().decisions(0).agent(), "a1");
  EXPECT_EQ(fake_.calls_starting("decisions").back(), "decisions t1 c1 100");
  // A malformed id never reaches the node.
  EXPECT_TRUE(is_error(s->call(get_decision("x/y")), pb::INVALID_ARGUMENT));
  EXPECT_EQ(fake_.calls_starting("decisions").size(), 3u);
}

TEST_F(edge_over_fake_node, a_definition_naming_another_tenant_never_reaches_the_node) {
  auto s = supervisor("t1");
  pb::Envelope e;
  auto* q = e.mutable_define_queue()->mutable_queue();
  q->set_tenant("t2");
  q->set_id("q9");
  auto r = s->call(e);
  ASSERT_TRUE(is_error(r, pb::CROSS_TENANT)) << show(r);
  EXPECT_TRUE(fake_.calls_starting("define_queue t2 q9").empty());
  q->clear_tenant();
  r = s->call(e);
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  EXPECT_EQ(fake_.calls_starting("define_queue t1 q9").size(), 1u);
}

TEST_F(edge_over_fake_node, node_errors_of_agent_requests_map_to_their_protocol_codes) {
  fake_.add_contact(contact_in("t1", "c1"));
  auto a = agent("t1", "a1");
  fake_.fail("accept", make_error(errc::not_offered, "offer 7 of c1 is not held by a1"));
  auto r = a->call(accept_offer("c1", 7));
  ASSERT_TRUE(is_error(r, pb::NOT_OFFERED)) << show(r);
  EXPECT_EQ(r->error().message(), "offer 7 of c1 is not held by a1");
  fake_.fail("transfer", make_error(errc::not_connected, "c1 is not with a1"));
  pb::Envelope t;
  t.mutable_transfer_contact()->set_contact_id("c1");
  t.mutable_transfer_contact()->set_to_queue("q1");
  r = a->call(t);
  EXPECT_TRUE(is_error(r, pb::NOT_CONNECTED)) << show(r);
  fake_.fail("wrap_up", make_error(actors::errors::timeout, "no answer"));
  r = a->call(wrap_up("c1", false));
  EXPECT_TRUE(is_error(r, pb::TIMEOUT)) << show(r);
  EXPECT_TRUE(has(edge_calls(), "accept t1 a1 c1 7"));
  EXPECT_TRUE(has(edge_calls(), "transfer t1 a1 c1 q1"));
}

TEST_F(edge_over_fake_node, an_offered_event_reaches_the_offered_agent_with_its_contact_and_customer) {
  fake_.add_contact(contact_in("t1", "c1"));
  auto mine = agent("t1", "a1");
  auto namesake = agent("t2", "a1");
  event e;
  e.type = engine::event_type::offered;
  e.tenant = "t1";
  e.contact = "c1";
  e.agent = "a1";
  e.queue = "q1";
  e.state = engine::contact_state::offered;
  e.offer_id = 7;
  e.deadline = 123456;
  // The event brings the contact as offered and its customer's profile.
  e.offered_contact = contact_in("t1", "c1");
  e.offered_contact.intent = "roaming";
  e.offered_contact.customer = "cu1";
  e.offered_customer.tenant = "t1";
  e.offered_customer.id = "cu1";
  e.offered_customer.tier = 4;
  auto calls_before = fake_.calls().size();
  fake_.publish(e);
  auto o = mine->wait_for(offer_of("c1"));
  ASSERT_TRUE(o) << "no offer";
  EXPECT_EQ(o->offer().offer_id(), 7u);
  EXPECT_EQ(o->offer().deadline_ms(), 123456);
  EXPECT_EQ(o->offer().queue(), "q1");
  EXPECT_EQ(o->offer().intent(), "roaming");  // the event's, not the node's "billing"
  EXPECT_EQ(o->offer().language(), "en");
  EXPECT_EQ(o->offer().customer().id(), "cu1");
  EXPECT_EQ(o->offer().customer().tier(), 4);
  // Shown without asking the node (over a cluster, a round trip each).
  auto calls = fake_.calls();
  for (auto i = calls_before; i < calls.size(); ++i) {
    EXPECT_NE(calls[i].rfind("find_contact", 0), 0u) << calls[i];
    EXPECT_NE(calls[i].rfind("find_customer", 0), 0u) << calls[i];
  }
  EXPECT_FALSE(namesake->wait_for(offer_of("c1"), quiet_wait)) << "another tenant's agent";
  auto r = mine->call(accept_offer("c1", 7));
  ASSERT_TRUE(r && r->has_ack()) << show(r);
}

TEST_F(edge_over_fake_node, a_queued_event_reaches_the_gateway_holding_the_contact_with_its_place) {
  auto g = gateway("t1");
  auto r = g->call(open_contact("c1"));
  ASSERT_TRUE(r && r->has_contact_opened()) << show(r);
  EXPECT_EQ(r->contact_opened().seq(), 1u);
  EXPECT_TRUE(has(edge_calls(), "submit t1 c1 q1"));
  fake_.set_position(3);
  event e;
  e.type = engine::event_type::queued;
  e.tenant = "t1";
  e.contact = "c1";
  e.queue = "q1";
  e.state = engine::contact_state::queued;
  fake_.publish(e);
  auto u = g->wait_for(update_of("c1", "queued"));
  ASSERT_TRUE(u) << "no update";
  EXPECT_EQ(u->contact_update().position(), 3);
}

TEST_F(edge_over_fake_node, closed_connections_tell_the_node_who_is_gone) {
  auto a = agent("t1", "a1");
  auto g = gateway("t1");
  auto r = g->call(open_contact("c1"));
  ASSERT_TRUE(r && r->has_contact_opened()) << show(r);
  a->close();
  g->close();
  EXPECT_TRUE(fake_.wait_for_call("agent_disconnected t1 a1", net_wait));
  EXPECT_TRUE(fake_.wait_for_call("customer_disconnected t1 c1", net_wait));
}

}  // namespace
}  // namespace switchboard::testing
