#include <algorithm>
#include <utility>

#include "actors/internal/cluster_router_impl.h"
#include "engine/queue_stats.h"

// The node_api calls of cluster_router: each is the node's own request message,
// run here or sent to the owner of its domain (actors/internal/cluster_router_impl.h).
namespace switchboard::actors {

namespace {

/// One tenant's statistics from its domains' (each a tenant of the domain's id).
tenant_stats merge_stats(const std::string& tenant, std::vector<tenant_stats> parts) {
  tenant_stats out;
  out.tenant = tenant;
  double within = 0;
  double closed = 0;
  for (auto& p : parts) {
    out.waiting += p.waiting;
    out.offered += p.offered;
    out.connected += p.connected;
    out.routed += p.routed;
    out.completed += p.completed;
    out.abandoned += p.abandoned;
    out.offers_expired += p.offers_expired;
    for (auto& q : p.queues) {
      auto w = static_cast<double>(q.answered + q.abandoned);
      within += w * q.service_level;
      closed += w;
      out.queues.push_back(std::move(q));
    }
    for (auto& a : p.agents)
      out.agents.push_back(std::move(a));
    for (auto& a : p.alerts)
      out.alerts.push_back(std::move(a));
    for (auto& e : p.experiments)
      out.experiments.push_back(std::move(e));
    out.alerts_raised += p.alerts_raised;
    out.batch_offers += p.batch_offers;
    out.guarded_offers += p.guarded_offers;
  }
  // The most recent alerts of all domains, oldest first.
  std::stable_sort(out.alerts.begin(), out.alerts.end(),
                   [](const engine::risk_alert& a, const engine::risk_alert& b) { return a.at < b.at; });
  out.service_level = engine::service_level(within, closed);
  return out;
}

}  // namespace

// -- node_api: each call is the node's own request message, sent to the owner ----------
//
// A split tenant's calls go to one of its domains, each a tenant of the domain's id
// on its owner: by the queue, the agent or the contact the call is about.

engine::status cluster_router::define_queue(const engine::queue_config& q) {
  auto d = impl_->domains->queue_domain(q.tenant, q.id);
  if (auto st = impl_->domains->check_queue(d, q); !st.ok())
    return st;
  auto x = q;
  x.tenant = d;
  return impl_->routed<ok_atom>(d, define_queue_req{x},
                                [&] { return impl_->local.define_queue(x); });
}

engine::status cluster_router::define_agent(const engine::agent_profile& a) {
  auto d = impl_->domains->skills_domain(a);
  if (!d)
    return d.err();
  // An agent defined in one domain of a split tenant stays there: its state and
  // learned outcomes are that domain's.
  if (impl_->domains->split(a.tenant))
    for (const auto& other : impl_->domains_of(a.tenant)) {
      if (other == *d)
        continue;
      auto r = impl_->routed<agent_info>(other, find_agent_req{other, a.id},
                                         [&] { return impl_->local.find_agent(other, a.id); });
      if (r)
        return engine::make_error(engine::errc::invalid_argument,
                                  "agent " + a.id + " works in domain " + other +
                                    "; its new skills would place it in domain " + *d);
      if (r.code() != engine::errc::unknown_agent)
        return r.err();
    }
  auto x = a;
  x.tenant = *d;
  auto st = impl_->routed<ok_atom>(*d, define_agent_req{x},
                                   [&] { return impl_->local.define_agent(x); });
  if (st.ok())
    impl_->domains->note_agent(a.tenant, a.id, *d);
  return st;
}

engine::status cluster_router::upsert_customer(const engine::customer_profile& c) {
  // Every domain routes by the customer's profile.
  for (const auto& d : impl_->domains_of(c.tenant)) {
    auto x = c;
    x.tenant = d;
    auto st = impl_->routed<ok_atom>(d, upsert_customer_req{x},
                                     [&] { return impl_->local.upsert_customer(x); });
    if (!st.ok())
      return st;
  }
  return {};
}

engine::status cluster_router::login(const std::string& t, const std::string& a) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  auto st = impl_->login_at_owner(*d, a);
  if (st.ok())
    impl_->note_agent(*d, a, true);  // logged in away, until set_away(false)
  return st;
}

engine::status cluster_router::logout(const std::string& t, const std::string& a) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  auto st = impl_->routed<ok_atom>(*d, logout_req{*d, a}, [&] {
    impl_->shared->forget_origin(*d, a);
    return impl_->local.logout(*d, a);
  });
  impl_->note_agent(*d, a, std::nullopt);
  return st;
}

