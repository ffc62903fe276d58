#include "bench/core/erlang.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace switchboard::bench::theory {
namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

/// Longest line the Erlang A sum follows (memory: 8 bytes per term). Reached only
/// when lambda / theta is in the millions (patience of days at busy rates).
constexpr std::size_t max_queue_terms = 5'000'000;

/// log(exp(x) + exp(y)) without overflow.
double log_add(double x, double y) {
  if (x == -inf_v) return y;
  if (y == -inf_v) return x;
  const double hi = std::max(x, y);
  return hi + std::log1p(std::exp(std::min(x, y) - hi));
}

/// log(1 / B(n, a)) by the recurrence 1/B(k) = 1 + (k/a) / B(k-1) in log space, so
/// neither a tiny B (n >> a) nor a huge n underflows. Precondition: a > 0, n >= 0.
/// Note 1/B(n, a) = sum_{k<=n} pi_k / pi_n for the M/M/n birth-death chain.
double log_inv_erlang_b(int n, double a) {
  double l = 0;  // log(1 / B(0)) = 0
  for (int k = 1; k <= n; ++k) l = log_add(0.0, std::log(k / a) + l);
  return l;
}

bool valid(int n, double lambda, double mu, double t) {
  return n >= 1 && std::isfinite(lambda) && lambda >= 0 && std::isfinite(mu) && mu > 0 &&
         !std::isnan(t) && t >= 0;
}

/// P(served within t) numerator over the waiting states, by uniformization of the
/// tagged contact's view: with `i` contacts ahead, the line in front of it shrinks at
/// rate n*mu + i*theta (service at the head, abandonment of those ahead); at i = 0 a
/// free agent takes it at rate n*mu; it abandons itself at rate theta from any state.
/// `pq[j]` is the probability that an arrival finds j contacts waiting (all agents
/// busy). Returns sum_j pq[j] * P(answered by t | j ahead).
double answered_within(const std::vector<double>& pq, double nmu, double theta,
                       double t) {
  if (pq.empty() || t <= 0) return 0;
  const auto jmax = static_cast<double>(pq.size() - 1);
  const double rate0 = nmu + (jmax + 1) * theta;  // largest total rate out of a state
  const double m0 = rate0 * t;
  const double kmax0 = std::ceil(m0 + 9 * std::sqrt(m0) + 40);
  // A contact with j ahead needs j + 1 jumps to be answered; states above kmax can
  // not be answered within the Poisson steps we sum, so drop them exactly.
  const std::size_t keep =
      std::min(pq.size(), static_cast<std::size_t>(std::min(kmax0, 1e9)) + 1);
  const double big_l = nmu + static_cast<double>(keep) * theta;  // uniformization rate
  const double m = big_l * t;
  const auto kmax = static_cast<std::size_t>(std::ceil(m + 9 * std::sqrt(m) + 40));

  std::vector<double> p(pq.begin(), pq.begin() + static_cast<std::ptrdiff_t>(keep));
  std::vector<double> next(keep, 0.0);
  double served = 0;     // absorbed "answered" mass after k jumps
  double weighted = 0;   // sum_k Poisson(k; m) * served_k
  double cum_w = 0;
  const double log_m = std::log(m);
  for (std::size_t k = 0;; ++k) {
    const double log_w = -m + static_cast<double>(k) * log_m - std::lgamma(k + 1.0);
    const double w = std::exp(log_w);
    weighted += w * served;
    cum_w += w;
    if (k >= kmax) break;
    // One uniformized jump.
    double live = 0;
    for (std::size_t i = 0; i < keep; ++i) {
      const double down = (i == 0 ? nmu : nmu + static_cast<double>(i) * theta) / big_l;
      const double stay = 1 - down - theta / big_l;
      double v = p[i] * stay;
      if (i + 1 < keep) {
        v += p[i + 1] * (nmu + static_cast<double>(i + 1) * theta) / big_l;
      }
      next[i] = v;
      live += v;
    }
    served += p[0] * nmu / big_l;
    p.swap(next);
    if (live < 1e-17 * std::max(served, 1e-300) || live < 1e-300) {
      // Nothing left to answer: served is final for all later k.
      weighted += served * std::max(0.0, 1 - cum_w);
      cum_w = 1;
      break;
    }
  }
  return weighted;
}

}  // namespace

double erlang_b(int n, double a) {
  if (n < 0 || std::isnan(a) || a < 0) return nan_v;
  if (a == 0) return n == 0 ? 1 : 0;
  if (a == inf_v) return 1;
  double b = 1;
  for (int k = 1; k <= n; ++k) b = a * b / (k + a * b);
  return b;
}

