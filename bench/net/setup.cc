// The net mode's setup: queues, agents and their tokens defined over supervisor
// connections, then the agents' and gateways' connections.
#include <algorithm>
#include <cmath>
#include <optional>

#include "actors/errors.h"
#include "bench/net/internal/net_run.h"
#include "storage/codecs.h"

namespace switchboard::bench::net_mode {

// -- helpers ------------------------------------------------------------------------

bool net_run::run_until(const std::function<bool()>& done, clock_type::time_point deadline) {
  while (!done() && clock_type::now() < deadline)
    ioc_.run_one_for(std::chrono::milliseconds(20));
  return done();
}

pb::Hello net_run::hello(pb::Role role, const std::string& token) const {
  pb::Hello h;
  h.set_role(role);
  h.set_tenant(cfg_.tenant);
  if (role == pb::ROLE_AGENT)
    h.set_agent_token(token);
  else
    h.set_api_key(s_.realtime.api_key);
  return h;
}

engine::result<std::shared_ptr<ws::connection>> net_run::open_supervisor() {
  auto c = ws::connection::make(ioc_, counters_);
  std::optional<engine::result<pb::Welcome>> got;
  c->open(cfg_.endpoint, cfg_.url, hello(pb::ROLE_SUPERVISOR),
          [&got](engine::result<pb::Welcome> w) { got = std::move(w); });
  run_until([&] { return got.has_value(); }, clock_type::now() + std::chrono::seconds(20));
  if (!got) {
    c->close();  // no callback after this: `got` goes out of scope
    return engine::make_error(actors::errors::timeout, "no answer from " + s_.realtime.url);
  }
  if (!*got) {
    auto e = got->err();
    if (e.code == errc::invalid_argument)
      e.message = "api_key: refused for tenant '" + cfg_.tenant + "' at " + s_.realtime.url +
                  " (" + e.message + ")";
    else
      e.message = "url: " + e.message;
    return e;
  }
  return c;
}

double net_run::sample(const duration_dist& d, double none_value) {
  sim::duration_sampler sampler{d, 0};
  if (!sampler.active())
    return none_value;
  return sampler.mean() > 0 ? sampler.draw(rng_) : 0;
}

std::size_t net_run::pick(const std::vector<double>& weights) {
  std::discrete_distribution<std::size_t> d{weights.begin(), weights.end()};
  return d(rng_);
}

// -- setup --------------------------------------------------------------------------

engine::status net_run::define_everything() {
  // Agents: each group's staffing of the first period, capped (proportionally).
  std::uint64_t wanted = 0;
  for (const auto& g : s_.groups)
    wanted += g.staff_for(0);
  if (wanted == 0)
    return bad("groups", "no agent is staffed in the first period");
  double keep = wanted > cfg_.max_agents ? static_cast<double>(cfg_.max_agents) / wanted : 1.0;
  if (keep < 1.0)
    notes_.push_back("agents capped at " + std::to_string(cfg_.max_agents) + " of " +
                     std::to_string(wanted) + " staffed (--set net_max_agents=N); each group "
                     "keeps its share, so the node sees a smaller population than the scenario");
  std::vector<engine::agent_profile> profiles;
  for (std::size_t gi = 0; gi < s_.groups.size(); ++gi) {
    const auto& g = s_.groups[gi];
    auto n = static_cast<std::uint32_t>(std::floor(g.staff_for(0) * keep));
    if (n == 0 && g.staff_for(0) > 0)
      n = 1;
    group_staff_.push_back(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      auto p = g.profile(cfg_.tenant, g.name + "-" + std::to_string(i + 1));
      std::uint32_t cap = 0;
      for (const auto& c : p.capacity)
        cap = std::max(cap, c.max);
      if (cap == 0) {
        for (const auto& t : s_.types)
          p.capacity[engine::index(t.ch)].max = 1;
        cap = 1;
      }
      total_capacity_ += cap;
      agent_index_[p.id] = agents_.size();
      sim_agent ag;
      ag.id = p.id;
      ag.group = gi;
      ag.capacity = cap;
      agents_.push_back(std::move(ag));
      profiles.push_back(std::move(p));
    }
  }

  // A few supervisor connections share the definitions, so the node's per-connection
  // rate limit does not make the setup slow.
  auto first = open_supervisor();
  if (!first)
    return first.err();
  std::vector<std::shared_ptr<ws::connection>> sups{*first};
  auto extra = std::min<std::size_t>(7, profiles.size() / 64);
  for (std::size_t i = 0; i < extra; ++i)
    if (auto c = open_supervisor())
      sups.push_back(*c);

  std::optional<engine::error> failed;
  std::size_t pending = 0;
  auto expect_ack = [&](const std::string& what) {
    ++pending;
    return [&, what](const pb::Envelope& e) {
      --pending;
      if (e.has_error() && !failed)
        failed = engine::make_error(e.error().code() >= 1 && e.error().code() <= 22
                                      ? static_cast<errc>(e.error().code())
                                      : errc::invalid_argument,
                                    what + ": the node refused it: " +
                                      pb::ErrorCode_Name(e.error().code()) + ": " +
                                      e.error().message());
    };
  };
  for (auto q : s_.queues) {
    q.tenant = cfg_.tenant;
    q.policy = s_.policy;
    pb::Envelope e;
    *e.mutable_define_queue()->mutable_queue() = storage::to_proto(q);
    sups.front()->request(std::move(e), expect_ack("queue '" + q.id + "'"));
  }
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    auto& sup = *sups[i % sups.size()];
    pb::Envelope d;
    *d.mutable_define_agent()->mutable_agent() = storage::to_proto(profiles[i]);
    sup.request(std::move(d), expect_ack("agent '" + profiles[i].id + "'"));
    pb::Envelope t;
    t.mutable_mint_agent_token()->set_agent(profiles[i].id);
    t.mutable_mint_agent_token()->set_ttl_s(3600);
    ++pending;
    sup.request(std::move(t), [&, i](const pb::Envelope& e) {
      --pending;
      if (e.has_agent_token())
        agents_[i].token = e.agent_token().token();
      else if (!failed)
        failed = engine::make_error(errc::invalid_argument,
                                    "agent '" + profiles[i].id + "': no token: " +
                                      (e.has_error() ? e.error().message() : "unexpected reply"));
    });
  }
  auto deadline = clock_type::now() + std::chrono::seconds(30) +
                  std::chrono::milliseconds(20 * profiles.size());
  bool done = run_until([&] { return pending == 0 || failed; }, deadline);
  for (auto& c : sups)
    c->close();
  if (failed)
    return *failed;
  if (!done)
    return engine::make_error(actors::errors::timeout, "defining " + std::to_string(profiles.size()) +
                                               " agents: " + std::to_string(pending) +
                                               " requests unanswered after the deadline");
  return {};
}

