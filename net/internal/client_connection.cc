// The protocol core of a connection: frames, the rate limit, replies, dispatch by
// role, Hello, resume snapshots and pushes. The requests of each role are handled
// in gateway_requests.cc, agent_requests.cc and supervisor_requests.cc.
#include "net/internal/client_connection.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "net/codec.h"
#include "net/internal/builders.h"
#include "storage/codecs.h"
#include "storage/errors.h"

namespace switchboard::net::internal {

namespace {

using Body = pb::Envelope::BodyCase;

std::string body_name(Body b) {
  const auto* f = pb::Envelope::descriptor()->FindFieldByNumber(static_cast<int>(b));
  return f != nullptr ? f->name() : "unknown";
}

pb::Role to_proto(client_role r) {
  switch (r) {
    case client_role::gateway: return pb::ROLE_GATEWAY;
    case client_role::agent: return pb::ROLE_AGENT;
    case client_role::supervisor: return pb::ROLE_SUPERVISOR;
    default: return pb::ROLE_UNSPECIFIED;
  }
}

}  // namespace

engine::error client_connection::input_error(engine::error e) {
  if (e.code == storage::errors::corrupt_record)
    e.code = engine::errc::invalid_argument;
  return e;
}

client_connection::client_connection(edge_context& ctx, std::weak_ptr<transport> t,
                                     std::uint64_t id)
  : ctx_(ctx),
    transport_(std::move(t)),
    id_(id),
    worker_(boost::asio::make_strand(ctx.pool)) {
  ctx_.metrics.connection_opened(client_role::unauthenticated);
}

client_connection::~client_connection() = default;

// -- io strand --------------------------------------------------------------------------

void client_connection::on_frame(std::string data, bool text) {
  ctx_.metrics.frame_received();
  auto t = transport_.lock();
  if (!t || closed_)
    return;
  auto reject = [&](const std::string& rid, pb::ErrorCode code, std::string why) {
    ctx_.metrics.rejected(code);
    t->send(encode_frame(error_envelope(rid, code, std::move(why)), text), text);
    t->frame_done();
  };
  auto d = decode_frame(data, text);
  if (!d.ok()) {
    refused(d.error, d.why);
    return reject("", d.error, std::move(d.why));
  }
  const auto& rid = d.envelope.request_id();
  // Token bucket: `rate` frames per second, bursts up to `rate`.
  auto rate = static_cast<double>(std::max<std::uint32_t>(1, ctx_.opts.max_messages_per_second));
  auto now = ctx_.clock->steady();
  if (!refilled_) {
    tokens_ = rate;
  } else {
    tokens_ = std::min(rate, tokens_ + rate * std::chrono::duration<double>(now - *refilled_).count());
  }
  refilled_ = now;
  if (tokens_ < 1.0)
    return reject(rid, pb::RATE_LIMITED,
                  "more than " + std::to_string(ctx_.opts.max_messages_per_second) +
                    " messages per second");
  tokens_ -= 1.0;
  if (d.envelope.body_case() == pb::Envelope::BODY_NOT_SET) {
    std::string why = "the envelope carries no (known) message";
    refused(pb::UNKNOWN_MESSAGE, why);
    return reject(rid, pb::UNKNOWN_MESSAGE, std::move(why));
  }
  text_.store(text);
  post([self = shared_from_this(), r = request{std::move(d.envelope), text}, t]() mutable {
    self->dispatch(std::move(r));
    t->frame_done();
  });
}

void client_connection::refused(pb::ErrorCode code, std::string_view why) {
  // A client can send thousands of bad frames a second: rate-limited, and the
  // reason cut short (protobuf's JSON errors quote the input).
  constexpr std::size_t max_why = 200;
  auto label = code_label(code);
  ctx_.bad_input.log(spdlog::level::warn, label,
                     fmt::format("connection {}: frame refused ({}): {}{}", id_, label,
                                 why.substr(0, max_why), why.size() > max_why ? "..." : ""));
}

void client_connection::on_closed() {
  if (closed_)
    return;
  closed_ = true;
  post([self = shared_from_this()] { self->on_closed_worker(); });
}

// -- any thread ---------------------------------------------------------------------------

void client_connection::post(std::function<void()> task) {
  boost::asio::post(worker_, std::move(task));
}

void client_connection::push(const pb::Envelope& e) {
  if (auto t = transport_.lock()) {
    bool text = text_.load();
    t->send(encode_frame(e, text), text);
  }
}

void client_connection::shutdown_notice() {
  if (auto t = transport_.lock()) {
    bool text = text_.load();
    t->close(encode_frame(error_envelope("", pb::SHUTTING_DOWN, "the server is shutting down"),
                          text),
             text, "server shutting down");
  }
}

void client_connection::close(std::string reason) {
  if (auto t = transport_.lock())
    t->close("", text_.load(), std::move(reason));
}

// -- replies (worker strand) ------------------------------------------------------------------

void client_connection::reply(const request& r, pb::Envelope out) {
  out.set_request_id(r.env.request_id());
  if (auto t = transport_.lock())
    t->send(encode_frame(out, r.text), r.text);
}

void client_connection::ack(const request& r) {
  pb::Envelope out;
  out.mutable_ack();
  reply(r, std::move(out));
}

void client_connection::fail(const request& r, pb::ErrorCode code, std::string message) {
  if (code >= 100)
    ctx_.metrics.rejected(code);
  else
    ctx_.metrics.request_failed(code);
  reply(r, error_envelope(r.env.request_id(), code, std::move(message)));
}

void client_connection::fail(const request& r, const engine::error& e) {
  fail(r, to_error_code(e.code), e.message);
}

void client_connection::answer(const request& r, const engine::status& s) {
  if (s)
    ack(r);
  else
    fail(r, s.err());
}

// -- dispatch (worker strand) ---------------------------------------------------------------

bool client_connection::allowed(Body b) const {
  switch (role_) {
    case client_role::gateway:
      return b == Body::kOpenContact || b == Body::kCustomerMessage || b == Body::kEndContact ||
             b == Body::kResumeContact || b == Body::kRateContact;
    case client_role::agent:
      return b == Body::kSetAvailability || b == Body::kAcceptOffer || b == Body::kDeclineOffer ||
             b == Body::kAgentMessage || b == Body::kTransferContact || b == Body::kWrapUp ||
             b == Body::kAgentStatsRequest || b == Body::kGetDecision;
    case client_role::supervisor:
      return b == Body::kDefineQueue || b == Body::kDefineAgent || b == Body::kSetPolicy ||
             b == Body::kMintAgentToken || b == Body::kSubscribeStats ||
             b == Body::kGetTranscript || b == Body::kGetDecision;
    default: return false;
  }
}

void client_connection::dispatch(request r) {
  if (gone_ || refused_)
    return;
  auto body = r.env.body_case();
  if (role_ == client_role::unauthenticated) {
    if (body != Body::kHello)
      return fail(r, pb::UNAUTHENTICATED, "the first message must be Hello");
    return handle_hello(r);
  }
  if (body == Body::kHello)
    return fail(r, pb::INVALID_ARGUMENT, "already authenticated");
  if (!allowed(body))
    return fail(r, pb::PERMISSION_DENIED,
                "a " + std::string{to_string(role_)} + " may not send " + body_name(body));
  switch (body) {
    case Body::kOpenContact: return open_contact(r);
    case Body::kCustomerMessage: return customer_message(r);
    case Body::kEndContact: return end_contact(r);
    case Body::kResumeContact: return resume_contact(r);
    case Body::kRateContact: return rate_contact(r);
    case Body::kSetAvailability: return set_availability(r);
    case Body::kAcceptOffer: return accept_offer(r);
    case Body::kDeclineOffer: return decline_offer(r);
    case Body::kAgentMessage: return agent_message(r);
    case Body::kTransferContact: return transfer_contact(r);
    case Body::kWrapUp: return wrap_up(r);
    case Body::kAgentStatsRequest: return agent_stats(r);
    case Body::kDefineQueue: return define_queue(r);
    case Body::kDefineAgent: return define_agent(r);
    case Body::kSetPolicy: return set_policy(r);
    case Body::kMintAgentToken: return mint_token(r);
    case Body::kSubscribeStats: return subscribe_stats(r);
    case Body::kGetTranscript: return get_transcript(r);
    case Body::kGetDecision: return get_decision(r);
    default: return fail(r, pb::UNKNOWN_MESSAGE, "unexpected " + body_name(body));
  }
}

void client_connection::on_closed_worker() {
  if (gone_)
    return;
  gone_ = true;
  ctx_.metrics.connection_closed(role_);
  if (role_ == client_role::agent) {
    // The node takes over: no new offers, and its work is released unless the
    // agent logs in again within the node's grace period.
    auto presence = ctx_.router->presence();
    if (ctx_.router->detach_agent(tenant_, agent_, this))
      if (auto s = ctx_.n.agent_disconnected(tenant_, agent_);
          !s && s.code() != engine::errc::agent_offline)
        ctx_.log->warn("[{}] agent {} disconnected: {}", tenant_, agent_, s.err().message);
  } else if (role_ == client_role::gateway) {
    // Its customers are absent now; unless a connection resumes their contacts
    // within the node's customer grace period, they have left.
    auto presence = ctx_.router->presence();
    for (const auto& c : ctx_.router->detach_gateway(tenant_, this))
      if (auto s = ctx_.n.customer_disconnected(tenant_, c);
          !s && s.code() != engine::errc::unknown_contact)
        ctx_.log->warn("[{}/{}] customer disconnected: {}", tenant_, c, s.err().message);
  }
}

void client_connection::handle_hello(const request& r) {
  const auto& h = r.env.hello();
  switch (h.role()) {
    case pb::ROLE_GATEWAY:
    case pb::ROLE_SUPERVISOR: {
      if (h.tenant().empty() || !ctx_.keys.verify(h.tenant(), h.api_key()))
        return refuse(r, pb::UNAUTHENTICATED, "bad API key for tenant '" + h.tenant() + "'");
      tenant_ = h.tenant();
      role_ = h.role() == pb::ROLE_GATEWAY ? client_role::gateway : client_role::supervisor;
      ctx_.metrics.role_changed(client_role::unauthenticated, role_);
      ctx_.log->debug("connection {}: {} of tenant {}", id_, to_string(role_), tenant_);
      return welcome(r, false, {});
    }
    case pb::ROLE_AGENT: return agent_hello(r);
    default: return refuse(r, pb::UNAUTHENTICATED, "Hello needs a role");
  }
}

void client_connection::refuse(const request& r, pb::ErrorCode code, std::string why) {
  ctx_.metrics.rejected(code);
  ctx_.log->info("connection {}: hello refused: {}", id_, why);
  if (auto t = transport_.lock())
    t->close(encode_frame(error_envelope(r.env.request_id(), code, std::move(why)), r.text),
             r.text, "authentication failed");
  refused_ = true;  // nothing else from this connection is handled
}

void client_connection::welcome(const request& r, bool resumed,
                                const std::vector<held_binding>& held) {
  pb::Envelope out;
  auto* w = out.mutable_welcome();
  w->set_role(to_proto(role_));
  w->set_tenant(tenant_);
  w->set_agent(agent_);
  w->set_server_time_ms(ctx_.clock->wall());
  w->set_resumed(resumed);
  for (const auto& h : held)
    if (!fill_resumed(h.contact, w->add_contacts(), true))
      w->mutable_contacts()->RemoveLast();  // ended meanwhile
  reply(r, std::move(out));
}

// -- resume --------------------------------------------------------------------------------------

void client_connection::fill_transcript(const std::string& contact,
                                        const std::vector<chat_line>& lines,
                                        google::protobuf::RepeatedPtrField<pb::ChatLine>* out) {
  // A line whose event is still on its way to this connection was committed
  // before the transcript was read: only the last few can be in flight.
  constexpr std::size_t racing = 32;
  auto& seen = resumed_lines_[contact];
  seen.clear();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    auto* x = out->Add();
    x->set_contact_id(contact);
    x->set_from(l.agent.empty() ? "customer" : "agent");
    x->set_text(l.text);
    x->set_at_ms(l.at);
    if (lines.size() - i <= racing)
      seen.emplace(l.at, l.text);
  }
  if (seen.empty())
    resumed_lines_.erase(contact);
}

