// assignment_bench: times engine::assign_max on random dense matrices and writes
// each matrix (raw little-endian float64, row-major) with its result, so that
// scripts/bench-assignment.sh can time SciPy's linear_sum_assignment on the very
// same matrices in the same run and check that both find the same optimum.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "engine/assignment.h"

int main(int argc, char** argv) {
  CLI::App app{"Times engine::assign_max on random n x n matrices (values uniform in [0, 1))."};
  std::size_t n = 500;
  int count = 10;
  std::uint64_t seed = 1;
  std::string dir;
  app.add_option("--n", n, "Rows and columns")->check(CLI::Range(1, 5000));
  app.add_option("--count", count, "Matrices")->check(CLI::Range(1, 1000));
  app.add_option("--seed", seed, "Random seed");
  app.add_option("--dir", dir, "Where to write m<k>.f64 and ours.tsv (none: not written)");
  CLI11_PARSE(app, argc, argv);

  std::mt19937_64 rng{seed};
  std::uniform_real_distribution<double> value{0.0, 1.0};
  std::vector<double> seconds;
  std::ofstream results;
  if (!dir.empty()) {
    results.open(dir + "/ours.tsv");
    if (!results) {
      std::fprintf(stderr, "assignment_bench: cannot write %s/ours.tsv\n", dir.c_str());
      return 1;
    }
  }
  for (int k = 0; k < count; ++k) {
    std::vector<double> v(n * n);
    for (auto& x : v)
      x = value(rng);
    auto t0 = std::chrono::steady_clock::now();
    auto a = switchboard::engine::assign_max(v, n, n);
    auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!a) {
      std::fprintf(stderr, "assignment_bench: %s\n", a.err().message.c_str());
      return 1;
    }
    seconds.push_back(s);
    if (!dir.empty()) {
      std::ofstream m(dir + "/m" + std::to_string(k) + ".f64", std::ios::binary);
      m.write(reinterpret_cast<const char*>(v.data()),
              static_cast<std::streamsize>(v.size() * sizeof(double)));
      results << k << '\t' << a->pairs << '\t';
      char total[64];
      std::snprintf(total, sizeof total, "%.12f", a->total);
      results << total << '\t' << s << '\n';
    }
  }
  auto sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                    : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
#ifdef SB_BUILD_TYPE
  const char* build = SB_BUILD_TYPE;
#else
  const char* build = "?";
#endif
  std::printf("engine::assign_max %zux%zu, %d matrices (seed %llu): median %.3f ms, min %.3f ms, "
              "max %.3f ms (%s build, %u hardware threads)\n",
              n, n, count, static_cast<unsigned long long>(seed), median * 1e3, sorted.front() * 1e3,
              sorted.back() * 1e3, build, std::thread::hardware_concurrency());
  return 0;
}
