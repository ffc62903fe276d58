#include "actors/cluster.h"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <spdlog/spdlog.h>

#include "actors/errors.h"
#include "actors/internal/cluster_shared.h"
#include "actors/internal/domain_map.h"
#include "actors/messages.h"
#include "actors/node.h"
#include "actors/storage_actor.h"
#include "engine/queue_stats.h"

namespace switchboard::actors {

using namespace cluster_detail;

namespace {

std::optional<std::pair<std::string, std::uint16_t>> split_endpoint(const std::string& ep) {
  auto colon = ep.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == ep.size())
    return std::nullopt;
  unsigned long port = 0;
  try {
    port = std::stoul(ep.substr(colon + 1));
  } catch (...) {
    return std::nullopt;
  }
  if (port == 0 || port > 65535)
    return std::nullopt;
  return std::make_pair(ep.substr(0, colon), static_cast<std::uint16_t>(port));
}

/// One call to another node's gateway, made for a blocked caller: it answers the
/// caller with the gateway's answer, or with an error as soon as the gateway's node
/// is gone. (A request already written to a connection that then breaks is never
/// answered in CAF 0.17, not even with an error: without the monitor its caller
/// would wait for the whole call timeout.) Quits once it has answered.
template <class Reply>
caf::behavior remote_call(caf::event_based_actor* self, caf::actor gw,
                          std::chrono::milliseconds timeout) {
  return {
    [self, gw, timeout](fenced_atom, std::string& domain, std::int64_t epoch,
                        caf::message& inner) -> caf::result<Reply> {
      auto rp = self->make_response_promise<Reply>();
      // Shared by the handlers below (the down handler is called as const).
      auto answer = std::make_shared<caf::typed_response_promise<Reply>>(rp);
      self->monitor(gw);
      self->set_down_handler([self, answer](caf::down_msg&) {
        // A system error, like a timeout: its caller treats the link as dead.
        if (answer->pending())
          answer->deliver(caf::make_error(caf::sec::request_receiver_down));
        self->quit();
      });
      self->request(gw, timeout, fenced_atom::value, std::move(domain), epoch, std::move(inner))
        .then(
          [self, answer](Reply& r) {
            if (answer->pending())
              answer->deliver(std::move(r));
            self->quit();
          },
          [self, answer](caf::error& e) {
            if (answer->pending())
              answer->deliver(std::move(e));
            self->quit();
          });
      return rp;
    },
  };
}

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
  }
  out.service_level = engine::service_level(within, closed);
  return out;
}

