// Untrusted input at the edge: garbage, truncated protobuf, invalid JSON, unknown
// messages, oversized frames, floods, too many connections, slow consumers,
// messages before Hello, wrong roles and bad credentials. Each gets a typed error
// or a close, and the server goes on serving another client normally.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <vector>

#include "engine/clock.h"
#include "net/auth.h"
#include "net/codec.h"
#include "tests/net/edge_fixture.h"
#include "tests/net/log_fixture.h"

namespace switchboard::testing {
namespace {

using enc = ws_client::encoding;

class bad_input_test : public edge_fixture {
 protected:
  void configure(net::edge_options& o) override { o.max_frame_bytes = 4096; }

  /// A fresh client of each role still gets normal service.
  void expect_server_serves() {
    auto sup = supervisor("t1");
    auto tok = sup->call(mint_token("a1"));
    EXPECT_TRUE(tok && tok->has_agent_token()) << show(tok);
    auto gw = gateway("t1", enc::json);
    auto id = "alive-" + std::to_string(++alive_);
    auto r = gw->call(open_contact(id));
    EXPECT_TRUE(r && r->has_contact_opened()) << show(r);
  }

  std::uint64_t rejected(pb::ErrorCode code) { return edge().metrics().rejected_count(code); }

  int alive_ = 0;
};

TEST_F(bad_input_test, garbage_bytes_are_a_malformed_frame_and_the_connection_stays_open) {
  auto c = client();
  ASSERT_TRUE(c->send_raw(std::string("\xff\xfe\xfd garbage \x00\x01", 14), false));
  auto r = c->read();
  EXPECT_TRUE(is_error(r, pb::MALFORMED_FRAME)) << show(r);
  // Same connection: a proper Hello still works.
  auto w = c->hello(pb::ROLE_GATEWAY, "t1", t1_key);
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
  EXPECT_GE(rejected(pb::MALFORMED_FRAME), 1u);
  expect_server_serves();
}

TEST_F(bad_input_test, truncated_protobuf_is_a_malformed_frame) {
  auto gw = gateway("t1");
  auto full = net::encode_frame(open_contact("cut-1"), false);
  ASSERT_GT(full.size(), 20u);
  ASSERT_TRUE(gw->send_raw(full.substr(0, full.size() - 7), false));
  auto r = gw->read();
  EXPECT_TRUE(is_error(r, pb::MALFORMED_FRAME)) << show(r);
  // Nothing was opened, and the connection still works.
  EXPECT_EQ(n().find_contact("t1", "cut-1").code(), errc::unknown_contact);
  auto ok = gw->call(open_contact("cut-2"));
  EXPECT_TRUE(ok && ok->has_contact_opened()) << show(ok);
  expect_server_serves();
}

TEST_F(bad_input_test, invalid_json_and_unknown_json_fields_are_malformed_frames) {
  auto c = client(enc::json);
  for (const char* bad : {"{not json", "[1,2,3]", "{\"requestId\":\"x\",\"bogus\":1}",
                          "{\"hello\":{\"role\":\"ROLE_NOBODY\"}}", "\"just a string\""}) {
    ASSERT_TRUE(c->send_raw(bad, true));
    auto r = c->read();
    EXPECT_TRUE(is_error(r, pb::MALFORMED_FRAME)) << bad << " -> " << show(r);
  }
  auto w = c->hello(pb::ROLE_SUPERVISOR, "t1", t1_key);
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
  expect_server_serves();
}

TEST_F(bad_input_test, an_envelope_without_a_known_message_is_unknown_message) {
  auto c = client();
  pb::Envelope empty;
  empty.set_request_id("empty-1");
  ASSERT_TRUE(c->send_raw(net::encode_frame(empty, false), false));
  auto r = c->read();
  ASSERT_TRUE(is_error(r, pb::UNKNOWN_MESSAGE)) << show(r);
  EXPECT_EQ(r->request_id(), "empty-1");
  // A message type from the future: field 99 (length-delimited), unknown to us.
  std::string future;
  {
    google::protobuf::io::StringOutputStream out{&future};
    google::protobuf::io::CodedOutputStream cos{&out};
    cos.WriteTag((1 << 3) | 2);
    cos.WriteVarint32(3);
    cos.WriteRaw("f-1", 3);
    cos.WriteTag((99 << 3) | 2);
    cos.WriteVarint32(2);
    cos.WriteRaw("\x08\x01", 2);
  }
  ASSERT_TRUE(c->send_raw(future, false));
  r = c->read();
  ASSERT_TRUE(is_error(r, pb::UNKNOWN_MESSAGE)) << show(r);
  EXPECT_EQ(r->request_id(), "f-1");
  auto j = client(enc::json);
  ASSERT_TRUE(j->send_raw("{\"requestId\":\"j-1\"}", true));
  r = j->read();
  ASSERT_TRUE(is_error(r, pb::UNKNOWN_MESSAGE)) << show(r);
  EXPECT_EQ(r->request_id(), "j-1");
  expect_server_serves();
}

TEST_F(bad_input_test, anything_before_hello_is_unauthenticated) {
  auto c = client();
  auto r = c->call(open_contact("early"));
  EXPECT_TRUE(is_error(r, pb::UNAUTHENTICATED)) << show(r);
  EXPECT_EQ(n().find_contact("t1", "early").code(), errc::unknown_contact);
  auto w = c->hello(pb::ROLE_GATEWAY, "t1", t1_key);
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
  r = c->call(open_contact("later"));
  EXPECT_TRUE(r && r->has_contact_opened()) << show(r);
}

TEST_F(bad_input_test, a_role_may_send_only_its_own_messages) {
  auto gw = gateway("t1");
  pb::Envelope dq;
  dq.mutable_define_queue()->mutable_queue()->set_id("sneaky");
  auto r = gw->call(dq);
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);
  r = gw->call(mint_token("a1"));
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);
  r = gw->call(accept_offer("x", 1));
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);
  pb::Envelope server_msg;
  server_msg.mutable_welcome()->set_tenant("t2");
  r = gw->call(server_msg);
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);

  auto ag = agent("t1", "a1");
  r = ag->call(open_contact("by-agent"));
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);
  r = ag->call(subscribe_stats(100));
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);

  auto sup = supervisor("t1");
  r = sup->call(customer_message("x", "hi"));
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);
  r = sup->call(wrap_up("x", true));
  EXPECT_TRUE(is_error(r, pb::PERMISSION_DENIED)) << show(r);
  r = sup->hello(pb::ROLE_SUPERVISOR, "t2", t2_key);
  EXPECT_TRUE(is_error(r, pb::INVALID_ARGUMENT)) << show(r);  // no switching tenants
  EXPECT_EQ(n().find_contact("t1", "by-agent").code(), errc::unknown_contact);
  EXPECT_GE(rejected(pb::PERMISSION_DENIED), 7u);
  expect_server_serves();
}

