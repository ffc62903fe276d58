#include "app/demo_driver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <queue>
#include <random>
#include <unordered_map>

#include "actors/errors.h"

namespace switchboard::app {

namespace {

using clock_type = std::chrono::steady_clock;
using engine::event_type;

/// Events from the node's event thread to the driver's thread. Shared with the
/// node's callback, which may outlive the driver (a node has no unsubscribe):
/// once closed it drops everything.
class event_inbox {
 public:
  void push(const event& e) {
    {
      std::lock_guard<std::mutex> g{m_};
      if (closed_)
        return;
      q_.push_back(e);
    }
    cv_.notify_one();
  }
  /// What arrived by `deadline` (or earlier, once something did or `wake` was called).
  std::deque<event> take_until(clock_type::time_point deadline) {
    std::unique_lock<std::mutex> g{m_};
    cv_.wait_until(g, deadline, [&] { return !q_.empty() || woken_; });
    woken_ = false;
    std::deque<event> out;
    out.swap(q_);
    return out;
  }
  void wake() {
    {
      std::lock_guard<std::mutex> g{m_};
      woken_ = true;
    }
    cv_.notify_one();
  }
  void close() {
    std::lock_guard<std::mutex> g{m_};
    closed_ = true;
    q_.clear();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<event> q_;
  bool woken_ = false;
  bool closed_ = false;
};

/// Something a simulated customer or agent does later.
struct action {
  enum kind_t { accept, decline, complete, abandon, back_from_away } kind;
  clock_type::time_point at;
  std::string contact;
  std::string agent;
  std::uint64_t offer_id = 0;
  bool operator>(const action& o) const { return at > o.at; }
};

}  // namespace

engine::status define_demo_tenant(node& n, const demo_tenant& t) {
  if (auto s = n.define_tenant(t.tenant); !s)
    return s;
  for (const auto& q : t.queues)
    if (auto s = n.define_queue(q); !s)
      return s;
  for (const auto& a : t.agents)
    if (auto s = n.define_agent(a); !s)
      return s;
  for (const auto& c : t.customers)
    if (auto s = n.upsert_customer(c); !s)
      return s;
  return {};
}

struct demo_driver::impl {
  impl(driver_options o, node& n, demo_tenant t)
    : opts(std::move(o)), node_(n), tenant_(std::move(t)), rng_(opts.seed) {}

  void submit_one(clock_type::time_point now);
  void on_event(const event& e, clock_type::time_point now);
  void perform(const action& a);
  void status_line(double elapsed);
  void schedule(action a) { actions_.push(std::move(a)); }
  bool drives(const std::string& agent) const { return opts.human_agents.count(agent) == 0; }
  template <class Dist>
  clock_type::duration seconds(Dist& d) {
    return std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(std::max(0.0, d(rng_))));
  }

