#include "bench/core/erlang.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace switchboard::bench::theory {
namespace {

/// Stationary distribution of the number in system k = 0..kmax for M/M/n+M, solved
/// plainly from the birth-death balance pi_k lambda = pi_{k+1} death(k+1), with
/// death(k) = min(k, n) mu + max(k - n, 0) theta. theta = 0 and a < n gives M/M/n
/// (truncated where the geometric tail is negligible).
struct chain {
  int n;
  double lambda, mu, theta;
  std::vector<double> pi;

  chain(int n_, double lambda_, double mu_, double theta_, int kmax)
      : n(n_), lambda(lambda_), mu(mu_), theta(theta_) {
    std::vector<double> w(static_cast<std::size_t>(kmax) + 1);
    w[0] = 1;
    for (int k = 1; k <= kmax; ++k) {
      const double death = std::min(k, n) * mu + std::max(k - n, 0) * theta;
      w[static_cast<std::size_t>(k)] = w[static_cast<std::size_t>(k - 1)] * lambda / death;
      if (w[static_cast<std::size_t>(k)] > 1e250) {
        for (int i = 0; i <= k; ++i) w[static_cast<std::size_t>(i)] *= 1e-250;
      }
    }
    double z = 0;
    for (double x : w) z += x;
    pi.resize(w.size());
    for (std::size_t k = 0; k < w.size(); ++k) pi[k] = w[k] / z;
  }

  double p(int k) const { return pi[static_cast<std::size_t>(k)]; }
  int kmax() const { return static_cast<int>(pi.size()) - 1; }

  double p_wait() const {
    double s = 0;
    for (int k = n; k <= kmax(); ++k) s += p(k);
    return s;
  }
  double lq() const {
    double s = 0;
    for (int k = n + 1; k <= kmax(); ++k) s += (k - n) * p(k);
    return s;
  }
  /// sum_{k>n} pi_k (k - n) theta / lambda: abandonment flow over arrival flow.
  double p_abandon() const { return lq() * theta / lambda; }
  double busy() const {
    double s = 0;
    for (int k = 0; k <= kmax(); ++k) s += std::min(k, n) * p(k);
    return s;
  }