bool client_connection::fill_resumed(const std::string& contact, pb::ResumedContact* out,
                                     bool with_customer) {
  auto c = ctx_.n.find_contact(tenant_, contact);
  if (!c || engine::is_terminal(c->state))
    return false;
  out->set_contact_id(c->id);
  out->set_state(storage::to_proto(c->state));
  out->set_queue(c->queue);
  out->set_position(-1);
  if (!c->agent.empty()) {
    out->set_agent(c->agent);
    out->set_agent_name(ctx_.router->agent_name(tenant_, c->agent));
  }
  if (c->state == engine::contact_state::queued) {
    if (auto p = ctx_.n.position(tenant_, c->id))
      out->set_position(*p);
    out->set_estimated_wait_ms(ctx_.router->estimated_wait(tenant_, c->queue));
  }
  out->set_channel(storage::to_proto(c->ch));
  out->set_intent(c->intent);
  for (const auto& j : c->journey)
    out->add_journey(j);
  for (const auto& [k, v] : c->attached) {
    auto* a = out->add_attached();
    a->set_key(k);
    a->set_value(v);
  }
  if (with_customer && !c->customer.empty())
    if (auto p = ctx_.n.find_customer(tenant_, c->customer))
      *out->mutable_customer() = storage::to_proto(*p);
  // Nothing said yet is no error: the node journals lines only once there are any.
  if (auto lines = ctx_.n.transcript(tenant_, c->id))
    fill_transcript(c->id, *lines, out->mutable_transcript());
  return true;
}