engine::status cluster_router::set_away(const std::string& t, const std::string& a, bool away) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  auto st = impl_->agent_call(*d, a, presence_req{*d, a, away},
                              [&] { return impl_->local.set_away(*d, a, away); });
  if (st.ok())
    impl_->note_agent(*d, a, away);
  return st;
}

engine::status cluster_router::agent_disconnected(const std::string& t, const std::string& a) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  impl_->note_agent(*d, a, std::nullopt);
  return impl_->routed<ok_atom>(*d, agent_connection_req{*d, a, false},
                                [&] { return impl_->local.agent_disconnected(*d, a); });
}

engine::status cluster_router::accept(const std::string& t, const std::string& a,
                                      const std::string& c, std::uint64_t offer) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  return impl_->agent_call(*d, a, accept_req{*d, a, c, offer},
                           [&] { return impl_->local.accept(*d, a, c, offer); });
}

engine::status cluster_router::decline(const std::string& t, const std::string& a,
                                       const std::string& c, std::uint64_t offer) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  return impl_->agent_call(*d, a, decline_req{*d, a, c, offer},
                           [&] { return impl_->local.decline(*d, a, c, offer); });
}

engine::status cluster_router::wrap_up(const std::string& t, const std::string& a,
                                       const std::string& c) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  return impl_->routed<ok_atom>(*d, wrap_up_req{*d, a, c},
                                [&] { return impl_->local.wrap_up(*d, a, c); });
}

engine::status cluster_router::complete(const std::string& t, const std::string& a,
                                        const std::string& c, const engine::outcome& o) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  return impl_->routed<ok_atom>(*d, complete_req{*d, a, c, o},
                                [&] { return impl_->local.complete(*d, a, c, o); });
}

engine::status cluster_router::transfer(const std::string& t, const std::string& a,
                                        const std::string& c, const std::string& q) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  if (impl_->domains->split(t)) {
    auto to = impl_->domains->queue_domain(t, q);
    if (to != *d)
      return engine::make_error(engine::errc::invalid_argument,
                                "queue " + q + " is routed by domain " + to + ", contact " + c +
                                  " by domain " + *d +
                                  "; a transfer stays within its domain of a split tenant");
  }
  return impl_->routed<ok_atom>(*d, transfer_req{*d, a, c, q, 0, 0},
                                [&] { return impl_->local.transfer(*d, a, c, q); });
}

engine::result<contact_ack> cluster_router::submit(engine::contact c) {
  auto tenant = c.tenant;
  auto d = impl_->domains->queue_domain(tenant, c.queue);
  c.tenant = d;
  auto r = impl_->routed<submit_ack>(d, submit_req{c}, [&] { return impl_->local.submit(c); });
  if (r)
    impl_->domains->note_contact(tenant, c.id, d);
  return r;
}

engine::result<contact_ack> cluster_router::open_contact(engine::contact c,
                                                         const engine::customer_profile& hints) {
  // A split tenant keeps a copy of each profile in every domain: the calls one by one.
  if (c.customer.empty() || impl_->domains->split(c.tenant) != nullptr)
    return node_api::open_contact(std::move(c), hints);
  auto d = c.tenant;
  return impl_->routed<submit_ack>(d, open_req{c, hints},
                                   [&] { return impl_->local.open_contact(c, hints); });
}

engine::status cluster_router::end_contact(const std::string& t, const std::string& c,
                                           const std::string& reason) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  return impl_->routed<ok_atom>(*d, end_contact_req{*d, c, reason},
                                [&] { return impl_->local.end_contact(*d, c, reason); });
}

engine::status cluster_router::customer_disconnected(const std::string& t, const std::string& c) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  return impl_->routed<ok_atom>(*d, customer_connection_req{*d, c, false},
                                [&] { return impl_->local.customer_disconnected(*d, c); });
}

engine::status cluster_router::customer_reconnected(const std::string& t, const std::string& c) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  return impl_->routed<ok_atom>(*d, customer_connection_req{*d, c, true},
                                [&] { return impl_->local.customer_reconnected(*d, c); });
}

engine::status cluster_router::post_message(const std::string& t, const std::string& c,
                                            const std::string& a, const std::string& text,
                                            const std::string& client_id) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  return impl_->routed<ok_atom>(*d, message_req{*d, c, a, text, client_id}, [&] {
    return impl_->local.post_message(*d, c, a, text, client_id);
  });
}

