#include "bench/core/internal/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "bench/core/stats.h"

namespace switchboard::bench::internal {

std::string fmt(double v, int sig) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", sig, v);
  return buf;
}

std::string fmt_number(double v) {
  if (std::isfinite(v) && std::abs(v) < 1e15 && v == std::floor(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  return fmt(v, 6);
}

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return fmt(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

bool is_fraction(std::string_view metric) {
  static const std::set<std::string_view> fractions = {
      "service_level", "p_wait",    "abandon_rate", "occupancy", "fairness_spread",
      "resolution_rate", "sale_rate", "p_abandon"};
  return fractions.contains(metric);
}

std::string fmt_metric(std::string_view metric, double v) {
  if (!std::isfinite(v)) return fmt(v);
  if (is_fraction(metric)) return fixed(100 * v, 2) + "%";
  if (metric.ends_with("_s")) return fmt(v, 4) + " s";
  return fmt(v, 6);
}

std::string fmt_ci(std::string_view metric, const metric_ci& ci) {
  if (ci.n < 2 || !std::isfinite(ci.mean) || !std::isfinite(ci.half_width)) {
    std::string s = fmt_metric(metric, ci.mean);
    if (ci.n >= 2) s += " ± " + fmt_metric(metric, ci.half_width);
    return s;
  }
  const bool pct = is_fraction(metric);
  const double scale = pct ? 100 : 1;
  const std::string unit = pct ? "%" : metric.ends_with("_s") ? " s" : "";
  const double m = ci.mean * scale;
  double h = ci.half_width * scale;
  // Rounding noise of identical samples is not an interval.
  if (h <= 1e-9 * std::max(1.0, std::abs(m))) h = 0;
  int decimals = pct ? 2 : 0;
  if (h > 0) {
    decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(h))), 0, 8);
  } else if (!pct) {
    return fmt(m, 6) + unit + " ± 0" + unit;
  }
  return fixed(m, decimals) + unit + " ± " + fixed(h, decimals) + unit;
}

std::vector<group_summary> summarize_groups(const run_report& r) {
  std::vector<std::string> order;
  struct acc {
    std::vector<double> occupancy;
    double spread = 0, served = 0;
  };
  std::map<std::string, acc> by_name;
  for (const auto& rep : r.replications) {
    for (const auto& g : rep.groups) {
      auto [it, inserted] = by_name.try_emplace(g.group);
      if (inserted) order.push_back(g.group);
      it->second.occupancy.push_back(g.occupancy);
      it->second.spread += g.occupancy_spread;
      it->second.served += static_cast<double>(g.served);
    }
  }
  std::vector<group_summary> out;
  for (const auto& name : order) {
    const acc& a = by_name[name];
    const auto n = static_cast<double>(a.occupancy.size());
    out.push_back({name, ci95(a.occupancy), a.spread / n, a.served / n});
  }
  return out;
}

std::vector<std::string> policy_metrics(const run_report& r) {
  std::set<std::string> all;
  for (const auto& p : r.policies) {
    for (const auto& [k, v] : p.summary) all.insert(k);
  }
  std::vector<std::string> out;
  for (auto k : summary_keys) {
    if (all.erase(std::string(k)) > 0) out.emplace_back(k);
  }
  out.insert(out.end(), all.begin(), all.end());
  return out;
}

}  // namespace switchboard::bench::internal
