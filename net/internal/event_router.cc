#include "net/internal/event_router.h"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "net/internal/builders.h"
#include "net/internal/client_connection.h"

namespace switchboard::net::internal {

namespace {

using engine::event_type;

bool gateway_sees(event_type t) {
  switch (t) {
    case event_type::queued:
    case event_type::offered:
    case event_type::offer_declined:
    case event_type::offer_expired:
    case event_type::offer_cancelled:
    case event_type::connected:
    case event_type::wrap_up:
    case event_type::completed:
    case event_type::abandoned:
    case event_type::transferred:
    case event_type::overflow_moved:
    case event_type::failed:
    case event_type::requeued_on_recovery:
    case event_type::agent_lost: return true;
    default: return false;
  }
}

bool back_in_line(event_type t) {
  return t == event_type::queued || t == event_type::offer_declined ||
         t == event_type::offer_expired || t == event_type::offer_cancelled ||
         t == event_type::requeued_on_recovery || t == event_type::agent_lost;
}

}  // namespace

event_router::event_router(edge_context& ctx)
  : ctx_(ctx), timers_(boost::asio::make_strand(ctx.ioc)) {
  for (const auto& t : ctx_.keys.tenants())
    tenants_.insert(t);
}

event_router::~event_router() = default;

void event_router::stop() {
  std::lock_guard<std::mutex> g{mutex_};
  stopped_ = true;
  // Timers are touched only on the timers strand; cancel them there. The
  // io_context is still running (the server stops it after this).
  boost::asio::post(timers_, [this] {
    std::lock_guard<std::mutex> g2{mutex_};
    for (auto& [k, f] : feeds_)
      if (f.timer)
        f.timer->cancel();
  });
}

void event_router::release_timers() {
  std::lock_guard<std::mutex> g{mutex_};
  for (auto& [k, f] : feeds_)
    f.timer.reset();
}

void event_router::observe_latency(const event& e) {
  if (e.contact.empty())
    return;
  // Event timestamps are milliseconds; the edge's own arrival times resolve the
  // sub-millisecond decisions (both events pass the same event thread).
  auto k = key(e.tenant, e.contact);
  auto now = ctx_.clock->steady();
  if (back_in_line(e.type)) {
    queued_at_[k] = now;
  } else if (e.type == event_type::offered) {
    auto i = queued_at_.find(k);
    if (i != queued_at_.end()) {
      ctx_.metrics.routing_latency(now - i->second);
      queued_at_.erase(i);
    }
  } else if (engine::is_terminal(e.state) || e.type == event_type::transferred) {
    queued_at_.erase(k);
  }
}

void event_router::on_event(const event& e) {
  std::lock_guard<std::mutex> g{mutex_};
  if (stopped_)
    return;
  tenants_.insert(e.tenant);
  observe_latency(e);
  if (e.contact.empty()) {
    // The node logged out an agent whose connection is gone (its grace period ran
    // out): its slot goes. One that is connected again keeps it (a fresh login's
    // own logout).
    if (e.type == event_type::agent_logout) {
      auto ai = agents_.find(key(e.tenant, e.agent));
      if (ai != agents_.end() && ai->second.disconnected)
        agents_.erase(ai);
      return;
    }
    // Agent events: ring-no-answer set the agent away; it should know why.
    if (e.type == event_type::agent_away && !e.detail.empty()) {
      auto ai = agents_.find(key(e.tenant, e.agent));
      if (ai != agents_.end())
        if (auto s = ai->second.connection.lock())
          s->post([s, d = e.detail] {
            s->deliver_agent_update("", "agent_away", engine::contact_state::created, d);
          });
    }
    return;
  }
  if (e.type == event_type::message)
    return route_message(e);
  agent_entry* slot = nullptr;
  std::shared_ptr<client_connection> agent_s;
  if (!e.agent.empty()) {
    auto ai = agents_.find(key(e.tenant, e.agent));
    if (ai != agents_.end()) {
      slot = &ai->second;
      // Never a push to a connection that is gone (its slot waits for a resume).
      if (!slot->disconnected)
        agent_s = slot->connection.lock();
    }
  }
  auto tell_agent = [&](const char* what, const std::string& detail) {
    if (agent_s)
      agent_s->post([s = agent_s, c = e.contact, w = std::string{what}, st = e.state, detail] {
        s->deliver_agent_update(c, w, st, detail);
      });
  };
  switch (e.type) {
    case event_type::offered:
      if (slot) {
        offer_info o{e.contact,  e.offer_id,         e.deadline,
                     e.queue,    e.decision,         e.offered_contact,
                     e.offered_customer};
        slot->offers[e.contact] = o;
        if (agent_s)
          agent_s->post([s = agent_s, o] { s->deliver_offer(o); });
      }
      break;
    case event_type::offer_declined:
    case event_type::offer_expired:
    case event_type::offer_cancelled:
      if (slot) {
        slot->offers.erase(e.contact);
        if (e.type != event_type::offer_declined)
          tell_agent(e.type == event_type::offer_expired ? "offer_expired" : "offer_cancelled",
                     e.detail);
      }
      break;
    case event_type::connected:
      if (slot) {
        slot->offers.erase(e.contact);
        slot->contacts.insert(e.contact);
      }
      break;
    case event_type::wrap_up:
      // With a reason the customer ended it (EndContact, or gone past the node's
      // customer grace period); without one the agent wrapped up itself.
      tell_agent(e.detail.empty() ? "wrap_up" : "customer_left", e.detail);
      break;
    case event_type::completed:
    case event_type::abandoned:
    case event_type::failed:
      if (slot) {
        bool was_offered = slot->offers.erase(e.contact) > 0;
        slot->contacts.erase(e.contact);
        if (e.type != event_type::completed && was_offered)
          tell_agent(e.type == event_type::abandoned ? "abandoned" : "failed", e.detail);
      }
      break;
    case event_type::transferred:
    case event_type::agent_lost:
      if (slot)
        slot->contacts.erase(e.contact);
      break;
    case event_type::rated:
      // The customer's rating (detail "csat=N"), live or after completion.
      tell_agent("customer_rated", e.detail);
      break;
    default: break;
  }
  if (engine::is_terminal(e.state))
    posting_.erase(key(e.tenant, e.contact));
  auto ci = contacts_.find(key(e.tenant, e.contact));
  if (ci == contacts_.end())
    return;
  auto& ce = ci->second;
  ce.state = e.state;
  if (e.type == event_type::connected)
    ce.agent = e.agent;
  else if (e.type == event_type::transferred || e.type == event_type::agent_lost)
    ce.agent.clear();
  if (gateway_sees(e.type))
    if (auto gw = ce.gateway.lock())
      gw->post([gw, e] { gw->deliver_contact_update(e); });
  if (engine::is_terminal(e.state))
    contacts_.erase(ci);
}

void event_router::route_message(const event& e) {
  // Who wrote it: the edge's own record of lines in flight; the event itself
  // names the contact's agent for both sides.
  bool customer = e.agent.empty();
  auto k = key(e.tenant, e.contact);
  if (auto p = posting_.find(k); p != posting_.end()) {
    auto& q = p->second;
    auto i = std::find_if(q.begin(), q.end(), [&](const auto& x) { return x.second == e.detail; });
    if (i != q.end()) {
      customer = i->first;
      q.erase(i);
    }
    if (q.empty())
      posting_.erase(p);
  }
  std::shared_ptr<client_connection> to;
  auto ci = contacts_.find(k);
  if (customer) {
    auto agent = ci != contacts_.end() && !ci->second.agent.empty() ? ci->second.agent : e.agent;
    auto ai = agents_.find(key(e.tenant, agent));
    if (ai != agents_.end() && !ai->second.disconnected)
      to = ai->second.connection.lock();
  } else if (ci != contacts_.end()) {
    to = ci->second.gateway.lock();
  }
  // Nobody connected on the other side: the line waits in the transcript, which
  // the other side gets when it resumes.
  if (to)
    to->post([to, c = e.contact, from = customer ? "customer" : "agent", text = e.detail,
              at = e.at] { to->deliver_chat_line(c, from, text, at); });
}

// -- contacts -------------------------------------------------------------------------

bool event_router::open_contact(const std::string& tenant, const std::string& contact,
                                const std::shared_ptr<client_connection>& gateway) {
  std::lock_guard<std::mutex> g{mutex_};
  auto [i, added] = contacts_.try_emplace(key(tenant, contact));
  if (!added)
    return false;
  i->second.gateway = gateway;
  i->second.gateway_ptr = gateway.get();
  return true;
}

void event_router::forget_contact(const std::string& tenant, const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  contacts_.erase(key(tenant, contact));
}

event_router::contact_view event_router::find_contact(const std::string& tenant,
                                                      const std::string& contact) const {
  std::lock_guard<std::mutex> g{mutex_};
  contact_view v;
  auto i = contacts_.find(key(tenant, contact));
  if (i == contacts_.end())
    return v;
  v.known = true;
  v.agent = i->second.agent;
  v.gateway = i->second.gateway.lock();
  if (!v.agent.empty()) {
    auto ai = agents_.find(key(tenant, v.agent));
    if (ai != agents_.end() && !ai->second.disconnected)
      v.agent_connection = ai->second.connection.lock();
  }
  return v;
}

void event_router::bind_gateway(const std::string& tenant, const std::string& contact,
                                const std::shared_ptr<client_connection>& gateway,
                                const std::string& agent, engine::contact_state state) {
  std::lock_guard<std::mutex> g{mutex_};
  auto [i, added] = contacts_.try_emplace(key(tenant, contact));
  auto& ce = i->second;
  ce.gateway = gateway;
  ce.gateway_ptr = gateway.get();
  if (added) {
    ce.agent = agent;
    ce.state = state;
  }
}

std::vector<std::string> event_router::detach_gateway(const std::string& tenant,
                                                      const client_connection* s) {
  std::lock_guard<std::mutex> g{mutex_};
  std::vector<std::string> out;
  if (stopped_)
    return out;  // the edge stops: the node restarts customers absent if it must
  auto prefix = key(tenant, "");
  for (auto& [k, ce] : contacts_)
    if (ce.gateway_ptr == s && k.compare(0, prefix.size(), prefix) == 0) {
      ce.gateway.reset();
      ce.gateway_ptr = nullptr;
      out.push_back(k.substr(prefix.size()));
    }
  return out;
}

void event_router::posting(const std::string& tenant, const std::string& contact, bool customer,
                           const std::string& text) {
  std::lock_guard<std::mutex> g{mutex_};
  auto& q = posting_[key(tenant, contact)];
  if (q.size() >= 256)
    q.pop_front();  // bounded: a client re-sending lines the node deduplicates
  q.emplace_back(customer, text);
}

void event_router::post_failed(const std::string& tenant, const std::string& contact,
                               bool customer, const std::string& text) {
  std::lock_guard<std::mutex> g{mutex_};
  auto p = posting_.find(key(tenant, contact));
  if (p == posting_.end())
    return;
  auto& q = p->second;
  auto i = std::find_if(q.begin(), q.end(),
                        [&](const auto& x) { return x.first == customer && x.second == text; });
  if (i != q.end())
    q.erase(i);
  if (q.empty())
    posting_.erase(p);
}

void event_router::accepted(const std::string& tenant, const std::string& agent,
                            const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  auto ci = contacts_.find(key(tenant, contact));
  if (ci == contacts_.end() || !ci->second.agent.empty())
    return;  // not opened through the edge, already bound, or already over
  ci->second.agent = agent;
  auto ai = agents_.find(key(tenant, agent));
  if (ai != agents_.end()) {
    ai->second.offers.erase(contact);
    ai->second.contacts.insert(contact);
  }
}

// -- agents -----------------------------------------------------------------------------

event_router::attach_result event_router::attach_agent(const std::string& tenant,
                                                       const std::string& agent,
                                                       const std::shared_ptr<client_connection>& s,
                                                       bool resume,
                                                       const std::vector<held_binding>& held,
                                                       bool node_disconnected) {
  std::lock_guard<std::mutex> g{mutex_};
  attach_result out;
  auto k = key(tenant, agent);
  auto [i, added] = agents_.try_emplace(k);
  auto& slot = i->second;
  if (auto old = slot.connection.lock(); old && !slot.disconnected && old.get() != s.get()) {
    // A second connection of the same agent (a reloaded page): it takes over.
    out.replaced = std::move(old);
    out.resumed = true;
  } else if ((slot.disconnected || (added && node_disconnected)) && resume) {
    out.resumed = true;
  } else if (slot.disconnected || (added && node_disconnected)) {
    out.restart = true;
    slot.offers.clear();
  }
  if (out.resumed)
    for (const auto& [c, o] : slot.offers)
      out.offers.push_back(o);
  // What the node says the agent holds is the truth (the router may have lost it
  // in a restart, or missed an event while nobody was connected).
  slot.contacts.clear();
  for (const auto& h : held) {
    slot.contacts.insert(h.contact);
    auto [ci, fresh] = contacts_.try_emplace(key(tenant, h.contact));
    ci->second.agent = agent;
    if (fresh)
      ci->second.state = h.state;
  }
  slot.connection = s;
  slot.connection_ptr = s.get();
  slot.disconnected = false;
  return out;
}

void event_router::drop_agent(const std::string& tenant, const std::string& agent,
                              const client_connection* s) {
  std::lock_guard<std::mutex> g{mutex_};
  auto i = agents_.find(key(tenant, agent));
  if (i != agents_.end() && i->second.connection_ptr == s)
    agents_.erase(i);
}

bool event_router::detach_agent(const std::string& tenant, const std::string& agent,
                                const client_connection* s) {
  std::lock_guard<std::mutex> g{mutex_};
  if (stopped_)
    return false;
  auto i = agents_.find(key(tenant, agent));
  if (i == agents_.end() || i->second.connection_ptr != s)
    return false;  // another connection of the agent took over
  i->second.disconnected = true;
  i->second.connection_ptr = nullptr;
  return true;
}

bool event_router::offer_pending(const std::string& tenant, const std::string& agent,
                                 const std::string& contact, std::uint64_t offer_id) const {
  std::lock_guard<std::mutex> g{mutex_};
  auto i = agents_.find(key(tenant, agent));
  if (i == agents_.end())
    return false;
  auto o = i->second.offers.find(contact);
  return o != i->second.offers.end() && o->second.offer_id == offer_id;
}

bool event_router::serves(const std::string& tenant, const std::string& agent,
                          const std::string& contact) const {
  std::lock_guard<std::mutex> g{mutex_};
  auto i = agents_.find(key(tenant, agent));
  return i != agents_.end() && i->second.contacts.count(contact) > 0;
}

// -- stats ----------------------------------------------------------------------------------

void event_router::subscribe_stats(const std::string& tenant,
                                   const std::shared_ptr<client_connection>& s,
                                   std::chrono::milliseconds interval) {
  std::lock_guard<std::mutex> g{mutex_};
  if (stopped_)
    return;
  auto& f = feeds_[tenant];
  bool known = std::any_of(f.subscribers.begin(), f.subscribers.end(),
                           [&](const std::weak_ptr<client_connection>& w) { return w.lock() == s; });
  if (!known)
    f.subscribers.push_back(s);
  if (!f.running || interval < f.interval)
    f.interval = f.running ? std::min(f.interval, interval) : interval;
  if (!f.running) {
    f.running = true;
    boost::asio::post(timers_, [this, tenant] { arm_stats(tenant); });
  }
}

void event_router::arm_stats(const std::string& tenant) {
  std::lock_guard<std::mutex> g{mutex_};
  if (stopped_)
    return;
  auto& f = feeds_[tenant];
  if (!f.timer)
    f.timer = std::make_unique<boost::asio::steady_timer>(timers_);
  f.timer->expires_after(f.interval);
  f.timer->async_wait([this, tenant](const boost::system::error_code& ec) {
    if (!ec)
      stats_tick(tenant);
  });
}

void event_router::stats_tick(const std::string& tenant) {
  std::vector<std::shared_ptr<client_connection>> subs;
  {
    std::lock_guard<std::mutex> g{mutex_};
    if (stopped_)
      return;
    auto& f = feeds_[tenant];
    std::vector<std::weak_ptr<client_connection>> alive;
    for (auto& w : f.subscribers)
      if (auto s = w.lock()) {
        subs.push_back(std::move(s));
        alive.push_back(w);
      }
    f.subscribers = std::move(alive);
    if (subs.empty()) {
      f.running = false;
      f.interval = ctx_.opts.default_stats_interval;
      return;
    }
  }
  // One node.stats per tenant and tick, shared by every subscriber; the timer is
  // armed again only after it answered, so a slow node never piles up requests.
  boost::asio::post(ctx_.pool, [this, tenant, subs = std::move(subs)] {
    auto s = ctx_.n.stats(tenant);
    if (s) {
      {
        std::lock_guard<std::mutex> g{cache_mutex_};
        stats_cache_[tenant] = stats_cache{ctx_.clock->steady(), *s};
      }
      pb::Envelope env;
      *env.mutable_stats_update() = stats_update(*s, ctx_.clock->wall());
      for (const auto& sub : subs)
        sub->push(env);
    }
    boost::asio::post(timers_, [this, tenant] { arm_stats(tenant); });
  });
}

// -- caches -------------------------------------------------------------------------------

engine::time_ms event_router::estimated_wait(const std::string& tenant, const std::string& queue) {
  auto now = ctx_.clock->steady();
  std::optional<tenant_stats> cached;
  {
    std::lock_guard<std::mutex> g{cache_mutex_};
    auto i = stats_cache_.find(tenant);
    if (i != stats_cache_.end() && now - i->second.at < std::chrono::seconds(1))
      cached = i->second.stats;
  }
  if (!cached) {
    auto s = ctx_.n.stats(tenant);
    if (!s)
      return 0;
    std::lock_guard<std::mutex> g{cache_mutex_};
    stats_cache_[tenant] = stats_cache{now, *s};
    cached = std::move(*s);
  }
  for (const auto& q : cached->queues)
    if (q.id == queue)
      return q.ewt_ms;
  return 0;
}

std::string event_router::agent_name(const std::string& tenant, const std::string& agent) {
  auto k = key(tenant, agent);
  {
    std::lock_guard<std::mutex> g{mutex_};
    auto i = names_.find(k);
    if (i != names_.end())
      return i->second;
  }
  auto a = ctx_.n.find_agent(tenant, agent);
  if (!a)
    return {};
  std::lock_guard<std::mutex> g{mutex_};
  names_[k] = a->profile.name;
  return a->profile.name;
}

void event_router::forget_agent_name(const std::string& tenant, const std::string& agent) {
  std::lock_guard<std::mutex> g{mutex_};
  names_.erase(key(tenant, agent));
}

std::vector<std::string> event_router::tenants() const {
  std::lock_guard<std::mutex> g{mutex_};
  return {tenants_.begin(), tenants_.end()};
}

}  // namespace switchboard::net::internal
