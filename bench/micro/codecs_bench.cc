// Micro-benchmarks of the storage codecs (storage/codecs.h): encode and decode of a
// contact, an agent profile and a journal event carrying a routing decision. These
// run on every journal write and every recovery read. Release builds only for
// figures; CTest runs each once in smoke mode.
#include <benchmark/benchmark.h>

#include <random>

#include "bench/micro/population.h"
#include "engine/journal.h"
#include "storage/codecs.h"

namespace switchboard::bench::micro {
namespace {

using namespace engine;

contact sample_contact() {
  auto c = make_contact(123456, queue_id(7), customer_id(42), 1'700'000'000'000);
  c.attached = {{"order", "A-99812"}, {"page", "/checkout/payment"}, {"device", "ios"}};
  c.journey = {"bot:greeting", "bot:balance", "self_service:faq", "queue:q-000007"};
  c.segment = "postpaid";
  return c;
}

agent_profile sample_agent() {
  std::mt19937_64 rng{3};
  auto a = make_agent(17, 1000, 8, 3, rng);
  check(validate(a).ok(), "agent");
  return a;
}

journal_event sample_event(std::size_t candidates) {
  journal_event e;
  e.seq = 99;
  e.at = 1'700'000'000'000;
  e.tenant = tenant_id;
  e.contact = contact_id(123456);
  e.type = event_type::offered;
  e.from = contact_state::queued;
  e.to = contact_state::offered;
  e.queue = queue_id(7);
  e.agent = agent_id(17);
  routing_decision d;
  d.contact = e.contact;
  d.queue = e.queue;
  d.agent = e.agent;
  d.policy = policy_kind::profile;
  d.at = e.at;
  d.considered = 300;
  for (std::size_t i = 0; i < candidates; ++i) {
    candidate c;
    c.agent = agent_id(i);
    c.terms = {0.7, 0.5, 0.3, 0.6, 0.2, 2.9 - 0.01 * static_cast<double>(i)};
    c.rejected = i < candidates / 2 ? reject_reason::none : reject_reason::proficiency;
    d.candidates.push_back(std::move(c));
  }
  e.decision = std::move(d);
  return e;
}

template <class T>
void encode_bench(benchmark::State& state, const T& x) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto s = storage::encode(x);
    bytes += s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

template <class F>
void decode_bench(benchmark::State& state, const std::string& bytes, F decode) {
  for (auto _ : state) {
    auto r = decode(bytes);
    check(r.ok(), "decode");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void BM_encode_contact(benchmark::State& state) { encode_bench(state, sample_contact()); }
void BM_decode_contact(benchmark::State& state) {
  decode_bench(state, storage::encode(sample_contact()),
               [](std::string_view b) { return storage::decode_contact(b); });
}
void BM_encode_agent(benchmark::State& state) { encode_bench(state, sample_agent()); }
void BM_decode_agent(benchmark::State& state) {
  decode_bench(state, storage::encode(sample_agent()),
               [](std::string_view b) { return storage::decode_agent(b); });
}
// Journal event of an offer whose decision records `candidates` candidates
// (16 = the engine's default of 8 eligible + 8 rejected).
void BM_encode_journal_event(benchmark::State& state) {
  encode_bench(state, sample_event(static_cast<std::size_t>(state.range(0))));
}
void BM_decode_journal_event(benchmark::State& state) {
  decode_bench(state, storage::encode(sample_event(static_cast<std::size_t>(state.range(0)))),
               [](std::string_view b) { return storage::decode_journal_event(b); });
}

BENCHMARK(BM_encode_contact);
BENCHMARK(BM_decode_contact);
BENCHMARK(BM_encode_agent);
BENCHMARK(BM_decode_agent);
BENCHMARK(BM_encode_journal_event)->ArgName("candidates")->Arg(0)->Arg(16);
BENCHMARK(BM_decode_journal_event)->ArgName("candidates")->Arg(0)->Arg(16);

}  // namespace
}  // namespace switchboard::bench::micro

BENCHMARK_MAIN();
