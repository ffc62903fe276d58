// routing_scale: latency distribution of single routing decisions at scale.
//
// Builds one tenant's routing_domain (default: 100,000 agents, 1,000 queues, agents
// with 3 skills each, so a queue has ~300 qualified agents; 10,000 customers) and
// times single decisions, each `match()` call separately, in two regimes:
//
//   ready      every agent logged in and free; a contact arrives (enqueue + match):
//              it picks among the ready agents of its queue. After each sample the
//              contact is accepted, wrapped up and completed (not timed), so the
//              agents stay free. Nobody waits in this regime: a waiting contact
//              with an eligible free agent would have been matched.
//   saturated  every agent that can work is busy (chat capacity 1) and about
//              `--waiting` contacts wait (default 10,000). Two decisions alternate:
//              an agent frees up (complete, not timed; match timed: the agent picks
//              among the waiting contacts of its queues), and a contact arrives
//              (enqueue + match timed; usually it waits).
//
// Prints p50/p99/p999/max of wall time and of thread CPU time (which leaves out
// preemption by other processes) per policy, regime and decision, with the build type and
// cores. Flags (see --help): --agents N --queues N --skills N --customers N --waiting N
// --samples N --policy longest_idle|skills|profile|all --regime ready|saturated|all
// --seed N.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <time.h>
#include <variant>
#include <vector>

#include "bench/core/cli.h"
#include "bench/micro/population.h"

#ifndef SB_BUILD_TYPE
#define SB_BUILD_TYPE "unknown"
#endif

namespace switchboard::bench::micro {
namespace {

using namespace engine;
using clock_type = std::chrono::steady_clock;

// CPU time of this thread: unlike wall time it leaves out preemption by other
// processes, which dominates the tail on a shared machine.
std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// Wall and thread-CPU time of one timed section.
struct stopwatch {
  clock_type::time_point wall = clock_type::now();
  std::int64_t cpu = thread_cpu_ns();
};

struct options {
  population_spec spec;
  std::size_t waiting = 10'000;
  std::size_t samples = 20'000;
  std::vector<policy_kind> policies{policy_kind::longest_idle, policy_kind::skills,
                                    policy_kind::profile};
  bool ready = true;
  bool saturated = true;
};

double pct(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct latencies {
  std::vector<double> us;      // wall
  std::vector<double> cpu_us;  // thread CPU
  void add(const stopwatch& s) {
    auto cpu = thread_cpu_ns();
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - s.wall).count());
    cpu_us.push_back(static_cast<double>(cpu - s.cpu) / 1000.0);
  }
};

void print(policy_kind p, const char* regime, const char* decision, latencies& l,
           std::size_t offers, std::size_t waiting, double ready_per_queue) {
  double mean = 0;
  for (double x : l.us)
    mean += x;
  mean /= std::max<std::size_t>(1, l.us.size());
  std::printf("%-12s %-9s %-15s n=%zu offers=%zu waiting=%zu ready/queue=%.1f mean=%.1fus\n"
              "    wall: p50=%8.1fus p99=%8.1fus p999=%8.1fus max=%8.1fus\n"
              "    cpu:  p50=%8.1fus p99=%8.1fus p999=%8.1fus max=%8.1fus\n",
              std::string{to_string(p)}.c_str(), regime, decision, l.us.size(), offers, waiting,
              ready_per_queue, mean, pct(l.us, 0.5), pct(l.us, 0.99), pct(l.us, 0.999),
              pct(l.us, 1.0), pct(l.cpu_us, 0.5), pct(l.cpu_us, 0.99), pct(l.cpu_us, 0.999),
              pct(l.cpu_us, 1.0));
  std::fflush(stdout);
}

double ready_per_queue(const routing_domain& d) {
  auto qs = d.queues();
  double sum = 0;
  for (const auto& q : qs)
    sum += static_cast<double>(q.agents_ready);
  return qs.empty() ? 0 : sum / static_cast<double>(qs.size());
}

struct driver {
  const options& opt;
  routing_domain d{make_tenant()};
  std::mt19937_64 rng;
  std::uint64_t seq = 0;
  time_ms now = 1'000;
  outcome o;

  driver(const options& op, policy_kind p) : opt(op), rng(op.spec.seed + 1) {
    auto spec = op.spec;
    spec.policy = p;
    auto t0 = clock_type::now();
    populate(d, spec);
    for (std::size_t a = 0; a < spec.agents; ++a)
      check(d.login(agent_id(a), 0).ok(), "login");
    d.match(0);
    std::printf("# setup %s: %.1f s\n", std::string{to_string(p)}.c_str(),
                std::chrono::duration<double>(clock_type::now() - t0).count());
  }

  contact next_contact() {
    ++seq;
    return make_contact(seq, queue_id(rng() % opt.spec.queues),
                        customer_id(rng() % opt.spec.customers), now);
  }

