// Erlang C / Erlang A rows for an M/M/n scenario, next to the simulated values.
#include <algorithm>

#include "bench/core/erlang.h"
#include "bench/sim/internal/theory.h"
#include "bench/sim/internal/plan.h"

namespace switchboard::bench::sim {
namespace {

bool constant(const std::vector<double>& xs) {
  return std::all_of(xs.begin(), xs.end(), [&](double x) { return x == xs.front(); });
}

}  // namespace

/// Erlang C / Erlang A rows for an M/M/n scenario; a note when it does not qualify.
void add_theory(run_report& r, const scenario& s) {
  auto it = s.parameters.find("model");
  if (it == s.parameters.end() || it->second != "mmn")
    return;
  std::string why;
  const auto& t = s.types.front();
  const auto& g = s.groups.front();
  if (s.types.size() != 1 || s.groups.size() != 1)
    why = "more than one contact type or group";
  else if (t.handle.type != duration_dist::kind::exponential || t.handle.mean_s.empty() ||
           !constant(t.handle.mean_s))
    why = "handle time is not exponential with one mean";
  else if (t.arrivals_per_hour.empty() || !constant(t.arrivals_per_hour) || t.busyness_shape > 0)
    why = "arrival rate is not constant";
  else if (g.staffing.empty() ||
           !std::all_of(g.staffing.begin(), g.staffing.end(),
                        [&](std::uint32_t x) { return x == g.staffing.front(); }))
    why = "staffing is not constant";
  else if (t.wrap_up.type != duration_dist::kind::none && t.wrap_up.mean_for(0) > 0)
    why = "wrap-up time is not zero";
  else if (g.accept_delay_s > 0)
    why = "agents take time to accept";
  else if (t.patience.type != duration_dist::kind::none &&
           (t.patience.type != duration_dist::kind::exponential || !constant(t.patience.mean_s)))
    why = "patience is neither infinite nor exponential";
  if (!why.empty()) {
    r.notes.push_back("theory: no Erlang comparison (" + why + ")");
    return;
  }
  auto n = static_cast<int>(g.staffing.front());
  auto lambda = t.arrivals_per_hour.front() / 3600.0;
  auto mu = 1.0 / t.handle.mean_s.front();
  auto thr = s.sl_threshold_s;
  auto row = [&](const std::string& metric, const std::string& model, double theory) {
    theory_row tr;
    tr.metric = metric;
    tr.model = model;
    tr.theory = theory;
    auto m = r.summary.find(metric);
    if (m != r.summary.end())
      tr.simulated = m->second;
    tr.rel_error = theory != 0 ? (tr.simulated.mean - theory) / theory : 0;
    r.theory.push_back(tr);
  };
  if (t.patience.type == duration_dist::kind::none) {
    auto th = theory::mmn(n, lambda, mu, thr);
    row("p_wait", "Erlang C", th.p_wait);
    row("asa_s", "Erlang C", th.asa);
    row("service_level", "Erlang C", th.service_level);
    row("occupancy", "Erlang C", th.occupancy);
    if (lambda / mu >= n)
      r.notes.push_back("theory: offered load >= agents, the M/M/n queue is unstable");
  } else {
    auto theta = 1.0 / t.patience.mean_s.front();
    auto th = theory::mmnm(n, lambda, mu, theta, thr);
    row("p_wait", "Erlang A", th.p_wait);
    row("abandon_rate", "Erlang A", th.p_abandon);
    row("asa_s", "Erlang A", th.asa);
    row("service_level", "Erlang A", th.service_level);
    row("occupancy", "Erlang A", th.occupancy);
  }
  r.notes.push_back(
    "theory: service_level = answered within " + num(thr) +
    " s / (served + abandoned), the same definition as erlang.h's; asa_s is the mean wait of "
    "answered contacts; p_wait the share of arrivals not offered to an agent on arrival");
}

}  // namespace switchboard::bench::sim
