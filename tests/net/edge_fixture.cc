#include "tests/net/edge_fixture.h"

#include <filesystem>
#include <fstream>
#include <google/protobuf/util/json_util.h>
#include <thread>

#include "net/client/prometheus.h"
#include "net/client/ws_client.h"
#include "net/codec.h"

namespace switchboard::testing {

namespace {

client::endpoint loopback(std::uint16_t port) {
  client::endpoint ep;
  ep.port = port;
  ep.timeout = net_wait;
  return ep;
}

}  // namespace

// -- ws_client ------------------------------------------------------------------------------

/// The edge-protocol layer over the one blocking client (net/client/ws_client.h).
struct ws_client::impl {
  impl(std::uint16_t port, int rcvbuf) : ws(loopback(port), "/ws", rcvbuf) {}
  client::ws_client ws;
  std::string error;  ///< a decoding failure, else the client's error
};

ws_client::ws_client(std::uint16_t port, encoding enc, int rcvbuf)
  : impl_(std::make_unique<impl>(port, rcvbuf)), enc_(enc) {}

ws_client::~ws_client() = default;

bool ws_client::connected() const {
  return impl_->ws.connected();
}

int ws_client::refused_status() const {
  return impl_->ws.refused_status();
}

const std::string& ws_client::error() const {
  return impl_->error.empty() ? impl_->ws.error() : impl_->error;
}

std::string ws_client::send(pb::Envelope e) {
  if (e.request_id().empty())
    e.set_request_id("r" + std::to_string(next_id_++));
  bool text = enc_ == encoding::json;
  send_raw(net::encode_frame(e, text), text);
  return e.request_id();
}

bool ws_client::send_raw(const std::string& bytes, bool text) {
  return impl_->ws.send(bytes, text);
}

std::optional<pb::Envelope> ws_client::read_frame(std::chrono::milliseconds timeout) {
  auto f = impl_->ws.read(timeout);
  if (!f)
    return std::nullopt;
  auto d = net::decode_frame(f->data, f->text);
  if (!d.ok()) {
    impl_->error = "undecodable frame from the server: " + d.why;
    return std::nullopt;
  }
  return std::move(d.envelope);
}

std::optional<pb::Envelope> ws_client::read(std::chrono::milliseconds timeout) {
  if (!stash_.empty()) {
    auto e = std::move(stash_.front());
    stash_.pop_front();
    return e;
  }
  return read_frame(timeout);
}

std::optional<pb::Envelope> ws_client::wait_for(
  const std::function<bool(const pb::Envelope&)>& pred, std::chrono::milliseconds timeout) {
  for (auto i = stash_.begin(); i != stash_.end(); ++i)
    if (pred(*i)) {
      auto e = std::move(*i);
      stash_.erase(i);
      return e;
    }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    auto e = read_frame(left);
    if (!e)
      return std::nullopt;
    if (pred(*e))
      return e;
    stash_.push_back(std::move(*e));
  }
}

std::optional<pb::Envelope> ws_client::call(pb::Envelope e, std::chrono::milliseconds timeout) {
  auto id = send(std::move(e));
  return wait_for([&](const pb::Envelope& x) { return x.request_id() == id; }, timeout);
}

int ws_client::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (connected()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return -1;
    if (auto e = read_frame(left))
      stash_.push_back(std::move(*e));
  }
  return impl_->ws.close_code();
}

void ws_client::close() {
  impl_->ws.close();
}

void ws_client::drop() {
  impl_->ws.drop();
}

std::optional<pb::Envelope> ws_client::hello(pb::Role role, const std::string& tenant,
                                             const std::string& api_key) {
  pb::Envelope e;
  auto* h = e.mutable_hello();
  h->set_role(role);
  h->set_tenant(tenant);
  h->set_api_key(api_key);
  return call(std::move(e));
}

std::optional<pb::Envelope> ws_client::hello_agent(const std::string& token,
                                                   const std::string& tenant, bool resume) {
  pb::Envelope e;
  auto* h = e.mutable_hello();
  h->set_role(pb::ROLE_AGENT);
  h->set_tenant(tenant);
  h->set_agent_token(token);
  h->set_resume(resume);
  return call(std::move(e));
}

// -- http -------------------------------------------------------------------------------------

http_result http_get(std::uint16_t port, const std::string& raw_target) {
  auto r = client::http_get(loopback(port), raw_target);
  return {r.status, std::move(r.body), std::move(r.content_type)};
}

std::optional<double> metric_value(const std::string& text, const std::string& series) {
  return client::prom_value(text, series);
}

// -- envelopes -----------------------------------------------------------------------------------

