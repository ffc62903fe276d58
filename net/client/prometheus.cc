#include "net/client/prometheus.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace switchboard::client {

namespace {

/// A sample value as Prometheus writes it: a float, `+Inf`, `-Inf` or `NaN`.
std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  if (s == "+Inf")
    return std::numeric_limits<double>::infinity();
  if (s == "-Inf")
    return -std::numeric_limits<double>::infinity();
  if (s == "NaN")
    return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

/// Calls `f(line)` for every line of `text` until it returns false.
template <class F>
void each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!f(line))
      return;
  }
}

}  // namespace

std::optional<double> prom_value(std::string_view text, std::string_view series) {
  std::optional<double> out;
  each_line(text, [&](std::string_view line) {
    if (line.size() <= series.size() || line.substr(0, series.size()) != series ||
        line[series.size()] != ' ')
      return true;
    auto value = line.substr(series.size() + 1);
    // An optional timestamp may follow the value.
    out = parse_number(value.substr(0, value.find(' ')));
    return false;
  });
  return out;
}

prom_histogram prom_histogram::minus(const prom_histogram& earlier) const {
  prom_histogram d = *this;
  if (earlier.le.size() != le.size())
    return d;
  for (std::size_t i = 0; i < d.cumulative.size(); ++i)
    d.cumulative[i] = std::max(0.0, d.cumulative[i] - earlier.cumulative[i]);
  return d;
}

double prom_histogram::quantile(double q) const {
  if (le.empty() || count() <= 0)
    return -1;
  double target = q * count();
  double prev_le = 0;
  double prev_n = 0;
  for (std::size_t i = 0; i < le.size(); ++i) {
    double n = cumulative[i];
    if (n >= target) {
      if (std::isinf(le[i]))
        return prev_le;  // beyond the last finite bound: report that bound
      double frac = n > prev_n ? (target - prev_n) / (n - prev_n) : 0;
      return prev_le + frac * (le[i] - prev_le);
    }
    prev_le = le[i];
    prev_n = n;
  }
  return prev_le;
}

prom_histogram parse_prom_histogram(std::string_view text, std::string_view name) {
  prom_histogram h;
  auto prefix = std::string{name} + "_bucket{le=\"";
  bool bad = false;
  each_line(text, [&](std::string_view line) {
    if (line.substr(0, prefix.size()) != prefix)
      return true;
    auto end = line.find('"', prefix.size());
    auto space = line.find(' ', end == std::string_view::npos ? line.size() : end);
    if (end == std::string_view::npos || space == std::string_view::npos) {
      bad = true;
      return false;
    }
    auto bound = parse_number(line.substr(prefix.size(), end - prefix.size()));
    auto value = parse_number(line.substr(space + 1));
    if (!bound || !value) {
      bad = true;
      return false;
    }
    h.le.push_back(*bound);
    h.cumulative.push_back(*value);
    return true;
  });
  if (bad)
    return {};
  return h;
}

}  // namespace switchboard::client
