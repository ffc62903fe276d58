// The net mode's gateways: the customers' side of every contact (arrivals, patience,
// the customer's message and hang-up).
#include <algorithm>
#include <cmath>

#include "bench/net/internal/net_run.h"
#include "storage/codecs.h"

namespace switchboard::bench::net_mode {

// -- gateway side ---------------------------------------------------------------------

void net_run::schedule_arrivals() {
  if (!arriving_)
    return;
  auto end = t0_ + wall(cfg_.duration_s);
  if (cfg_.rate <= 0)
    return;  // closed loop: finish() opens the next one
  auto now = clock_type::now();
  std::exponential_distribution<double> gap{cfg_.rate};
  // Bounded: at most 10000 arrivals per wake-up (a stalled loop catches up in steps).
  for (int i = 0; i < 10000 && next_arrival_ <= now && next_arrival_ < end; ++i) {
    open_contact();
    next_arrival_ += wall(gap(rng_));
  }
  if (next_arrival_ >= end) {
    arriving_ = false;
    return;
  }
  arrival_timer_.expires_at(next_arrival_);
  arrival_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec)
      schedule_arrivals();
  });
}

void net_run::open_contact() {
  auto cap = cfg_.max_live > 0 ? cfg_.max_live : hard_live_cap;
  if (live_.size() >= cap) {
    ++skipped_;
    return;
  }
  // A gateway that still has a connection (round robin).
  std::shared_ptr<ws::connection> gw;
  for (std::size_t i = 0; i < gateways_.size() && !gw; ++i) {
    auto& g = gateways_[next_gateway_++ % gateways_.size()];
    if (g->is_open())
      gw = g;
  }
  if (!gw) {
    ++skipped_;
    return;
  }
  live_contact c;
  c.id = run_id_ + "-" + std::to_string(next_contact_++);
  c.type = pick(type_weights_);
  c.segment = pick(segment_weights_);
  c.gateway = (next_gateway_ - 1) % gateways_.size();
  const auto& t = s_.types[c.type];
  const auto& seg = s_.segments[c.segment];
  c.handle_s = sample(t.handle, 0) * cfg_.time_scale;
  double patience = sample(t.patience, inf) * cfg_.time_scale;

  pb::Envelope e;
  auto* o = e.mutable_open_contact();
  o->set_contact_id(c.id);
  auto customer_no =
    std::uniform_int_distribution<std::uint32_t>{0, std::max<std::uint32_t>(seg.customers, 1) - 1}(rng_);
  o->set_customer_id(seg.name + "-" + std::to_string(customer_no));
  o->set_channel(storage::to_proto(t.ch));
  o->set_intent(t.intent);
  o->set_language(t.language);
  o->set_queue(t.queue);
  o->set_priority(t.priority);
  auto* h = o->mutable_customer();
  h->set_tier(seg.tier);
  h->set_arpu(seg.arpu);
  h->add_segments(seg.name);
  if (seg.dedicated_manager) {
    for (std::size_t gi = 0; gi < s_.groups.size(); ++gi)
      if (s_.groups[gi].name == seg.manager_group && group_staff_[gi] > 0)
        h->set_account_manager(seg.manager_group + "-" +
                               std::to_string(customer_no % group_staff_[gi] + 1));
  }
  c.found_all_busy = std::none_of(agents_.begin(), agents_.end(), [](const sim_agent& a) {
    return a.ready && a.load + a.offered < static_cast<int>(a.capacity);
  });
  c.opened_at = clock_type::now();
  ++attempted_;
  auto id = c.id;
  auto& stored = live_.emplace(id, std::move(c)).first->second;
  if (std::isfinite(patience)) {
    stored.timer = std::make_shared<asio::steady_timer>(ioc_, wall(patience));
    stored.timer->async_wait([this, id](boost::system::error_code ec) {
      if (ec)
        return;
      auto i = live_.find(id);
      if (i != live_.end() && !i->second.connected)
        end_contact(i->second, "patience");
    });
  }
  gw->request(std::move(e), [this, id](const pb::Envelope& r) {
    auto i = live_.find(id);
    if (i == live_.end())
      return;
    if (r.has_contact_opened()) {
      i->second.opened = true;
      ++opened_;
      open_ack_us_.push_back(seconds_since(i->second.opened_at) * 1e6);
    } else {
      ++open_failed_;
      if (i->second.timer)
        i->second.timer->cancel();
      live_.erase(i);
      if (cfg_.rate <= 0 && arriving_)
        open_contact();
    }
  });
}

