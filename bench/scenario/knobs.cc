#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "bench/scenario/internal/builtins.h"

// `--set` value parsing and the table-driven reader of a built-in's keys.
namespace switchboard::bench::builtin {

using engine::errc;
using engine::error;

error bad_set(const std::string& key, const std::string& value, const std::string& what) {
  return engine::make_error(errc::invalid_argument,
                            "--set " + key + "=" + value + ": " + what);
}

std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

engine::result<double> parse_number(const std::string& key, const std::string& text) {
  if (text.empty())
    return bad_set(key, text, "a number is required");
  errno = 0;
  char* end = nullptr;
  double x = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(x))
    return bad_set(key, text, "not a finite number");
  return x;
}

engine::result<std::uint64_t> parse_count(const std::string& key, const std::string& text,
                                          std::uint64_t min, std::uint64_t max) {
  auto x = parse_number(key, text);
  if (!x)
    return x.err();
  if (*x != std::floor(*x))
    return bad_set(key, text, "must be a whole number");
  if (*x < static_cast<double>(min) || *x > static_cast<double>(max))
    return bad_set(key, text,
                   "must be " + std::to_string(min) + ".." + std::to_string(max));
  return static_cast<std::uint64_t>(*x);
}

engine::result<bool> parse_bool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "on" || text == "yes")
    return true;
  if (text == "false" || text == "0" || text == "off" || text == "no")
    return false;
  return bad_set(key, text, "must be true or false");
}

engine::result<std::vector<engine::policy_kind>> parse_policies(const std::string& key,
                                                                const std::string& text) {
  std::vector<engine::policy_kind> out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    auto p = engine::parse_policy(item);
    if (!p)
      return bad_set(key, text, "unknown policy '" + item +
                                  "' (longest_idle, skills or profile; a comma list "
                                  "compares them)");
    if (std::find(out.begin(), out.end(), *p) != out.end())
      return bad_set(key, text, "policy '" + item + "' listed twice");
    out.push_back(*p);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

void set_policies(scenario& s, const std::vector<engine::policy_kind>& policies) {
  s.policy = policies.front();
  s.compare_policies = policies.size() > 1 ? policies : std::vector<engine::policy_kind>{};
  for (auto& q : s.queues)
    q.policy = s.policy;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

// ---- keys --------------------------------------------------------------------------

key_def number_key(std::string key, std::string def, std::string meaning, double min,
                   bool min_exclusive, double max) {
  return {std::move(key), std::move(def), std::move(meaning), key_kind::number, min,
          min_exclusive, max};
}

key_def count_key(std::string key, std::string def, std::string meaning, std::uint64_t min,
                  std::uint64_t max) {
  return {std::move(key), std::move(def), std::move(meaning), key_kind::count,
          static_cast<double>(min), false, static_cast<double>(max)};
}

key_def policy_key(std::string def, std::string meaning) {
  return {"policy", std::move(def), std::move(meaning), key_kind::policies};
}

std::vector<key_def> with_run_keys(std::vector<key_def> own, std::string replications,
                                   std::string replications_meaning, key_def policy) {
  own.push_back(count_key("replications", std::move(replications),
                          std::move(replications_meaning), 1, 100000));
  own.push_back(count_key("days", "1", "days per replication", 1, 3650));
  own.push_back(number_key("sl_threshold_s", "20", "service-level threshold, seconds", 0, true));
  own.push_back(std::move(policy));
  return own;
}

knobs::knobs(const std::vector<key_def>& defs, const std::map<std::string, std::string>& set) {
  for (const auto& d : defs) {
    auto i = set.find(d.key);
    read(d, i != set.end() ? i->second : d.def);
  }
}

engine::result<double> read_value(const key_def& d, const std::string& text) {
  if (d.kind == key_kind::count) {
    auto x = parse_count(d.key, text, static_cast<std::uint64_t>(d.min),
                         static_cast<std::uint64_t>(d.max));
    if (!x)
      return x.err();
    return static_cast<double>(*x);
  }
  auto x = parse_number(d.key, text);
  if (!x)
    return x.err();
  if (*x < d.min || (d.min_exclusive && *x == d.min) || *x > d.max)
    return bad_set(d.key, text,
                   "must be " + std::string{d.min_exclusive ? "> " : ">= "} +
                     format_number(d.min) +
                     (d.max < 1e12 ? " and <= " + format_number(d.max) : ""));
  return *x;
}

void knobs::read(const key_def& d, const std::string& text) {
  if (d.kind == key_kind::policies) {
    auto x = parse_policies(d.key, text);
    if (!x) {
      fail(x.err(), d);
      policies_[d.key] = {engine::policy_kind::profile};
    } else {
      effective[d.key] = text;
      policies_[d.key] = std::move(*x);
    }
    return;
  }
  auto x = read_value(d, text);
  if (!x) {
    auto def = fail(x.err(), d);
    numbers_[d.key] =
      d.kind == key_kind::count ? static_cast<double>(static_cast<std::uint32_t>(def)) : def;
    return;
  }
  effective[d.key] = d.kind == key_kind::count
                       ? std::to_string(static_cast<std::uint64_t>(*x))
                       : format_number(*x);
  numbers_[d.key] = *x;
}

// Records the first error and returns the default so building can finish.
double knobs::fail(error e, const key_def& d) {
  if (!err)
    err = std::move(e);
  if (auto x = std::strtod(d.def.c_str(), nullptr); std::isfinite(x) && x > 0)
    return x;
  return 1;
}

}  // namespace switchboard::bench::builtin
