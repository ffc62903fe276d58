#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <queue>
#include <random>
#include <unordered_map>

#include "actors/node.h"
#include "app/cli.h"
#include "app/demo_tenant.h"

namespace switchboard::app {

namespace {

using clock_type = std::chrono::steady_clock;
using engine::event_type;

/// Events from the node's event thread to the demo's driver thread.
class event_inbox {
 public:
  void push(const event& e) {
    {
      std::lock_guard<std::mutex> g{m_};
      q_.push_back(e);
    }
    cv_.notify_one();
  }
  std::deque<event> take_until(clock_type::time_point deadline) {
    std::unique_lock<std::mutex> g{m_};
    cv_.wait_until(g, deadline, [&] { return !q_.empty(); });
    std::deque<event> out;
    out.swap(q_);
    return out;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<event> q_;
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

struct demo_config {
  double seconds = 30;
  double rate = 8;  // arrivals per second
  std::uint64_t seed = 42;
  std::string data_dir;
  std::string summary_json;
  storage::durability durability = storage::durability::sync;
};

struct demo_counters {
  std::uint64_t created = 0;
  std::uint64_t rejected = 0;
  std::uint64_t routed = 0;
  std::uint64_t completed = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t declined = 0;
  std::uint64_t expired = 0;
  std::uint64_t moved = 0;
};

class demo_driver {
 public:
  demo_driver(demo_config cfg, node& n, demo_tenant t)
    : cfg_(std::move(cfg)), node_(n), tenant_(std::move(t)), rng_(cfg_.seed) {}

  int run();

 private:
  void submit_one(clock_type::time_point now);
  void on_event(const event& e, clock_type::time_point now);
  void perform(const action& a);
  void status_line(double elapsed);
  void schedule(action a) { actions_.push(std::move(a)); }
  template <class Dist>
  clock_type::duration seconds(Dist& d) {
    return std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(std::max(0.0, d(rng_))));
  }

  demo_config cfg_;
  node& node_;
  demo_tenant tenant_;
  std::mt19937_64 rng_;
  event_inbox inbox_;
  std::priority_queue<action, std::vector<action>, std::greater<>> actions_;
  std::unordered_map<std::string, engine::contact_state> live_;
  demo_counters n_;
  std::uint64_t next_id_ = 0;
  tenant_stats last_;
};

void demo_driver::submit_one(clock_type::time_point now) {
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
    std::fprintf(stderr, "demo: contact %s rejected: %s\n", c.id.c_str(),
                 ack.err().message.c_str());
    return;
  }
  ++n_.created;
  live_[c.id] = engine::contact_state::queued;
  std::exponential_distribution<double> patience(1.0 / 15.0);
  schedule({action::abandon, now + seconds(patience), c.id, "", 0});
}

void demo_driver::on_event(const event& e, clock_type::time_point now) {
  std::uniform_real_distribution<double> u(0, 1);
  switch (e.type) {
    case event_type::offered: {
      live_[e.contact] = engine::contact_state::offered;
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
      if (e.contact.empty() && e.detail == "ring_no_answer")
        schedule({action::back_from_away, now + std::chrono::seconds(3), "", e.agent, 0});
      break;
    default: break;
  }
}

void demo_driver::perform(const action& a) {
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
      o.csat = 3 + static_cast<int>(u(rng_) * 3);
      o.disposition = o.resolved ? "resolved" : "follow_up";
      o.tip = u(rng_) < 0.05 ? 1.0 : 0.0;
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

void demo_driver::status_line(double elapsed) {
  auto s = node_.stats(tenant_.tenant.id);
  if (!s)
    return;
  last_ = *s;
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

int demo_driver::run() {
  node_.subscribe([this](const event& e) { inbox_.push(e); });
  for (const auto& a : tenant_.agents)
    if (auto s = node_.login(tenant_.tenant.id, a.id); !s)
      std::fprintf(stderr, "demo: login of %s failed: %s\n", a.id.c_str(), s.err().message.c_str());
  auto start = clock_type::now();
  // Contacts that were with an agent when the node last stopped: their agents
  // finish them first.
  for (const auto& c : node_.recovered().with_agents)
    if (c.tenant == tenant_.tenant.id) {
      live_[c.contact] = engine::contact_state::connected;
      schedule({action::complete, start + std::chrono::milliseconds(500), c.contact, c.agent, 0});
    }
  auto end = start + std::chrono::duration_cast<clock_type::duration>(
                       std::chrono::duration<double>(cfg_.seconds));
  std::exponential_distribution<double> gap(cfg_.rate);
  auto next_arrival = start + seconds(gap);
  auto next_status = start + std::chrono::seconds(1);
  while (true) {
    auto now = clock_type::now();
    if (now >= end)
      break;
    while (next_arrival <= now) {
      submit_one(now);
      next_arrival += seconds(gap);
    }
    while (!actions_.empty() && actions_.top().at <= now) {
      auto a = actions_.top();
      actions_.pop();
      perform(a);
    }
    if (now >= next_status) {
      status_line(std::chrono::duration<double>(now - start).count());
      next_status += std::chrono::seconds(1);
    }
    auto wake = std::min({next_arrival, next_status, end});
    if (!actions_.empty())
      wake = std::min(wake, actions_.top().at);
    for (const auto& e : inbox_.take_until(wake))
      on_event(e, clock_type::now());
  }
  auto elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  // Let the last events arrive before counting.
  for (const auto& e : inbox_.take_until(clock_type::now() + std::chrono::milliseconds(200)))
    on_event(e, clock_type::now());
  status_line(elapsed);
  double routed_per_s = static_cast<double>(n_.routed) / elapsed;
  std::printf("\nsummary: %.1f s, %llu contacts created, %llu routed (%.1f/s), %llu completed, "
              "%llu abandoned, %llu waiting, %llu declined, %llu expired offers, %llu overflow "
              "moves, service level %.1f%%\n",
              elapsed, static_cast<unsigned long long>(n_.created),
              static_cast<unsigned long long>(n_.routed), routed_per_s,
              static_cast<unsigned long long>(n_.completed),
              static_cast<unsigned long long>(n_.abandoned),
              static_cast<unsigned long long>(last_.waiting),
              static_cast<unsigned long long>(n_.declined),
              static_cast<unsigned long long>(n_.expired),
              static_cast<unsigned long long>(n_.moved), 100.0 * last_.service_level);
  if (!cfg_.summary_json.empty()) {
    std::ofstream out{cfg_.summary_json};
    if (!out) {
      std::fprintf(stderr, "demo: cannot write %s\n", cfg_.summary_json.c_str());
      return 1;
    }
    const auto& rec = node_.recovered();
    out << "{\n"
        << "  \"seconds\": " << elapsed << ",\n"
        << "  \"contacts_created\": " << n_.created << ",\n"
        << "  \"contacts_rejected\": " << n_.rejected << ",\n"
        << "  \"routed\": " << n_.routed << ",\n"
        << "  \"routed_per_second\": " << routed_per_s << ",\n"
        << "  \"completed\": " << n_.completed << ",\n"
        << "  \"abandoned\": " << n_.abandoned << ",\n"
        << "  \"waiting\": " << last_.waiting << ",\n"
        << "  \"connected\": " << last_.connected << ",\n"
        << "  \"offers_declined\": " << n_.declined << ",\n"
        << "  \"offers_expired\": " << n_.expired << ",\n"
        << "  \"overflow_moves\": " << n_.moved << ",\n"
        << "  \"service_level\": " << last_.service_level << ",\n"
        << "  \"recovered\": {\"requeued\": " << rec.requeued << ", \"connected\": " << rec.connected
        << "}\n"
        << "}\n";
  }
  return 0;
}

}  // namespace

int run_demo(const std::vector<std::string>& args) {
  auto f = flags::parse(args, {"seconds", "data-dir", "summary-json", "rate", "seed", "durability"},
                        {});
  if (!f) {
    std::fprintf(stderr, "switchboard demo: %s\n", f.err().message.c_str());
    return 2;
  }
  demo_config cfg;
  auto secs = f->number("seconds", 30, 1, 86400);
  auto rate = f->number("rate", 8, 0.1, 10000);
  auto seed = f->number("seed", 42, 0, 1e15);
  for (auto* r : {&secs, &rate, &seed})
    if (!*r) {
      std::fprintf(stderr, "switchboard demo: %s\n", r->err().message.c_str());
      return 2;
    }
  cfg.seconds = *secs;
  cfg.rate = *rate;
  cfg.seed = static_cast<std::uint64_t>(*seed);
  auto dir = f->get("data-dir");
  if (!dir || dir->empty()) {
    std::fprintf(stderr, "switchboard demo: --data-dir is required\n");
    return 2;
  }
  cfg.data_dir = *dir;
  cfg.summary_json = f->get("summary-json").value_or("");
  if (auto d = f->get("durability")) {
    if (*d == "sync")
      cfg.durability = storage::durability::sync;
    else if (*d == "no_sync")
      cfg.durability = storage::durability::no_sync;
    else {
      std::fprintf(stderr, "switchboard demo: --durability must be sync or no_sync\n");
      return 2;
    }
  }
  node_options opts;
  opts.data_dir = cfg.data_dir;
  opts.durability = cfg.durability;
  auto n = node::open(opts);
  if (!n) {
    std::fprintf(stderr, "switchboard demo: cannot open %s: %s: %s\n", cfg.data_dir.c_str(),
                 std::string{engine::to_string(n.err().code)}.c_str(), n.err().message.c_str());
    return 1;
  }
  const auto& rec = (*n)->recovered();
  std::printf("switchboard demo: data dir %s (restored %llu tenants, %llu agents, %llu contacts "
              "back in line, %llu with agents)\n",
              cfg.data_dir.c_str(), static_cast<unsigned long long>(rec.tenants),
              static_cast<unsigned long long>(rec.agents),
              static_cast<unsigned long long>(rec.requeued),
              static_cast<unsigned long long>(rec.connected));
  auto t = make_demo_tenant(cfg.seed);
  auto fail = [&](const char* what, const engine::status& s) {
    std::fprintf(stderr, "switchboard demo: %s: %s\n", what, s.err().message.c_str());
    return 1;
  };
  if (auto s = (*n)->define_tenant(t.tenant); !s)
    return fail("define tenant", s);
  for (const auto& q : t.queues)
    if (auto s = (*n)->define_queue(q); !s)
      return fail("define queue", s);
  for (const auto& a : t.agents)
    if (auto s = (*n)->define_agent(a); !s)
      return fail("define agent", s);
  for (const auto& c : t.customers)
    if (auto s = (*n)->upsert_customer(c); !s)
      return fail("customer", s);
  std::printf("tenant %s: %zu queues, %zu agents (%zu crowdsourced), %zu customers; %.1f "
              "contacts/s for %.0f s\n",
              t.tenant.id.c_str(), t.queues.size(), t.agents.size(),
              static_cast<std::size_t>(std::count_if(t.agents.begin(), t.agents.end(),
                                                     [](const auto& a) { return a.remote; })),
              t.customers.size(), cfg.rate, cfg.seconds);
  demo_driver driver{cfg, **n, std::move(t)};
  int rc = driver.run();
  (*n)->shutdown();
  return rc;
}

}  // namespace switchboard::app
