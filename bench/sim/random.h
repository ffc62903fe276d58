#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "bench/scenario/scenario.h"

/// Random numbers for the simulator and the real-time modes: a small, fast generator
/// and the distributions a scenario names (`duration_sampler`, the one sampler). Everything is seeded explicitly (reproducible from a seed).
namespace switchboard::bench::sim {

/// SplitMix64: turns one seed into well-mixed seeds for independent streams.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// The seed of replication `index` of a run seeded `seed`, hashed: the replications
/// of seed N and of seed N+1 share no stream (with `seed + index`, N's second
/// replication would be N+1's first). Distinct for distinct (seed, index) pairs
/// unless two hashed seeds land within a run's replication count of each other
/// (probability ~ replications / 2^64).
inline std::uint64_t replication_seed(std::uint64_t seed, int index) {
  std::uint64_t st = seed;
  std::uint64_t base = splitmix64(st) + static_cast<std::uint64_t>(index);
  return splitmix64(base);
}

/// xoshiro256** (Blackman and Vigna): 256 bits of state, period 2^256 - 1, passes
/// BigCrush; a few nanoseconds per draw. One per stream, confined to its owner.
class rng {
 public:
  /// UniformRandomBitGenerator, so the <random> distributions accept it too.
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return next(); }

  explicit rng(std::uint64_t seed = 1) {
    for (auto& w : s_)
      w = splitmix64(seed);
  }

  std::uint64_t next() {
    auto result = rotl(s_[1] * 5, 7) * 9;
    auto t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe under log().
  double uniform_pos() { return 1.0 - uniform(); }
  /// Uniform integer in [0, n); n > 0 (multiply-shift, negligible bias for n << 2^32).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
  }
  bool bernoulli(double p) { return uniform() < p; }
  /// Exponential with mean 1.
  double exp1() { return -std::log(uniform_pos()); }
  /// Standard normal (Marsaglia polar method; the spare value is kept).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, q;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q == 0);
    auto f = std::sqrt(-2 * std::log(q) / q);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  /// Gamma(shape, 1) (Marsaglia and Tsang; shape < 1 via the boost U^(1/shape)).
  double gamma(double shape) {
    if (shape < 1) {
      auto g = gamma(shape + 1);
      return g * std::pow(uniform_pos(), 1 / shape);
    }
    auto d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      auto u = uniform_pos();
      if (u < 1 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v)))
        return d * v;
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

/// A `duration_dist` for one period with its parameters precomputed; draws seconds.
class duration_sampler {
 public:
  duration_sampler() = default;
  duration_sampler(const duration_dist& d, std::size_t period) : type_(d.type) {
    mean_ = d.mean_for(period);
    if (type_ == duration_dist::kind::lognormal) {
      auto s2 = std::log1p(d.cv * d.cv);
      sigma_ = std::sqrt(s2);
      mu_ = std::log(mean_ > 0 ? mean_ : 1e-9) - s2 / 2;
    }
  }

  /// False for `none` (e.g. infinite patience, no wrap-up).
  bool active() const { return type_ != duration_dist::kind::none; }
  double mean() const { return type_ == duration_dist::kind::none ? 0 : mean_; }

  double draw(rng& r) const {
    switch (type_) {
      case duration_dist::kind::none: return 0;
      case duration_dist::kind::fixed: return mean_;
      case duration_dist::kind::exponential: return mean_ * r.exp1();
      case duration_dist::kind::lognormal: return std::exp(mu_ + sigma_ * r.normal());
    }
    return 0;
  }

 private:
  duration_dist::kind type_ = duration_dist::kind::none;
  double mean_ = 0;
  double mu_ = 0;
  double sigma_ = 0;
};

}  // namespace switchboard::bench::sim
