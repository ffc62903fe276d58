#include "bench/core/stats.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <unistd.h>

namespace switchboard::bench {
namespace {

/// t_{0.975, dof} for dof = 1..30 (standard tables).
constexpr std::array<double, 30> t_table = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

/// The sample at quantile `q` of sorted `xs` (nearest rank: the smallest sample with
/// at least q of the samples at or below it).
double nearest_rank(const std::vector<double>& xs, double q) {
  if (xs.empty()) return 0;
  const auto n = static_cast<double>(xs.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n));
  rank = std::clamp<std::size_t>(rank, 1, xs.size());
  return xs[rank - 1];
}

/// Reads "<key>: <value> kB" from /proc/self/status; 0 when unavailable.
std::uint64_t status_kb(const char* key) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  std::uint64_t kb = 0;
  const std::size_t key_len = std::strlen(key);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
      unsigned long long v = 0;
      if (std::sscanf(line + key_len + 1, "%llu", &v) == 1) kb = v;
      break;
    }
  }
  std::fclose(f);
  return kb;
}

}  // namespace

double student_t95(int dof) {
  if (dof < 1) return std::numeric_limits<double>::infinity();
  if (dof <= static_cast<int>(t_table.size())) return t_table[static_cast<std::size_t>(dof - 1)];
  // Cornish-Fisher expansion of the t quantile around z = 1.959964 (error < 1e-4
  // for dof > 30).
  const double z = 1.959963984540054;
  const double v = dof;
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

metric_ci ci95(const std::vector<double>& xs) {
  metric_ci ci;
  ci.n = static_cast<int>(xs.size());
  if (xs.empty()) return ci;
  double sum = 0;
  for (double x : xs) sum += x;
  ci.mean = sum / static_cast<double>(xs.size());
  if (xs.size() < 2) return ci;
  double ss = 0;
  for (double x : xs) ss += (x - ci.mean) * (x - ci.mean);
  const double sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  ci.half_width = student_t95(ci.n - 1) * sd / std::sqrt(static_cast<double>(xs.size()));
  return ci;
}

latency_histogram make_latency_histogram(std::vector<double>& samples_us) {
  latency_histogram h;
  // 10 buckets per decade from 1 us to 10 s, then one open bucket (+inf).
  constexpr int per_decade = 10;
  constexpr int decades = 7;
  for (int k = 0; k <= per_decade * decades; ++k) {
    h.upper_us.push_back(std::pow(10.0, static_cast<double>(k) / per_decade));
  }
  h.upper_us.push_back(std::numeric_limits<double>::infinity());
  h.counts.assign(h.upper_us.size(), 0);
  // NaN has no place in an order; drop it rather than break the sort.
  std::erase_if(samples_us, [](double x) { return std::isnan(x); });
  std::sort(samples_us.begin(), samples_us.end());
  h.samples = samples_us.size();
  if (samples_us.empty()) return h;
  // Samples are sorted, so one pass over the buckets places them all.
  std::size_t b = 0;
  for (double x : samples_us) {
    while (b + 1 < h.upper_us.size() && !(x <= h.upper_us[b])) ++b;
    ++h.counts[b];
  }
  h.p50_us = nearest_rank(samples_us, 0.50);
  h.p99_us = nearest_rank(samples_us, 0.99);
  h.p999_us = nearest_rank(samples_us, 0.999);
  h.max_us = samples_us.back();
  return h;
}

std::uint64_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (got != 2) return 0;
  const long page = ::sysconf(_SC_PAGESIZE);
  return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

std::uint64_t peak_rss_bytes() { return status_kb("VmHWM") * 1024; }

double process_cpu_s() {
  timespec ts{};
  if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace switchboard::bench