TEST_F(bad_input_test, an_oversized_frame_gets_frame_too_large_and_a_close) {
  auto c = gateway("t1");
  pb::Envelope big = customer_message("x", std::string(5000, 'z'));
  ASSERT_TRUE(c->send_raw(net::encode_frame(big, false), false));
  auto r = c->read();
  EXPECT_TRUE(is_error(r, pb::FRAME_TOO_LARGE)) << show(r);
  EXPECT_EQ(c->wait_closed(), 1009);  // "message too big"
  // Far beyond the limit: the connection is failed without buffering the frame
  // (close 1009, or a reset when the rest of the frame was still on its way).
  auto huge = gateway("t1");
  huge->send_raw(std::string(64 * 1024, 'x'), true);
  auto code = huge->wait_closed();
  EXPECT_TRUE(code == 1009 || code == 0) << code;
  // The server counts the rejection as it fails the stream, which may be just after
  // the client saw the close.
  EXPECT_TRUE(eventually([&] { return rejected(pb::FRAME_TOO_LARGE) >= 2u; }))
    << rejected(pb::FRAME_TOO_LARGE);
  expect_server_serves();
}

TEST_F(bad_input_test, bad_api_keys_are_unauthenticated_and_closed) {
  struct attempt {
    pb::Role role;
    std::string tenant;
    std::string key;
  };
  for (const auto& a : std::vector<attempt>{{pb::ROLE_GATEWAY, "t1", "wrong-key-0123456789"},
                                            {pb::ROLE_SUPERVISOR, "t1", t2_key},
                                            {pb::ROLE_GATEWAY, "t2", t1_key},
                                            {pb::ROLE_GATEWAY, "t3", t1_key},
                                            {pb::ROLE_GATEWAY, "t1", ""},
                                            {pb::ROLE_UNSPECIFIED, "t1", t1_key}}) {
    auto c = client();
    auto r = c->hello(a.role, a.tenant, a.key);
    EXPECT_TRUE(is_error(r, pb::UNAUTHENTICATED)) << a.tenant << "/" << a.key << ": " << show(r);
    EXPECT_NE(c->wait_closed(), -1);
  }
  EXPECT_GE(rejected(pb::UNAUTHENTICATED), 6u);
  expect_server_serves();
}

