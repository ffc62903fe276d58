#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "actors/cluster.h"
#include "actors/node.h"
#include "app/cli.h"
#include "app/demo_driver.h"
#include "app/demo_tenant.h"
#include "net/auth.h"
#include "net/cluster/membership.h"
#include "net/cluster/routes.h"
#include "net/cluster/status.h"
#include "net/config.h"
#include "net/edge_server.h"

namespace switchboard::app {

namespace {

/// The agent of the demo tenant that a person plays on the agent desktop; the
/// simulation leaves it alone.
constexpr const char* demo_human_agent = "agent-1";
/// Arrivals per second of the simulated load under `serve --demo`.
constexpr double demo_rate = 4;

/// Where the pages are when no web dir is configured: installed beside the
/// executable (`<prefix>/bin/switchboard` serves `<prefix>/share/switchboard/web`,
/// SB_WEB_DIR_FROM_BIN), else, for a binary in the build tree, the built pages next
/// to the sources (web/dist), else the sources (web/). Empty when none has pages.
std::string default_web_dir() {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
#ifdef SB_WEB_DIR_FROM_BIN
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    candidates.push_back(exe.parent_path() / SB_WEB_DIR_FROM_BIN);
#endif
#ifdef SB_SOURCE_DIR
  candidates.push_back(fs::path{SB_SOURCE_DIR} / "web/dist");
  candidates.push_back(fs::path{SB_SOURCE_DIR} / "web");
#endif
  for (const auto& dir : candidates) {
    std::error_code exists_ec;
    if (fs::exists(dir / "index.html", exists_ec))
      return dir.lexically_normal().string();
  }
  return {};
}

/// For query strings: everything but unreserved characters percent-encoded.
std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "switchboard serve: %s\n", message.c_str());
  return 2;
}

/// Tenants with an API key must exist for their clients to do anything; a
/// missing one is defined with defaults (an existing one is left as it is).
/// The tenants as this node runs them: in a cluster a split tenant runs as one
/// tenant per domain, of the domain's id (cluster_router).
std::vector<std::string> node_tenants(const net::serve_config& cfg, bool cluster,
                                      const std::string& tenant) {
  auto i = cfg.cluster.splits.find(tenant);
  if (!cluster || i == cfg.cluster.splits.end())
    return {tenant};
  std::vector<std::string> out;
  for (const auto& d : i->second)
    out.push_back(d.id);
  return out;
}

engine::status ensure_tenants(node& n, const net::serve_config& cfg, bool cluster) {
  for (const auto& k : cfg.edge.tenants) {
    auto routing = cfg.routing.find(k.tenant);
    for (const auto& id : node_tenants(cfg, cluster, k.tenant)) {
      auto s = n.stats(id);
      // Routing settings in the config are applied at every start; without them a
      // known tenant keeps what it has.
      if (s && routing == cfg.routing.end())
        continue;
      if (!s && s.code() != engine::errc::unknown_tenant)
        return s.err();
      engine::tenant_config t;
      if (routing != cfg.routing.end())
        t = routing->second;
      t.id = id;
      t.name = id == k.tenant ? k.tenant : k.tenant + " (" + id + ")";
      if (auto d = n.define_tenant(t); !d)
        return d;
    }
  }
  return {};
}

/// The flags of `serve`; each given one overrides the config file.
struct serve_flags {
  std::optional<std::string> config, listen, data_dir, web_dir, log_level;
  std::optional<std::string> etcd, node_name, cluster_name, cluster_address;
  std::optional<std::uint16_t> cluster_port;
  std::optional<std::uint32_t> lease_ttl;
  std::optional<std::uint16_t> port;
  bool demo = false;
};

