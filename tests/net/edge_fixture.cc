#include "tests/net/edge_fixture.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <google/protobuf/util/json_util.h>
#include <sstream>
#include <thread>

#include "net/codec.h"

namespace switchboard::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// -- ws_client ------------------------------------------------------------------------------

struct ws_client::impl {
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
  bool reading = false;
  std::optional<beast::error_code> done;  ///< result of the pending read
  int refused = 0;
  std::string error;
};

ws_client::ws_client(std::uint16_t port, encoding enc, int rcvbuf)
  : impl_(std::make_unique<impl>()), enc_(enc) {
  auto& s = impl_->ws.next_layer();
  beast::error_code ec;
  s.open(tcp::v4(), ec);
  if (rcvbuf > 0)
    s.set_option(asio::socket_base::receive_buffer_size(rcvbuf), ec);
  s.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    impl_->error = "connect: " + ec.message();
    return;
  }
  websocket::response_type res;
  impl_->ws.handshake(res, "127.0.0.1", "/ws", ec);
  if (ec) {
    impl_->refused = static_cast<int>(res.result_int());
    impl_->error = "handshake: " + ec.message();
    return;
  }
  impl_->ws.read_message_max(64u << 20);
  impl_->connected = true;
}

ws_client::~ws_client() {
  if (impl_->connected) {
    beast::error_code ec;
    impl_->ws.next_layer().close(ec);
  }
}

bool ws_client::connected() const {
  return impl_->connected;
}

int ws_client::refused_status() const {
  return impl_->refused;
}

const std::string& ws_client::error() const {
  return impl_->error;
}

std::string ws_client::send(pb::Envelope e) {
  if (e.request_id().empty())
    e.set_request_id("r" + std::to_string(next_id_++));
  bool text = enc_ == encoding::json;
  send_raw(net::encode_frame(e, text), text);
  return e.request_id();
}

bool ws_client::send_raw(const std::string& bytes, bool text) {
  if (!impl_->connected)
    return false;
  beast::error_code ec;
  impl_->ws.text(text);
  impl_->ws.write(asio::buffer(bytes), ec);
  if (ec)
    impl_->error = "write: " + ec.message();
  return !ec;
}

std::optional<pb::Envelope> ws_client::read_frame(std::chrono::milliseconds timeout) {
  auto& i = *impl_;
  if (!i.connected)
    return std::nullopt;
  // One read stays pending across calls: a timeout leaves it running, so the
  // stream stays usable (cancelling a WebSocket read would fail the stream).
  if (!i.reading) {
    i.reading = true;
    i.ws.async_read(i.buffer, [&i](beast::error_code ec, std::size_t) {
      i.reading = false;
      i.done = ec;
    });
  }
  i.ioc.restart();
  i.ioc.run_for(timeout);
  if (!i.done)
    return std::nullopt;
  auto ec = *i.done;
  i.done.reset();
  if (ec) {
    i.connected = false;
    i.error = "read: " + ec.message();
    return std::nullopt;
  }
  auto data = beast::buffers_to_string(i.buffer.data());
  i.buffer.consume(i.buffer.size());
  auto d = net::decode_frame(data, i.ws.got_text());
  if (!d.ok()) {
    i.error = "undecodable frame from the server: " + d.why;
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
  while (impl_->connected) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return -1;
    if (auto e = read_frame(left))
      stash_.push_back(std::move(*e));
  }
  return impl_->ws.reason().code;
}

void ws_client::close() {
  auto& i = *impl_;
  if (!i.connected)
    return;
  // The close handshake completes the pending read (if any) with `closed`.
  bool closed = false;
  i.ws.async_close(websocket::close_code::normal, [&closed](beast::error_code) { closed = true; });
  if (!i.reading) {
    i.reading = true;
    i.ws.async_read(i.buffer, [&i](beast::error_code ec, std::size_t) {
      i.reading = false;
      i.done = ec;
    });
  }
  i.ioc.restart();
  i.ioc.run_for(net_wait);
  i.connected = false;
}

void ws_client::drop() {
  beast::error_code ec;
  impl_->ws.next_layer().shutdown(tcp::socket::shutdown_both, ec);
  impl_->ws.next_layer().close(ec);
  impl_->connected = false;
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
  http_result out;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  stream.expires_after(net_wait);
  http::request<http::string_body> req{http::verb::get, raw_target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  beast::error_code result;
  stream.async_connect(
    tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}, [&](beast::error_code ec) {
      if (ec) {
        result = ec;
        return;
      }
      http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
        if (ec2) {
          result = ec2;
          return;
        }
        http::async_read(stream, buffer, res,
                         [&](beast::error_code ec3, std::size_t) { result = ec3; });
      });
    });
  ioc.run();
  if (result)
    return out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.content_type = std::string{res[http::field::content_type]};
  return out;
}

std::optional<double> metric_value(const std::string& text, const std::string& series) {
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0)
      return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
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
  auto opened = node::open(options_for(dir_.sub("db")));
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
  auto e = net::edge_server::start(*node_, o);
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