TEST_F(bad_input_test, forged_expired_and_wrong_tenant_tokens_are_refused) {
  auto good = edge().mint_agent_token("t1", "a1", std::chrono::hours(1));
  auto dot = good.find('.');
  ASSERT_NE(dot, std::string::npos);
  // Same payload, signature of another secret; a tampered payload; garbage.
  net::token_signer other{"another-secret-0123456789abcdefghij"};
  auto now = engine::system_clock{}.wall();
  auto foreign = other.mint({"t1", "a1", now + 3600000});
  auto tampered_payload = net::base64url_encode(std::string("sb1\nt1\na2\n") +
                                                std::to_string(now + 3600000));
  auto tampered = tampered_payload + good.substr(dot);
  net::token_signer ours{token_secret};
  auto expired = ours.mint({"t1", "a1", now - 1000});
  auto other_tenant = ours.mint({"t2", "a1", now + 3600000});

  struct attempt {
    std::string token;
    std::string tenant;
    pb::ErrorCode code;
  };
  for (const auto& a : std::vector<attempt>{{foreign, "t1", pb::UNAUTHENTICATED},
                                            {tampered, "t1", pb::UNAUTHENTICATED},
                                            {"not-a-token", "t1", pb::UNAUTHENTICATED},
                                            {"", "t1", pb::UNAUTHENTICATED},
                                            {good + "x", "t1", pb::UNAUTHENTICATED},
                                            {expired, "t1", pb::TOKEN_EXPIRED},
                                            {other_tenant, "t1", pb::UNAUTHENTICATED}}) {
    auto c = client();
    auto r = c->hello_agent(a.token, a.tenant);
    EXPECT_TRUE(is_error(r, a.code)) << a.token << ": " << show(r);
    EXPECT_NE(c->wait_closed(), -1);
  }
  // None of them logged a1 in.
  auto info = n().find_agent("t1", "a1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, engine::agent_state::offline);
  // A token of an agent the tenant does not define (or no longer does): refused.
  auto c = client();
  auto r = c->hello_agent(ours.mint({"t1", "ghost", now + 3600000}), "t1");
  EXPECT_TRUE(is_error(r, pb::UNAUTHENTICATED)) << show(r);
  if (r && r->has_error()) {
    EXPECT_NE(r->error().message().find("agent removed"), std::string::npos) << show(r);
  }
  // The genuine token works, also without naming the tenant.
  auto ok = client();
  auto w = ok->hello_agent(good);
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  EXPECT_EQ(w->welcome().tenant(), "t1");
  EXPECT_EQ(w->welcome().agent(), "a1");
  EXPECT_GE(rejected(pb::TOKEN_EXPIRED), 1u);
  expect_server_serves();
}

class rate_limit_test : public bad_input_test {
 protected:
  void configure(net::edge_options& o) override { o.max_messages_per_second = 5; }
};

TEST_F(rate_limit_test, a_flood_is_rate_limited_and_others_are_unaffected) {
  auto ag = agent("t1", "a1");
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i)
    ids.push_back(ag->send(agent_stats_request()));
  int limited = 0;
  int served = 0;
  for (const auto& id : ids) {
    auto r = ag->wait_for([&](const pb::Envelope& e) { return e.request_id() == id; });
    ASSERT_TRUE(r.has_value()) << "no reply to " << id;
    if (is_error(r, pb::RATE_LIMITED))
      ++limited;
    else if (r->has_agent_stats())
      ++served;
  }
  EXPECT_GE(limited, 20);
  EXPECT_GE(served, 1);
  EXPECT_EQ(limited + served, 30);
  expect_server_serves();
}

