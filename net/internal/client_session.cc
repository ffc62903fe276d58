#include "net/internal/client_session.h"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "net/codec.h"
#include "net/internal/builders.h"
#include "storage/codecs.h"

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

/// Storage codecs report bad enums as corrupt records; from a client that is bad input.
engine::error input_error(engine::error e) {
  if (e.code == engine::errc::corrupt_record)
    e.code = engine::errc::invalid_argument;
  return e;
}

}  // namespace

client_session::client_session(edge_context& ctx, std::weak_ptr<transport> t, std::uint64_t id)
  : ctx_(ctx),
    transport_(std::move(t)),
    id_(id),
    worker_(boost::asio::make_strand(ctx.pool)) {
  ctx_.metrics.connection_opened(client_role::unauthenticated);
}

client_session::~client_session() = default;

// -- io strand --------------------------------------------------------------------------

void client_session::on_frame(std::string data, bool text) {
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
  if (!d.ok())
    return reject("", d.error, std::move(d.why));
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
  if (d.envelope.body_case() == pb::Envelope::BODY_NOT_SET)
    return reject(rid, pb::UNKNOWN_MESSAGE, "the envelope carries no (known) message");
  text_.store(text);
  post([self = shared_from_this(), r = request{std::move(d.envelope), text}, t]() mutable {
    self->dispatch(std::move(r));
    t->frame_done();
  });
}

void client_session::on_closed() {
  if (closed_)
    return;
  closed_ = true;
  post([self = shared_from_this()] { self->on_closed_worker(); });
}

// -- any thread ---------------------------------------------------------------------------

void client_session::post(std::function<void()> task) {
  boost::asio::post(worker_, std::move(task));
}

void client_session::push(const pb::Envelope& e) {
  if (auto t = transport_.lock()) {
    bool text = text_.load();
    t->send(encode_frame(e, text), text);
  }
}

void client_session::shutdown_notice() {
  if (auto t = transport_.lock()) {
    bool text = text_.load();
    t->close(encode_frame(error_envelope("", pb::SHUTTING_DOWN, "the server is shutting down"),
                          text),
             text, "server shutting down");
  }
}

void client_session::close(std::string reason) {
  if (auto t = transport_.lock())
    t->close("", text_.load(), std::move(reason));
}

// -- replies (worker strand) ------------------------------------------------------------------

void client_session::reply(const request& r, pb::Envelope out) {
  out.set_request_id(r.env.request_id());
  if (auto t = transport_.lock())
    t->send(encode_frame(out, r.text), r.text);
}

void client_session::ack(const request& r) {
  pb::Envelope out;
  out.mutable_ack();
  reply(r, std::move(out));
}

void client_session::fail(const request& r, pb::ErrorCode code, std::string message) {
  if (code >= 100)
    ctx_.metrics.rejected(code);
  else
    ctx_.metrics.request_failed(code);
  reply(r, error_envelope(r.env.request_id(), code, std::move(message)));
}

void client_session::fail(const request& r, const engine::error& e) {
  fail(r, to_error_code(e.code), e.message);
}

void client_session::answer(const request& r, const engine::status& s) {
  if (s)
    ack(r);
  else
    fail(r, s.err());
}

// -- dispatch (worker strand) ---------------------------------------------------------------

bool client_session::allowed(Body b) const {
  switch (role_) {
    case client_role::gateway:
      return b == Body::kOpenContact || b == Body::kCustomerMessage || b == Body::kEndContact ||
             b == Body::kResumeContact || b == Body::kRateContact;
    case client_role::agent:
      return b == Body::kSetAvailability || b == Body::kAcceptOffer || b == Body::kDeclineOffer ||
             b == Body::kAgentMessage || b == Body::kTransferContact || b == Body::kWrapUp ||
             b == Body::kAgentStatsRequest;
    case client_role::supervisor:
      return b == Body::kDefineQueue || b == Body::kDefineAgent || b == Body::kSetPolicy ||
             b == Body::kMintAgentToken || b == Body::kSubscribeStats ||
             b == Body::kGetTranscript;
    default: return false;
  }
}