int run_serve(const serve_flags& f) {
  net::serve_config cfg;
  if (f.config) {
    auto loaded = net::load_serve_config(*f.config);
    if (!loaded)
      return usage_error(loaded.err().message);
    cfg = std::move(*loaded);
  }
  if (f.listen)
    cfg.edge.listen_address = *f.listen;
  if (f.port)
    cfg.edge.port = *f.port;
  if (f.data_dir)
    cfg.data_dir = *f.data_dir;
  if (f.web_dir)
    cfg.edge.web_dir = *f.web_dir;
  if (f.log_level)
    cfg.log_level = *f.log_level;
  if (f.demo)
    cfg.demo = true;
  if (f.etcd)
    cfg.cluster.etcd_urls = *f.etcd;
  if (f.node_name)
    cfg.cluster.node_name = *f.node_name;
  if (f.cluster_name)
    cfg.cluster.cluster_name = *f.cluster_name;
  if (f.cluster_port)
    cfg.cluster.cluster_port = *f.cluster_port;
  if (f.cluster_address)
    cfg.cluster.cluster_address = *f.cluster_address;
  if (f.lease_ttl)
    cfg.cluster.lease_ttl = std::chrono::seconds(*f.lease_ttl);
  if (cfg.edge.web_dir.empty())
    cfg.edge.web_dir = default_web_dir();
  if (auto s = net::validate(cfg); !s)
    return usage_error(s.err().message);
  // etcd's URLs are checked before anything starts.
  std::vector<client::endpoint> etcd_endpoints;
  if (!cfg.cluster.etcd_urls.empty()) {
    auto eps = net::cluster::parse_etcd_urls(cfg.cluster.etcd_urls, std::chrono::milliseconds(1000));
    if (!eps)
      return usage_error(eps.err().message);
    etcd_endpoints = std::move(*eps);
  }

  // The demo tenant needs an API key for the wallboard and chat pages.
  std::string demo_key;
  if (cfg.demo) {
    for (const auto& k : cfg.edge.tenants)
      if (k.tenant == "demo")
        demo_key = k.api_key;
    if (demo_key.empty()) {
      demo_key = net::random_secret(18);
      cfg.edge.tenants.push_back({"demo", demo_key});
    }
  }

  auto level = spdlog::level::from_str(cfg.log_level);
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto net_log = std::make_shared<spdlog::logger>("net", sink);
  net_log->set_level(level);
  auto node_log = std::make_shared<spdlog::logger>("switchboard", sink);
  node_log->set_level(std::max(level, spdlog::level::info));

  // SIGTERM/SIGINT are taken by sigwait below: blocked before any thread starts,
  // so every thread inherits the mask and none is interrupted.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  node_options nopts;
  nopts.data_dir = cfg.data_dir;
  nopts.durability = cfg.durability;
  nopts.threads = cfg.node_threads;
  nopts.logger = node_log;
  // The edge's clients reach the node through connections that die with the
  // process: after a restart every customer starts absent and must resume.
  nopts.restored_customers_absent = true;
  nopts.agent_grace = cfg.agent_grace;
  nopts.customer_grace = cfg.customer_grace;
  nopts.rating_window = cfg.rating_window;
  nopts.cluster = !etcd_endpoints.empty();
  // A member starts a tenant when it owns the tenant's domain, from what it
  // stored itself or from its standby copy (cluster_router::activate).
  nopts.restore_tenants = etcd_endpoints.empty();
  auto n = node::open(nopts);
  if (!n) {
    std::fprintf(stderr, "switchboard serve: cannot open %s: %s: %s\n", cfg.data_dir.c_str(),
                 std::string{engine::to_string(n.err().code)}.c_str(), n.err().message.c_str());
    return 1;
  }
  auto& nd = **n;
  demo_tenant demo;
  if (cfg.demo) {
    demo = make_demo_tenant(42);
    if (auto s = define_demo_tenant(nd, demo); !s) {
      std::fprintf(stderr, "switchboard serve: defining the demo tenant: %s\n",
                   s.err().message.c_str());
      return 1;
    }
  }
  if (etcd_endpoints.empty() && !cfg.cluster.splits.empty())
    std::printf("note: tenants' domains apply in a cluster only; alone, each tenant is one\n");
  if (auto s = ensure_tenants(nd, cfg, !etcd_endpoints.empty()); !s) {
    std::fprintf(stderr, "switchboard serve: %s\n", s.err().message.c_str());
    return 1;
  }
  // In a cluster the edge shows the membership's view; the membership starts once
  // the edge's port is known, so the pointer is filled in after.
  std::shared_ptr<std::unique_ptr<net::cluster::membership>> member =
    std::make_shared<std::unique_ptr<net::cluster::membership>>();
  // In a cluster the edge talks to the router, which sends each call to the node
  // that owns the call's tenant (this one or another, through its gateway).
  auto cluster_log = std::make_shared<spdlog::logger>("cluster", sink);
  cluster_log->set_level(level);
  std::unique_ptr<actors::cluster_router> router;
  if (!etcd_endpoints.empty()) {
    actors::cluster_router_options ro;
    ro.node_name = cfg.cluster.node_name;
    ro.host = cfg.cluster.cluster_address;
    ro.port = cfg.cluster.cluster_port;
    for (const auto& k : cfg.edge.tenants)
      if (k.local_durability)
        for (const auto& id : node_tenants(cfg, true, k.tenant))
          ro.local_durability.insert(id);
    ro.splits = cfg.cluster.splits;
    auto r = actors::cluster_router::start(nd, ro, cluster_log);
    if (!r) {
      std::fprintf(stderr, "switchboard serve: cluster: %s\n", r.err().message.c_str());
      return 1;
    }
    router = std::move(*r);
    cfg.edge.cluster_status = [member] {
      return *member ? net::cluster::status_json((*member)->view()) : std::string{"{}\n"};
    };
    cfg.edge.cluster_metrics = [member, rt = router.get()] {
      return (*member ? net::cluster::status_metrics((*member)->view()) : std::string{}) +
             net::cluster::router_metrics(rt->stats_snapshot());
    };
  }
  node_api& api = router ? static_cast<node_api&>(*router) : static_cast<node_api&>(nd);
  auto edge = net::edge_server::start(api, cfg.edge, net_log);
  if (!edge) {
    std::fprintf(stderr, "switchboard serve: %s\n", edge.err().message.c_str());
    return 1;
  }
  auto url = (*edge)->url();
  std::printf("listening on %s\n", url.c_str());
  if (!etcd_endpoints.empty()) {
    net::cluster::cluster_options co;
    co.node_name = cfg.cluster.node_name;
    co.cluster_name = cfg.cluster.cluster_name;
    co.edge_endpoint = cfg.edge.listen_address + ":" + std::to_string((*edge)->port());
    co.cluster_endpoint = cfg.cluster.cluster_address + ":" + std::to_string(router->port());
    co.etcd = std::move(etcd_endpoints);
    co.lease_ttl = cfg.cluster.lease_ttl;
    co.poll_interval = cfg.cluster.poll;
    // One routing domain per tenant, or the tenant's domains when it is split.
    for (const auto& k : cfg.edge.tenants)
      for (const auto& id : node_tenants(cfg, true, k.tenant))
        co.domains.emplace_back(id, k.tenant);
    // Each domain runs here as a tenant of the domain's id (the tenant's own id
    // when it is not split).
    // A planned move (a node joins, this one leaves) takes the domain's state along.
    net::cluster::ownership_hooks hooks;
    hooks.hand_off = [r = router.get()](const net::cluster::domain_info& d, const std::string& to) {
      return r->hand_off(d.id, d.id, d.epoch, to);
    };
    // A claim starts the domain here (unless a handoff brought it): a failover
    // from the standby copy, or a restart from this node's own store.
    hooks.acquire = [r = router.get()](const net::cluster::domain_info& d) {
      r->activate(d.id, d.id, d.epoch, d.previous_owner, d.previous_epoch);
    };
    // Ownership lost without a handoff (the lease lapsed): stop acting on it.
    hooks.release = [r = router.get()](const net::cluster::domain_info& d, bool lost) {
      if (lost)
        r->deactivate(d.id, d.id);
    };
    // Back after its lease lapsed: the owners may have disconnected the agents
    // connected here; they log in again.
    hooks.rejoined = [r = router.get()] { r->rejoined(); };
    auto m = net::cluster::membership::start(co, cluster_log, hooks);
    if (!m) {
      std::fprintf(stderr, "switchboard serve: cluster: %s: %s\n",
                   std::string{engine::to_string(m.err().code)}.c_str(), m.err().message.c_str());
      (*edge)->stop();
      return 1;
    }
    *member = std::move(*m);
    router->attach(std::make_shared<net::cluster::membership_routes>(**member));
    std::printf("cluster %s: member %s (etcd %s, lease %llds)\n", co.cluster_name.c_str(),
                co.node_name.c_str(), cfg.cluster.etcd_urls.c_str(),
                static_cast<long long>(co.lease_ttl.count()));
  }
  if (cfg.edge.web_dir.empty())
    std::printf("no web dir (set web_dir or --web-dir): pages are not served\n");
  std::unique_ptr<demo_driver> driver;
  std::thread driver_thread;
  if (cfg.demo) {
    auto token = (*edge)->mint_agent_token("demo", demo_human_agent, std::chrono::hours(8));
    auto key = url_encode(demo_key);
    std::printf("demo tenant 'demo': API key %s\n", demo_key.c_str());
    std::printf("agent token for %s (yours; not simulated, valid 8 h):\n  %s\n", demo_human_agent,
                token.c_str());
    std::printf("pages:\n");
    std::printf("  agent desktop  %s/agent?tenant=demo&token=%s\n", url.c_str(),
                url_encode(token).c_str());
    std::printf("  wallboard      %s/wallboard?tenant=demo&key=%s\n", url.c_str(), key.c_str());
    std::printf("  customer chat  %s/chat?tenant=demo&key=%s&queue=web\n", url.c_str(), key.c_str());
    std::printf("simulated load: %.0f contacts/s on %zu agents; Ctrl-C stops\n", demo_rate,
                demo.agents.size() - 1);
    driver_options dopts;
    dopts.rate = demo_rate;
    dopts.human_agents = {demo_human_agent};
    dopts.status_lines = false;
    driver = std::make_unique<demo_driver>(dopts, nd, std::move(demo));
    driver_thread = std::thread([d = driver.get()] { d->run(0); });
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("%s: shutting down\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  std::fflush(stdout);
  if (driver) {
    driver->stop();
    driver_thread.join();
  }
  // A graceful leave hands the domains off at once instead of after a lease TTL.
  if (*member) {
    (*member)->leave();
    router->left();  // the edge's disconnections as it stops are not retried
  }
  (*edge)->stop();
  // A watchdog: once the journal is committed nothing acknowledged can be lost, so
  // a node whose threads do not stop within 10 s after that exits anyway, and says
  // so. The one such hang seen (CAF 0.17's detached actors, docs/cluster.md) is
  // gone; this stays as the last resort against another.
  std::atomic<bool> stopped{false};
  std::thread watchdog([&] {
    int since_commit_ms = 0;
    while (!stopped) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!nd.journal_closed())
        continue;
      since_commit_ms += 100;
      if (since_commit_ms >= 10000 && !stopped) {
        std::fprintf(stderr, "switchboard serve: the journal is committed but the node's "
                             "threads did not stop within 10 s; exiting\n");
        std::fflush(stderr);
        std::fflush(stdout);
        std::_Exit(0);
      }
    }
  });
  router.reset();  // before the membership its view reads
  nd.shutdown();  // commits the journal
  stopped = true;
  watchdog.join();
  std::printf("stopped\n");
  return 0;
}

}  // namespace