engine::result<std::vector<chat_line>> cluster_router::transcript(const std::string& t,
                                                                  const std::string& c) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  return impl_->routed<std::vector<chat_line>>(*d, transcript_req{*d, c},
                                               [&] { return impl_->local.transcript(*d, c); });
}

engine::result<contact_decisions> cluster_router::decisions(const std::string& t,
                                                            const std::string& c,
                                                            std::uint32_t limit) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  auto [r, epoch] = impl_->routed_at<contact_decisions>(
    *d, decisions_req{*d, c, limit}, [&] { return impl_->local.decisions(*d, c, limit); });
  if (r)
    r->epoch = epoch;
  return r;
}

engine::status cluster_router::rate(const std::string& t, const std::string& c, int csat,
                                    double tip) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  return impl_->routed<ok_atom>(*d, rate_req{*d, c, csat, tip},
                                [&] { return impl_->local.rate(*d, c, csat, tip); });
}

engine::result<engine::contact> cluster_router::find_contact(const std::string& t,
                                                             const std::string& c) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  auto r = impl_->routed<engine::contact>(*d, contact_req{*d, c},
                                          [&] { return impl_->local.find_contact(*d, c); });
  if (r)
    r->tenant = t;
  return r;
}

engine::result<agent_info> cluster_router::find_agent(const std::string& t,
                                                      const std::string& a) {
  auto d = impl_->agent_domain(t, a);
  if (!d)
    return d.err();
  auto r = impl_->routed<agent_info>(*d, find_agent_req{*d, a},
                                     [&] { return impl_->local.find_agent(*d, a); });
  if (r)
    r->profile.tenant = t;
  return r;
}

engine::result<engine::customer_profile> cluster_router::find_customer(const std::string& t,
                                                                       const std::string& c) {
  // Every domain has the customer (upsert_customer); the default one answers.
  auto d = impl_->domains_of(t).front();
  auto r = impl_->routed<engine::customer_profile>(
    d, find_customer_req{d, c}, [&] { return impl_->local.find_customer(d, c); });
  if (r)
    r->tenant = t;
  return r;
}

engine::result<engine::queue_config> cluster_router::find_queue(const std::string& t,
                                                                const std::string& q) {
  auto d = impl_->domains->queue_domain(t, q);
  auto r = impl_->routed<engine::queue_config>(d, find_queue_req{d, q},
                                               [&] { return impl_->local.find_queue(d, q); });
  if (r)
    r->tenant = t;
  return r;
}

engine::result<std::int64_t> cluster_router::position(const std::string& t,
                                                      const std::string& c) {
  auto d = impl_->contact_domain(t, c);
  if (!d)
    return d.err();
  return impl_->routed<std::int64_t>(*d, position_req{*d, c},
                                     [&] { return impl_->local.position(*d, c); });
}

engine::result<tenant_stats> cluster_router::stats(const std::string& t) {
  if (!impl_->domains->split(t))
    return impl_->routed<tenant_stats>(t, tenant_stats_req{t},
                                       [&] { return impl_->local.stats(t); });
  std::vector<tenant_stats> parts;
  for (const auto& d : impl_->domains_of(t)) {
    auto r = impl_->routed<tenant_stats>(d, tenant_stats_req{d},
                                         [&] { return impl_->local.stats(d); });
    if (!r)
      return r.err();
    parts.push_back(std::move(*r));
  }
  return merge_stats(t, std::move(parts));
}

void cluster_router::subscribe(event_callback cb) {
  // A split tenant's events come from its domains: they reach the subscriber as
  // the tenant's, and say which domain each contact is in.
  if (!impl_->opts.splits.empty())
    cb = [dm = impl_->domains, next = std::move(cb)](const event& ev) {
      auto t = dm->tenant_of(ev.tenant);
      if (!t) {
        next(ev);
        return;
      }
      if (!ev.contact.empty()) {
        auto type = ev.type;
        if (type == engine::event_type::completed || type == engine::event_type::abandoned ||
            type == engine::event_type::failed)
          dm->forget_contact(*t, ev.contact);
        else
          dm->note_contact(*t, ev.contact, ev.tenant);
      }
      auto copy = ev;
      copy.tenant = *t;
      next(copy);
    };
  std::lock_guard<std::mutex> g{impl_->shared->mutex};
  auto next = std::make_shared<std::vector<event_callback>>(*impl_->shared->subscribers);
  next->push_back(std::move(cb));
  impl_->shared->subscribers = std::move(next);
}

}  // namespace switchboard::actors
