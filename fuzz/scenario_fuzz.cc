// Bench scenario files (docs/benchmarks.md) through bench::parse_scenario.
//
// Properties: a refused file is errc::invalid_argument with a message; an accepted
// scenario passes validate again, has a finite positive day, finite non-negative
// rates and durations, types whose queues exist, the real-time helpers' documented
// ranges. (No second parse for determinism, unlike config_fuzz: the JSON parse is
// most of an execution's time here, and executions are what this target lacks.)
#include <cmath>
#include <set>

#include "bench/scenario/scenario.h"
#include "fuzz/check.h"

namespace {

using switchboard::fuzz::require;
namespace bench = switchboard::bench;
namespace engine = switchboard::engine;

bool finite_non_negative(double x) { return std::isfinite(x) && x >= 0; }

void check_dist(const bench::duration_dist& d) {
  for (double m : d.mean_s)
    require(finite_non_negative(m), "duration means are finite and >= 0");
  require(std::isfinite(d.cv), "a duration's cv is finite");
}

void check_accepted(const bench::scenario& s) {
  require(validate(s).ok(), "an accepted scenario validates");
  require(std::isfinite(s.day_s()) && s.day_s() > 0, "a day is finite and positive");
  std::set<std::string> queues;
  for (const auto& q : s.queues)
    queues.insert(q.id);
  for (const auto& t : s.types) {
    require(queues.count(t.queue) > 0, "a contact type's queue exists");
    for (double r : t.arrivals_per_hour)
      require(finite_non_negative(r), "arrival rates are finite and >= 0");
    check_dist(t.handle);
    check_dist(t.patience);
    check_dist(t.wrap_up);
  }
  for (const auto& g : s.groups)
    require(finite_non_negative(g.accept_delay_s), "accept delays are finite and >= 0");
  require(finite_non_negative(bench::first_period_rate_per_s(s)),
          "the first period's rate is finite and >= 0");
  auto drain = bench::drain_seconds(s, 1.0, 600);
  require(drain >= 5 && drain <= 600, "drain_seconds within [5, max_s]");
  auto copy = s;
  require(bench::apply_set(copy, {}).ok(), "apply_set without keys succeeds");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  auto json = switchboard::fuzz::input(data, size);
  auto r = bench::parse_scenario(json);
  if (switchboard::fuzz::accepted(r, engine::errc::invalid_argument))
    check_accepted(*r);
  return 0;
}