double erlang_c(int n, double a) {
  if (n < 1 || std::isnan(a) || a < 0) return nan_v;
  if (a >= n) return 1;
  if (a == 0) return 0;
  const double b = erlang_b(n, a);
  return n * b / (n - a * (1 - b));
}

mmn_result mmn(int n, double lambda, double mu, double t) {
  mmn_result r;
  if (!valid(n, lambda, mu, t)) return {nan_v, nan_v, nan_v, nan_v};
  const double a = lambda / mu;
  if (a >= n) {
    r.p_wait = 1;
    r.asa = inf_v;
    r.service_level = 0;
    r.occupancy = 1;
    return r;
  }
  const double c = erlang_c(n, a);
  const double drain = n * mu - lambda;
  r.p_wait = c;
  r.asa = c / drain;
  r.service_level = t == inf_v ? 1 : 1 - c * std::exp(-drain * t);
  r.occupancy = a / n;
  return r;
}

mmnm_result mmnm(int n, double lambda, double mu, double theta, double t) {
  if (!valid(n, lambda, mu, t) || std::isnan(theta) || theta < 0 || theta == inf_v) {
    return {nan_v, nan_v, nan_v, nan_v, nan_v, nan_v};
  }
  mmnm_result r;
  if (lambda == 0) {
    r.service_level = 1;
    return r;
  }
  const double a = lambda / mu;
  if (theta == 0) {
    // Nobody abandons: Erlang C (infinite waits when overloaded).
    const mmn_result c = mmn(n, lambda, mu, t);
    r.p_wait = c.p_wait;
    r.asa = c.asa;
    r.mean_wait = c.asa;
    r.service_level = c.service_level;
    r.occupancy = c.occupancy;
    return r;
  }
  const double nmu = n * mu;
  // Stationary distribution of the number in system k, relative to pi_n, in logs:
  // for k <= n the M/M/n part sums to 1/B(n, a); above n,
  // pi_{n+j} / pi_n = prod_{i=1..j} lambda / (n mu + i theta).
  // Terms rise while lambda > n mu + i theta, then fall faster than geometrically;
  // stop once past the peak and negligible against the running total.
  const double log_low = log_inv_erlang_b(n, a);
  std::vector<double> log_q{0.0};  // log(pi_{n+j} / pi_n), j = 0, 1, ...
  double log_total = log_low;      // log(sum_{j>=1} terms + 1/B)
  const double log_lambda = std::log(lambda);
  bool converged = false;
  for (std::size_t j = 1; j < max_queue_terms; ++j) {
    const double rate = nmu + static_cast<double>(j) * theta;
    const double lq = log_q.back() + log_lambda - std::log(rate);
    log_q.push_back(lq);
    log_total = log_add(log_total, lq);
    if (rate > lambda && lq < log_total - 45) {  // below ~e-45 of the total
      converged = true;
      break;
    }
  }
  if (!converged) return {nan_v, nan_v, nan_v, nan_v, nan_v, nan_v};
  // Probabilities an arrival (PASTA) finds j contacts waiting with all agents busy
  // (in place: the logs are not needed any more).
  std::vector<double>& pq = log_q;
  for (double& x : pq) x = std::exp(x - log_total);

  double p_wait = 0, lq_mean = 0, p_ab = 0, served_wait = 0;
  double h = 0;  // sum_{i=0..j} 1 / (n mu + (i+1) theta)
  for (std::size_t j = 0; j < pq.size(); ++j) {
    const double jj = static_cast<double>(j);
    const double out = nmu + (jj + 1) * theta;
    h += 1 / out;
    p_wait += pq[j];
    lq_mean += jj * pq[j];
    // Found j ahead: answered with probability n mu / (n mu + (j+1) theta), and given
    // answered its wait is a sum of exponentials with rates n mu + (i+1) theta.
    const double p_ans = nmu / out;
    p_ab += pq[j] * (1 - p_ans);
    served_wait += pq[j] * p_ans * h;
  }
  r.p_wait = std::min(1.0, p_wait);
  r.p_abandon = p_ab;
  r.mean_wait = lq_mean / lambda;  // Little's law on the line
  const double p_served = 1 - p_ab;
  r.asa = p_served > 0 ? served_wait / p_served : 0;
  if (t == inf_v) {
    r.service_level = p_served;
  } else {
    r.service_level = (1 - r.p_wait) + answered_within(pq, nmu, theta, t);
  }
  r.occupancy = std::min(1.0, lambda * p_served / nmu);
  return r;
}

}  // namespace switchboard::bench::theory