void client_session::dispatch(request r) {
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
  const auto& e = r.env;
  switch (body) {
    case Body::kOpenContact: return open_contact(r);
    case Body::kCustomerMessage: return customer_message(r);
    case Body::kEndContact: return end_contact(r);
    case Body::kResumeContact: return resume_contact(r);
    case Body::kRateContact: return rate_contact(r);
    case Body::kSetAvailability: return set_availability(r);
    case Body::kAcceptOffer: {
      const auto& contact = e.accept_offer().contact_id();
      auto s = ctx_.n.accept(tenant_, agent_, contact, e.accept_offer().offer_id());
      if (s)
        ctx_.router->accepted(tenant_, agent_, contact);
      return answer(r, s);
    }
    case Body::kDeclineOffer:
      return answer(r, ctx_.n.decline(tenant_, agent_, e.decline_offer().contact_id(),
                                      e.decline_offer().offer_id()));
    case Body::kAgentMessage: return agent_message(r);
    case Body::kTransferContact:
      return answer(r, ctx_.n.transfer(tenant_, agent_, e.transfer_contact().contact_id(),
                                       e.transfer_contact().to_queue()));
    case Body::kWrapUp: return wrap_up(r);
    case Body::kAgentStatsRequest: return agent_stats(r);
    case Body::kDefineQueue: return define_queue(r);
    case Body::kDefineAgent: return define_agent(r);
    case Body::kSetPolicy: return set_policy(r);
    case Body::kMintAgentToken: return mint_token(r);
    case Body::kSubscribeStats: return subscribe_stats(r);
    case Body::kGetTranscript: return get_transcript(r);
    default: return fail(r, pb::UNKNOWN_MESSAGE, "unexpected " + body_name(body));
  }
}

