#pragma once

// The cluster router's state and its call path, shared by actors/cluster.cc (links,
// ownership changes, handoffs) and actors/cluster_calls.cc (the node_api calls).
// Internal to sb_actors.
#include <caf/all.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>
#include <spdlog/spdlog.h>

#include "actors/cluster.h"
#include "actors/errors.h"
#include "actors/internal/cluster_shared.h"
#include "actors/internal/domain_map.h"
#include "actors/messages.h"
#include "actors/node.h"

namespace switchboard::actors {

namespace cluster_detail {

/// The calls in flight of one `peer_caller`, by the caller's own numbering.
struct peer_calls {
  std::uint64_t next = 0;
  std::unordered_map<std::uint64_t, caf::response_promise> pending;
  void answer(std::uint64_t id, caf::message m) {
    if (auto i = pending.find(id); i != pending.end()) {
      i->second.deliver(std::move(m));
      pending.erase(i);
    }
  }
  void fail(std::uint64_t id, caf::error e) {
    if (auto i = pending.find(id); i != pending.end()) {
      i->second.deliver(std::move(e));
      pending.erase(i);
    }
  }
};

/// The answer types of the requests that cross nodes (what `routed` is called
/// with); `peer_caller` passes each of them on.
template <class... Ts>
struct answer_types {
  template <class T>
  static constexpr bool has = (std::is_same_v<T, Ts> || ...);
  static caf::behavior pass_on(std::shared_ptr<peer_calls> st, std::uint64_t id) {
    return caf::behavior{[st, id](caf::error& e) { st->fail(id, std::move(e)); },
                         [st, id](Ts& x) { st->answer(id, caf::make_message(std::move(x))); }...};
  }
};
using peer_answers =
  answer_types<ok_atom, submit_ack, std::vector<chat_line>, contact_decisions, engine::contact,
               agent_info, engine::customer_profile, engine::queue_config, std::int64_t,
               tenant_stats>;

/// The calls to one peer's gateway, made for blocked callers: one actor per link,
/// living as long as the link. It passes each call's answer back to its caller, or
/// an error to every call in flight as soon as the gateway's node is gone (a
/// request already written to a connection that then breaks is never answered in
/// CAF 0.17, not even with an error: without the monitor its caller would wait for
/// the whole call timeout), and then quits. One long-lived sender per peer, rather
/// than an actor spawned per call: the peer does not build and drop a proxy for
/// each call (bench/micro/caf_hop: 45-75 us less per round trip).
inline caf::behavior peer_caller(caf::event_based_actor* self, caf::actor gw,
                                 std::chrono::milliseconds timeout) {
  auto st = std::make_shared<peer_calls>();
  self->monitor(gw);
  self->set_down_handler([self, st](caf::down_msg&) {
    // A system error, like a timeout: its caller treats the link as dead.
    for (auto& [id, rp] : st->pending)
      rp.deliver(caf::make_error(caf::sec::request_receiver_down));
    st->pending.clear();
    self->quit();
  });
  return {
    [self, gw, timeout, st](fenced_atom, std::string& domain, std::int64_t epoch,
                            caf::message& inner) {
      auto id = ++st->next;
      st->pending.emplace(id, self->make_response_promise());
      auto h = self->request(gw, timeout, fenced_atom::value, std::move(domain), epoch,
                             std::move(inner));
      self->add_multiplexed_response_handler(h.id(), peer_answers::pass_on(st, id));
    },
  };
}

inline bool retryable(const engine::error& e) {
  return e.code == engine::errc::stale_epoch || e.code == engine::errc::not_owner;
}

}  // namespace cluster_detail

// Included only by the router's own two .cc files, which use the cluster's wire
// (atoms, shared state) throughout.
using namespace cluster_detail;

struct cluster_router::impl {
  switchboard::node& local;
  cluster_router_options opts;
  std::shared_ptr<shared_state> shared;
  caf::actor gateway;
  caf::actor sink;
  std::uint16_t port = 0;

  /// Agents logged in through this node's edge, by tenant (value: away), and the
  /// owner each tenant had when last looked at: when it changes, their logins are
  /// sent again, so the new owner knows who is connected here.
  std::mutex agents_mutex;
  std::map<std::string, std::map<std::string, bool>> attached;
  std::map<std::string, std::pair<std::string, std::int64_t>> owner_seen;

  /// Where the calls of tenants split into several domains go.
  std::shared_ptr<domain_map> domains;

  /// This node left the cluster: calls are tried once, not retried until settled.
  std::atomic<bool> leaving{false};