engine::status net_run::connect_agents() {
  std::size_t next = 0, answered = 0, in_flight = 0;
  std::optional<engine::error> first_error;
  constexpr std::size_t max_handshakes = 128;  // the listen backlog is finite
  std::function<void()> launch = [&] {
    while (in_flight < max_handshakes && next < agents_.size()) {
      auto a = next++;
      ++in_flight;
      auto c = ws::connection::make(ioc_, counters_);
      agents_[a].conn = c;
      c->on_push([this, a](const pb::Envelope& e) { on_agent_push(a, e); });
      // Round-robin over the agents' nodes (one node unless agent_urls is set).
      auto k = a % cfg_.agent_nodes.size();
      c->open(cfg_.agent_nodes[k].endpoint, cfg_.agent_nodes[k].url,
              hello(pb::ROLE_AGENT, agents_[a].token),
              [&, a, c, k](engine::result<pb::Welcome> w) {
                --in_flight;
                if (!w) {
                  ++answered;
                  if (!first_error) {
                    first_error = w.err();
                    if (cfg_.agent_urls_set)
                      first_error->message =
                        "agent_urls: '" + cfg_.agent_nodes[k].text + "': " + first_error->message;
                  }
                  launch();
                  return;
                }
                pb::Envelope av;
                auto* m = av.mutable_set_availability();
                m->set_available(true);
                const auto& g = s_.groups[agents_[a].group];
                for (std::size_t ch = 0; ch < engine::channel_count; ++ch) {
                  if (g.capacity[ch].max == 0)
                    continue;
                  auto* cc = m->add_capacity();
                  cc->set_channel(storage::to_proto(static_cast<engine::channel>(ch)));
                  cc->set_max(g.capacity[ch].max);
                  cc->set_exclusive(g.capacity[ch].exclusive);
                }
                c->request(std::move(av), [&, a](const pb::Envelope& e) {
                  ++answered;
                  agents_[a].ready = e.has_ack();
                });
                launch();
              });
    }
  };
  launch();
  run_until([&] { return answered == agents_.size(); },
            clock_type::now() + std::chrono::seconds(30) +
              std::chrono::milliseconds(10 * agents_.size()));
  // Connections still in their Hello (past the deadline) are given up: closing them
  // drops their callbacks, which refer to this frame.
  for (auto& a : agents_)
    if (!a.ready && a.conn) {
      a.conn->close();
      a.conn.reset();
    }
  auto ready = std::count_if(agents_.begin(), agents_.end(), [](auto& a) { return a.ready; });
  if (ready == 0)
    return first_error ? *first_error
                       : engine::make_error(errc::not_connected, "no agent could log in");
  if (static_cast<std::size_t>(ready) < agents_.size())
    notes_.push_back(std::to_string(agents_.size() - ready) + " of " +
                     std::to_string(agents_.size()) + " agent connections failed" +
                     (first_error ? " (first: " + first_error->message + ")" : std::string{}));
  return {};
}

engine::status net_run::connect_gateways() {
  std::size_t answered = 0;
  std::optional<engine::error> first_error;
  std::vector<std::shared_ptr<ws::connection>> all;
  for (std::uint32_t i = 0; i < cfg_.gateways; ++i) {
    auto c = ws::connection::make(ioc_, counters_);
    c->on_push([this](const pb::Envelope& e) { on_gateway_push(e); });
    c->open(cfg_.endpoint, cfg_.url, hello(pb::ROLE_GATEWAY), [&](engine::result<pb::Welcome> w) {
      ++answered;
      if (!w && !first_error)
        first_error = w.err();
    });
    all.push_back(std::move(c));
  }
  run_until([&] { return answered == all.size(); },
            clock_type::now() + std::chrono::seconds(30));
  for (auto& c : all)
    if (c->is_open())
      gateways_.push_back(c);
    else
      c->close();  // drops its callback, which refers to this frame
  if (gateways_.empty())
    return first_error ? *first_error
                       : engine::make_error(errc::not_connected, "no gateway could connect");
  if (gateways_.size() < all.size())
    notes_.push_back(std::to_string(all.size() - gateways_.size()) + " of " +
                     std::to_string(all.size()) + " gateway connections failed");
  return {};
}

}  // namespace switchboard::bench::net_mode
