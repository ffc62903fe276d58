// The net mode's agents: offers accepted after the group's delay, answers to the
// customer, wrap-up with an outcome drawn from the group's hidden true rates.
#include <algorithm>
#include <cmath>

#include "bench/net/internal/net_run.h"

namespace switchboard::bench::net_mode {

// -- agent side -------------------------------------------------------------------------

void net_run::set_load(sim_agent& ag, int delta) {
  auto now = clock_type::now();
  if (ag.load > 0)
    ag.busy_s += std::chrono::duration<double>(now - ag.busy_since).count();
  ag.busy_since = now;
  ag.load = std::max(0, ag.load + delta);
}

void net_run::on_agent_push(std::size_t a, const pb::Envelope& e) {
  auto& ag = agents_[a];
  if (e.has_offer()) {
    const auto& o = e.offer();
    if (auto i = live_.find(o.contact_id()); i != live_.end() && !i->second.offered) {
      i->second.offered = true;
      ++routed_;
      auto us = seconds_since(i->second.opened_at) * 1e6;
      time_to_offer_us_.push_back(us);
      time_to_offer_by_node_us_[a % cfg_.agent_nodes.size()].push_back(us);
    }
    ++ag.offered;
    double delay = forced_ ? 0 : s_.groups[ag.group].accept_delay_s * cfg_.time_scale;
    if (delay <= 0)
      return accept(a, o.contact_id(), o.offer_id());
    delay_action(a, o.contact_id(), delay,
                 [this, a, c = o.contact_id(), id = o.offer_id()] { accept(a, c, id); });
  } else if (e.has_chat_line() && e.chat_line().from() == "customer") {
    ++chat_to_agents_;
    pb::Envelope m;
    m.mutable_agent_message()->set_contact_id(e.chat_line().contact_id());
    m.mutable_agent_message()->set_text("Hi, I am looking into it.");
    ag.conn->request(std::move(m));
  } else if (e.has_agent_update()) {
    const auto& u = e.agent_update();
    if (u.event() == "customer_left") {
      double delay = 0;
      if (auto i = live_.find(u.contact_id()); i != live_.end() && !forced_)
        delay = sample(s_.types[i->second.type].wrap_up, 0) * cfg_.time_scale;
      if (delay <= 0)
        return wrap_up(a, u.contact_id());
      delay_action(a, u.contact_id(), delay, [this, a, c = u.contact_id()] { wrap_up(a, c); });
    } else if (u.event() == "offer_cancelled" || u.event() == "offer_expired" ||
               u.event() == "abandoned" || u.event() == "failed") {
      // The offer is gone: do not answer it.
      if (auto t = ag.timers.find(u.contact_id()); t != ag.timers.end()) {
        t->second.timer->cancel();
        ag.timers.erase(t);
        ag.offered = std::max(0, ag.offered - 1);
      }
    }
  }
}

void net_run::delay_action(std::size_t a, const std::string& contact, double delay_s,
                           std::function<void()> fire) {
  auto t = std::make_shared<asio::steady_timer>(ioc_, wall(delay_s));
  agents_[a].timers[contact] = sim_agent::pending_action{t, fire};
  t->async_wait([this, a, contact, fire](boost::system::error_code ec) {
    if (ec)
      return;
    agents_[a].timers.erase(contact);
    fire();
  });
}

void net_run::accept(std::size_t a, const std::string& contact, std::uint64_t offer_id) {
  pb::Envelope e;
  e.mutable_accept_offer()->set_contact_id(contact);
  e.mutable_accept_offer()->set_offer_id(offer_id);
  agents_[a].conn->request(std::move(e), [this, a](const pb::Envelope& r) {
    auto& ag = agents_[a];
    ag.offered = std::max(0, ag.offered - 1);
    if (r.has_ack())
      set_load(ag, +1);
  });
}

void net_run::wrap_up(std::size_t a, const std::string& contact) {
  auto& ag = agents_[a];
  const auto& g = s_.groups[ag.group];
  std::string intent = "*", segment = "*";
  if (auto i = live_.find(contact); i != live_.end()) {
    intent = s_.types[i->second.type].intent;
    segment = s_.segments[i->second.segment].name;
  }
  true_outcome truth;
  for (const auto& t : g.truth)
    if ((t.intent == "*" || t.intent == intent) && (t.segment == "*" || t.segment == segment)) {
      truth = t;
      break;
    }
  pb::Envelope e;
  e.mutable_wrap_up()->set_contact_id(contact);
  auto* o = e.mutable_wrap_up()->mutable_outcome();
  bool resolved = std::bernoulli_distribution{std::clamp(truth.resolve, 0.0, 1.0)}(rng_);
  bool sale = std::bernoulli_distribution{std::clamp(truth.sale, 0.0, 1.0)}(rng_);
  int csat = static_cast<int>(std::lround(
    std::clamp(std::normal_distribution<double>{truth.csat_mean, 0.8}(rng_), 1.0, 5.0)));
  o->set_resolved(resolved);
  o->set_sale(sale);
  o->set_csat(csat);
  o->set_disposition(resolved ? "fixed" : "follow_up");
  ag.conn->request(std::move(e), [this, a, resolved, sale, csat](const pb::Envelope& r) {
    if (!r.has_ack())
      return;
    auto& ag2 = agents_[a];
    set_load(ag2, -1);
    ++ag2.served;
    ++completed_;
    resolved_ += resolved;
    sales_ += sale;
    ++rated_;
    csat_sum_ += csat;
  });
}

}  // namespace switchboard::bench::net_mode
