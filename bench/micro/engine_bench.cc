// Micro-benchmarks of engine/: scoring, the waiting line, hard constraints, batch
// matching and a full contact lifecycle through routing_domain. Numbers come from
// Release builds only (build-micro-rel); CTest runs each once in smoke mode.
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <unordered_map>

#include "bench/micro/population.h"
#include "engine/constraints.h"
#include "engine/contact_queue.h"
#include "engine/overflow.h"
#include "engine/routing_domain.h"
#include "engine/scoring.h"

namespace switchboard::bench::micro {
namespace {

using namespace engine;

const char* policy_name(std::int64_t p) {
  return std::string_view{to_string(static_cast<policy_kind>(p))}.data();
}

// Agents of one queue (skill_id(0)) with runtimes, logged in, with a learned
// history for half of them so the value term looks something up.
struct candidate_pool {
  queue_config queue;
  std::vector<agent_profile> agents;
  std::vector<agent_runtime> runtimes;
  learned_stats learned;
  customer_profile customer;
  contact c;

  explicit candidate_pool(std::size_t n, policy_kind policy) {
    std::mt19937_64 rng{7};
    queue = make_queue(0, policy);
    for (std::size_t i = 0; i < n; ++i) {
      auto a = make_agent(i, 1, 1, 3, rng);  // one queue: every agent has skill 0
      agent_runtime rt;
      rt.logged_in = true;
      rt.idle_since = static_cast<time_ms>(rng() % 100'000);
      if (i % 4 == 1)
        rt.load[index(channel::chat)] = 1;
      if (i % 2 == 0)
        for (int k = 0; k < 5; ++k) {
          outcome o;
          o.resolved = k % 2 == 0;
          learned.record(a.id, "billing", "postpaid", o, 60'000);
        }
      agents.push_back(std::move(a));
      runtimes.push_back(rt);
    }
    customer = make_customer(1, n, rng);
    c = make_contact(1, queue.id, customer.id, 50'000);
  }
};

// score_pair of one contact against N candidates, per policy.
void BM_score_pair(benchmark::State& state) {
  auto policy = static_cast<policy_kind>(state.range(0));
  auto n = static_cast<std::size_t>(state.range(1));
  candidate_pool pool{n, policy};
  tenant_config t = make_tenant();
  score_inputs in{pool.queue, &pool.customer, pool.learned, t.weights, t.objective, 120'000,
                  nullptr, -1.0};
  for (auto _ : state) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i)
      sum += score_pair(pool.c, pool.agents[i], pool.runtimes[i], in, policy).total;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.SetLabel(policy_name(state.range(0)));
}
BENCHMARK(BM_score_pair)
  ->ArgNames({"policy", "candidates"})
  ->ArgsProduct({{0, 1, 2}, {16, 256, 4096}});

// check_eligibility of one contact against N candidates (a mix of eligible agents,
// busy ones, remote ones, and ones below the minimum proficiency).
void BM_check_eligibility(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  candidate_pool pool{n, policy_kind::profile};
  auto step = current_step(pool.queue, 0);
  for (auto _ : state) {
    std::size_t eligible = 0;
    for (std::size_t i = 0; i < n; ++i)
      eligible += check_eligibility(pool.c, pool.queue, step, pool.agents[i], pool.runtimes[i]) ==
                  reject_reason::none;
    benchmark::DoNotOptimize(eligible);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_check_eligibility)->ArgName("candidates")->Arg(16)->Arg(256)->Arg(4096);

// -- contact_queue ------------------------------------------------------------------

// A line of `n` contacts with keys 0..n-1 in time; shared per size, since building a
// million-entry line dominates a smoke run. Every benchmark leaves it as it found it.
contact_queue& line_of(std::size_t n) {
  static std::unordered_map<std::size_t, contact_queue> lines;
  auto [it, fresh] = lines.try_emplace(n);
  if (fresh)
    for (std::size_t i = 0; i < n; ++i)
      it->second.push(queue_key{0, static_cast<time_ms>(i), i}, static_cast<contact_queue::handle>(i));
  return it->second;
}

queue_key key_at(std::size_t i) { return queue_key{0, static_cast<time_ms>(i), i}; }

// Push a new contact at the back, pop the front one: a line in steady state.
void BM_queue_push_pop(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto& line = line_of(n);
  std::size_t front = 0;
  for (auto _ : state) {
    auto [k, h] = line.front();
    line.erase(k);
    line.push(key_at(n + front), h);
    ++front;
  }
  // Restore keys 0..n-1.
  for (std::size_t i = 0; i < front; ++i) {
    line.erase(key_at(n + i));
    line.push(key_at(i), static_cast<contact_queue::handle>(i));
  }
  state.SetItemsProcessed(state.iterations());
}

// Erase a random contact (customer left) and put it back (decline returns it).
void BM_queue_erase_reinsert(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto& line = line_of(n);
  std::mt19937_64 rng{1};
  for (auto _ : state) {
    auto i = rng() % n;
    line.erase(key_at(i));
    line.push(key_at(i), static_cast<contact_queue::handle>(i));
  }
  state.SetItemsProcessed(state.iterations());
}

// Place in line of a random contact.
void BM_queue_position(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto& line = line_of(n);
  std::mt19937_64 rng{2};
  for (auto _ : state)
    benchmark::DoNotOptimize(line.position(key_at(rng() % n)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_queue_push_pop)->ArgName("size")->RangeMultiplier(10)->Range(1'000, 1'000'000);
BENCHMARK(BM_queue_erase_reinsert)->ArgName("size")->RangeMultiplier(10)->Range(1'000, 1'000'000);
BENCHMARK(BM_queue_position)->ArgName("size")->RangeMultiplier(10)->Range(1'000, 1'000'000);

// -- routing_domain -------------------------------------------------------------------

// One match() pairing `waiting` contacts with `freed` agents that log in at once,
// over 10 queues (agents with 3 skills each). Manual time: only match() counts.
void BM_match_batch(benchmark::State& state) {
  auto waiting = static_cast<std::size_t>(state.range(0));
  auto freed = static_cast<std::size_t>(state.range(1));
  population_spec spec;
  spec.agents = freed;
  spec.queues = 10;
  spec.customers = 1000;
  std::size_t offers = 0;
  for (auto _ : state) {
    routing_domain d{make_tenant()};
    populate(d, spec);
    check(d.match(0).empty(), "nothing to match before logins");
    for (std::size_t i = 0; i < waiting; ++i)
      check(d.enqueue(make_contact(i, queue_id(i % spec.queues), customer_id(i % spec.customers), 0), 0)
              .ok(),
            "enqueue");
    check(d.match(0).empty(), "nobody logged in");
    for (std::size_t a = 0; a < freed; ++a)
      check(d.login(agent_id(a), 0).ok(), "login");
    auto t0 = std::chrono::steady_clock::now();
    auto out = d.match(10'000);
    auto t1 = std::chrono::steady_clock::now();
    offers += out.size();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(offers));
  state.counters["offers_per_match"] =
    static_cast<double>(offers) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_match_batch)
  ->ArgNames({"waiting", "freed"})
  ->Args({100, 100})
  ->Args({1'000, 1'000})
  ->Args({10'000, 1'000})
  ->Args({1'000, 10'000})
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond);

/// The population of the lifecycle benchmarks: policy `range(0)`, `range(1)` agents,
/// 10 queues, 1000 customers.
population_spec lifecycle_spec(const benchmark::State& state) {
  population_spec spec;
  spec.agents = static_cast<std::size_t>(state.range(1));
  spec.queues = 10;
  spec.customers = 1000;
  spec.policy = static_cast<policy_kind>(state.range(0));
  return spec;
}

/// Populates `d` per `spec` and logs every agent in, with nothing waiting yet.
void populate_staffed(routing_domain& d, const population_spec& spec) {
  populate(d, spec);
  for (std::size_t a = 0; a < spec.agents; ++a)
    check(d.login(agent_id(a), 0).ok(), "login");
  d.match(0);
}

// A full contact lifecycle as the simulator drives it: enqueue, match (the contact
// picks among the ready agents of its queue), accept, wrap_up, complete, match (the
// freed agent finds nothing waiting). `agents` agents over 10 queues, all logged in
// and free between contacts, so each decision scans ~agents*3/10 ready agents.
void BM_lifecycle(benchmark::State& state) {
  auto spec = lifecycle_spec(state);
  routing_domain d{make_tenant()};
  populate_staffed(d, spec);
  std::uint64_t seq = 0;
  time_ms now = 1'000;
  std::size_t unmatched = 0;
  outcome o;
  o.resolved = true;
  o.csat = 4;
  for (auto _ : state) {
    ++seq;
    now += 100;
    auto c = make_contact(seq, queue_id(seq % spec.queues), customer_id(seq % spec.customers), now);
    check(d.enqueue(std::move(c), now).ok(), "enqueue");
    auto offers = d.match(now);
    if (offers.empty()) {
      ++unmatched;
      check(d.remove(contact_id(seq), now).ok(), "remove");
      continue;
    }
    const auto& of = offers.front();
    check(d.accept(of.contact, of.agent, of.offer_id, now).ok(), "accept");
    check(d.wrap_up(of.contact, of.agent, now + 50).ok(), "wrap_up");
    o.resolved = seq % 3 != 0;
    check(d.complete(of.contact, of.agent, o, 60, now + 60).ok(), "complete");
    benchmark::DoNotOptimize(d.match(now + 60));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(policy_name(state.range(0)));
  state.counters["unmatched"] = static_cast<double>(unmatched);
  state.counters["ready_per_queue"] = static_cast<double>(spec.agents * 3 / spec.queues);
}
BENCHMARK(BM_lifecycle)
  ->ArgNames({"policy", "agents"})
  ->ArgsProduct({{0, 1, 2}, {30, 300, 3'000}});

// The lifecycle under saturation: every agent busy and a backlog waiting, so each
// completion frees an agent that picks among the waiting contacts of its queues
// (agent-triggered decision) and each new arrival waits.
void BM_lifecycle_saturated(benchmark::State& state) {
  auto spec = lifecycle_spec(state);
  routing_domain d{make_tenant()};
  populate_staffed(d, spec);
  std::uint64_t seq = 0;
  time_ms now = 1'000;
  // connected contacts in completion order (FIFO keeps handle times equal)
  std::vector<offer> live;
  auto absorb = [&](std::vector<offer> offers) {
    for (auto& of : offers) {
      check(d.accept(of.contact, of.agent, of.offer_id, now).ok(), "accept");
      live.push_back(std::move(of));
    }
  };
  // Fill every agent, then a backlog of 5 contacts per queue.
  for (std::size_t i = 0; i < spec.agents * 2 + 5 * spec.queues; ++i) {
    ++seq;
    check(d.enqueue(make_contact(seq, queue_id(seq % spec.queues), customer_id(seq % spec.customers), now),
                    now)
            .ok(),
          "enqueue");
  }
  absorb(d.match(now));
  std::size_t head = 0;
  outcome o;
  for (auto _ : state) {
    now += 100;
    if (head >= live.size()) {
      state.SkipWithError("no connected contact left to complete");
      break;
    }
    auto of = std::move(live[head++]);
    o.resolved = seq % 3 != 0;
    check(d.complete(of.contact, of.agent, o, 60, now).ok(), "complete");
    absorb(d.match(now));
    ++seq;
    check(d.enqueue(make_contact(seq, queue_id(seq % spec.queues), customer_id(seq % spec.customers), now),
                    now)
            .ok(),
          "enqueue");
    absorb(d.match(now));
    if (head > 4096) {
      live.erase(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(head));
      head = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(policy_name(state.range(0)));
  state.counters["waiting"] = static_cast<double>(d.waiting());
}
BENCHMARK(BM_lifecycle_saturated)
  ->ArgNames({"policy", "agents"})
  ->ArgsProduct({{0, 1, 2}, {300, 3'000}});

}  // namespace
}  // namespace switchboard::bench::micro

BENCHMARK_MAIN();
