#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/core/internal/format.h"
#include "bench/core/report.h"

// The HTML writer: one self-contained page (inline CSS and SVG drawn here, no
// scripts, fonts or links to anything outside the page). Every piece of text that
// comes from the report goes through `esc`.
namespace switchboard::bench {
namespace {

using internal::fmt;
using internal::fmt_ci;
using internal::fmt_metric;

constexpr std::string_view palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                        "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string_view color(std::size_t i) { return palette[i % std::size(palette)]; }

/// Text for HTML element content and attribute values.
std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

/// An SVG coordinate.
std::string px(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

/// About `target` round tick values (1, 2, 5 x 10^k) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::floor(lo / step + 1e-9) * step;
  for (int i = 0;; ++i) {
    const double v = first + i * step;
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
    if (v >= hi - step * 1e-9) break;
  }
  return ticks;
}

/// How values on an axis are printed.
struct value_format {
  bool percent = false;
  std::string operator()(double v) const {
    if (percent) return internal::fmt(100 * v, 3) + "%";
    return std::abs(v) < 1e15 && v == std::floor(v) ? internal::fmt_number(v)
                                                     : internal::fmt(v, 4);
  }
};

/// The frame every chart shares: size, plot area, title, y axis with grid lines.
struct frame {
  double width = 520, height = 260;
  double left = 56, right = 14, top = 30, bottom = 42;
  double y_lo = 0, y_hi = 1;

  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
  double y(double v) const { return top + plot_h() * (1 - (v - y_lo) / (y_hi - y_lo)); }

