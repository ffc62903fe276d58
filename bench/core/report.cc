#include "bench/core/report.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "bench/core/internal/format.h"
#include "bench/core/stats.h"

// summarize() and the terminal writer; JSON and HTML live in report_json.cc and
// report_html.cc.
namespace switchboard::bench {
namespace {

using internal::fmt;
using internal::fmt_ci;
using internal::fmt_metric;

/// The value of summary key `key` in one replication.
double metric_of(const replication_result& r, std::string_view key) {
  if (key == "service_level") return r.service_level;
  if (key == "asa_s") return r.asa_s;
  if (key == "p_wait") return r.p_wait;
  if (key == "abandon_rate") return r.abandon_rate;
  if (key == "occupancy") return r.occupancy;
  if (key == "fairness_spread") return r.fairness_spread;
  if (key == "served") return static_cast<double>(r.served);
  if (key == "abandoned") return static_cast<double>(r.abandoned);
  if (key == "arrivals") return static_cast<double>(r.arrivals);
  if (key == "resolution_rate") return r.resolution_rate;
  if (key == "sale_rate") return r.sale_rate;
  return r.csat_mean;  // "csat_mean"
}

/// Left-aligned column of width `w` (UTF-8 aware enough for our ASCII plus "±").
std::string pad(std::string s, std::size_t w) {
  std::size_t visible = 0;
  for (unsigned char c : s) visible += (c & 0xC0) != 0x80;
  if (visible < w) s.append(w - visible, ' ');
  return s;
}

std::string rpad(std::string s, std::size_t w) {
  std::size_t visible = 0;
  for (unsigned char c : s) visible += (c & 0xC0) != 0x80;
  if (visible < w) s.insert(0, w - visible, ' ');
  return s;
}

/// A plain text table: first column left-aligned, the others right-aligned.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::size_t visible = 0;
      for (unsigned char c : row[i]) visible += (c & 0xC0) != 0x80;
      widths[i] = std::max(widths[i], visible);
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = "  ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i == 0 ? pad(row[i], widths[i]) : "  " + rpad(row[i], widths[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

void summarize(run_report& r) {
  if (r.replications.empty()) return;
  for (auto key : internal::summary_keys) {
    std::vector<double> xs;
    xs.reserve(r.replications.size());
    for (const auto& rep : r.replications) xs.push_back(metric_of(rep, key));
    r.summary[std::string(key)] = ci95(xs);
  }
  std::vector<double> late;
  for (const auto& rep : r.replications)
    if (rep.abandoned_after_threshold)
      late.push_back(static_cast<double>(*rep.abandoned_after_threshold));
  if (late.size() == r.replications.size())
    r.summary["abandoned_after_threshold"] = ci95(late);
}

std::string to_text(const run_report& r) {
  std::ostringstream o;
  o << "switchboard bench: scenario \"" << r.scenario << "\" (" << r.mode << ")\n";
  o << "  build " << (r.build_type.empty() ? "unknown" : r.build_type) << ", " << r.cores
    << " cores, seed " << r.seed << ", " << r.replications.size() << " replication"
    << (r.replications.size() == 1 ? "" : "s") << ", SL threshold " << fmt(r.sl_threshold_s)
    << " s\n";
  o << "  wall " << fmt(r.wall_s) << " s, cpu " << fmt(r.cpu_s) << " s\n";

  if (!r.parameters.empty()) {
    o << "\nParameters\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : r.parameters) rows.push_back({k, v});
    // Values are free text: keep them left-aligned.
    std::size_t w = 0;
    for (const auto& row : rows) w = std::max(w, row[0].size());
    for (const auto& row : rows) o << "  " << pad(row[0], w) << "  " << row[1] << "\n";
  }

  if (!r.summary.empty()) {
    int n = 0;
    for (const auto& [k, ci] : r.summary) n = std::max(n, ci.n);
    // Named: with policies compared, the summary is the main policy's alone.
    auto policy = r.parameters.find("policy");
    o << "\nSummary" << (policy != r.parameters.end() ? ", policy " + policy->second : "")
      << " (mean ± 95% CI half-width, n = " << n << ")\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> seen;
    for (auto key : internal::summary_keys) {
      auto it = r.summary.find(std::string(key));
      if (it == r.summary.end()) continue;
      rows.push_back({std::string(key), fmt_ci(key, it->second)});
      seen.emplace_back(key);
    }
    for (const auto& [k, ci] : r.summary) {
      if (std::find(seen.begin(), seen.end(), k) == seen.end()) {
        rows.push_back({k, fmt_ci(k, ci)});
      }
    }
    o << table(rows);
  }

  if (!r.replications.empty() && r.replications.size() <= 12) {
    o << "\nReplications\n";
    std::vector<std::vector<std::string>> rows = {
        {"#", "seed", "arrivals", "served", "abandoned", "SL", "ASA", "p_wait", "abandon",
         "occupancy", "cpu", "wall"}};
    for (const auto& rep : r.replications) {
      rows.push_back({std::to_string(rep.index), std::to_string(rep.seed),
                      std::to_string(rep.arrivals), std::to_string(rep.served),
                      std::to_string(rep.abandoned),
                      fmt_metric("service_level", rep.service_level),
                      fmt_metric("asa_s", rep.asa_s), fmt_metric("p_wait", rep.p_wait),
                      fmt_metric("abandon_rate", rep.abandon_rate),
                      fmt_metric("occupancy", rep.occupancy), fmt(rep.cpu_s, 3) + " s",
                      fmt(rep.wall_s, 3) + " s"});
    }
    o << table(rows);
  }

  const auto groups = internal::summarize_groups(r);
  if (!groups.empty()) {
    o << "\nAgent groups (mean over replications)\n";
    std::vector<std::vector<std::string>> rows = {
        {"group", "occupancy", "fairness spread", "served"}};
    for (const auto& g : groups) {
      rows.push_back({g.group, fmt_ci("occupancy", g.occupancy),
                      fmt_metric("fairness_spread", g.spread), fmt(g.served, 6)});
    }
    o << table(rows);
  }

  if (!r.theory.empty()) {
    o << "\nTheory vs simulation\n";
    std::vector<std::vector<std::string>> rows = {
        {"metric", "model", "theory", "simulated", "rel. error", "theory in CI"}};
    for (const auto& t : r.theory) {
      const bool inside = std::abs(t.simulated.mean - t.theory) <= t.simulated.half_width;
      rows.push_back({t.metric, t.model, fmt_metric(t.metric, t.theory),
                      fmt_ci(t.metric, t.simulated), internal::fixed(100 * t.rel_error, 2) + "%",
                      t.simulated.n < 2 ? "n/a" : inside ? "yes" : "no"});
    }
    o << table(rows);
  }

  if (!r.policies.empty()) {
    o << "\nPolicy comparison (mean ± 95% CI half-width)\n";
    // Per-group figures (`occupancy[GROUP]`, `fairness_spread[GROUP]`) get a table
    // of their own below: one column each would make this one unreadable.
    auto metrics = internal::policy_metrics(r);
    std::vector<std::string> groups;
    for (const auto& m : metrics)
      if (m.rfind("occupancy[", 0) == 0 && m.back() == ']')
        groups.push_back(m.substr(10, m.size() - 11));
    std::erase_if(metrics, [](const std::string& m) { return m.find('[') != std::string::npos; });
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {"policy"};
    header.insert(header.end(), metrics.begin(), metrics.end());
    rows.push_back(header);
    for (const auto& p : r.policies) {
      std::vector<std::string> row = {p.policy};
      for (const auto& m : metrics) {
        auto it = p.summary.find(m);
        row.push_back(it == p.summary.end() ? "-" : fmt_ci(m, it->second));
      }
      rows.push_back(row);
    }
    o << table(rows);
    if (!groups.empty()) {
      o << "\nOccupancy by agent group and policy (mean over replications; fairness spread)\n";
      std::vector<std::vector<std::string>> grows;
      std::vector<std::string> gheader = {"policy"};
      gheader.insert(gheader.end(), groups.begin(), groups.end());
      grows.push_back(gheader);
      for (const auto& p : r.policies) {
        std::vector<std::string> row = {p.policy};
        for (const auto& g : groups) {
          auto occ = p.summary.find("occupancy[" + g + "]");
          auto spread = p.summary.find("fairness_spread[" + g + "]");
          row.push_back(occ == p.summary.end()
                          ? "-"
                          : fmt_metric("occupancy", occ->second.mean) +
                              (spread == p.summary.end()
                                 ? ""
                                 : " (" + fmt_metric("fairness_spread", spread->second.mean) + ")"));
        }
        grows.push_back(row);
      }
      o << table(grows);
    }
  }

  if (!r.figures.empty()) {
    o << "\nFigures\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : r.figures) rows.push_back({k, internal::fmt_number(v)});
    o << table(rows);
  }

  if (r.latency) {
    const auto& l = *r.latency;
    o << "\nLatency (" << l.samples << " samples): p50 " << fmt(l.p50_us) << " us, p99 "
      << fmt(l.p99_us) << " us, p99.9 " << fmt(l.p999_us) << " us, max " << fmt(l.max_us)
      << " us\n";
  }

  if (!r.notes.empty()) {
    o << "\nNotes\n";
    for (const auto& n : r.notes) o << "  - " << n << "\n";
  }
  return o.str();
}

}  // namespace switchboard::bench