class connection_limit_test : public bad_input_test {
 protected:
  void configure(net::edge_options& o) override { o.max_connections = 3; }
};

TEST_F(connection_limit_test, beyond_max_connections_the_upgrade_is_refused_with_503) {
  std::vector<std::unique_ptr<ws_client>> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(client());
  ws_client extra{port()};
  EXPECT_FALSE(extra.connected());
  EXPECT_EQ(extra.refused_status(), 503);
  EXPECT_EQ(rejected(pb::TOO_MANY_CONNECTIONS), 1u);
  // HTTP is still served at the limit.
  EXPECT_EQ(http_get(port(), "/healthz").status, 200);
  // One leaves: someone else may come in.
  held.back()->close();
  held.pop_back();
  ASSERT_TRUE(eventually([&] {
    ws_client c{port()};
    return c.connected();
  }));
  auto w = held.front()->hello(pb::ROLE_GATEWAY, "t1", t1_key);
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
}

/// A DefineQueue of queue `id` for the connection's tenant (60 s offer timeout).
pb::Envelope define_queue(const std::string& id) {
  pb::Envelope dq;
  auto* q = dq.mutable_define_queue()->mutable_queue();
  q->set_id(id);
  q->set_name(id);
  q->set_offer_timeout_ms(60000);
  return dq;
}

TEST_F(bad_input_test, numbers_out_of_range_are_invalid_argument_and_the_node_goes_on) {
  constexpr auto huge = std::numeric_limits<std::int64_t>::max();
  auto sup = supervisor("t1");
  // The overflow of issue 9: every offer of such a queue expired at once.
  auto dq = define_queue("forever");
  dq.mutable_define_queue()->mutable_queue()->set_offer_timeout_ms(huge);
  auto r = sup->call(dq);
  ASSERT_TRUE(is_error(r, pb::INVALID_ARGUMENT)) << show(r);
  EXPECT_NE(r->error().message().find("offer_timeout_ms must be 100..3600000"), std::string::npos)
    << show(r);
  // Nothing was defined: a contact for that queue finds no queue.
  auto gw = gateway("t1");
  r = gw->call(open_contact("to-forever", "forever"));
  EXPECT_TRUE(is_error(r, pb::UNKNOWN_QUEUE)) << show(r);

  for (auto set : std::vector<std::function<void(pb::Queue&)>>{
         [](pb::Queue& q) { q.set_offer_timeout_ms(-1); },
         [](pb::Queue& q) { q.set_max_wait_ms(huge); },
         [](pb::Queue& q) { q.set_service_level_threshold_ms(huge); },
         [](pb::Queue& q) { q.set_max_waiting(std::numeric_limits<std::uint32_t>::max()); },
         [](pb::Queue& q) { q.set_priority(std::numeric_limits<std::int32_t>::min()); },
         [](pb::Queue& q) { q.add_overflow()->set_after_ms(huge); }}) {
    auto e = define_queue("bad");
    set(*e.mutable_define_queue()->mutable_queue());
    r = sup->call(e);
    EXPECT_TRUE(is_error(r, pb::INVALID_ARGUMENT)) << show(r);
  }
  // The same in a JSON text frame (int64 as a string, as the JSON mapping writes it).
  auto js = supervisor("t1", enc::json);
  ASSERT_TRUE(js->send_raw("{\"requestId\":\"j-huge\",\"defineQueue\":{\"queue\":{\"id\":\"forever\","
                           "\"offerTimeoutMs\":\"9223372036854775807\"}}}",
                           true));
  r = js->wait_for([](const pb::Envelope& e) { return e.request_id() == "j-huge"; });
  EXPECT_TRUE(is_error(r, pb::INVALID_ARGUMENT)) << show(r);
  // Edge fields: a token TTL beyond 30 days is refused; a stats interval is clamped.
  r = sup->call(mint_token("a1", huge));
  EXPECT_TRUE(is_error(r, pb::INVALID_ARGUMENT)) << show(r);
  r = sup->call(subscribe_stats(huge));
  EXPECT_TRUE(r && r->has_ack()) << show(r);
  EXPECT_TRUE(sup->wait_for([](const pb::Envelope& e) { return e.has_stats_update(); }).has_value());

  // The node goes on: the bounds themselves are accepted, and a queue defined now
  // routes a contact to an agent.
  auto ok = define_queue("edge-of-range");
  ok.mutable_define_queue()->mutable_queue()->set_offer_timeout_ms(3'600'000);
  ok.mutable_define_queue()->mutable_queue()->set_max_wait_ms(7LL * 24 * 3'600'000);
  r = sup->call(ok);
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto a1 = agent("t1", "a1");
  r = gw->call(open_contact("in-range", "edge-of-range"));
  ASSERT_TRUE(r && r->has_contact_opened()) << show(r);
  auto offer = a1->wait_for(offer_of("in-range"));
  ASSERT_TRUE(offer.has_value()) << a1->error();
  // The deadline is the offer timeout (1 h) from now, not an overflowed time.
  auto now_ms = engine::system_clock{}.wall();
  EXPECT_GT(offer->offer().deadline_ms(), now_ms + 3'000'000);
  EXPECT_LE(offer->offer().deadline_ms(), now_ms + 3'600'000);
  expect_server_serves();
}