  std::mutex links_mutex;
  std::condition_variable links_changed;
  std::map<std::string, caf::actor> links;  ///< peers' gateways, by endpoint
  /// Each link's `peer_caller`, by endpoint. One that is dropped with its link
  /// quits when its gateway's node goes; the ones left are stopped with the router.
  std::map<std::string, caf::actor> callers;
  /// Every caller spawned (one per link made, so as many as links were made), to
  /// stop them all with the router: CAF 0.17's actor system waits for each actor.
  std::vector<caf::actor> all_callers;
  /// The node (process) last linked at each listed endpoint, kept when its link
  /// fails: a node is gone when its endpoint is no longer listed (its lease
  /// lapsed or it left) or another process answers there (it restarted).
  std::map<std::string, caf::node_id> link_nodes;
  /// When this node's edge sends every agent's login again (it rejoined).
  std::vector<std::chrono::steady_clock::time_point> reattach_all_at;
  bool stopping = false;
  std::thread linker;

  impl(switchboard::node& n, cluster_router_options o)
      : local(n), opts(std::move(o)), domains(std::make_shared<domain_map>(opts.splits)) {}

  /// The domains (tenants on their owners) of tenant `t`: its own id when it is
  /// not split.
  std::vector<std::string> domains_of(const std::string& t) const {
    std::vector<std::string> out;
    if (const auto* s = domains->split(t))
      for (const auto& d : *s)
        out.push_back(d.id);
    else
      out.push_back(t);
    return out;
  }

  /// The domain of agent `a` of tenant `t` (asks the domains when not known yet).
  engine::result<std::string> agent_domain(const std::string& t, const std::string& a) {
    return domains->agent_domain(t, a, [&](const std::string& d) -> engine::status {
      auto r = routed<agent_info>(d, find_agent_req{d, a}, [&] { return local.find_agent(d, a); });
      if (!r)
        return r.err();
      return {};
    });
  }

  /// The domain of contact `c` of tenant `t` (asks the domains when not known yet).
  engine::result<std::string> contact_domain(const std::string& t, const std::string& c) {
    return domains->contact_domain(t, c, [&](const std::string& d) -> engine::status {
      auto r = routed<engine::contact>(d, contact_req{d, c},
                                       [&] { return local.find_contact(d, c); });
      if (!r)
        return r.err();
      return {};
    });
  }

  caf::actor link_to(const std::string& endpoint) {
    std::lock_guard<std::mutex> g{links_mutex};
    auto i = links.find(endpoint);
    return i == links.end() ? caf::actor{} : i->second;
  }

  caf::actor caller_to(const std::string& endpoint) {
    std::lock_guard<std::mutex> g{links_mutex};
    auto i = callers.find(endpoint);
    return i == callers.end() ? caf::actor{} : i->second;
  }

  /// Links `gw` at `endpoint`, with its caller. Under `links_mutex`.
  void add_link(const std::string& endpoint, const caf::actor& gw) {
    links[endpoint] = gw;
    auto caller = local.system().spawn(peer_caller, gw, opts.call_timeout);
    callers[endpoint] = caller;
    all_callers.push_back(caller);
  }

  /// Links to every peer the view lists (connecting is blocking, so only this
  /// thread does it) and drops links to nodes that left.
  void run_linker();

  void note_agent(const std::string& tenant, const std::string& agent, std::optional<bool> away) {
    std::optional<route> r;
    if (away)
      if (auto v = shared->current_view())
        r = v->route_for(tenant);
    std::lock_guard<std::mutex> g{agents_mutex};
    // The owner the agent logged in at: a move after this, however soon, is seen.
    if (away && r && !r->owner.empty() && r->epoch != 0)
      owner_seen.try_emplace(tenant, r->owner, r->epoch);
    if (away)
      attached[tenant][agent] = *away;
    else if (auto i = attached.find(tenant); i != attached.end())
      i->second.erase(agent);
  }

  /// Logs this edge's agents in again at their tenant's new owner.
  void reattach_agents();

  /// Node `node` (`what`: its name or endpoint) is gone: the agents that logged
  /// in through it at tenants owned here lost their connections, as if its edge
  /// had said so: no new offers, and after the agent grace their work is
  /// released unless they log in again (through any node).
  void edge_lost(const caf::node_id& node, const std::string& what);

  /// Logs in at the owner: remembers that the agent is connected through this
  /// node (only the owner's record counts).
  engine::status login_at_owner(const std::string& tenant, const std::string& agent);