  /// Opens the <svg> and draws the title, the y grid and the y-axis label.
  void open(std::ostringstream& o, std::string_view title, std::string_view y_label,
            const std::vector<double>& y_ticks, const value_format& f) const {
    o << "<svg class=\"chart\" role=\"img\" width=\"" << px(width) << "\" height=\""
      << px(height) << "\" viewBox=\"0 0 " << px(width) << " " << px(height) << "\">"
      << "<title>" << esc(title) << "</title>"
      << "<text class=\"t\" x=\"" << px(left) << "\" y=\"18\">" << esc(title) << "</text>";
    for (double t : y_ticks) {
      o << "<line class=\"grid\" x1=\"" << px(left) << "\" x2=\"" << px(left + plot_w())
        << "\" y1=\"" << px(y(t)) << "\" y2=\"" << px(y(t)) << "\"/>"
        << "<text class=\"yl\" x=\"" << px(left - 6) << "\" y=\"" << px(y(t) + 4) << "\">"
        << esc(f(t)) << "</text>";
    }
    o << "<line class=\"axis\" x1=\"" << px(left) << "\" x2=\"" << px(left + plot_w())
      << "\" y1=\"" << px(top + plot_h()) << "\" y2=\"" << px(top + plot_h()) << "\"/>";
    if (!y_label.empty()) {
      o << "<text class=\"al\" transform=\"translate(12 " << px(top + plot_h() / 2)
        << ") rotate(-90)\">" << esc(y_label) << "</text>";
    }
  }
};

struct line_series {
  std::string name;
  std::vector<double> xs, ys;
};

/// A horizontal reference line (e.g. the theoretical value).
struct reference_line {
  double y = 0;
  std::string label;
};

/// Line chart of `series` against a shared x axis; y from 0 (or `y_max` if set).
/// `fit_id` non-empty: the y axis starts near the smallest value seen after the
/// first 10% of the run (cumulative ratios swing wildly over the first few
/// contacts) and lines are clipped to the plot area by a clipPath of that id.
std::string line_chart(std::string_view title, std::string_view x_label,
                       std::string_view y_label, const std::vector<line_series>& series,
                       value_format f, double y_max, const std::vector<reference_line>& refs,
                       std::string_view fit_id = {}) {
  const bool fit_low = !fit_id.empty();
  double x_hi = 0, y_hi = y_max, y_lo = std::numeric_limits<double>::infinity();
  for (const auto& s : series) {
    for (double x : s.xs) x_hi = std::max(x_hi, x);
  }
  for (const auto& s : series) {
    for (std::size_t k = 0; k < s.ys.size() && k < s.xs.size(); ++k) {
      const double y = s.ys[k];
      if (!std::isfinite(y)) continue;
      if (y_max <= 0) y_hi = std::max(y_hi, y);
      if (!fit_low || s.xs[k] >= 0.1 * x_hi) y_lo = std::min(y_lo, y);
    }
  }
  for (const auto& r : refs) {
    y_hi = std::max(y_hi, r.y);
    y_lo = std::min(y_lo, r.y);
  }
  if (!fit_low || !std::isfinite(y_lo)) y_lo = 0;
  if (y_hi <= y_lo) y_hi = y_lo + 1;
  frame fr;
  fr.width = 540;
  fr.top = 46;
  const auto y_ticks = nice_ticks(y_lo, y_hi);
  fr.y_lo = y_ticks.front();
  fr.y_hi = y_ticks.back();
  const auto x_ticks = nice_ticks(0, x_hi > 0 ? x_hi : 1, 6);
  const double x_top = x_ticks.back();
  auto x_of = [&](double x) { return fr.left + fr.plot_w() * x / x_top; };

  std::ostringstream o;
  fr.open(o, title, y_label, y_ticks, f);
  for (double t : x_ticks) {
    o << "<text class=\"xl\" x=\"" << px(x_of(t)) << "\" y=\"" << px(fr.top + fr.plot_h() + 14)
      << "\">" << esc(internal::fmt_number(t)) << "</text>";
  }
  o << "<text class=\"al\" x=\"" << px(fr.left + fr.plot_w() / 2) << "\" y=\""
    << px(fr.height - 6) << "\" text-anchor=\"middle\">" << esc(x_label) << "</text>";
  if (fit_low) {
    o << "<clipPath id=\"" << esc(fit_id) << "\"><rect x=\"" << px(fr.left) << "\" y=\""
      << px(fr.top) << "\" width=\"" << px(fr.plot_w()) << "\" height=\"" << px(fr.plot_h())
      << "\"/></clipPath>";
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    // Long runs: keep at most ~2000 points per line (every k-th sample).
    const std::size_t stride = std::max<std::size_t>(1, s.xs.size() / 2000);
    o << "<polyline class=\"ln\" stroke=\"" << color(i) << "\"";
    if (fit_low) o << " clip-path=\"url(#" << esc(fit_id) << ")\"";
    o << " points=\"";
    for (std::size_t k = 0; k < s.xs.size() && k < s.ys.size(); k += stride) {
      if (!std::isfinite(s.ys[k])) continue;
      o << px(x_of(s.xs[k])) << "," << px(fr.y(s.ys[k])) << " ";
    }
    o << "\"/>";
  }
  for (const auto& r : refs) {
    o << "<line class=\"ref\" x1=\"" << px(fr.left) << "\" x2=\"" << px(fr.left + fr.plot_w())
      << "\" y1=\"" << px(fr.y(r.y)) << "\" y2=\"" << px(fr.y(r.y)) << "\"/>";
  }
  // Legend on its own row under the title: one entry per line, then the reference
  // lines (a label inside the plot would hide data).
  double lx = fr.left;
  for (std::size_t i = 0; i < series.size(); ++i) {
    o << "<rect x=\"" << px(lx) << "\" y=\"28\" width=\"12\" height=\"3\" fill=\"" << color(i)
      << "\"/><text x=\"" << px(lx + 15) << "\" y=\"33\">" << esc(series[i].name) << "</text>";
    lx += 24 + 6.2 * static_cast<double>(series[i].name.size());
  }
  for (const auto& r : refs) {
    o << "<line class=\"ref\" x1=\"" << px(lx) << "\" x2=\"" << px(lx + 14)
      << "\" y1=\"29.5\" y2=\"29.5\"/><text x=\"" << px(lx + 17) << "\" y=\"33\">"
      << esc(r.label) << "</text>";
    lx += 28 + 6.2 * static_cast<double>(r.label.size());
  }
  o << "</svg>";
  return o.str();
}

struct bar {
  std::string label;
  double value = 0;
  double whisker = 0;  ///< half-length of the error bar; 0: none
  std::string note;    ///< shown on hover
};

/// Vertical bars from 0 with optional whiskers. The axis covers the bars and their
/// whiskers, but never goes below 0 when every bar is >= 0 nor above `y_cap` (e.g.
/// 100% for fractions; 0: no cap); whiskers cut by the axis lose their end cap.
std::string bar_chart(std::string_view title, std::string_view y_label,
                      const std::vector<bar>& bars, value_format f, double y_cap,
                      double width = 420) {
  double y_hi = 0, y_lo = 0;
  bool any_negative = false;
  for (const auto& b : bars) {
    if (!std::isfinite(b.value)) continue;
    any_negative = any_negative || b.value < 0;
    y_hi = std::max(y_hi, (b.value + b.whisker) * 1.08);
    y_lo = std::min(y_lo, b.value - b.whisker);
  }
  if (!any_negative) y_lo = 0;
  if (y_cap > 0) y_hi = std::min(y_hi, y_cap);
  if (y_hi <= y_lo) y_hi = y_lo + 1;
  frame fr;
  fr.width = width;
  fr.height = 230;
  fr.top = 40;
  fr.bottom = 30;
  const auto ticks = nice_ticks(y_lo, y_hi);
  fr.y_lo = ticks.front();
  fr.y_hi = ticks.back();
  std::ostringstream o;
  fr.open(o, title, y_label, ticks, f);
  const double slot = fr.plot_w() / static_cast<double>(std::max<std::size_t>(1, bars.size()));
  const double bw = std::min(56.0, slot * 0.62);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double cx = fr.left + slot * (static_cast<double>(i) + 0.5);
    const double v = std::isfinite(b.value) ? b.value : 0;
    const double y0 = fr.y(0), y1 = fr.y(v);
    o << "<rect fill=\"" << color(i) << "\" x=\"" << px(cx - bw / 2) << "\" y=\""
      << px(std::min(y0, y1)) << "\" width=\"" << px(bw) << "\" height=\""
      << px(std::abs(y0 - y1)) << "\"><title>" << esc(b.label) << ": " << esc(f(b.value))
      << (b.note.empty() ? "" : " ") << esc(b.note) << "</title></rect>";
    if (b.whisker > 0 && std::isfinite(b.whisker)) {
      const double lo = std::max(v - b.whisker, fr.y_lo);
      const double hi = std::min(v + b.whisker, fr.y_hi);
      const double ya = fr.y(lo), yb = fr.y(hi);
      o << "<path class=\"wh\" d=\"M" << px(cx) << " " << px(ya) << "V" << px(yb);
      if (lo == v - b.whisker) o << "M" << px(cx - 6) << " " << px(ya) << "h12";
      if (hi == v + b.whisker) o << "M" << px(cx - 6) << " " << px(yb) << "h12";
      o << "\"/>";
    }
    const double top_of = std::max(
        fr.top, std::min({y0, y1,
                               b.whisker > 0 && std::isfinite(b.whisker)
                                   ? fr.y(std::min(v + b.whisker, fr.y_hi))
                                   : y1}));
    o << "<text class=\"vl\" x=\"" << px(cx) << "\" y=\"" << px(top_of - 4) << "\">"
      << esc(f(b.value)) << "</text>";
    std::string label = b.label.size() > 18 ? b.label.substr(0, 17) + "…" : b.label;
    o << "<text class=\"xl\" x=\"" << px(cx) << "\" y=\"" << px(fr.top + fr.plot_h() + 14)
      << "\">" << esc(label) << "</text>";
  }
  o << "</svg>";
  return o.str();
}

/// A duration given in microseconds, in the largest unit that keeps it >= 1.
std::string duration_label(double us) {
  if (us >= 1e6) return internal::fmt(us / 1e6, 3) + " s";
  if (us >= 1e3) return internal::fmt(us / 1e3, 3) + " ms";
  return internal::fmt(us, 3) + " us";
}

/// Latency histogram: one bar per log-spaced bucket over the populated range,
/// with the percentiles marked.
std::string latency_chart(const latency_histogram& h) {
  std::size_t first = h.counts.size(), last = 0;
  std::uint64_t peak = 0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    if (h.counts[i] == 0) continue;
    first = std::min(first, i);
    last = i;
    peak = std::max(peak, h.counts[i]);
  }
  if (first > last) return {};
  frame fr;
  fr.width = 720;
  fr.height = 260;
  const auto ticks = nice_ticks(0, static_cast<double>(peak));
  fr.y_hi = ticks.back();
  std::ostringstream o;
  fr.open(o, "Latency histogram (" + std::to_string(h.samples) + " samples)", "samples",
          ticks, value_format{});
  const std::size_t n = last - first + 1;
  const double slot = fr.plot_w() / static_cast<double>(n);
  auto lower = [&](std::size_t i) { return i == 0 ? 0.0 : h.upper_us[i - 1]; };
  for (std::size_t i = first; i <= last; ++i) {
    const double x = fr.left + slot * static_cast<double>(i - first);
    const double y = fr.y(static_cast<double>(h.counts[i]));
    const std::string range = fmt(lower(i), 3) + "–" +
                              (std::isfinite(h.upper_us[i]) ? fmt(h.upper_us[i], 3) : "∞") +
                              " us";
    o << "<rect fill=\"" << color(0) << "\" x=\"" << px(x + 0.5) << "\" y=\"" << px(y)
      << "\" width=\"" << px(std::max(1.0, slot - 1)) << "\" height=\""
      << px(fr.top + fr.plot_h() - y) << "\"><title>" << esc(range) << ": " << h.counts[i]
      << "</title></rect>";
  }
  // x labels at the bucket edges that are powers of ten (or every bucket's edge
  // when buckets are not decade-aligned and few).
  for (std::size_t i = first; i <= last; ++i) {
    const double u = h.upper_us[i];
    const double decade = std::isfinite(u) && u > 0 ? std::log10(u) : 0.5;
    if (std::abs(decade - std::round(decade)) > 1e-9 && n > 12) continue;
    const double x = fr.left + slot * (static_cast<double>(i - first) + 1);
    o << "<line class=\"axis\" x1=\"" << px(x) << "\" x2=\"" << px(x) << "\" y1=\""
      << px(fr.top + fr.plot_h()) << "\" y2=\"" << px(fr.top + fr.plot_h() + 4) << "\"/>"
      << "<text class=\"xl\" x=\"" << px(x) << "\" y=\"" << px(fr.top + fr.plot_h() + 15)
      << "\">" << esc(std::isfinite(u) ? duration_label(u) : "∞") << "</text>";
  }
  o << "<text class=\"al\" x=\"" << px(fr.left + fr.plot_w() / 2) << "\" y=\""
    << px(fr.height - 6) << "\" text-anchor=\"middle\">latency (log scale)</text>";
  // Percentile markers at their bucket, interpolated in log space inside it.
  struct mark {
    const char* name;
    double v;
  };
  const mark marks[] = {{"p50", h.p50_us}, {"p99", h.p99_us}, {"p99.9", h.p999_us}};
  for (std::size_t m = 0; m < std::size(marks); ++m) {
    const double v = marks[m].v;
    std::size_t b = first;
    while (b < last && v > h.upper_us[b]) ++b;
    double frac = 1;
    const double lo = lower(b), hi = h.upper_us[b];
    if (lo > 0 && std::isfinite(hi) && v > lo) frac = std::log(v / lo) / std::log(hi / lo);
    frac = std::clamp(frac, 0.0, 1.0);
    const double x = fr.left + slot * (static_cast<double>(b - first) + frac);
    o << "<line class=\"ref\" x1=\"" << px(x) << "\" x2=\"" << px(x) << "\" y1=\""
      << px(fr.top) << "\" y2=\"" << px(fr.top + fr.plot_h()) << "\"/>"
      << "<text class=\"rl\" x=\"" << px(x - 3) << "\" y=\"" << px(fr.top + 10 + 12 * static_cast<double>(m))
      << "\">" << marks[m].name << " " << esc(duration_label(v)) << "</text>";
  }
  o << "</svg>";
  return o.str();
}

