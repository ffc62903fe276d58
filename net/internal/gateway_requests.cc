// The requests of a gateway's connection (the customers' side): open, resume,
// end and rate contacts, and the customers' chat lines.
#include "net/internal/client_connection.h"
#include "storage/codecs.h"

namespace switchboard::net::internal {

void client_connection::open_contact(const request& r) {
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
  // The profile the gateway knows: the hints that are set override what the node
  // has; the rest (history, last agent) is kept (engine::apply_hints, on the owner).
  engine::customer_profile hints;
  if (m.has_customer()) {
    const auto& h = m.customer();
    hints.tier = h.tier();
    hints.arpu = h.arpu();
    hints.segments.assign(h.segments().begin(), h.segments().end());
    hints.region = h.region();
    hints.account_manager = h.account_manager();
    hints.complaint_risk = h.complaint_risk();
    hints.purchase_intents.assign(h.purchase_intents().begin(), h.purchase_intents().end());
  }
  hints.language = m.language();
  if (!ctx_.router->open_contact(tenant_, c.id, shared_from_this()))
    return fail(r, pb::DUPLICATE_ID, "contact '" + c.id + "' is already live");
  auto id = c.id;
  auto ack = ctx_.n.open_contact(std::move(c), hints);
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

void client_connection::customer_message(const request& r) {
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

void client_connection::end_contact(const request& r) {
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

void client_connection::resume_contact(const request& r) {
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

void client_connection::rate_contact(const request& r) {
  const auto& m = r.env.rate_contact();
  if (m.csat() < 1 || m.csat() > 5)
    return fail(r, pb::INVALID_ARGUMENT, "RateContact: csat must be 1..5");
  if (!(m.tip() >= 0))
    return fail(r, pb::INVALID_ARGUMENT, "RateContact: tip must be a number >= 0");
  answer(r, ctx_.n.rate(tenant_, m.contact_id(), m.csat(), m.tip()));
}

}  // namespace switchboard::net::internal