class bad_input_log_test : public bad_input_test {
 protected:
  void configure(net::edge_options& o) override {
    bad_input_test::configure(o);
    // A clock that stands still: every frame falls in one window of the throttle.
    o.clock = std::make_shared<engine::manual_clock>(1000);
    edge_log_ = counted_logger(sink_);
  }
  std::shared_ptr<counting_sink> sink_ = std::make_shared<counting_sink>();
};

TEST_F(bad_input_log_test, a_flood_of_invalid_utf8_frames_writes_a_bounded_number_of_lines) {
  // A binary envelope whose request_id (a proto3 string) is not UTF-8: protobuf
  // refuses it and used to write an ERROR line to stderr for each such frame.
  std::string bad;
  {
    google::protobuf::io::StringOutputStream out{&bad};
    google::protobuf::io::CodedOutputStream cos{&out};
    cos.WriteTag((1 << 3) | 2);
    cos.WriteVarint32(2);
    cos.WriteRaw("\xff\xfe", 2);
  }
  constexpr int frames = 200;
  auto c = client();
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < frames; ++i) {
    ASSERT_TRUE(c->send_raw(bad, false));
    auto r = c->read();
    ASSERT_TRUE(is_error(r, pb::MALFORMED_FRAME)) << show(r);
  }
  auto err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rejected(pb::MALFORMED_FRAME), static_cast<std::uint64_t>(frames));
  // Each refusal is counted, and only the throttle's bound of them is written.
  EXPECT_EQ(sink_->lines(spdlog::level::warn),
            static_cast<int>(edge_opts_.bad_input_lines_per_second));
  // Nothing from protobuf's own logging: at most the bound of lines on stderr
  // (before: one per frame).
  EXPECT_LE(std::count(err.begin(), err.end(), '\n'),
            static_cast<std::ptrdiff_t>(edge_opts_.bad_input_lines_per_second))
    << err;
  expect_server_serves();
}

class slow_consumer_test : public bad_input_test {
 protected:
  void configure(net::edge_options& o) override {
    o.max_send_queue = 8;
    o.max_messages_per_second = 1000000;
    o.max_frame_bytes = 65536;
  }
};

TEST_F(slow_consumer_test, a_client_that_does_not_read_is_disconnected_with_bounded_memory) {
  // Requests whose (error) replies echo a 60 KB request id; the client never
  // reads, so the replies pile up in the socket buffers and then in the
  // connection's send queue, which overflows.
  ws_client slow{port(), enc::binary, 4096};
  ASSERT_TRUE(slow.connected());
  pb::Envelope e;
  e.set_request_id(std::string(60000, 'q'));
  auto frame = net::encode_frame(e, false);
  int sent = 0;
  while (sent < 3000 && slow.send_raw(frame, false))
    ++sent;
  EXPECT_LT(sent, 3000) << "the server never closed the connection";
  EXPECT_TRUE(eventually([&] { return rejected(pb::SLOW_CONSUMER) >= 1; }));
  EXPECT_TRUE(connections_reach(net::client_role::unauthenticated, 0));
  expect_server_serves();
}

}  // namespace
}  // namespace switchboard::testing