  /// Whether the agent is logged in through this node; if so, logs it in again
  /// at the tenant's owner (it moved) with its presence, and says whether that worked.
  bool reattach(const std::string& tenant, const std::string& agent);

  /// An agent's call: when the owner does not know the agent logged in, but this
  /// node does (the tenant moved and the re-attach has not run yet), the agent is
  /// logged in there first and the call is made once more.
  template <class Req, class Local>
  engine::status agent_call(const std::string& tenant, const std::string& agent, const Req& req,
                            Local here) {
    auto st = routed<ok_atom>(tenant, req, here);
    if (!st.ok() && st.code() == engine::errc::agent_offline && reattach(tenant, agent)) {
      shared->log->info("cluster: agent {} of {} logged in again at the tenant's owner", agent,
                        tenant);
      st = routed<ok_atom>(tenant, req, here);
    }
    return st;
  }

  void forget(const std::string& endpoint) {
    std::lock_guard<std::mutex> g{links_mutex};
    links.erase(endpoint);
    callers.erase(endpoint);
  }

  /// Sends `req` to the owner of `tenant`, or runs `here` when that is this node
  /// (or the tenant is not the cluster's). Retries refusals and ownerless moments
  /// until `opts.settle` has passed.
  template <class Reply, class Req, class Local>
  auto routed(const std::string& tenant, const Req& req, Local here)
    -> decltype(here()) {
    return routed_at<Reply>(tenant, req, here).first;
  }

  /// `routed`, with the epoch of the route the answer came from: the owner's
  /// fencing token that the call passed (0: the tenant is not the cluster's, or no
  /// owner answered).
  template <class Reply, class Req, class Local>
  auto routed_at(const std::string& tenant, const Req& req, Local here)
    -> std::pair<decltype(here()), std::int64_t> {
    using out_t = decltype(here());
    auto deadline = std::chrono::steady_clock::now() + opts.settle;
    engine::error last{engine::errc::unavailable, "tenant " + tenant + " has no reachable owner"};
    for (int attempt = 0;; ++attempt) {
      if (attempt > 0) {
        if (leaving || std::chrono::steady_clock::now() >= deadline)
          return {out_t{last}, 0};
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(10 * attempt, 100)));
      }
      auto v = shared->current_view();
      auto r = v ? v->route_for(tenant) : std::nullopt;
      if (!r) {
        ++shared->local_calls;
        return {here(), 0};
      }
      if (r->local) {
        ++shared->local_calls;
        return {here(), r->epoch};
      }
      if (r->owner.empty() || r->epoch == 0) {
        last = engine::error{engine::errc::unavailable,
                             "tenant " + tenant + ": domain " + r->domain + " has no owner right now"};
        continue;
      }
      auto gw = caller_to(r->endpoint);
      if (!gw) {
        last = engine::error{engine::errc::unavailable, "tenant " + tenant + ": owner " + r->owner +
                                                          " at " + r->endpoint + " is not linked"};
        continue;
      }
      static_assert(peer_answers::has<Reply>, "add Reply to peer_answers");
      ++shared->remote_calls;
      std::optional<out_t> out;
      bool dead_link = false;
      {
        caf::scoped_actor self{local.system()};
        // The caller answers within its timeout; the margin only catches a bug.
        self
          ->request(gw, opts.call_timeout + std::chrono::seconds(5), fenced_atom::value,
                    r->domain, r->epoch, caf::make_message(req))
          .receive(
            [&](Reply& x) { out.emplace(convert(std::move(x))); },
            [&](caf::error& e) {
              if (e.category() == caf::atom("system")) {
                // The link failed (the node went away): not acted on, or not known
                // to be; only a refusal is retried.
                dead_link = true;
                out.emplace(engine::error{engine::errc::unavailable,
                                          "owner " + r->owner + " of tenant " + tenant +
                                            " did not answer: " + local.system().render(e)});
              } else {
                out.emplace(from_caf(e));
              }
            });
      }
      if (dead_link)
        forget(r->endpoint);
      if (!*out && retryable(out->err())) {
        ++shared->refused;
        last = out->err();
        continue;
      }
      return {std::move(*out), r->epoch};
    }
  }

  static engine::status convert(ok_atom) { return {}; }
  static engine::result<contact_ack> convert(submit_ack a) {
    return contact_ack{std::move(a.contact), a.seq, a.enqueued_at};
  }
  template <class T>
  static engine::result<T> convert(T x) {
    return engine::result<T>{std::move(x)};
  }
};

}  // namespace switchboard::actors