pb::Envelope open_contact(const std::string& id, const std::string& queue,
                          const std::string& customer) {
  pb::Envelope e;
  auto* m = e.mutable_open_contact();
  m->set_contact_id(id);
  m->set_customer_id(customer);
  m->set_channel(pb::CHANNEL_CHAT);
  m->add_media("text");
  m->set_intent("billing");
  m->set_language("en");
  m->set_queue(queue);
  auto* a = m->add_attached();
  a->set_key("order");
  a->set_value("A-1001");
  m->add_journey("bot:faq");
  m->mutable_customer()->set_tier(3);
  m->mutable_customer()->add_segments("business");
  m->set_display_name("Ada");
  return e;
}

pb::Envelope accept_offer(const std::string& contact, std::uint64_t offer_id) {
  pb::Envelope e;
  e.mutable_accept_offer()->set_contact_id(contact);
  e.mutable_accept_offer()->set_offer_id(offer_id);
  return e;
}

pb::Envelope customer_message(const std::string& contact, const std::string& text) {
  pb::Envelope e;
  e.mutable_customer_message()->set_contact_id(contact);
  e.mutable_customer_message()->set_text(text);
  return e;
}

pb::Envelope agent_message(const std::string& contact, const std::string& text) {
  pb::Envelope e;
  e.mutable_agent_message()->set_contact_id(contact);
  e.mutable_agent_message()->set_text(text);
  return e;
}

pb::Envelope end_contact(const std::string& contact, int csat) {
  pb::Envelope e;
  e.mutable_end_contact()->set_contact_id(contact);
  e.mutable_end_contact()->set_csat(csat);
  return e;
}

pb::Envelope wrap_up(const std::string& contact, bool with_outcome) {
  pb::Envelope e;
  auto* w = e.mutable_wrap_up();
  w->set_contact_id(contact);
  if (with_outcome) {
    auto* o = w->mutable_outcome();
    o->set_resolved(true);
    o->set_csat(5);
    o->set_disposition("resolved");
    o->set_notes("refund issued");
  }
  return e;
}

pb::Envelope mint_token(const std::string& agent, std::int64_t ttl_s) {
  pb::Envelope e;
  e.mutable_mint_agent_token()->set_agent(agent);
  e.mutable_mint_agent_token()->set_ttl_s(ttl_s);
  return e;
}

pb::Envelope subscribe_stats(std::int64_t interval_ms) {
  pb::Envelope e;
  e.mutable_subscribe_stats()->set_interval_ms(interval_ms);
  return e;
}

pb::Envelope agent_stats_request() {
  pb::Envelope e;
  e.mutable_agent_stats_request();
  return e;
}

pb::Envelope resume_contact(const std::string& contact, const std::string& token) {
  pb::Envelope e;
  e.mutable_resume_contact()->set_contact_id(contact);
  e.mutable_resume_contact()->set_resume_token(token);
  return e;
}

pb::Envelope rate_contact(const std::string& contact, int csat, double tip) {
  pb::Envelope e;
  e.mutable_rate_contact()->set_contact_id(contact);
  e.mutable_rate_contact()->set_csat(csat);
  e.mutable_rate_contact()->set_tip(tip);
  return e;
}

pb::Envelope get_transcript(const std::string& contact) {
  pb::Envelope e;
  e.mutable_get_transcript()->set_contact_id(contact);
  return e;
}

pb::Envelope get_decision(const std::string& contact, std::uint32_t limit) {
  pb::Envelope e;
  e.mutable_get_decision()->set_contact_id(contact);
  e.mutable_get_decision()->set_limit(limit);
  return e;
}

pb::Envelope customer_message(const std::string& contact, const std::string& text,
                              const std::string& client_msg_id) {
  auto e = customer_message(contact, text);
  e.mutable_customer_message()->set_client_msg_id(client_msg_id);
  return e;
}

pb::Envelope agent_message(const std::string& contact, const std::string& text,
                           const std::string& client_msg_id) {
  auto e = agent_message(contact, text);
  e.mutable_agent_message()->set_client_msg_id(client_msg_id);
  return e;
}

bool is_error(const std::optional<pb::Envelope>& e, pb::ErrorCode code) {
  return e && e->has_error() && e->error().code() == code;
}

std::string show(const std::optional<pb::Envelope>& e) {
  if (!e)
    return "(nothing)";
  std::string out;
  (void) google::protobuf::util::MessageToJsonString(*e, &out);
  return out;
}

std::function<bool(const pb::Envelope&)> offer_of(const std::string& contact) {
  return [contact](const pb::Envelope& e) {
    return e.has_offer() && e.offer().contact_id() == contact;
  };
}

std::function<bool(const pb::Envelope&)> update_of(const std::string& contact,
                                                   const std::string& event) {
  return [contact, event](const pb::Envelope& e) {
    return e.has_contact_update() && e.contact_update().contact_id() == contact &&
           e.contact_update().event() == event;
  };
}

