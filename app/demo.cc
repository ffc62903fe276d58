#include <algorithm>
#include <cstdio>
#include <fstream>

#include "actors/node.h"
#include "app/cli.h"
#include "app/demo_driver.h"
#include "app/demo_tenant.h"

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
  std::ofstream out{cfg.summary_json};
  if (!out) {
    std::fprintf(stderr, "demo: cannot write %s\n", cfg.summary_json.c_str());
    return 1;
  }
  const auto& rec = n.recovered();
  out << "{\n"
      << "  \"seconds\": " << elapsed << ",\n"
      << "  \"contacts_created\": " << c.created << ",\n"
      << "  \"contacts_rejected\": " << c.rejected << ",\n"
      << "  \"routed\": " << c.routed << ",\n"
      << "  \"routed_per_second\": " << routed_per_s << ",\n"
      << "  \"completed\": " << c.completed << ",\n"
      << "  \"abandoned\": " << c.abandoned << ",\n"
      << "  \"waiting\": " << last.waiting << ",\n"
      << "  \"connected\": " << last.connected << ",\n"
      << "  \"offers_declined\": " << c.declined << ",\n"
      << "  \"offers_expired\": " << c.expired << ",\n"
      << "  \"overflow_moves\": " << c.moved << ",\n"
      << "  \"service_level\": " << last.service_level << ",\n"
      << "  \"recovered\": {\"requeued\": " << rec.requeued << ", \"connected\": " << rec.connected
      << "}\n"
      << "}\n";
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

}  // namespace switchboard::app
