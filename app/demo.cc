#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>

#include "actors/node.h"
#include "app/cli.h"
#include "app/demo_driver.h"
#include "app/demo_tenant.h"
#include "bench/core/json_writer.h"

namespace switchboard::app {

namespace {

struct demo_config {
  double seconds = 30;
  double rate = 8;  // arrivals per second
  std::uint64_t seed = 42;
  std::string data_dir;
  std::string summary_json;
  storage::durability durability = storage::durability::sync;
};

int summarize(const demo_config& cfg, node& n, const demo_driver& driver, double elapsed) {
  const auto& c = driver.counters();
  const auto& last = driver.last_stats();
  double routed_per_s = static_cast<double>(c.routed) / elapsed;
  std::printf("\nsummary: %.1f s, %llu contacts created, %llu routed (%.1f/s), %llu completed, "
              "%llu abandoned, %llu waiting, %llu declined, %llu expired offers, %llu overflow "
              "moves, service level %.1f%%\n",
              elapsed, static_cast<unsigned long long>(c.created),
              static_cast<unsigned long long>(c.routed), routed_per_s,
              static_cast<unsigned long long>(c.completed),
              static_cast<unsigned long long>(c.abandoned),
              static_cast<unsigned long long>(last.waiting),
              static_cast<unsigned long long>(c.declined),
              static_cast<unsigned long long>(c.expired),
              static_cast<unsigned long long>(c.moved), 100.0 * last.service_level);
  if (cfg.summary_json.empty())
    return 0;
  const auto& rec = n.recovered();
  bench::json_writer w;
  w.object([&] {
    w.field("seconds", elapsed);
    w.field("contacts_created", std::uint64_t{c.created});
    w.field("contacts_rejected", std::uint64_t{c.rejected});
    w.field("routed", std::uint64_t{c.routed});
    w.field("routed_per_second", routed_per_s);
    w.field("completed", std::uint64_t{c.completed});
    w.field("abandoned", std::uint64_t{c.abandoned});
    w.field("waiting", std::uint64_t{last.waiting});
    w.field("connected", std::uint64_t{last.connected});
    w.field("offers_declined", std::uint64_t{c.declined});
    w.field("offers_expired", std::uint64_t{c.expired});
    w.field("overflow_moves", std::uint64_t{c.moved});
    w.field("service_level", last.service_level);  // NaN (nothing answered yet) is null
    w.key("recovered");
    w.object([&] {
      w.field("requeued", std::uint64_t{rec.requeued});
      w.field("connected", std::uint64_t{rec.connected});
    });
  });
  std::ofstream out{cfg.summary_json};
  out << w.take() << "\n";
  out.close();
  if (!out) {
    std::fprintf(stderr, "demo: cannot write %s\n", cfg.summary_json.c_str());
    return 1;
  }
  return 0;
}

int run_demo(const demo_config& cfg) {
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
  if (auto s = define_demo_tenant(**n, t); !s) {
    std::fprintf(stderr, "switchboard demo: defining the demo tenant: %s\n", s.err().message.c_str());
    return 1;
  }
  std::printf("tenant %s: %zu queues, %zu agents (%zu crowdsourced), %zu customers; %.1f "
              "contacts/s for %.0f s\n",
              t.tenant.id.c_str(), t.queues.size(), t.agents.size(),
              static_cast<std::size_t>(std::count_if(t.agents.begin(), t.agents.end(),
                                                     [](const auto& a) { return a.remote; })),
              t.customers.size(), cfg.rate, cfg.seconds);
  driver_options dopts;
  dopts.rate = cfg.rate;
  dopts.seed = cfg.seed;
  demo_driver driver{dopts, **n, std::move(t)};
  auto elapsed = driver.run(cfg.seconds);
  int rc = summarize(cfg, **n, driver, elapsed);
  (*n)->shutdown();
  return rc;
}

}  // namespace

command add_demo(CLI::App& root) {
  auto cfg = std::make_shared<demo_config>();
  auto seed = std::make_shared<double>(42);
  auto durability = std::make_shared<std::string>("sync");
  auto* c = root.add_subcommand(
    "demo", "run a demo tenant with simulated customers and agents in real time");
  c->add_option("--seconds", cfg->seconds, "how long the simulated load runs (s)")
    ->check(bench::cli::between(1, 86400))
    ->capture_default_str();
  c->add_option("--data-dir", cfg->data_dir, "the node's database (created when missing)")
    ->required()
    ->check(bench::cli::non_empty);
  c->add_option("--summary-json", cfg->summary_json, "write the summary as JSON to this file");
  c->add_option("--rate", cfg->rate, "arrivals per second")
    ->check(bench::cli::between(0.1, 10000))
    ->capture_default_str();
  c->add_option("--seed", *seed, "seed of the simulated customers and agents")
    ->check(bench::cli::between(0, 1e15))
    ->capture_default_str();
  c->add_option("--durability", *durability, "journal writes fsynced (sync) or not (no_sync)")
    ->check(CLI::IsMember({"sync", "no_sync"}))
    ->capture_default_str();
  return {c, [cfg, seed, durability] {
            cfg->seed = static_cast<std::uint64_t>(*seed);
            cfg->durability = *durability == "no_sync" ? storage::durability::no_sync
                                                       : storage::durability::sync;
            return run_demo(*cfg);
          }};
}

}  // namespace switchboard::app