  void finish(const offer& of) {
    check(d.accept(of.contact, of.agent, of.offer_id, now).ok(), "accept");
    check(d.wrap_up(of.contact, of.agent, now).ok(), "wrap_up");
    o.resolved = rng() % 3 != 0;
    check(d.complete(of.contact, of.agent, o, 60'000, now).ok(), "complete");
  }

  void ready_regime(policy_kind p) {
    latencies arrive;
    std::size_t offers = 0;
    for (std::size_t i = 0; i < opt.samples; ++i) {
      now += 10;
      auto c = next_contact();
      stopwatch sw;
      check(d.enqueue(std::move(c), now).ok(), "enqueue");
      auto out = d.match(now);
      arrive.add(sw);
      offers += out.size();
      for (const auto& of : out)
        finish(of);
      if (out.empty())
        check(d.remove(contact_id(seq), now).ok(), "remove");
      d.match(now);  // the freed agent finds nothing waiting
    }
    print(p, "ready", "contact_arrives", arrive, offers, d.waiting(), ready_per_queue(d));
  }

  void saturated_regime(policy_kind p) {
    std::vector<offer> live;
    auto absorb = [&](std::vector<offer> out) {
      for (auto& of : out) {
        check(d.accept(of.contact, of.agent, of.offer_id, now).ok(), "accept");
        live.push_back(std::move(of));
      }
      return out.size();
    };
    // Fill: contacts arrive in chunks until the backlog reaches the target.
    auto t0 = clock_type::now();
    while (d.waiting() < opt.waiting) {
      auto chunk = std::min<std::size_t>(10'000, opt.waiting - d.waiting());
      for (std::size_t i = 0; i < chunk; ++i)
        check(d.enqueue(next_contact(), now).ok(), "enqueue");
      absorb(d.match(now));
    }
    std::printf("# fill %s: %.1f s, %zu connected, %zu waiting, %.1f ready/queue\n",
                std::string{to_string(p)}.c_str(),
                std::chrono::duration<double>(clock_type::now() - t0).count(), live.size(),
                d.waiting(), ready_per_queue(d));
    latencies frees;
    latencies arrive;
    std::size_t free_offers = 0;
    std::size_t arrive_offers = 0;
    for (std::size_t i = 0; i < opt.samples && !live.empty(); ++i) {
      now += 10;
      auto k = rng() % live.size();
      std::swap(live[k], live.back());
      auto of = std::move(live.back());
      live.pop_back();
      o.resolved = rng() % 3 != 0;
      check(d.complete(of.contact, of.agent, o, 60'000, now).ok(), "complete");
      stopwatch sf;
      auto out = d.match(now);
      frees.add(sf);
      free_offers += absorb(std::move(out));
      auto c = next_contact();
      stopwatch sa;
      check(d.enqueue(std::move(c), now).ok(), "enqueue");
      out = d.match(now);
      arrive.add(sa);
      arrive_offers += absorb(std::move(out));
    }
    auto rpq = ready_per_queue(d);
    print(p, "saturated", "agent_frees", frees, free_offers, d.waiting(), rpq);
    print(p, "saturated", "contact_arrives", arrive, arrive_offers, d.waiting(), rpq);
  }
};

/// The options from the command line, or the exit code after help or an error.
std::variant<options, int> parse(int argc, char** argv) {
  options o;
  o.spec.agents = 100'000;
  o.spec.queues = 1'000;
  o.spec.skills_per_agent = 3;
  o.spec.customers = 10'000;
  std::string regime = "all";
  std::string policy = "all";
  CLI::App app{"routing_scale: latency of single routing decisions at scale (see the comment "
               "at the top of bench/micro/routing_scale.cc).",
               "routing_scale"};
  auto positive = CLI::Range(std::size_t{1}, std::numeric_limits<std::size_t>::max());
  app.add_option("--agents", o.spec.agents, "agents")->check(positive)->capture_default_str();
  app.add_option("--queues", o.spec.queues, "queues")->check(positive)->capture_default_str();
  app.add_option("--skills", o.spec.skills_per_agent, "skills per agent")->capture_default_str();
  app.add_option("--customers", o.spec.customers, "customers")->check(positive)->capture_default_str();
  app.add_option("--waiting", o.waiting, "saturated: contacts waiting")->capture_default_str();
  app.add_option("--samples", o.samples, "samples per decision kind")->check(positive)->capture_default_str();
  app.add_option("--seed", o.spec.seed, "seed")->check(cli::non_negative_integer)->capture_default_str();
  app.add_option("--regime", regime, "ready, saturated or all")
    ->check(CLI::IsMember({"ready", "saturated", "all"}))->capture_default_str();
  app.add_option("--policy", policy, "longest_idle, skills, profile or all")
    ->check(CLI::Validator(
      [](std::string& v) -> std::string {
        return v == "all" || parse_policy(v) ? "" : "unknown policy '" + v + "'";
      },
      "POLICY"))
    ->capture_default_str();
  if (auto rc = cli::parse(app, argc, argv))
    return *rc;
  o.ready = regime != "saturated";
  o.saturated = regime != "ready";
  if (policy != "all")
    o.policies = {*parse_policy(policy)};
  return o;
}

}  // namespace
}  // namespace switchboard::bench::micro

int main(int argc, char** argv) {
  using namespace switchboard::bench::micro;
  auto parsed = parse(argc, argv);
  if (auto* rc = std::get_if<int>(&parsed))
    return *rc;
  auto& opt = std::get<options>(parsed);
  std::printf("# routing_scale: %s build, %u hardware threads, seed %llu\n", SB_BUILD_TYPE,
              std::thread::hardware_concurrency(), static_cast<unsigned long long>(opt.spec.seed));
  std::printf("# %zu agents, %zu queues, %zu skills/agent (~%zu qualified/queue), %zu customers, "
              "target waiting %zu, %zu samples per decision kind\n",
              opt.spec.agents, opt.spec.queues, opt.spec.skills_per_agent,
              opt.spec.agents * opt.spec.skills_per_agent / opt.spec.queues, opt.spec.customers,
              opt.waiting, opt.samples);
  for (auto p : opt.policies) {
    if (!opt.ready)
      break;
    driver ready{opt, p};
    ready.ready_regime(p);
  }
  for (auto p : opt.policies) {
    if (!opt.saturated)
      break;
    driver sat{opt, p};
    sat.saturated_regime(p);
  }
  return 0;
}
