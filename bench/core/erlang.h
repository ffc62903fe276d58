#pragma once

/// Queueing theory for checking the simulator: Erlang B, Erlang C (M/M/n) and
/// Erlang A (M/M/n+M, exponential patience). Rates in any consistent time unit.
namespace switchboard::bench::theory {

/// Erlang B blocking probability for offered load `a` Erlangs on `n` servers.
double erlang_b(int n, double a);

/// M/M/n: probability an arrival waits (Erlang C). 1 when a >= n.
double erlang_c(int n, double a);

struct mmn_result {
  double p_wait = 0;         ///< probability of waiting
  double asa = 0;            ///< mean wait of all arrivals (same unit as 1/mu)
  double service_level = 0;  ///< P(wait <= threshold)
  double occupancy = 0;      ///< a / n
};

/// M/M/n with arrival rate `lambda`, service rate `mu`, SL threshold `t`.
mmn_result mmn(int n, double lambda, double mu, double t);

struct mmnm_result {
  double p_wait = 0;         ///< probability of waiting (no free agent on arrival)
  double p_abandon = 0;      ///< probability of abandoning
  double asa = 0;            ///< mean wait of answered contacts
  double mean_wait = 0;      ///< mean wait of all arrivals
  double service_level = 0;  ///< P(answered within t) / (all arrivals)
  double occupancy = 0;
};

/// Erlang A (M/M/n+M): arrival rate `lambda`, service rate `mu`, abandonment rate
/// `theta` (1 / mean patience), SL threshold `t`. Stable for any load.
mmnm_result mmnm(int n, double lambda, double mu, double theta, double t);

}  // namespace switchboard::bench::theory