void client_session::on_closed_worker() {
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

void client_session::handle_hello(const request& r) {
  const auto& h = r.env.hello();
  auto refuse = [&](pb::ErrorCode code, std::string why) {
    ctx_.metrics.rejected(code);
    ctx_.log->info("connection {}: hello refused: {}", id_, why);
    if (auto t = transport_.lock())
      t->close(encode_frame(error_envelope(r.env.request_id(), code, std::move(why)), r.text),
               r.text, "authentication failed");
    refused_ = true;  // nothing else from this connection is handled
  };
  auto welcome = [&](bool resumed, const std::vector<held_binding>& held) {
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
  };
  switch (h.role()) {
    case pb::ROLE_GATEWAY:
    case pb::ROLE_SUPERVISOR: {
      if (h.tenant().empty() || !ctx_.keys.verify(h.tenant(), h.api_key()))
        return refuse(pb::UNAUTHENTICATED, "bad API key for tenant '" + h.tenant() + "'");
      tenant_ = h.tenant();
      role_ = h.role() == pb::ROLE_GATEWAY ? client_role::gateway : client_role::supervisor;
      ctx_.metrics.role_changed(client_role::unauthenticated, role_);
      ctx_.log->debug("connection {}: {} of tenant {}", id_, to_string(role_), tenant_);
      return welcome(false, {});
    }
    case pb::ROLE_AGENT: {
      auto v = ctx_.tokens.verify(h.agent_token(), ctx_.clock->wall());
      if (v.error == token_error::forged)
        return refuse(pb::UNAUTHENTICATED, "invalid agent token");
      if (!h.tenant().empty() && h.tenant() != v.claims.tenant)
        return refuse(pb::UNAUTHENTICATED, "the agent token is not for tenant '" + h.tenant() + "'");
      if (v.error == token_error::expired)
        return refuse(pb::TOKEN_EXPIRED, "the agent token expired");
      // Revocation: a token is only as good as the tenant's place in the config
      // and the agent's definition in the node, checked at every Hello.
      if (!ctx_.keys.has(v.claims.tenant))
        return refuse(pb::UNAUTHENTICATED, "tenant removed: '" + v.claims.tenant +
                                             "' is not configured on this node");
      auto info = ctx_.n.find_agent(v.claims.tenant, v.claims.agent);
      if (!info) {
        if (info.code() == engine::errc::unknown_tenant)
          return refuse(pb::UNAUTHENTICATED, "tenant removed: '" + v.claims.tenant +
                                               "' is not defined on this node");
        if (info.code() == engine::errc::unknown_agent)
          return refuse(pb::UNAUTHENTICATED, "agent removed: '" + v.claims.agent +
                                               "' is not defined in tenant " + v.claims.tenant);
        return refuse(to_error_code(info.code()), info.err().message);
      }
      tenant_ = v.claims.tenant;
      agent_ = v.claims.agent;
      // The contacts it holds (connected or in wrap-up) come back to it whatever
      // else happens: a fresh session still holds them.
      std::vector<held_binding> held;
      for (const auto& c : info->held)
        if (c.state == engine::contact_state::connected ||
            c.state == engine::contact_state::wrap_up)
          held.push_back({c.contact, c.state});
      event_router::attach_result a;
      {
        auto presence = ctx_.router->presence();
        a = ctx_.router->attach_agent(tenant_, agent_, shared_from_this(), h.resume(), held,
                                      info->disconnected);
        if (a.replaced)
          a.replaced->close("another connection of agent " + agent_ + " took over");
        if (a.restart)
          (void) ctx_.n.logout(tenant_, agent_);  // a fresh session: held offers go back first
        // Logging in ends the node's grace period (and is a no-op when logged in).
        auto s = ctx_.n.login(tenant_, agent_);
        if (s && !a.resumed)
          s = ctx_.n.set_away(tenant_, agent_, false);
        if (!s) {
          ctx_.router->drop_agent(tenant_, agent_, this);
          auto e = s.err();
          return refuse(to_error_code(e.code), "login of agent " + agent_ + ": " + e.message);
        }
      }
      role_ = client_role::agent;
      ctx_.metrics.role_changed(client_role::unauthenticated, role_);
      ctx_.log->info("[{}] agent {} connected (connection {}{}, {} contacts held)", tenant_,
                     agent_, id_, a.resumed ? ", resumed" : "", held.size());
      welcome(a.resumed, held);
      for (const auto& o : a.offers)
        deliver_offer(o);
      return;
    }
    default: return refuse(pb::UNAUTHENTICATED, "Hello needs a role");
  }
}

// -- gateway ----------------------------------------------------------------------------------

void client_session::open_contact(const request& r) {
  const auto& m = r.env.open_contact();
  engine::contact c;
  c.tenant = tenant_;
  c.id = m.contact_id().empty() ? "ct-" + random_secret(9) : m.contact_id();
  auto ch = storage::channel_from_proto(m.channel(), "OpenContact.channel");
  if (!ch)
    return fail(r, pb::INVALID_ARGUMENT, "OpenContact: a channel is required (e.g. CHANNEL_CHAT)");
  c.ch = *ch;
  c.customer = m.customer_id();
  c.intent = m.intent();
  c.language = m.language();
  c.priority = m.priority();
  c.queue = m.queue();
  for (const auto& a : m.attached())
    c.attached.emplace_back(a.key(), a.value());
  if (m.media_size() > 0) {
    std::string media;
    for (const auto& x : m.media())
      media += (media.empty() ? "" : ",") + x;
    c.attached.emplace_back("media", std::move(media));
  }
  if (!m.display_name().empty())
    c.attached.emplace_back("display_name", m.display_name());
  c.journey.assign(m.journey().begin(), m.journey().end());
  if (auto s = engine::validate_new_contact(c); !s)
    return fail(r, s.err());
  if (!c.customer.empty()) {
    // The profile the gateway knows: hints that are set override what the node
    // has; the rest (history, last agent) is kept.
    auto known = ctx_.n.find_customer(tenant_, c.customer);
    if (!known && known.code() != engine::errc::unknown_customer)
      return fail(r, known.err());
    engine::customer_profile p;
    if (known) {
      p = *known;
    } else {
      p.tenant = tenant_;
      p.id = c.customer;
    }
    bool changed = !known;
    if (m.has_customer()) {
      const auto& h = m.customer();
      changed = true;
      if (h.tier() != 0)
        p.tier = h.tier();
      if (h.arpu() != 0)
        p.arpu = h.arpu();
      if (h.segments_size() > 0)
        p.segments.assign(h.segments().begin(), h.segments().end());
      if (!h.region().empty())
        p.region = h.region();
      if (!h.account_manager().empty())
        p.account_manager = h.account_manager();
      if (h.complaint_risk() != 0)
        p.complaint_risk = h.complaint_risk();
      if (h.purchase_intents_size() > 0)
        p.purchase_intents.assign(h.purchase_intents().begin(), h.purchase_intents().end());
    }
    if (!m.language().empty() && p.language != m.language()) {
      p.language = m.language();
      changed = true;
    }
    if (changed)
      if (auto s = ctx_.n.upsert_customer(p); !s)
        return fail(r, s.err());
    c.segment = std::string{p.primary_segment()};
  }
  if (!ctx_.router->open_contact(tenant_, c.id, shared_from_this()))
    return fail(r, pb::DUPLICATE_ID, "contact '" + c.id + "' is already live");
  auto id = c.id;
  auto ack = ctx_.n.submit(std::move(c));
  if (!ack) {
    ctx_.router->forget_contact(tenant_, id);
    return fail(r, ack.err());
  }
  pb::Envelope out;
  auto* o = out.mutable_contact_opened();
  o->set_contact_id(ack->contact);
  o->set_seq(ack->seq);
  o->set_enqueued_ms(ack->enqueued_at);
  o->set_resume_token(ctx_.tokens.mint_resume(tenant_, ack->contact));
  reply(r, std::move(out));
}

void client_session::customer_message(const request& r) {
  const auto& m = r.env.customer_message();
  auto v = ctx_.router->find_contact(tenant_, m.contact_id());
  if (v.known && v.agent.empty())
    return fail(r, pb::NOT_CONNECTED, "contact '" + m.contact_id() + "' has no agent yet");
  // Journaled with the contact before the ack; the agent gets it through the
  // node's `message` event, or in the transcript when it resumes.
  ctx_.router->posting(tenant_, m.contact_id(), true, m.text());
  auto s = ctx_.n.post_message(tenant_, m.contact_id(), "", m.text(), m.client_msg_id());
  if (!s)
    ctx_.router->post_failed(tenant_, m.contact_id(), true, m.text());
  answer(r, s);
}

void client_session::end_contact(const request& r) {
  const auto& m = r.env.end_contact();
  if (m.csat() < 0 || m.csat() > 5)
    return fail(r, pb::INVALID_ARGUMENT, "EndContact: csat must be 0..5");
  if (m.csat() > 0) {
    // The customer's rating, journaled first; one given before (RateContact) stands.
    auto s = ctx_.n.rate(tenant_, m.contact_id(), m.csat(), 0);
    if (!s && s.code() != engine::errc::duplicate_id)
      return fail(r, s.err());
  }
  // The agent hears it from the node's wrap_up event ("customer_left").
  auto reason = m.reason().empty() ? std::string{"customer_left"} : m.reason();
  answer(r, ctx_.n.end_contact(tenant_, m.contact_id(), reason));
}

void client_session::resume_contact(const request& r) {
  const auto& m = r.env.resume_contact();
  // The token proves the contact; the router may not know it (a node restart).
  if (m.contact_id().empty() ||
      !ctx_.tokens.verify_resume(tenant_, m.contact_id(), m.resume_token()))
    return fail(r, pb::UNAUTHENTICATED,
                "ResumeContact: invalid resume token for contact '" + m.contact_id() + "'");
  auto c = ctx_.n.find_contact(tenant_, m.contact_id());
  if (!c)
    return fail(r, c.err());
  if (engine::is_terminal(c->state))
    return fail(r, pb::UNKNOWN_CONTACT, "contact '" + m.contact_id() + "' has ended");
  {
    auto presence = ctx_.router->presence();
    ctx_.router->bind_gateway(tenant_, c->id, shared_from_this(), c->agent, c->state);
    if (auto s = ctx_.n.customer_reconnected(tenant_, c->id); !s)
      return fail(r, s.err());
  }
  pb::Envelope out;
  if (!fill_resumed(c->id, out.mutable_resumed_contact(), false))
    return fail(r, pb::UNKNOWN_CONTACT, "contact '" + m.contact_id() + "' has ended");
  reply(r, std::move(out));
}

void client_session::rate_contact(const request& r) {
  const auto& m = r.env.rate_contact();
  if (m.csat() < 1 || m.csat() > 5)
    return fail(r, pb::INVALID_ARGUMENT, "RateContact: csat must be 1..5");
  if (!(m.tip() >= 0))
    return fail(r, pb::INVALID_ARGUMENT, "RateContact: tip must be a number >= 0");
  answer(r, ctx_.n.rate(tenant_, m.contact_id(), m.csat(), m.tip()));
}

// -- agent --------------------------------------------------------------------------------------

void client_session::set_availability(const request& r) {
  const auto& m = r.env.set_availability();
  if (m.capacity_size() > 0) {
    auto a = ctx_.n.find_agent(tenant_, agent_);
    if (!a)
      return fail(r, a.err());
    auto p = a->profile;
    for (const auto& cc : m.capacity()) {
      auto ch = storage::channel_from_proto(cc.channel(), "SetAvailability.capacity.channel");
      if (!ch)
        return fail(r, input_error(ch.err()));
      p.capacity[engine::index(*ch)] = {cc.max(), cc.exclusive()};
    }
    if (auto s = ctx_.n.define_agent(p); !s)
      return fail(r, s.err());
  }
  answer(r, ctx_.n.set_away(tenant_, agent_, !m.available()));
}

void client_session::agent_message(const request& r) {
  const auto& m = r.env.agent_message();
  if (!ctx_.router->serves(tenant_, agent_, m.contact_id()))
    return fail(r, pb::NOT_CONNECTED,
                "contact '" + m.contact_id() + "' is not connected with agent " + agent_);
  // Journaled first; the customer's connection (whichever holds the contact now)
  // gets it through the node's `message` event, or in the transcript on resume.
  ctx_.router->posting(tenant_, m.contact_id(), false, m.text());
  auto s = ctx_.n.post_message(tenant_, m.contact_id(), agent_, m.text(), m.client_msg_id());
  if (!s)
    ctx_.router->post_failed(tenant_, m.contact_id(), false, m.text());
  answer(r, s);
}

void client_session::wrap_up(const request& r) {
  const auto& m = r.env.wrap_up();
  if (!m.has_outcome())
    return answer(r, ctx_.n.wrap_up(tenant_, agent_, m.contact_id()));
  auto o = storage::from_proto(m.outcome());
  if (!o)
    return fail(r, input_error(o.err()));
  // The node ignores the outcome's CSAT and tip: those are the customer's (`rate`).
  answer(r, ctx_.n.complete(tenant_, agent_, m.contact_id(), *o));
}

void client_session::agent_stats(const request& r) {
  auto a = ctx_.n.find_agent(tenant_, agent_);
  if (!a)
    return fail(r, a.err());
  pb::Envelope out;
  *out.mutable_agent_stats() = internal::agent_stats(*a);
  reply(r, std::move(out));
}

// -- supervisor -----------------------------------------------------------------------------------

void client_session::define_queue(const request& r) {
  // Fields a client leaves out (proto3: zero) take the engine's defaults.
  pb::Queue m = r.env.define_queue().queue();
  const engine::queue_config d;
  if (m.channels_size() == 0)
    for (std::size_t c = 0; c < engine::channel_count; ++c)
      if (d.accepts(static_cast<engine::channel>(c)))
        m.add_channels(storage::to_proto(static_cast<engine::channel>(c)));
  if (m.service_level_target() == 0)
    m.set_service_level_target(d.sl_target);
  if (m.service_level_threshold_ms() == 0)
    m.set_service_level_threshold_ms(d.sl_threshold);
  if (m.offer_timeout_ms() == 0)
    m.set_offer_timeout_ms(d.offer_timeout);
  if (m.policy() == pb::ROUTING_POLICY_UNSPECIFIED)
    m.set_policy(storage::to_proto(d.policy));
  auto q = storage::from_proto(m);
  if (!q)
    return fail(r, input_error(q.err()));
  if (q->tenant.empty())
    q->tenant = tenant_;
  else if (q->tenant != tenant_)
    return fail(r, pb::CROSS_TENANT, "queue '" + q->id + "' names tenant '" + q->tenant +
                                       "'; this connection is of tenant " + tenant_);
  answer(r, ctx_.n.define_queue(*q));
}

void client_session::define_agent(const request& r) {
  pb::AgentProfile m = r.env.define_agent().agent();
  if (m.level() == pb::AGENT_LEVEL_UNSPECIFIED)
    m.set_level(storage::to_proto(engine::agent_profile{}.level));
  auto a = storage::from_proto(m);
  if (!a)
    return fail(r, input_error(a.err()));
  if (a->tenant.empty())
    a->tenant = tenant_;
  else if (a->tenant != tenant_)
    return fail(r, pb::CROSS_TENANT, "agent '" + a->id + "' names tenant '" + a->tenant +
                                       "'; this connection is of tenant " + tenant_);
  auto s = ctx_.n.define_agent(*a);
  if (s)
    ctx_.router->forget_agent_name(tenant_, a->id);
  answer(r, s);
}

void client_session::set_policy(const request& r) {
  const auto& m = r.env.set_policy();
  auto p = storage::policy_from_proto(m.policy(), "SetPolicy.policy");
  if (!p)
    return fail(r, input_error(p.err()));
  auto q = ctx_.n.find_queue(tenant_, m.queue());
  if (!q)
    return fail(r, q.err());
  q->policy = *p;
  answer(r, ctx_.n.define_queue(*q));
}

void client_session::mint_token(const request& r) {
  const auto& m = r.env.mint_agent_token();
  auto a = ctx_.n.find_agent(tenant_, m.agent());
  if (!a)
    return fail(r, a.err());
  auto ttl = m.ttl_s() == 0 ? ctx_.opts.default_token_ttl.count() : m.ttl_s();
  if (ttl < 0 || ttl > ctx_.opts.max_token_ttl.count())
    return fail(r, pb::INVALID_ARGUMENT,
                "MintAgentToken: ttl_s must be 0..." + std::to_string(ctx_.opts.max_token_ttl.count()));
  agent_claims c{tenant_, m.agent(), ctx_.clock->wall() + ttl * 1000};
  pb::Envelope out;
  auto* t = out.mutable_agent_token();
  t->set_agent(c.agent);
  t->set_token(ctx_.tokens.mint(c));
  t->set_expires_ms(c.expires_ms);
  reply(r, std::move(out));
}

void client_session::subscribe_stats(const request& r) {
  auto ms = r.env.subscribe_stats().interval_ms();
  if (ms < 0)
    return fail(r, pb::INVALID_ARGUMENT, "SubscribeStats: interval_ms must not be negative");
  auto interval = ms == 0 ? ctx_.opts.default_stats_interval
                          : std::chrono::milliseconds(std::clamp<std::int64_t>(ms, 50, 60000));
  ctx_.router->subscribe_stats(tenant_, shared_from_this(), interval);
  ack(r);
  if (auto s = ctx_.n.stats(tenant_)) {
    pb::Envelope out;
    *out.mutable_stats_update() = stats_update(*s, ctx_.clock->wall());
    push(out);
  }
}

void client_session::get_transcript(const request& r) {
  const auto& id = r.env.get_transcript().contact_id();
  auto lines = ctx_.n.transcript(tenant_, id);
  if (!lines)
    return fail(r, lines.err());
  pb::Envelope out;
  auto* t = out.mutable_transcript();
  t->set_contact_id(id);
  for (const auto& l : *lines) {
    auto* x = t->add_lines();
    x->set_contact_id(id);
    x->set_from(l.agent.empty() ? "customer" : "agent");
    x->set_text(l.text);
    x->set_at_ms(l.at);
  }
  reply(r, std::move(out));
}

// -- resume --------------------------------------------------------------------------------------

void client_session::fill_transcript(const std::string& contact,
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

bool client_session::fill_resumed(const std::string& contact, pb::ResumedContact* out,
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

// -- pushes ------------------------------------------------------------------------------------------

void client_session::deliver_contact_update(const event& e) {
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

void client_session::deliver_offer(const offer_info& o) {
  if (gone_ || role_ != client_role::agent)
    return;
  // Answered, expired or withdrawn while this task waited: nothing to show.
  if (!ctx_.router->offer_pending(tenant_, agent_, o.contact, o.offer_id))
    return;
  pb::Envelope out;
  auto* m = out.mutable_offer();
  m->set_contact_id(o.contact);
  m->set_offer_id(o.offer_id);
  m->set_deadline_ms(o.deadline);
  m->set_queue(o.queue);
  if (!o.decision.agent.empty())
    *m->mutable_decision() = storage::to_proto(o.decision);
  if (auto c = ctx_.n.find_contact(tenant_, o.contact)) {
    m->set_channel(storage::to_proto(c->ch));
    m->set_intent(c->intent);
    m->set_language(c->language);
    for (const auto& j : c->journey)
      m->add_journey(j);
    for (const auto& [k, v] : c->attached) {
      auto* a = m->add_attached();
      a->set_key(k);
      a->set_value(v);
    }
    if (!c->customer.empty())
      if (auto p = ctx_.n.find_customer(tenant_, c->customer))
        *m->mutable_customer() = storage::to_proto(*p);
  }
  push(out);
}

void client_session::deliver_agent_update(const std::string& contact, const std::string& what,
                                          engine::contact_state state, const std::string& detail) {
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

void client_session::deliver_chat_line(const std::string& contact, const std::string& from,
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
