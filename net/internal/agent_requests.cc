// The requests of an agent's connection: its Hello (token, revocation, login,
// resume), offers, availability, chat lines, wrap-up, its statistics, and the
// offers pushed to it.
#include <vector>

#include "net/codec.h"
#include "net/internal/builders.h"
#include "net/internal/client_connection.h"
#include "storage/codecs.h"

namespace switchboard::net::internal {

void client_connection::agent_hello(const request& r) {
  const auto& h = r.env.hello();
  auto v = ctx_.tokens.verify(h.agent_token(), ctx_.clock->wall());
  if (v.error == token_error::forged)
    return refuse(r, pb::UNAUTHENTICATED, "invalid agent token");
  if (!h.tenant().empty() && h.tenant() != v.claims.tenant)
    return refuse(r, pb::UNAUTHENTICATED,
                  "the agent token is not for tenant '" + h.tenant() + "'");
  if (v.error == token_error::expired)
    return refuse(r, pb::TOKEN_EXPIRED, "the agent token expired");
  // Revocation: a token is only as good as the tenant's place in the config
  // and the agent's definition in the node, checked at every Hello.
  if (!ctx_.keys.has(v.claims.tenant))
    return refuse(r, pb::UNAUTHENTICATED,
                  "tenant removed: '" + v.claims.tenant + "' is not configured on this node");
  auto info = ctx_.n.find_agent(v.claims.tenant, v.claims.agent);
  if (!info) {
    if (info.code() == engine::errc::unknown_tenant)
      return refuse(r, pb::UNAUTHENTICATED,
                    "tenant removed: '" + v.claims.tenant + "' is not defined on this node");
    if (info.code() == engine::errc::unknown_agent)
      return refuse(r, pb::UNAUTHENTICATED, "agent removed: '" + v.claims.agent +
                                              "' is not defined in tenant " + v.claims.tenant);
    return refuse(r, to_error_code(info.code()), info.err().message);
  }
  tenant_ = v.claims.tenant;
  agent_ = v.claims.agent;
  // The contacts it holds (connected or in wrap-up) come back to it whatever
  // else happens: a fresh login still holds them.
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
      (void) ctx_.n.logout(tenant_, agent_);  // a fresh login: held offers go back first
    // Logging in ends the node's grace period (and is a no-op when logged in).
    auto s = ctx_.n.login(tenant_, agent_);
    if (s && !a.resumed)
      s = ctx_.n.set_away(tenant_, agent_, false);
    if (!s) {
      ctx_.router->drop_agent(tenant_, agent_, this);
      auto e = s.err();
      return refuse(r, to_error_code(e.code), "login of agent " + agent_ + ": " + e.message);
    }
  }
  role_ = client_role::agent;
  ctx_.metrics.role_changed(client_role::unauthenticated, role_);
  ctx_.log->info("[{}] agent {} connected (connection {}{}, {} contacts held)", tenant_,
                 agent_, id_, a.resumed ? ", resumed" : "", held.size());
  welcome(r, a.resumed, held);
  for (const auto& o : a.offers)
    deliver_offer(o);
}

void client_connection::accept_offer(const request& r) {
  const auto& m = r.env.accept_offer();
  auto s = ctx_.n.accept(tenant_, agent_, m.contact_id(), m.offer_id());
  if (s)
    ctx_.router->accepted(tenant_, agent_, m.contact_id());
  answer(r, s);
}

void client_connection::decline_offer(const request& r) {
  const auto& m = r.env.decline_offer();
  answer(r, ctx_.n.decline(tenant_, agent_, m.contact_id(), m.offer_id()));
}

void client_connection::transfer_contact(const request& r) {
  const auto& m = r.env.transfer_contact();
  answer(r, ctx_.n.transfer(tenant_, agent_, m.contact_id(), m.to_queue()));
}

void client_connection::set_availability(const request& r) {
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

void client_connection::agent_message(const request& r) {
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

void client_connection::wrap_up(const request& r) {
  const auto& m = r.env.wrap_up();
  if (!m.has_outcome())
    return answer(r, ctx_.n.wrap_up(tenant_, agent_, m.contact_id()));
  auto o = storage::from_proto(m.outcome());
  if (!o)
    return fail(r, input_error(o.err()));
  // The node ignores the outcome's CSAT and tip: those are the customer's (`rate`).
  answer(r, ctx_.n.complete(tenant_, agent_, m.contact_id(), *o));
}

void client_connection::agent_stats(const request& r) {
  auto a = ctx_.n.find_agent(tenant_, agent_);
  if (!a)
    return fail(r, a.err());
  pb::Envelope out;
  *out.mutable_agent_stats() = internal::agent_stats(*a);
  reply(r, std::move(out));
}

void client_connection::deliver_offer(const offer_info& o) {
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
  // The event brought the contact and its customer: no call to the node (on a
  // node that does not own the tenant, each would be a round trip to the owner).
  const auto& c = o.offered;
  if (c.id == o.contact) {
    m->set_channel(storage::to_proto(c.ch));
    m->set_intent(c.intent);
    m->set_language(c.language);
    for (const auto& j : c.journey)
      m->add_journey(j);
    for (const auto& [k, v] : c.attached) {
      auto* a = m->add_attached();
      a->set_key(k);
      a->set_value(v);
    }
    if (!c.customer.empty() && o.customer.id == c.customer)
      *m->mutable_customer() = storage::to_proto(o.customer);
  }
  push(out);
}

}  // namespace switchboard::net::internal
