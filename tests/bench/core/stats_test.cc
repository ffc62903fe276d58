#include "bench/core/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

namespace switchboard::bench {
namespace {

TEST(stats, student_t_uses_the_table_then_the_expansion) {
  EXPECT_DOUBLE_EQ(student_t95(1), 12.706);
  EXPECT_DOUBLE_EQ(student_t95(4), 2.776);
  EXPECT_DOUBLE_EQ(student_t95(30), 2.042);
  // Published values beyond the table: 40 -> 2.0211, 60 -> 2.0003, 120 -> 1.9799.
  EXPECT_NEAR(student_t95(40), 2.0211, 2e-4);
  EXPECT_NEAR(student_t95(60), 2.0003, 2e-4);
  EXPECT_NEAR(student_t95(120), 1.9799, 2e-4);
  EXPECT_NEAR(student_t95(1'000'000), 1.95996, 1e-4);
  EXPECT_TRUE(std::isinf(student_t95(0)));
  for (int d = 1; d < 300; ++d) EXPECT_GT(student_t95(d), student_t95(d + 1)) << d;
}

TEST(stats, ci95_of_known_data) {
  const metric_ci ci = ci95({1, 2, 3, 4, 5});
  EXPECT_EQ(ci.n, 5);
  EXPECT_DOUBLE_EQ(ci.mean, 3);
  // s = sqrt(2.5); half-width = t(4) s / sqrt(5) = 2.776 / sqrt(2).
  EXPECT_NEAR(ci.half_width, 2.776 * std::sqrt(2.5) / std::sqrt(5.0), 1e-12);
  const metric_ci one = ci95({7});
  EXPECT_EQ(one.n, 1);
  EXPECT_DOUBLE_EQ(one.mean, 7);
  EXPECT_EQ(one.half_width, 0);
  const metric_ci none = ci95({});
  EXPECT_EQ(none.n, 0);
  EXPECT_EQ(none.mean, 0);
  const metric_ci flat = ci95({2, 2, 2});
  EXPECT_EQ(flat.half_width, 0);
}

TEST(stats, latency_histogram_has_exact_percentiles_and_all_samples) {
  std::vector<double> xs(1000);
  std::iota(xs.begin(), xs.end(), 1.0);  // 1..1000 us
  std::reverse(xs.begin(), xs.end());
  const latency_histogram h = make_latency_histogram(xs);
  EXPECT_TRUE(std::is_sorted(xs.begin(), xs.end()));
  EXPECT_EQ(h.samples, 1000u);
  EXPECT_DOUBLE_EQ(h.p50_us, 500);
  EXPECT_DOUBLE_EQ(h.p99_us, 990);
  EXPECT_DOUBLE_EQ(h.p999_us, 999);
  EXPECT_DOUBLE_EQ(h.max_us, 1000);
  ASSERT_EQ(h.upper_us.size(), h.counts.size());
  EXPECT_TRUE(std::is_sorted(h.upper_us.begin(), h.upper_us.end()));
  EXPECT_DOUBLE_EQ(h.upper_us.front(), 1);
  EXPECT_TRUE(std::isinf(h.upper_us.back()));
  EXPECT_NEAR(h.upper_us[h.upper_us.size() - 2], 1e7, 1e-3);  // 10 s
  EXPECT_EQ(std::accumulate(h.counts.begin(), h.counts.end(), std::uint64_t{0}), 1000u);
  // Each sample is in the first bucket whose upper bound is >= it.
  std::uint64_t at_most_10 = 0;
  for (std::size_t i = 0; i < h.upper_us.size() && h.upper_us[i] <= 10 + 1e-9; ++i) {
    at_most_10 += h.counts[i];
  }
  EXPECT_EQ(at_most_10, 10u);
}

TEST(stats, latency_histogram_edges) {
  std::vector<double> none;
  const latency_histogram empty = make_latency_histogram(none);
  EXPECT_EQ(empty.samples, 0u);
  EXPECT_EQ(empty.p99_us, 0);
  EXPECT_EQ(empty.counts.size(), empty.upper_us.size());
  std::vector<double> xs = {0.25, 2e7, NAN, 5};
  const latency_histogram h = make_latency_histogram(xs);
  EXPECT_EQ(h.samples, 3u);  // NaN dropped
  EXPECT_EQ(h.counts.front(), 1u);
  EXPECT_EQ(h.counts.back(), 1u);  // beyond 10 s: the open bucket
  EXPECT_DOUBLE_EQ(h.max_us, 2e7);
  EXPECT_DOUBLE_EQ(h.p50_us, 5);
}

TEST(stats, rss_grows_when_memory_is_touched) {
  const std::uint64_t before = rss_bytes();
  EXPECT_GT(before, 0u);
  std::vector<char> block(64u << 20);
  for (std::size_t i = 0; i < block.size(); i += 4096) block[i] = static_cast<char>(i);
  const std::uint64_t after = rss_bytes();
  EXPECT_GE(after, before + (48u << 20));
  EXPECT_GE(peak_rss_bytes(), after - (1u << 20));  // VmHWM is kB-granular
  volatile char keep = block[4096];
  (void)keep;
}

TEST(stats, cpu_time_advances_with_work) {
  const double t0 = process_cpu_s();
  EXPECT_GT(t0, 0);
  volatile double x = 0;
  for (int i = 0; i < 20'000'000; ++i) x = x + std::sqrt(static_cast<double>(i));
  EXPECT_GT(process_cpu_s(), t0);
}

}  // namespace
}  // namespace switchboard::bench