void net_run::on_gateway_push(const pb::Envelope& e) {
  if (e.has_chat_line()) {
    ++chat_to_customers_;
    return;
  }
  if (!e.has_contact_update())
    return;
  const auto& u = e.contact_update();
  auto i = live_.find(u.contact_id());
  if (i == live_.end())
    return;
  auto& c = i->second;
  if (u.event() == "connected" && !c.connected)
    contact_connected(c, u.agent());
  else if (u.event() == "completed" || u.state() == pb::CONTACT_STATE_COMPLETED)
    finish(c.id, false);
  else if (u.event() == "abandoned" || u.state() == pb::CONTACT_STATE_ABANDONED ||
           u.state() == pb::CONTACT_STATE_FAILED)
    finish(c.id, !c.connected);
}

void net_run::contact_connected(live_contact& c, const std::string& agent) {
  c.connected = true;
  c.agent = agent;
  double waited = seconds_since(c.opened_at);
  ++served_;
  wait_sum_s_ += waited;
  double threshold = cfg_.time_scale > 0 ? s_.sl_threshold_s * cfg_.time_scale : s_.sl_threshold_s;
  if (waited <= threshold)
    ++served_in_sl_;
  if (c.found_all_busy)
    ++waited_;
  if (c.timer)
    c.timer->cancel();
  if (c.ended)
    return;  // the customer already gave up; the node connected it anyway
  auto gw = gateways_[c.gateway % gateways_.size()];
  pb::Envelope m;
  m.mutable_customer_message()->set_contact_id(c.id);
  m.mutable_customer_message()->set_text("Hello, I have a question about my " +
                                         s_.types[c.type].intent);
  gw->request(std::move(m));
  c.timer = std::make_shared<asio::steady_timer>(ioc_, wall(forced_ ? 0 : c.handle_s));
  c.timer->async_wait([this, id = c.id](boost::system::error_code ec) {
    if (ec)
      return;
    if (auto i = live_.find(id); i != live_.end())
      end_contact(i->second, "customer_left");
  });
}

void net_run::end_contact(live_contact& c, const std::string& reason) {
  if (c.ended)
    return;
  c.ended = true;
  auto gw = gateways_[c.gateway % gateways_.size()];
  pb::Envelope e;
  e.mutable_end_contact()->set_contact_id(c.id);
  e.mutable_end_contact()->set_reason(reason);
  gw->request(std::move(e), [this, id = c.id](const pb::Envelope& r) {
    auto i = live_.find(id);
    if (i == live_.end())
      return;
    // Ended before an agent took it: abandoned (the update may not come if the
    // node already dropped it). Unknown contact: it is gone either way.
    if (!i->second.connected && (r.has_ack() || (r.has_error() && r.error().code() == pb::UNKNOWN_CONTACT)))
      finish(id, true);
    else if (i->second.connected && r.has_error() && r.error().code() == pb::UNKNOWN_CONTACT)
      finish(id, false);
  });
}

void net_run::finish(const std::string& id, bool abandoned) {
  auto i = live_.find(id);
  if (i == live_.end())
    return;
  if (i->second.timer)
    i->second.timer->cancel();
  if (abandoned)
    ++abandoned_;
  live_.erase(i);
  if (cfg_.rate <= 0 && arriving_)
    open_contact();
}

}  // namespace switchboard::bench::net_mode
