#include "engine/experiment.h"

#include <algorithm>
#include <cmath>

namespace switchboard::engine {

namespace {

// FNV-1a over the tenant, the queue and the pair of slices: the arm draw of a
// pair is fixed (a restart or a replay draws it the same) and unrelated to the
// time of day.
std::uint64_t pair_hash(std::string_view tenant, std::string_view queue, std::int64_t pair) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](unsigned char b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  for (char c : tenant)
    mix(static_cast<unsigned char>(c));
  mix(0);
  for (char c : queue)
    mix(static_cast<unsigned char>(c));
  mix(0);
  for (int i = 0; i < 8; ++i)
    mix(static_cast<unsigned char>(static_cast<std::uint64_t>(pair) >> (8 * i)));
  // A final avalanche (the low bit of FNV alone follows the last byte too closely).
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

}  // namespace

double t_quantile_975(std::uint64_t df) {
  static constexpr double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                     2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                     2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                     2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0)
    return table[0];
  if (df <= 30)
    return table[df - 1];
  return 1.96;
}

std::int64_t experiment::slice_of(time_ms now) const {
  if (!on())
    return -1;
  return now >= 0 ? now / config_.slice : 0;
}

bool experiment::treated(std::string_view queue, std::int64_t slice) const {
  auto first = pair_hash(tenant_, queue, slice / 2) & 1u;
  return static_cast<std::uint64_t>(slice & 1) == first;
}

void experiment::record(std::string_view queue, std::int64_t slice, bool treated, bool resolved) {
  if (slice < 0)
    return;
  auto q = queues_.find(queue);
  if (q == queues_.end())
    q = queues_.emplace(std::string{queue}, slices{}).first;
  auto& c = q->second[slice][treated ? 1 : 0];
  ++c.n;
  if (resolved)
    ++c.resolved;
  while (q->second.size() > max_slices)
    q->second.erase(q->second.begin());
}

namespace {

using cells = std::array<std::uint64_t, 4>;  // n and resolved of the baseline, then of profile

experiment_report summarize(std::string queue, policy_kind baseline,
                            const std::vector<cells>& units) {
  experiment_report r;
  r.queue = std::move(queue);
  r.baseline = baseline;
  double var[2] = {0, 0};
  for (std::size_t arm = 0; arm < 2; ++arm) {
    std::uint64_t n = 0, resolved = 0, m = 0;
    for (const auto& u : units)
      if (u[2 * arm] > 0) {
        n += u[2 * arm];
        resolved += u[2 * arm + 1];
        ++m;
      }
    r.slices[arm] = m;
    r.contacts[arm] = n;
    if (n == 0)
      continue;
    double p = static_cast<double>(resolved) / static_cast<double>(n);
    r.resolution[arm] = p;
    // The variance of a ratio estimator over clusters (the slices): the spread of
    // each slice's resolved count around what the arm's rate predicts for it.
    double ss = 0;
    for (const auto& u : units)
      if (u[2 * arm] > 0) {
        double d = static_cast<double>(u[2 * arm + 1]) - p * static_cast<double>(u[2 * arm]);
        ss += d * d;
      }
    if (m > 1)
      var[arm] = static_cast<double>(m) / static_cast<double>(m - 1) * ss /
                 (static_cast<double>(n) * static_cast<double>(n));
  }
  r.uplift = r.resolution[1] - r.resolution[0];
  r.enough = r.slices[0] >= 2 && r.slices[1] >= 2;
  if (r.enough) {
    auto df = std::min(r.slices[0], r.slices[1]) - 1;
    double half = t_quantile_975(df) * std::sqrt(var[0] + var[1]);
    r.low = r.uplift - half;
    r.high = r.uplift + half;
  }
  return r;
}

}  // namespace

std::vector<experiment_report> experiment::report() const {
  std::vector<experiment_report> out;
  for (const auto& [queue, by_slice] : queues_) {
    std::vector<cells> units;
    units.reserve(by_slice.size());
    for (const auto& [s, c] : by_slice)
      units.push_back({c[0].n, c[0].resolved, c[1].n, c[1].resolved});
    out.push_back(summarize(queue, config_.baseline, units));
  }
  return out;
}

experiment_report experiment::overall() const {
  std::vector<cells> units;
  for (const auto& [queue, by_slice] : queues_)
    for (const auto& [s, c] : by_slice)
      units.push_back({c[0].n, c[0].resolved, c[1].n, c[1].resolved});
  return summarize("*", config_.baseline, units);
}

}  // namespace switchboard::engine