  /// P(answered within t) over all arrivals, by integrating the tagged contact's
  /// chain (i ahead; the line in front shrinks at n mu + i theta; it abandons at
  /// theta) with classic RK4. Also sets `asa` to E[W | answered], the integral over
  /// s of P(answered after s), run until the live mass is below 1e-12.
  double answered_within(double t, double& asa) const {
    // States the arrival can find: j ahead with pi_{n+j} above 1e-16.
    int jmax = 0;
    for (int j = 0; n + j <= kmax(); ++j) {
      if (p(n + j) > 1e-16) jmax = j;
    }
    const auto size = static_cast<std::size_t>(jmax) + 1;
    std::vector<double> x(size), k1(size), k2(size), k3(size), k4(size), tmp(size);
    for (std::size_t j = 0; j < size; ++j) x[j] = p(n + static_cast<int>(j));
    const double nmu = n * mu;
    // d/ds of the live states; returns d(answered)/ds.
    auto deriv = [&](const std::vector<double>& s, std::vector<double>& d) {
      for (std::size_t i = 0; i < size; ++i) {
        const double out = i == 0 ? nmu : nmu + static_cast<double>(i) * theta;
        d[i] = -(out + theta) * s[i];
        if (i + 1 < size) d[i] += (nmu + static_cast<double>(i + 1) * theta) * s[i + 1];
      }
      return nmu * s[0];
    };
    const double max_rate = nmu + (jmax + 1) * theta;
    const int first_steps = std::max(400, static_cast<int>(std::ceil(t * max_rate / 0.01)));
    double answered = 0, at_t = 0, late_integral = 0, clock = 0;
    for (int step = 0;; ++step) {
      const double h = step < first_steps ? t / first_steps : 0.05 / max_rate;
      const double a1 = deriv(x, k1);
      for (std::size_t i = 0; i < size; ++i) tmp[i] = x[i] + h / 2 * k1[i];
      const double a2 = deriv(tmp, k2);
      for (std::size_t i = 0; i < size; ++i) tmp[i] = x[i] + h / 2 * k2[i];
      const double a3 = deriv(tmp, k3);
      for (std::size_t i = 0; i < size; ++i) tmp[i] = x[i] + h * k3[i];
      const double a4 = deriv(tmp, k4);
      double live = 0;
      for (std::size_t i = 0; i < size; ++i) {
        x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        live += x[i];
      }
      const double before = answered;
      answered += h / 6 * (a1 + 2 * a2 + 2 * a3 + a4);
      // integral of (answered by s) ds; E[W; answered] = total * end - this.
      late_integral += h / 2 * (before + answered);
      clock += h;
      if (step + 1 == first_steps) at_t = answered;
      if (step + 1 >= first_steps && live < 1e-12) break;
    }
    const double p_answered = (1 - p_wait()) + answered;
    asa = (answered * clock - late_integral) / p_answered;
    return (1 - p_wait()) + at_t;
  }
};

TEST(erlang, erlang_b_matches_published_value) {
  EXPECT_NEAR(erlang_b(10, 8), 0.12166, 5e-6);
  EXPECT_DOUBLE_EQ(erlang_b(0, 3), 1.0);
  EXPECT_DOUBLE_EQ(erlang_b(1, 1), 0.5);  // a / (1 + a)
}

TEST(erlang, erlang_c_matches_published_value) {
  EXPECT_NEAR(erlang_c(10, 8), 0.40918, 5e-6);
  EXPECT_DOUBLE_EQ(erlang_c(10, 10), 1.0);
  EXPECT_DOUBLE_EQ(erlang_c(10, 12), 1.0);
  EXPECT_DOUBLE_EQ(erlang_c(5, 0), 0.0);
}

TEST(erlang, erlang_b_stays_finite_for_thousands_of_agents) {
  const double b = erlang_b(5000, 4900);
  EXPECT_GT(b, 0);
  EXPECT_LT(b, 0.05);
  EXPECT_EQ(erlang_b(5000, 10), 0.0);  // underflows to zero, not NaN
  EXPECT_GE(erlang_c(5000, 4900), 0);
  EXPECT_LE(erlang_c(5000, 4900), 1);
}

// The classic call-center example: 360 calls per 30 minutes (lambda = 0.2/s), AHT
// 240 s, so a = 48 Erlangs; SL threshold 20 s. Values computed by mmn() and
// cross-checked against the birth-death chain solved directly, with the service
// level from the waiting-time mixture P(W > t) = sum_j pi_{n+j} P(Erlang(j+1, n mu) > t).
//   n   P(wait)   ASA (s)   SL(20 s)  occupancy
//   52  0.4660     27.96    0.6661    0.9231
//   53  0.3765     18.07    0.7518    0.9057
//   54  0.3013     12.05    0.8172    0.8889
//   55  0.2387      8.18    0.8668    0.8727
//   56  0.1872      5.61    0.9039    0.8571
//   57  0.1452      3.87    0.9314    0.8421
//   58  0.1114      2.67    0.9516    0.8276
TEST(erlang, mmn_call_center_table_matches_birth_death_chain) {
  const double lambda = 360.0 / 1800.0, mu = 1.0 / 240.0, t = 20;
  std::printf("  n   P(wait)   ASA (s)   SL(20 s)  occupancy\n");
  for (int n = 52; n <= 58; ++n) {
    const mmn_result m = mmn(n, lambda, mu, t);
    const chain c(n, lambda, mu, 0, n + 1500);
    EXPECT_NEAR(m.p_wait, c.p_wait(), 1e-9) << n;
    EXPECT_NEAR(m.asa, c.lq() / lambda, 1e-6) << n;
    EXPECT_NEAR(m.occupancy, c.busy() / n, 1e-9) << n;
    // SL from the Erlang mixture, computed term by term.
    const double nmu = n * mu;
    double p_late = 0;
    for (int j = 0; n + j <= c.kmax(); ++j) {
      double term = std::exp(-nmu * t), tail = 0;  // P(Poisson(nmu t) <= j)
      for (int i = 0; i <= j; ++i) {
        if (i > 0) term *= nmu * t / i;
        tail += term;
      }
      p_late += c.p(n + j) * tail;
    }
    EXPECT_NEAR(m.service_level, 1 - p_late, 1e-9) << n;
    std::printf("  %d  %.4f    %6.2f    %.4f    %.4f\n", n, m.p_wait, m.asa,
                m.service_level, m.occupancy);
  }
  // Spot values of the table (rounded), so a regression shows up as a number.
  const mmn_result m55 = mmn(55, lambda, mu, t);
  EXPECT_NEAR(m55.p_wait, 0.2387, 5e-5);
  EXPECT_NEAR(m55.asa, 8.18, 5e-3);
  EXPECT_NEAR(m55.service_level, 0.8668, 5e-5);
}

TEST(erlang, mmn_overload_and_empty_are_well_defined) {
  const mmn_result over = mmn(10, 1.0, 0.05, 20);  // a = 20 > 10
  EXPECT_EQ(over.p_wait, 1);
  EXPECT_TRUE(std::isinf(over.asa));
  EXPECT_EQ(over.service_level, 0);
  EXPECT_EQ(over.occupancy, 1);
  const mmn_result idle = mmn(10, 0, 0.05, 20);
  EXPECT_EQ(idle.p_wait, 0);
  EXPECT_EQ(idle.asa, 0);
  EXPECT_EQ(idle.service_level, 1);
}

TEST(erlang, invalid_inputs_give_nan_not_a_crash) {
  EXPECT_TRUE(std::isnan(mmn(0, 1, 1, 20).p_wait));
  EXPECT_TRUE(std::isnan(mmn(5, -1, 1, 20).asa));
  EXPECT_TRUE(std::isnan(mmn(5, 1, 0, 20).service_level));
  EXPECT_TRUE(std::isnan(mmnm(5, 1, 1, -0.1, 20).p_abandon));
  EXPECT_TRUE(std::isnan(mmnm(5, 1, 1, 0.1, -1).service_level));
  EXPECT_TRUE(std::isnan(mmnm(-3, 1, 1, 0.1, 1).p_wait));
  EXPECT_TRUE(std::isnan(erlang_c(0, 1)));
}

TEST(erlang, erlang_a_approaches_erlang_c_as_patience_grows) {
  const double lambda = 0.2, mu = 1.0 / 240, t = 20;
  const mmn_result c = mmn(52, lambda, mu, t);
  const mmnm_result a = mmnm(52, lambda, mu, 1e-9, t);
  EXPECT_NEAR(a.p_wait, c.p_wait, 1e-5);
  EXPECT_NEAR(a.asa, c.asa, 1e-3);
  EXPECT_NEAR(a.mean_wait, c.asa, 1e-3);
  EXPECT_NEAR(a.service_level, c.service_level, 1e-5);
  EXPECT_NEAR(a.occupancy, c.occupancy, 1e-6);
  EXPECT_LT(a.p_abandon, 1e-6);
  // theta = 0 is exactly Erlang C.
  const mmnm_result a0 = mmnm(52, lambda, mu, 0, t);
  EXPECT_DOUBLE_EQ(a0.p_wait, c.p_wait);
  EXPECT_DOUBLE_EQ(a0.service_level, c.service_level);
}

struct erlang_a_case {
  int n;
  double lambda, mu, theta, t;
};

class erlang_a_vs_chain : public ::testing::TestWithParam<erlang_a_case> {};

TEST_P(erlang_a_vs_chain, matches_independent_birth_death_solve) {
  const auto p = GetParam();
  const mmnm_result a = mmnm(p.n, p.lambda, p.mu, p.theta, p.t);
  const chain c(p.n, p.lambda, p.mu, p.theta, p.n + 3000);
  EXPECT_NEAR(a.p_wait, c.p_wait(), 1e-9);
  EXPECT_NEAR(a.p_abandon, c.p_abandon(), 1e-9);
  EXPECT_NEAR(a.mean_wait, c.lq() / p.lambda, 1e-6 * std::max(1.0, a.mean_wait));
  EXPECT_NEAR(a.occupancy, c.busy() / p.n, 1e-9);
  // Little's law twice: abandonment flow = theta * Lq; served flow = busy * mu.
  EXPECT_NEAR(a.p_abandon, p.theta * a.mean_wait, 1e-9);
  EXPECT_NEAR(p.lambda * (1 - a.p_abandon), c.busy() * p.mu, 1e-9 * p.lambda);
  // Service level and ASA from an RK4 integration of the tagged contact's chain.
  double asa = 0;
  const double sl = c.answered_within(p.t, asa);
  EXPECT_NEAR(a.service_level, sl, 1e-6);
  EXPECT_NEAR(a.asa, asa, 1e-3 * std::max(1.0, a.asa));
  // Limits in t: nobody is answered in zero time except those who never wait; at
  // infinity everyone who does not abandon is answered.
  EXPECT_NEAR(mmnm(p.n, p.lambda, p.mu, p.theta, 0).service_level, 1 - a.p_wait, 1e-12);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_NEAR(mmnm(p.n, p.lambda, p.mu, p.theta, inf).service_level, 1 - a.p_abandon, 1e-12);
  EXPECT_NEAR(mmnm(p.n, p.lambda, p.mu, p.theta, 1e5).service_level, 1 - a.p_abandon, 1e-9);
  EXPECT_LE(a.service_level, 1 - a.p_abandon + 1e-12);
  EXPECT_GE(a.service_level, 1 - a.p_wait - 1e-12);
}

INSTANTIATE_TEST_SUITE_P(
    loads, erlang_a_vs_chain,
    ::testing::Values(
        erlang_a_case{10, 8.0 / 240, 1.0 / 240, 1.0 / 120, 20},     // a = 8, under
        erlang_a_case{52, 0.2, 1.0 / 240, 1.0 / 180, 20},           // call center
        erlang_a_case{48, 0.2, 1.0 / 240, 1.0 / 60, 30},            // critically loaded
        erlang_a_case{40, 0.3, 1.0 / 180, 1.0 / 300, 20},           // a = 54 > 40
        erlang_a_case{5, 2.0, 0.1, 0.5, 3}));                       // a = 20 >> 5

TEST(erlang, erlang_a_with_patience_equal_to_handle_time_is_poisson) {
  // theta = mu: every contact in the system leaves at rate mu, waiting or not, so the
  // number in system is Poisson(a) (M/M/inf): P(wait) = P(Poisson(a) >= n).
  const int n = 20;
  const double a = 18, mu = 0.01;
  const mmnm_result r = mmnm(n, a * mu, mu, mu, 20);
  double term = std::exp(-a), below = 0;
  for (int k = 0; k < n; ++k) {
    if (k > 0) term *= a / k;
    below += term;
  }
  EXPECT_NEAR(r.p_wait, 1 - below, 1e-10);
  // Lq = E[(K - n)+] for K ~ Poisson(a); P(ab) = theta Lq / lambda = Lq / a.
  double lq = 0;
  term = std::exp(-a);
  for (int k = 0; k < 400; ++k) {
    if (k > 0) term *= a / k;
    if (k > n) lq += (k - n) * term;
  }
  EXPECT_NEAR(r.p_abandon, lq / a, 1e-10);
}

TEST(erlang, erlang_a_is_fast_and_sane_for_thousands_of_agents) {
  // Heavily overloaded big center: the fluid limit answers n mu per unit time, so
  // P(abandon) -> 1 - n mu / lambda.
  const int n = 3000;
  const double mu = 1.0 / 240, lambda = 1.5 * n * mu, theta = 1.0 / 180;
  const mmnm_result r = mmnm(n, lambda, mu, theta, 20);
  EXPECT_NEAR(r.p_abandon, 1 - 1 / 1.5, 0.01);
  EXPECT_NEAR(r.p_wait, 1, 1e-6);
  EXPECT_NEAR(r.occupancy, 1, 0.01);
  EXPECT_NEAR(r.p_abandon, theta * r.mean_wait, 1e-9);
  EXPECT_GE(r.service_level, 0);
  EXPECT_LE(r.service_level, 1 - r.p_abandon);
  // Lightly loaded big center: nobody waits.
  const mmnm_result idle = mmnm(5000, 10 * mu, mu, theta, 20);
  EXPECT_NEAR(idle.p_wait, 0, 1e-12);
  EXPECT_NEAR(idle.service_level, 1, 1e-12);
  EXPECT_NEAR(idle.occupancy, 10.0 / 5000, 1e-12);
  // Quality-and-efficiency regime, n ~ a + sqrt(a): compare with the chain.
  const int n2 = 2000;
  const double l2 = (n2 - 45) * mu;
  const mmnm_result q = mmnm(n2, l2, mu, theta, 20);
  const chain c(n2, l2, mu, theta, n2 + 3000);
  EXPECT_NEAR(q.p_wait, c.p_wait(), 1e-8);
  EXPECT_NEAR(q.p_abandon, c.p_abandon(), 1e-8);
}

}  // namespace
}  // namespace switchboard::bench::theory