command add_serve(CLI::App& root) {
  auto f = std::make_shared<serve_flags>();
  auto* c = root.add_subcommand(
    "serve",
    "serve gateways, agents and supervisors over WebSocket and HTTP (one port); --demo adds "
    "the demo tenant, its simulated load and a token");
  c->add_option("--config", f->config, "JSON ServeConfig (proto/edge.proto); flags override it");
  c->add_option("--listen", f->listen, "address to listen on");
  c->add_option("--port", f->port, "port to listen on (0: any free port)")
    ->check(CLI::Range(0, 65535));
  c->add_option("--data-dir", f->data_dir, "the node's database");
  c->add_option("--web-dir", f->web_dir, "the pages (default: web/dist beside the sources)");
  c->add_option("--log-level", f->log_level, "trace, debug, info, warn, error, critical or off");
  c->add_flag("--demo", f->demo, "add the demo tenant, its simulated load and an agent token");
  c->add_option("--etcd", f->etcd,
                "join a cluster: etcd client URLs, http://host:port[,http://host:port...]");
  c->add_option("--node-name", f->node_name, "this node's name in the cluster (unique)");
  c->add_option("--cluster-name", f->cluster_name, "the cluster's etcd key prefix (default switchboard)");
  c->add_option("--cluster-port", f->cluster_port,
                "this node's cluster port, where other nodes reach it (default 0: any free port)");
  c->add_option("--cluster-address", f->cluster_address,
                "the address of the cluster port, as other nodes reach it (default 127.0.0.1)");
  c->add_option("--lease-ttl", f->lease_ttl, "seconds a silent node stays a member (default 3)")
    ->check(CLI::Range(1, 60));
  return {c, [f] { return run_serve(*f); }};
}

}  // namespace switchboard::app