// -- pushes ---------------------------------------------------------------------------------

void client_connection::deliver_contact_update(const event& e) {
  if (gone_)
    return;
  pb::Envelope out;
  auto* u = out.mutable_contact_update();
  *u = contact_update(e);
  if (e.state == engine::contact_state::queued) {
    if (auto p = ctx_.n.position(e.tenant, e.contact))
      u->set_position(*p);
    u->set_estimated_wait_ms(ctx_.router->estimated_wait(e.tenant, e.queue));
  }
  if (!u->agent().empty())
    u->set_agent_name(ctx_.router->agent_name(e.tenant, u->agent()));
  push(out);
}

void client_connection::deliver_agent_update(const std::string& contact,
                                             const std::string& what,
                                             engine::contact_state state,
                                             const std::string& detail) {
  if (gone_)
    return;
  pb::Envelope out;
  auto* u = out.mutable_agent_update();
  u->set_contact_id(contact);
  u->set_event(what);
  if (!contact.empty())
    u->set_state(storage::to_proto(state));
  u->set_detail(detail);
  push(out);
}

void client_connection::deliver_chat_line(const std::string& contact, const std::string& from,
                                          const std::string& text, engine::time_ms at) {
  if (gone_)
    return;
  if (auto i = resumed_lines_.find(contact); i != resumed_lines_.end()) {
    if (auto l = i->second.find({at, text}); l != i->second.end()) {
      i->second.erase(l);  // shown in the transcript of the resume already
      return;
    }
  }
  pb::Envelope out;
  auto* l = out.mutable_chat_line();
  l->set_contact_id(contact);
  l->set_from(from);
  l->set_text(text);
  l->set_at_ms(at);
  push(out);
}

}  // namespace switchboard::net::internal