/// Chooses hours, minutes or seconds for a time axis that ends at `t_max_s`.
std::pair<double, std::string> time_unit(double t_max_s) {
  if (t_max_s >= 7200) return {3600, "h"};
  if (t_max_s >= 120) return {60, "min"};
  return {1, "s"};
}

void table_row(std::ostringstream& o, const std::vector<std::string>& cells, bool header = false) {
  o << "<tr>";
  for (const auto& c : cells) o << (header ? "<th>" : "<td>") << esc(c) << (header ? "</th>" : "</td>");
  o << "</tr>";
}

constexpr std::string_view css = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;background:#fff;max-width:1120px;margin:0 auto;padding:18px 26px 40px}
h1{font-size:22px;margin:4px 0}
h1 .mode{font-size:13px;font-weight:600;background:#eef2f7;border-radius:4px;padding:2px 8px;vertical-align:middle;margin-left:8px}
h2{font-size:16px;margin:30px 0 8px;padding-bottom:4px;border-bottom:1px solid #e3e7ec}
.meta{color:#57606a;margin:2px 0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:6px 0}
th,td{padding:3px 12px;border-bottom:1px solid #eef0f3;text-align:right;white-space:nowrap}
th{background:#f6f8fa;font-weight:600}
th:first-child,td:first-child{text-align:left}
td.l{text-align:left;white-space:normal}
.charts{display:flex;flex-wrap:wrap;gap:14px 22px;align-items:flex-start}
.chart{background:#fff;border:1px solid #e3e7ec;border-radius:6px}
.chart text{font-size:11px;fill:#3d444d}
.chart .t{font-size:13px;font-weight:600;fill:#1d232a}
.chart .yl{text-anchor:end}
.chart .xl,.chart .vl{text-anchor:middle}
.chart .al{fill:#57606a}
.chart .rl{text-anchor:end;fill:#6e4b00}
.grid{stroke:#eceff2}
.axis{stroke:#8c959f}
.ln{fill:none;stroke-width:1.6}
.ref{stroke:#9a6700;stroke-dasharray:5 4;stroke-width:1.2}
.wh{stroke:#1d232a;stroke-width:1.3;fill:none}
.ok{color:#1a7f37}.off{color:#cf222e}
.caption{color:#57606a;font-size:12.5px;margin:4px 0 0}
ul.notes{padding-left:20px}
)";

}  // namespace

std::string to_html(const run_report& r) {
  std::ostringstream o;
  o << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    << "<title>switchboard bench: " << esc(r.scenario) << "</title><style>" << css
    << "</style></head><body>\n";

  // Header.
  o << "<h1>Scenario <code>" << esc(r.scenario) << "</code><span class=\"mode\">"
    << esc(r.mode) << "</span></h1>\n";
  o << "<p class=\"meta\">build " << esc(r.build_type.empty() ? "unknown" : r.build_type)
    << " · " << r.cores << " cores · seed " << r.seed << " · " << r.replications.size()
    << " replication" << (r.replications.size() == 1 ? "" : "s") << " · SL threshold "
    << esc(fmt(r.sl_threshold_s)) << " s · wall " << esc(fmt(r.wall_s)) << " s · cpu "
    << esc(fmt(r.cpu_s)) << " s</p>\n";

  if (!r.notes.empty()) {
    o << "<ul class=\"notes\">";
    for (const auto& n : r.notes) o << "<li>" << esc(n) << "</li>";
    o << "</ul>\n";
  }

  // Summary.
  if (!r.summary.empty()) {
    auto policy = r.parameters.find("policy");
    o << "<h2>Summary"
      << (policy != r.parameters.end() ? ", policy " + esc(policy->second) : std::string{})
      << "</h2><table>";
    table_row(o, {"metric", "mean ± 95% CI", "n"}, true);
    std::vector<std::string> shown;
    auto row = [&](const std::string& k, const metric_ci& ci) {
      table_row(o, {k, fmt_ci(k, ci), std::to_string(ci.n)});
      shown.push_back(k);
    };
    for (auto key : internal::summary_keys) {
      auto it = r.summary.find(std::string(key));
      if (it != r.summary.end()) row(it->first, it->second);
    }
    for (const auto& [k, ci] : r.summary) {
      if (std::find(shown.begin(), shown.end(), k) == shown.end()) row(k, ci);
    }
    o << "</table>\n";
  }

  // Theory.
  std::vector<reference_line> sl_refs;
  if (!r.theory.empty()) {
    o << "<h2>Theory vs simulation</h2><table>";
    table_row(o, {"metric", "model", "theory", "simulated (mean ± 95% CI)", "rel. error",
                  "theory inside CI"},
              true);
    for (const auto& t : r.theory) {
      const bool has_ci = t.simulated.n >= 2;
      const bool inside = std::abs(t.simulated.mean - t.theory) <= t.simulated.half_width;
      o << "<tr><td>" << esc(t.metric) << "</td><td>" << esc(t.model) << "</td><td>"
        << esc(fmt_metric(t.metric, t.theory)) << "</td><td>"
        << esc(fmt_ci(t.metric, t.simulated)) << "</td><td>"
        << esc(internal::fixed(100 * t.rel_error, 2)) << "%</td><td class=\""
        << (!has_ci ? "\">n/a" : inside ? "ok\">yes" : "off\">no") << "</td></tr>";
      if (t.metric == "service_level" && std::isfinite(t.theory)) {
        sl_refs.push_back({t.theory, t.model + " " + fmt_metric(t.metric, t.theory)});
      }
    }
    o << "</table>\n";
  }

  // Time series of the first few replications.
  std::vector<line_series> waiting, sl;
  double t_max = 0;
  constexpr std::size_t max_lines = 5;
  for (const auto& rep : r.replications) {
    if (rep.series.empty()) continue;
    if (waiting.size() == max_lines) break;
    for (const auto& p : rep.series) t_max = std::max(t_max, p.t_s);
  }
  const auto [unit_s, unit] = time_unit(t_max);
  for (const auto& rep : r.replications) {
    if (rep.series.empty()) continue;
    if (waiting.size() == max_lines) break;
    line_series w{"rep " + std::to_string(rep.index), {}, {}};
    line_series s = w;
    for (const auto& p : rep.series) {
      w.xs.push_back(p.t_s / unit_s);
      w.ys.push_back(p.waiting);
      s.xs.push_back(p.t_s / unit_s);
      s.ys.push_back(p.service_level);
    }
    waiting.push_back(std::move(w));
    sl.push_back(std::move(s));
  }
  if (!waiting.empty()) {
    std::size_t with_series = 0;
    for (const auto& rep : r.replications) with_series += !rep.series.empty();
    o << "<h2>Over time</h2><div class=\"charts\">"
      << line_chart("Contacts waiting", "time (" + unit + ")", "waiting", waiting, {}, 0, {})
      << line_chart("Service level (cumulative)", "time (" + unit + ")", "answered within " +
                        fmt(r.sl_threshold_s) + " s",
                    sl, value_format{true}, 1, sl_refs, "sl-clip")
      << "</div><p class=\"caption\">Sampled every " << esc(fmt(r.sample_every_s))
      << " s; " << waiting.size() << " of " << with_series
      << " replications shown. Dashed: theoretical steady state. The service-level axis "
         "is fitted to the last 90% of the run; early swings over the first few contacts "
         "may run off the plot.</p>\n";
  }

  // Agent groups.
  const auto groups = internal::summarize_groups(r);
  if (!groups.empty()) {
    std::vector<bar> bars;
    for (const auto& g : groups) {
      bars.push_back({g.group, g.occupancy.mean, g.spread,
                      "(fairness spread " + fmt_metric("fairness_spread", g.spread) + ")"});
    }
    o << "<h2>Agent groups</h2><div class=\"charts\">"
      << bar_chart("Occupancy per agent group", "occupancy", bars, value_format{true}, 1,
                   std::max(360.0, 90.0 * static_cast<double>(bars.size()) + 80))
      << "<table>";
    table_row(o, {"group", "occupancy (mean ± 95% CI)", "fairness spread", "served"}, true);
    for (const auto& g : groups) {
      table_row(o, {g.group, fmt_ci("occupancy", g.occupancy),
                    fmt_metric("fairness_spread", g.spread), fmt(g.served, 6)});
    }
    o << "</table></div><p class=\"caption\">Bars: mean occupancy over replications; "
         "whiskers: ± the fairness spread (standard deviation of per-agent occupancy "
         "inside the group).</p>\n";
  }

  // Policy comparison.
  if (!r.policies.empty()) {
    const auto metrics = internal::policy_metrics(r);
    o << "<h2>Policy comparison</h2><div class=\"charts\">";
    for (const auto& m : metrics) {
      std::vector<bar> bars;
      for (const auto& p : r.policies) {
        auto it = p.summary.find(m);
        if (it == p.summary.end()) continue;
        bars.push_back({p.policy, it->second.mean, it->second.half_width, ""});
      }
      // Nothing to compare when every policy has the same mean (e.g. arrivals under
      // common random numbers); the table below still lists it.
      const bool all_same = std::all_of(bars.begin(), bars.end(), [&](const bar& b) {
        return b.value == bars.front().value;
      });
      if (bars.empty() || (all_same && bars.size() > 1)) continue;
      const bool pct = internal::is_fraction(m);
      o << bar_chart(m, "", bars, value_format{pct}, pct ? 1 : 0,
                     std::max(300.0, 70.0 * static_cast<double>(bars.size()) + 80));
    }
    o << "</div><p class=\"caption\">Whiskers: 95% confidence interval over "
         "replications. Metrics equal under every policy are only in the table.</p><table>";
    std::vector<std::string> header = {"policy"};
    header.insert(header.end(), metrics.begin(), metrics.end());
    table_row(o, header, true);
    for (const auto& p : r.policies) {
      std::vector<std::string> row = {p.policy};
      for (const auto& m : metrics) {
        auto it = p.summary.find(m);
        row.push_back(it == p.summary.end() ? "–" : fmt_ci(m, it->second));
      }
      table_row(o, row);
    }
    o << "</table>\n";
  }

  // Latency.
  if (r.latency) {
    const auto& l = *r.latency;
    o << "<h2>Latency</h2>";
    if (l.samples > 0) o << "<div class=\"charts\">" << latency_chart(l) << "</div>";
    o << "<table>";
    table_row(o, {"samples", "p50", "p99", "p99.9", "max"}, true);
    table_row(o, {std::to_string(l.samples), fmt(l.p50_us) + " us", fmt(l.p99_us) + " us",
                  fmt(l.p999_us) + " us", fmt(l.max_us) + " us"});
    o << "</table>\n";
  }

  // Figures.
  if (!r.figures.empty()) {
    o << "<h2>Figures</h2><table>";
    table_row(o, {"figure", "value"}, true);
    for (const auto& [k, v] : r.figures) table_row(o, {k, internal::fmt_number(v)});
    o << "</table>\n";
  }

  // Per replication.
  if (!r.replications.empty()) {
    o << "<h2>Replications</h2><table>";
    table_row(o, {"#", "seed", "arrivals", "served", "abandoned", "service level", "ASA",
                  "p_wait", "abandon", "occupancy", "fairness", "cpu", "wall"},
              true);
    for (const auto& rep : r.replications) {
      table_row(o, {std::to_string(rep.index), std::to_string(rep.seed),
                    std::to_string(rep.arrivals), std::to_string(rep.served),
                    std::to_string(rep.abandoned), fmt_metric("service_level", rep.service_level),
                    fmt_metric("asa_s", rep.asa_s), fmt_metric("p_wait", rep.p_wait),
                    fmt_metric("abandon_rate", rep.abandon_rate),
                    fmt_metric("occupancy", rep.occupancy),
                    fmt_metric("fairness_spread", rep.fairness_spread),
                    fmt(rep.cpu_s, 3) + " s", fmt(rep.wall_s, 3) + " s"});
    }
    o << "</table>\n";
  }

  // Parameters.
  if (!r.parameters.empty()) {
    o << "<h2>Parameters</h2><table>";
    table_row(o, {"parameter", "value"}, true);
    for (const auto& [k, v] : r.parameters) {
      o << "<tr><td>" << esc(k) << "</td><td class=\"l\">" << esc(v) << "</td></tr>";
    }
    o << "</table>\n";
  }

  o << "</body></html>\n";
  return o.str();
}

}  // namespace switchboard::bench
