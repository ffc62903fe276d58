#pragma once

/// Queueing theory for checking the simulator: Erlang B, Erlang C (M/M/n) and
/// Erlang A (M/M/n+M, exponential patience). Rates in any consistent time unit.
///
/// All results are steady-state values for Poisson arrivals, exponential handle
/// times, `n` identical agents and one first-come-first-served line. Waits are
/// measured from arrival to the moment an agent takes the contact. Invalid inputs
/// (n < 1, negative or non-finite rates, mu <= 0, negative or NaN threshold) give
/// quiet NaN in every field rather than a crash.
namespace switchboard::bench::theory {

/// Erlang B blocking probability for offered load `a` Erlangs on `n` servers
/// (the stable recurrence B(k) = a B(k-1) / (k + a B(k-1)); n >= 0, a >= 0).
double erlang_b(int n, double a);

/// M/M/n: probability an arrival waits (Erlang C). 1 when a >= n.
double erlang_c(int n, double a);

struct mmn_result {
  double p_wait = 0;         ///< probability of waiting (Erlang C; 1 when a >= n)
  double asa = 0;            ///< mean wait of all arrivals, C / (n mu - lambda)
                             ///< (same unit as 1/mu; +inf when a >= n)
  double service_level = 0;  ///< P(wait <= threshold) = 1 - C exp(-(n mu - lambda) t)
                             ///< (0 when a >= n)
  double occupancy = 0;      ///< a / n, capped at 1
};

/// M/M/n with arrival rate `lambda`, service rate `mu`, SL threshold `t`.
mmn_result mmn(int n, double lambda, double mu, double t);

/// Erlang A results. An arrival that finds all agents busy (probability p_wait)
/// waits in line; it is either answered or abandons when its own exponential
/// patience (rate theta) runs out first. Every probability is per arrival.
struct mmnm_result {
  double p_wait = 0;         ///< probability of waiting (no free agent on arrival)
  double p_abandon = 0;      ///< probability of abandoning (= theta * mean_wait)
  double asa = 0;            ///< mean wait of answered contacts (E[W | answered],
                             ///< zero-wait answers included)
  double mean_wait = 0;      ///< mean wait of all arrivals, answered or abandoned
                             ///< (time in line; Lq / lambda by Little's law)
  double service_level = 0;  ///< P(answered within t) / (all arrivals): answered
                             ///< with wait <= t, over all arrivals; contacts that
                             ///< abandon count as misses whenever they leave
  double occupancy = 0;      ///< lambda (1 - p_abandon) / (n mu): busy fraction
};

/// Erlang A (M/M/n+M): arrival rate `lambda`, service rate `mu`, abandonment rate
/// `theta` (1 / mean patience), SL threshold `t` (+inf allowed). Stable for any
/// load: the birth-death chain of the number in system is summed in log space and
/// truncated where its terms fall below e^-45 of the total; the service level
/// integrates the tagged contact's absorbing chain by uniformization. theta = 0
/// gives Erlang C. Cost O(n + L + L * min(L, R t)) with L the line lengths that
/// matter and R = n mu + L theta (milliseconds for thousands of agents). NaN in
/// every field when the line that matters would exceed 5 million contacts
/// (lambda / theta in the millions with a >= n).
mmnm_result mmnm(int n, double lambda, double mu, double theta, double t);

}  // namespace switchboard::bench::theory
