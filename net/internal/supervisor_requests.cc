// The requests of a supervisor's connection: queue and agent definitions, routing
// policy, agent tokens, the stats feed, transcripts and routing decisions (which
// an agent may read too, of its own offers).
#include <algorithm>

#include "net/internal/builders.h"
#include "net/internal/client_connection.h"
#include "storage/codecs.h"

namespace switchboard::net::internal {

void client_connection::define_queue(const request& r) {
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

void client_connection::define_agent(const request& r) {
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

void client_connection::set_policy(const request& r) {
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

void client_connection::mint_token(const request& r) {
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

void client_connection::subscribe_stats(const request& r) {
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

void client_connection::get_transcript(const request& r) {
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

namespace {

/// GetDecision's limit when the client gives none, and the most it may ask for.
constexpr std::uint32_t default_decisions = 20;
constexpr std::uint32_t max_decisions = 100;

}  // namespace

void client_connection::get_decision(const request& r) {
  const auto& m = r.env.get_decision();
  const auto& id = m.contact_id();
  if (!engine::valid_id(id))
    return fail(r, pb::INVALID_ARGUMENT,
                "GetDecision: contact_id '" + id.substr(0, 40) +
                  "' is not an id (1..128 printable ASCII characters, no '/')");
  auto limit = m.limit() == 0 ? default_decisions : std::min(m.limit(), max_decisions);
  // An agent sees only the decisions that offered the contact to it; the node is
  // asked for the most it gives, so that others' later offers do not crowd them out.
  const bool agent = role_ == client_role::agent;
  auto d = ctx_.n.decisions(tenant_, id, agent ? max_decisions : limit);
  if (!d)
    return fail(r, d.err());
  if (agent) {
    std::erase_if(d->decisions, [&](const auto& x) { return x.agent != agent_; });
    if (d->decisions.empty())
      return fail(r, pb::UNKNOWN_CONTACT,
                  "contact '" + id + "' was never offered to agent " + agent_);
    d->keep_last(limit);
  }
  pb::Envelope out;
  auto* x = out.mutable_decisions();
  x->set_contact_id(id);
  x->set_epoch(d->epoch);
  for (const auto& one : d->decisions)
    *x->add_decisions() = storage::to_proto(one);
  reply(r, std::move(out));
}

}  // namespace switchboard::net::internal