bool retryable(const engine::error& e) {
  return e.code == engine::errc::stale_epoch || e.code == engine::errc::not_owner;
}

}  // namespace

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

  /// Links to every peer the view lists (connecting is blocking, so only this
  /// thread does it) and drops links to nodes that left.
  void run_linker() {
    std::unique_lock<std::mutex> g{links_mutex};
    while (!stopping) {
      g.unlock();
      auto v = shared->current_view();
      std::vector<peer> peers = v ? v->peers() : std::vector<peer>{};
      for (const auto& p : peers) {
        if (link_to(p.endpoint))
          continue;
        auto hp = split_endpoint(p.endpoint);
        if (!hp)
          continue;
        auto gw = local.system().middleman().remote_actor(hp->first, hp->second);
        if (!gw) {
          shared->log->debug("cluster: no link to {} at {} yet: {}", p.name, p.endpoint,
                             local.system().render(gw.error()));
          continue;
        }
        caf::anon_send(*gw, subscribe_atom::value, sink);
        caf::anon_send(sink, watch_atom::value, *gw, p.endpoint);
        std::optional<caf::node_id> restarted;
        {
          std::lock_guard<std::mutex> lg{links_mutex};
          links[p.endpoint] = *gw;
          auto [it, fresh] = link_nodes.try_emplace(p.endpoint, gw->node());
          if (!fresh && it->second != gw->node()) {
            restarted = it->second;
            it->second = gw->node();
          }
        }
        shared->log->info("cluster: linked to {} at {}", p.name, p.endpoint);
        if (restarted)
          edge_lost(*restarted, p.name + " (restarted)");
      }
      g.lock();
      // Links to endpoints no longer listed are dropped; a link whose node went
      // down is dropped by `forget` when a call finds it dead.
      auto listed = [&](const std::string& ep) {
        return std::any_of(peers.begin(), peers.end(),
                           [&](const peer& p) { return p.endpoint == ep; });
      };
      for (auto i = links.begin(); i != links.end();)
        i = listed(i->first) ? std::next(i) : links.erase(i);
      std::vector<std::pair<std::string, caf::node_id>> gone;
      for (auto i = link_nodes.begin(); i != link_nodes.end();) {
        if (listed(i->first)) {
          ++i;
          continue;
        }
        gone.emplace_back(i->first, i->second);
        i = link_nodes.erase(i);
      }
      shared->links = links.size();
      g.unlock();
      for (const auto& [endpoint, node] : gone)
        edge_lost(node, endpoint);
      reattach_agents();
      g.lock();
      links_changed.wait_for(g, opts.link_interval, [this] { return stopping; });
    }
  }

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
  void edge_lost(const caf::node_id& node, const std::string& what) {
    auto agents = shared->take_origins(node);
    if (agents.empty())
      return;
    auto v = shared->current_view();
    std::size_t n = 0;
    for (const auto& [tenant, agent] : agents) {
      auto r = v ? v->route_for(tenant) : std::nullopt;
      if (r && !r->local)
        continue;  // the tenant moved: its edges logged their agents in at the new owner
      auto st = local.agent_disconnected(tenant, agent);
      if (st.ok())
        ++n;
      else if (st.code() != engine::errc::agent_offline && st.code() != engine::errc::unknown_tenant)
        shared->log->warn("cluster: agent {} of {} (edge {} gone): {}", agent, tenant, what,
                          st.err().message);
    }
    if (n > 0)
      shared->log->warn("cluster: node {} is gone: {} agent(s) connected through it are "
                        "disconnected here, and released after the agent grace unless they "
                        "log in again",
                        what, n);
  }

  /// Logs in at the owner: remembers that the agent is connected through this
  /// node (only the owner's record counts).
  engine::status login_at_owner(const std::string& tenant, const std::string& agent) {
    return routed<ok_atom>(tenant, login_req{tenant, agent}, [&] {
      auto st = local.login(tenant, agent);
      if (st.ok())
        shared->note_origin(tenant, agent, local.system().node());
      return st;
    });
  }

  /// Whether the agent is logged in through this node; if so, logs it in again
  /// at the tenant's owner (it moved) with its presence, and says whether that worked.
  bool reattach(const std::string& tenant, const std::string& agent) {
    bool away = true;
    {
      std::lock_guard<std::mutex> g{agents_mutex};
      auto t = attached.find(tenant);
      if (t == attached.end())
        return false;
      auto a = t->second.find(agent);
      if (a == t->second.end())
        return false;
      away = a->second;
    }
    auto st = login_at_owner(tenant, agent);
    if (st.ok())
      st = routed<ok_atom>(tenant, presence_req{tenant, agent, away},
                           [&] { return local.set_away(tenant, agent, away); });
    return st.ok();
  }

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
  }

  /// Sends `req` to the owner of `tenant`, or runs `here` when that is this node
  /// (or the tenant is not the cluster's). Retries refusals and ownerless moments
  /// until `opts.settle` has passed.
  template <class Reply, class Req, class Local>
  auto routed(const std::string& tenant, const Req& req, Local here)
    -> decltype(here()) {
    using out_t = decltype(here());
    auto deadline = std::chrono::steady_clock::now() + opts.settle;
    engine::error last{engine::errc::unavailable, "tenant " + tenant + " has no reachable owner"};
    for (int attempt = 0;; ++attempt) {
      if (attempt > 0) {
        if (leaving || std::chrono::steady_clock::now() >= deadline)
          return out_t{last};
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(10 * attempt, 100)));
      }
      auto v = shared->current_view();
      auto r = v ? v->route_for(tenant) : std::nullopt;
      if (!r) {
        ++shared->local_calls;
        return here();
      }
      if (r->local) {
        ++shared->local_calls;
        return here();
      }
      if (r->owner.empty() || r->epoch == 0) {
        last = engine::error{engine::errc::unavailable,
                             "tenant " + tenant + ": domain " + r->domain + " has no owner right now"};
        continue;
      }
      auto gw = link_to(r->endpoint);
      if (!gw) {
        last = engine::error{engine::errc::unavailable, "tenant " + tenant + ": owner " + r->owner +
                                                          " at " + r->endpoint + " is not linked"};
        continue;
      }
      ++shared->remote_calls;
      std::optional<out_t> out;
      bool dead_link = false;
      {
        caf::scoped_actor self{local.system()};
        auto call = local.system().spawn(remote_call<Reply>, gw, opts.call_timeout);
        // The call answers within its timeout; the margin only catches a bug.
        self
          ->request(call, opts.call_timeout + std::chrono::seconds(5), fenced_atom::value,
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
      return std::move(*out);
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

void cluster_router::impl::reattach_agents() {
  auto v = shared->current_view();
  if (!v)
    return;
  // After this node rejoined, every owner may have read it gone and disconnected
  // its agents: all of them log in again, at once and once more a little later
  // (an owner reads the cluster up to a poll interval late).
  bool all = false;
  {
    std::lock_guard<std::mutex> g{links_mutex};
    auto now = std::chrono::steady_clock::now();
    auto due = std::remove_if(reattach_all_at.begin(), reattach_all_at.end(),
                              [&](auto at) { return at <= now; });
    all = due != reattach_all_at.end();
    reattach_all_at.erase(due, reattach_all_at.end());
  }
  std::vector<std::pair<std::string, std::map<std::string, bool>>> todo;  // (tenant, agents)
  {
    std::lock_guard<std::mutex> g{agents_mutex};
    for (const auto& [tenant, agents] : attached) {
      if (agents.empty())
        continue;
      auto r = v->route_for(tenant);
      if (!r || r->owner.empty() || r->epoch == 0)
        continue;  // between owners: looked at again next round
      auto now = std::make_pair(r->owner, r->epoch);
      auto [it, first] = owner_seen.try_emplace(tenant, now);
      if (!all && (first || it->second == now))
        continue;
      it->second = now;
      todo.emplace_back(tenant, agents);
    }
  }
  for (const auto& [tenant, agents] : todo) {
    shared->log->info("cluster: tenant {} {}: {} agent(s) connected here log in again there",
                      tenant, all ? "(this node rejoined)" : "moved", agents.size());
    for (const auto& [agent, away] : agents)
      if (!reattach(tenant, agent))
        shared->log->warn("cluster: agent {} of {} not re-attached at its new owner", agent,
                          tenant);
  }
}

engine::result<std::unique_ptr<cluster_router>> cluster_router::start(
  switchboard::node& local, cluster_router_options opts, std::shared_ptr<spdlog::logger> log) {
  if (opts.node_name.empty())
    return engine::make_error(engine::errc::invalid_argument, "cluster: a node name is required");
  auto p = std::make_unique<impl>(local, opts);
  p->shared = std::make_shared<shared_state>();
  p->shared->self = opts.node_name;
  p->shared->event_batch = opts.event_batch;
  p->shared->log = log ? log : spdlog::default_logger();
  auto& sys = local.system();
  p->gateway = spawn_gateway(sys, p->shared, local.registry(), local.storage());
  p->sink = spawn_event_sink(sys, p->shared);
  auto port = sys.middleman().publish(p->gateway, opts.port, opts.host.c_str(), true);
  if (!port) {
    caf::anon_send_exit(p->gateway, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(p->sink, caf::exit_reason::user_shutdown);
    return engine::make_error(engine::errc::unavailable,
                              "cluster: cannot listen on " + opts.host + ":" +
                                std::to_string(opts.port) + ": " + sys.render(port.error()));
  }
  p->port = *port;
  // The local node's events reach the gateway (for other nodes) and this node's
  // own subscribers, each only while this node owns the tenant.
  local.subscribe([shared = p->shared, gw = p->gateway](const event& ev) {
    caf::anon_send(gw, ev);
    shared->deliver(ev, shared->self);
  });
  {
    std::lock_guard<std::mutex> g{p->shared->mutex};
    p->shared->forget_link = [raw = p.get()](const std::string& endpoint) { raw->forget(endpoint); };
  }
  p->linker = std::thread([raw = p.get()] { raw->run_linker(); });
  // Removed (waiting for the storage actor) before `p` goes: the hook uses it.
  local.set_replication(make_replicator(
    p->shared, local.system(), [raw = p.get()](const std::string& ep) { return raw->link_to(ep); },
    opts.local_durability, opts.replication_timeout));
  return std::unique_ptr<cluster_router>{new cluster_router(std::move(p))};
}

cluster_router::cluster_router(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

cluster_router::~cluster_router() {
  impl_->local.set_replication(nullptr);
  {
    std::lock_guard<std::mutex> g{impl_->shared->mutex};
    impl_->shared->forget_link = nullptr;
  }
  {
    std::lock_guard<std::mutex> g{impl_->links_mutex};
    impl_->stopping = true;
  }
  impl_->links_changed.notify_all();
  if (impl_->linker.joinable())
    impl_->linker.join();
  auto& sys = impl_->local.system();
  (void)sys.middleman().unpublish(impl_->gateway, impl_->port);
  caf::anon_send_exit(impl_->gateway, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(impl_->sink, caf::exit_reason::user_shutdown);
}

std::uint16_t cluster_router::port() const {
  return impl_->port;
}

void cluster_router::attach(std::shared_ptr<const ownership_view> view) {
  std::lock_guard<std::mutex> g{impl_->shared->mutex};
  impl_->shared->view = std::move(view);
}

cluster_router_stats cluster_router::stats_snapshot() const {
  const auto& s = *impl_->shared;
  cluster_router_stats out;
  out.local_calls = s.local_calls;
  out.remote_calls = s.remote_calls;
  out.refused = s.refused;
  out.remote_events = s.remote_events;
  out.dropped_events = s.dropped_events;
  out.links = s.links;
  out.replicated_batches = s.replicated_batches;
  out.replica_snapshots = s.replica_snapshots;
  out.replication_failures = s.replication_failures;
  out.unreplicated_batches = s.unreplicated_batches;
  out.applied_batches = s.applied_batches;
  out.failovers = s.failovers;
  return out;
}

void cluster_router::activate(const std::string& tenant, const std::string& domain,
                              std::int64_t epoch, const std::string& previous_owner,
                              std::int64_t previous_epoch) {
  auto& shared = *impl_->shared;
  auto& log = *shared.log;
  std::optional<replica_mark> copy;
  {
    std::lock_guard<std::mutex> g{shared.replica_mutex};
    if (shared.imported.erase(domain) > 0)
      return;  // a handoff brought it, live
    if (auto i = shared.replicas.find(domain); i != shared.replicas.end())
      copy = i->second;
    shared.replicas.erase(domain);  // owned now: no longer a copy
  }
  // Current: this node's own state (no other owner since it started, or it was the
  // last owner itself), or a standby copy in sequence with the previous owner.
  bool own = previous_owner.empty() || previous_owner == shared.self;
  bool failover = !own && copy && copy->epoch == previous_epoch;
  auto snap = impl_->local.load_tenant(tenant);
  if (!snap) {
    log.error("cluster: domain {} (epoch {}): its stored state cannot be read: {}", domain, epoch,
              snap.err().message);
    return;
  }
  if (snap->tenants.size() != 1)
    return;  // nothing stored of it here: it starts from its configuration
  if (!own && !failover) {
    // Without writes since its standby was chosen a domain has no copy, and loses
    // nothing; with writes, a replicated tenant's were acknowledged only once copied.
    log.warn("cluster: domain {} (epoch {}) taken from {} (epoch {}) without a current copy "
             "here ({}): its {} stored live contact(s) here are out of date and are dropped; "
             "whatever {} acknowledged without a copy here (a tenant with durability local, "
             "or a standby that had fallen behind) is not here",
             domain, epoch, previous_owner, previous_epoch,
             copy ? "the copy is of epoch " + std::to_string(copy->epoch) : "no copy",
             snap->live.size(), previous_owner);
    snap->live.clear();
  }
  auto live = snap->live.size();
  auto t0 = std::chrono::steady_clock::now();
  if (auto st = impl_->local.import_tenant(std::move(*snap)); !st.ok()) {
    log.error("cluster: domain {} (epoch {}): could not be started here: {}", domain, epoch,
              st.err().message);
    return;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  if (failover) {
    ++shared.failovers;
    log.warn("cluster: domain {} taken over from {} (epoch {} -> {}) with the standby copy: {} "
             "live contact(s) started in {} ms",
             domain, previous_owner, previous_epoch, epoch, live, ms.count());
  } else {
    log.info("cluster: domain {} (epoch {}) started from this node's store: {} live contact(s)",
             domain, epoch, live);
  }
}

void cluster_router::left() {
  impl_->leaving = true;
}

void cluster_router::rejoined() {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> g{impl_->links_mutex};
    impl_->reattach_all_at = {now, now + std::chrono::milliseconds(1500)};
  }
}

void cluster_router::deactivate(const std::string& tenant, const std::string& domain) {
  {
    std::lock_guard<std::mutex> g{impl_->shared->replica_mutex};
    impl_->shared->imported.erase(domain);
  }
  // Stops its actors; what is stored stays (it is current up to here, and a later
  // claim decides whether it is still current then).
  auto snap = impl_->local.export_tenant(tenant);
  if (!snap && snap.err().code != engine::errc::unknown_tenant)
    impl_->shared->log->error("cluster: domain {}: its actors could not be stopped: {}", domain,
                              snap.err().message);
}

engine::status cluster_router::probe(const std::string& endpoint, const std::string& domain,
                                     std::int64_t epoch, const std::string& tenant,
                                     const std::string& agent) {
  auto gw = impl_->link_to(endpoint);
  if (!gw)
    return engine::make_error(engine::errc::unavailable, "no link to " + endpoint);
  engine::status out;
  caf::scoped_actor self{impl_->local.system()};
  self
    ->request(gw, impl_->opts.call_timeout, fenced_atom::value, domain, epoch,
              caf::make_message(presence_req{tenant, agent, true}))
    .receive([&](ok_atom) {}, [&](caf::error& e) { out = from_caf(e); });
  return out;
}

bool cluster_router::hand_off(const std::string& tenant, const std::string& domain,
                              std::int64_t epoch, const std::string& to) {
  auto& log = *impl_->shared->log;
  auto v = impl_->shared->current_view();
  std::string endpoint;
  if (v)
    for (const auto& p : v->peers())
      if (p.name == to)
        endpoint = p.endpoint;
  caf::actor gw;
  // A member that just joined is linked within a link interval or two; the
  // membership tries again next poll when it is not yet.
  for (int i = 0; i < 10 && !gw; ++i) {
    gw = endpoint.empty() ? caf::actor{} : impl_->link_to(endpoint);
    if (!gw)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!gw) {
    log.warn("cluster: cannot hand {} to {}: no link to it", domain, to);
    return false;
  }
  auto t0 = std::chrono::steady_clock::now();
  // The gateway refuses the domain's calls from now on; those already inside the
  // node finish (a CAF 0.17 actor stopped with a request in hand never answers it).
  std::this_thread::sleep_for(impl_->opts.drain);
  auto snap = impl_->local.export_tenant(tenant);
  if (!snap) {
    log.error("cluster: handing {} to {}: its state could not be read: {}", domain, to,
              snap.err().message);
    return false;
  }
  auto contacts = snap->live.size();
  engine::status out;
  {
    caf::scoped_actor self{impl_->local.system()};
    self->request(gw, impl_->opts.call_timeout, import_atom::value, domain, epoch, *snap)
      .receive([](ok_atom) {}, [&](caf::error& e) { out = from_caf(e); });
  }
  if (!out.ok()) {
    log.warn("cluster: {} refused the handoff of {}: {}; the domain stays here", to, domain,
             out.err().message);
    if (auto st = impl_->local.import_tenant(std::move(*snap)); !st.ok())
      log.error("cluster: {} could not be resumed here: {}", domain, st.err().message);
    return false;
  }
  if (auto st = impl_->local.drop_tenant(tenant); !st.ok())
    log.error("cluster: {} handed over, but its contacts stay in this node's store: {}", domain,
              st.err().message);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  log.info("cluster: domain {} handed to {} with {} live contact(s) in {} ms", domain, to,
           contacts, ms.count());
  return true;
}

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