std::function<bool(const pb::Envelope&)> chat_of(const std::string& contact,
                                                 const std::string& from) {
  return [contact, from](const pb::Envelope& e) {
    return e.has_chat_line() && e.chat_line().contact_id() == contact &&
           e.chat_line().from() == from;
  };
}

// -- fixture ---------------------------------------------------------------------------------------

void edge_fixture::SetUp() {
  auto nopts = options_for(dir_.sub("db"));
  configure_node(nopts);
  auto opened = node::open(nopts);
  ASSERT_TRUE(opened.ok()) << describe(opened);
  node_ = std::move(*opened);
  rec_.attach(*node_);
  for (const char* t : {"t1", "t2"}) {
    ASSERT_TRUE(node_->define_tenant(make_tenant(t)).ok());
    ASSERT_TRUE(node_->define_queue(make_queue(t, "q1")).ok());
    ASSERT_TRUE(node_->define_queue(make_queue(t, "q2")).ok());
    for (const char* a : {"a1", "a2", "a3"}) {
      auto p = make_agent(t, a, 2);
      p.languages = {"en"};
      ASSERT_TRUE(node_->define_agent(p).ok());
    }
  }
  web_dir_ = dir_.sub("web");
  std::filesystem::create_directories(web_dir_ + "/assets");
  auto write = [](const std::string& path, const std::string& text) {
    std::ofstream{path} << text;
  };
  write(web_dir_ + "/index.html", "<html>index</html>");
  write(web_dir_ + "/agent.html", "<html>agent desktop</html>");
  write(web_dir_ + "/wallboard.html", "<html>wallboard</html>");
  write(web_dir_ + "/chat.html", "<html>chat</html>");
  write(web_dir_ + "/assets/app.js", "console.log('hi');");
  write(web_dir_ + "/assets/style.css", "body{}");
  write(dir_.sub("secret.txt"), "top secret");
  net::edge_options o;
  o.port = 0;
  o.tenants = {{"t1", t1_key}, {"t2", t2_key}};
  o.token_secret = token_secret;
  o.web_dir = web_dir_;
  o.worker_threads = 4;
  configure(o);
  edge_opts_ = o;
  auto e = net::edge_server::start(*node_, o, edge_log_);
  ASSERT_TRUE(e.ok()) << describe(e);
  edge_ = std::move(*e);
}

void edge_fixture::restart_node() {
  edge_->stop();
  edge_.reset();
  node_->shutdown();
  node_.reset();
  auto nopts = options_for(dir_.sub("db"));
  configure_node(nopts);
  auto opened = node::open(nopts);
  ASSERT_TRUE(opened.ok()) << describe(opened);
  node_ = std::move(*opened);
  rec_.attach(*node_);
  auto e = net::edge_server::start(*node_, edge_opts_, edge_log_);
  ASSERT_TRUE(e.ok()) << describe(e);
  edge_ = std::move(*e);
}

void edge_fixture::TearDown() {
  if (edge_)
    edge_->stop();
  edge_.reset();
  if (node_)
    node_->shutdown();
  node_.reset();
}

std::unique_ptr<ws_client> edge_fixture::client(ws_client::encoding enc) {
  auto c = std::make_unique<ws_client>(port(), enc);
  EXPECT_TRUE(c->connected()) << c->error();
  return c;
}

std::unique_ptr<ws_client> edge_fixture::gateway(const std::string& tenant,
                                                 ws_client::encoding enc) {
  auto c = client(enc);
  auto w = c->hello(pb::ROLE_GATEWAY, tenant, tenant == "t1" ? t1_key : t2_key);
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
  return c;
}

std::unique_ptr<ws_client> edge_fixture::supervisor(const std::string& tenant,
                                                    ws_client::encoding enc) {
  auto c = client(enc);
  auto w = c->hello(pb::ROLE_SUPERVISOR, tenant, tenant == "t1" ? t1_key : t2_key);
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
  return c;
}

std::unique_ptr<ws_client> edge_fixture::agent(const std::string& tenant, const std::string& a,
                                               ws_client::encoding enc, bool resume) {
  auto c = client(enc);
  auto w = c->hello_agent(edge_->mint_agent_token(tenant, a, std::chrono::hours(1)), tenant, resume);
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
  if (w && w->has_welcome()) {
    EXPECT_EQ(w->welcome().agent(), a);
  }
  return c;
}

std::string edge_fixture::metrics() {
  auto r = http_get(port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  return r.body;
}

bool edge_fixture::connections_reach(net::client_role role, std::int64_t n) {
  return eventually([&] { return edge_->metrics().connections(role) == n; });
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace switchboard::testing