  driver_options opts;
  node& node_;
  demo_tenant tenant_;
  std::mt19937_64 rng_;
  std::shared_ptr<event_inbox> inbox_ = std::make_shared<event_inbox>();
  std::atomic<bool> stop_{false};
  std::priority_queue<action, std::vector<action>, std::greater<>> actions_;
  std::unordered_map<std::string, engine::contact_state> live_;
  demo_counters n_;
  std::uint64_t next_id_ = 0;
  tenant_stats last_;
};

void demo_driver::impl::submit_one(clock_type::time_point now) {
  std::uniform_int_distribution<std::size_t> pick_customer(0, tenant_.customers.size() - 1);
  const auto& cust = tenant_.customers[pick_customer(rng_)];
  std::uniform_real_distribution<double> u(0, 1);
  double r = u(rng_);
  const auto* mix = &tenant_.intents.back();
  for (const auto& m : tenant_.intents) {
    if (r < m.share) {
      mix = &m;
      break;
    }
    r -= m.share;
  }
  static constexpr std::pair<engine::channel, double> channels[] = {
    {engine::channel::voice, 0.40}, {engine::channel::chat, 0.35}, {engine::channel::app, 0.10},
    {engine::channel::wechat, 0.10}, {engine::channel::email, 0.05}};
  double cr = u(rng_);
  auto ch = engine::channel::voice;
  for (const auto& [c, share] : channels) {
    if (cr < share) {
      ch = c;
      break;
    }
    cr -= share;
  }
  engine::contact c;
  c.tenant = tenant_.tenant.id;
  c.id = "c-" + std::to_string(now.time_since_epoch().count() % 1000000007) + "-" +
         std::to_string(++next_id_);
  c.customer = cust.id;
  c.ch = ch;
  c.intent = mix->intent;
  c.language = cust.language;
  c.queue = cust.tier >= 5 ? "vip" : mix->queue;
  c.priority = cust.tier >= 4 ? 1 : 0;
  c.segment = cust.segments.empty() ? "" : cust.segments.front();
  c.attached = {{"entry", "ivr"}, {"tier", std::to_string(cust.tier)}};
  c.journey = {"ivr:menu", "self_service:" + mix->intent};
  auto ack = node_.submit(c);
  if (!ack) {
    ++n_.rejected;
    if (ack.code() != actors::errors::shutting_down)
      std::fprintf(stderr, "demo: contact %s rejected: %s\n", c.id.c_str(),
                   ack.err().message.c_str());
    return;
  }
  ++n_.created;
  live_[c.id] = engine::contact_state::queued;
  std::exponential_distribution<double> patience(1.0 / 15.0);
  schedule({action::abandon, now + seconds(patience), c.id, "", 0});
}

void demo_driver::impl::on_event(const event& e, clock_type::time_point now) {
  if (e.tenant != tenant_.tenant.id)
    return;
  std::uniform_real_distribution<double> u(0, 1);
  switch (e.type) {
    case event_type::offered: {
      live_[e.contact] = engine::contact_state::offered;
      if (!drives(e.agent))
        break;  // a person answers this one
      double r = u(rng_);
      std::uniform_real_distribution<double> think(0.2, 0.8);
      if (r < 0.90)
        schedule({action::accept, now + seconds(think), e.contact, e.agent, e.offer_id});
      else if (r < 0.97)
        schedule({action::decline, now + seconds(think), e.contact, e.agent, e.offer_id});
      // else: the agent does not answer; the offer expires.
      break;
    }
    case event_type::connected: {
      live_[e.contact] = engine::contact_state::connected;
      ++n_.routed;
      if (!drives(e.agent))
        break;
      std::lognormal_distribution<double> handle(std::log(3.5), 0.4);
      schedule({action::complete, now + seconds(handle), e.contact, e.agent, 0});
      break;
    }
    case event_type::offer_declined: ++n_.declined; live_[e.contact] = engine::contact_state::queued; break;
    case event_type::offer_expired: ++n_.expired; live_[e.contact] = engine::contact_state::queued; break;
    case event_type::offer_cancelled: live_[e.contact] = engine::contact_state::queued; break;
    case event_type::overflow_moved: ++n_.moved; break;
    case event_type::completed: ++n_.completed; live_.erase(e.contact); break;
    case event_type::abandoned: ++n_.abandoned; live_.erase(e.contact); break;
    case event_type::failed: live_.erase(e.contact); break;
    case event_type::agent_away:
      if (e.contact.empty() && e.detail == "ring_no_answer" && drives(e.agent))
        schedule({action::back_from_away, now + std::chrono::seconds(3), "", e.agent, 0});
      break;
    default: break;
  }
}

void demo_driver::impl::perform(const action& a) {
  const auto& tenant = tenant_.tenant.id;
  switch (a.kind) {
    case action::accept: (void) node_.accept(tenant, a.agent, a.contact, a.offer_id); break;
    case action::decline: (void) node_.decline(tenant, a.agent, a.contact, a.offer_id); break;
    case action::complete: {
      std::uniform_real_distribution<double> u(0, 1);
      engine::outcome o;
      o.resolved = u(rng_) < 0.8;
      o.sale = u(rng_) < 0.1;
      o.sale_amount = o.sale ? 99 : 0;
      o.disposition = o.resolved ? "resolved" : "follow_up";
      // The simulated customer rates (and sometimes tips) before the agent's wrap-up;
      // CSAT and tips are the customer's to give.
      (void) node_.rate(tenant, a.contact, 3 + static_cast<int>(u(rng_) * 3),
                        u(rng_) < 0.05 ? 1.0 : 0.0);
      (void) node_.complete(tenant, a.agent, a.contact, o);
      break;
    }
    case action::abandon: {
      auto i = live_.find(a.contact);
      // Only customers still waiting (or ringing) give up.
      if (i != live_.end() && (i->second == engine::contact_state::queued ||
                               i->second == engine::contact_state::offered))
        (void) node_.end_contact(tenant, a.contact, "patience");
      break;
    }
    case action::back_from_away: (void) node_.set_away(tenant, a.agent, false); break;
  }
}

void demo_driver::impl::status_line(double elapsed) {
  auto s = node_.stats(tenant_.tenant.id);
  if (!s)
    return;
  last_ = *s;
  if (!opts.status_lines)
    return;
  std::size_t available = 0;
  for (const auto& a : s->agents)
    available += a.state == engine::agent_state::available ? 1 : 0;
  std::printf("[%5.1fs] waiting %3llu  connected %3llu  routed %5llu  completed %5llu  "
              "abandoned %4llu  SL %5.1f%%  agents idle %zu/%zu\n",
              elapsed, static_cast<unsigned long long>(s->waiting),
              static_cast<unsigned long long>(s->connected),
              static_cast<unsigned long long>(n_.routed),
              static_cast<unsigned long long>(n_.completed),
              static_cast<unsigned long long>(n_.abandoned), 100.0 * s->service_level, available,
              s->agents.size());
  std::fflush(stdout);
}

demo_driver::demo_driver(driver_options opts, node& n, demo_tenant t)
  : impl_(std::make_unique<impl>(std::move(opts), n, std::move(t))) {}

demo_driver::~demo_driver() {
  impl_->inbox_->close();
}

void demo_driver::stop() {
  impl_->stop_ = true;
  impl_->inbox_->wake();
}

const demo_counters& demo_driver::counters() const {
  return impl_->n_;
}

const tenant_stats& demo_driver::last_stats() const {
  return impl_->last_;
}

double demo_driver::run(double secs) {
  auto& d = *impl_;
  d.node_.subscribe([inbox = d.inbox_](const event& e) { inbox->push(e); });
  for (const auto& a : d.tenant_.agents) {
    if (!d.drives(a.id))
      continue;
    if (auto s = d.node_.login(d.tenant_.tenant.id, a.id); !s)
      std::fprintf(stderr, "demo: login of %s failed: %s\n", a.id.c_str(), s.err().message.c_str());
  }
  auto start = clock_type::now();
  // Contacts that were with an agent when the node last stopped: their agents
  // finish them first (a person's are left to the person).
  for (const auto& c : d.node_.recovered().with_agents)
    if (c.tenant == d.tenant_.tenant.id && d.drives(c.agent)) {
      d.live_[c.contact] = engine::contact_state::connected;
      d.schedule({action::complete, start + std::chrono::milliseconds(500), c.contact, c.agent, 0});
    }
  auto end = secs > 0 ? start + std::chrono::duration_cast<clock_type::duration>(
                                  std::chrono::duration<double>(secs))
                      : clock_type::time_point::max();
  std::exponential_distribution<double> gap(d.opts.rate);
  auto next_arrival = start + d.seconds(gap);
  auto next_status = start + std::chrono::seconds(1);
  while (!d.stop_) {
    auto now = clock_type::now();
    if (now >= end)
      break;
    while (next_arrival <= now) {
      d.submit_one(now);
      next_arrival += d.seconds(gap);
    }
    while (!d.actions_.empty() && d.actions_.top().at <= now) {
      auto a = d.actions_.top();
      d.actions_.pop();
      d.perform(a);
    }
    if (now >= next_status) {
      d.status_line(std::chrono::duration<double>(now - start).count());
      next_status += std::chrono::seconds(1);
    }
    auto wake = std::min({next_arrival, next_status, end});
    if (!d.actions_.empty())
      wake = std::min(wake, d.actions_.top().at);
    for (const auto& e : d.inbox_->take_until(wake))
      d.on_event(e, clock_type::now());
  }
  auto elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  if (!d.stop_) {
    // Let the last events arrive before counting.
    for (const auto& e : d.inbox_->take_until(clock_type::now() + std::chrono::milliseconds(200)))
      d.on_event(e, clock_type::now());
    d.status_line(elapsed);
  }
  return elapsed;
}

}  // namespace switchboard::app
