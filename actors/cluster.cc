#include "actors/cluster.h"

#include <caf/io/all.hpp>
#include <algorithm>
#include <functional>

#include "actors/internal/cluster_router_impl.h"
#include "actors/storage_actor.h"

namespace switchboard::actors {

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

}  // namespace

void cluster_router::impl::run_linker() {
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
        add_link(p.endpoint, *gw);
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
    for (auto i = callers.begin(); i != callers.end();)
      i = listed(i->first) ? std::next(i) : callers.erase(i);
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

void cluster_router::impl::edge_lost(const caf::node_id& node, const std::string& what) {
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

engine::status cluster_router::impl::login_at_owner(const std::string& tenant,
                                                   const std::string& agent) {
  return routed<ok_atom>(tenant, login_req{tenant, agent}, [&] {
    auto st = local.login(tenant, agent);
    if (st.ok())
      shared->note_origin(tenant, agent, local.system().node());
    return st;
  });
}

bool cluster_router::impl::reattach(const std::string& tenant, const std::string& agent) {
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
  for (const auto& caller : impl_->all_callers)
    caf::anon_send_exit(caller, caf::exit_reason::user_shutdown);
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

}  // namespace switchboard::actors
