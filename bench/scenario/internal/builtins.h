#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/scenario/scenario.h"

/// What the built-in scenarios share, used only inside bench/scenario: the `--set`
/// value parsers, the table-driven key reader (`knobs`), the building blocks of
/// queues, types and groups, and one `builtin_def` per built-in (builtin_*.cc).
namespace switchboard::bench::builtin {

// ---- --set values ----------------------------------------------------------------

/// errc::invalid_argument "--set KEY=VALUE: WHAT".
engine::error bad_set(const std::string& key, const std::string& value, const std::string& what);

/// `x` with up to 10 significant digits, as recorded in `scenario::parameters`.
std::string format_number(double x);

/// A finite number; the error names the key.
engine::result<double> parse_number(const std::string& key, const std::string& text);

/// A whole number in [min, max]; the error names the key.
engine::result<std::uint64_t> parse_count(const std::string& key, const std::string& text,
                                          std::uint64_t min, std::uint64_t max);

/// true/1/on/yes or false/0/off/no.
engine::result<bool> parse_bool(const std::string& key, const std::string& text);

/// "profile" or a comma list "longest_idle,skills,profile" (compared in turn).
engine::result<std::vector<engine::policy_kind>> parse_policies(const std::string& key,
                                                                const std::string& text);

/// The first policy routes every queue; more than one are compared.
void set_policies(scenario& s, const std::vector<engine::policy_kind>& policies);

/// "a, b, c".
std::string join(const std::vector<std::string>& xs);

/// The keys apply_set understands for every scenario, with their meaning.
const std::vector<std::pair<std::string, std::string>>& generic_keys();
/// Their names, in the same order.
std::vector<std::string> generic_key_names();

// ---- built-in keys ---------------------------------------------------------------

/// How `knobs` reads and checks a key's value.
enum class key_kind : std::uint8_t { number, count, policies };

/// One `--set` key of a built-in: name, default (as typed on the command line),
/// meaning, and the range its value must lie in.
struct key_def {
  std::string key;
  std::string def;
  std::string meaning;
  key_kind kind = key_kind::number;
  double min = 0;              ///< number, count: smallest value allowed
  bool min_exclusive = false;  ///< number: `min` itself is not allowed
  double max = 1e12;           ///< number, count: largest value allowed (1e12: unbounded)
};

/// A number key in [min, max] (or (min, max] when `min_exclusive`).
key_def number_key(std::string key, std::string def, std::string meaning, double min = 0,
                   bool min_exclusive = false, double max = 1e12);
/// A whole-number key in [min, max].
key_def count_key(std::string key, std::string def, std::string meaning, std::uint64_t min,
                  std::uint64_t max);
/// A policy or comma list of policies to compare.
key_def policy_key(std::string def, std::string meaning);

/// The value of `text` for a number or count key, checked against its range; the
/// error names the key.
engine::result<double> read_value(const key_def& d, const std::string& text);

/// `own` followed by the keys every simulated built-in shares: replications,
/// days, sl_threshold_s and policy.
std::vector<key_def> with_run_keys(std::vector<key_def> own, std::string replications,
                                   std::string replications_meaning, key_def policy);

/// A built-in's keys, read once, in declaration order, from `--set` or their
/// defaults. The first bad value is kept in `err` (its key then reads as its
/// default, or 1, so the builder can go on); `effective` records every value read.
class knobs {
 public:
  knobs(const std::vector<key_def>& defs, const std::map<std::string, std::string>& set);

  /// Whether the built-in declares `key`.
  bool has(const std::string& key) const {
    return numbers_.count(key) > 0 || policies_.count(key) > 0;
  }
  /// The value of a declared number or count key (std::out_of_range when undeclared).
  double number(const std::string& key) const { return numbers_.at(key); }
  std::uint32_t count(const std::string& key) const {
    return static_cast<std::uint32_t>(numbers_.at(key));
  }
  const std::vector<engine::policy_kind>& policies(const std::string& key) const {
    return policies_.at(key);
  }

  std::optional<engine::error> err;
  std::map<std::string, std::string> effective;

 private:
  void read(const key_def& d, const std::string& text);
  double fail(engine::error e, const key_def& d);

  std::map<std::string, double> numbers_;
  std::map<std::string, std::vector<engine::policy_kind>> policies_;
};

// ---- building blocks -------------------------------------------------------------

duration_dist dist(duration_dist::kind k, std::vector<double> mean_s, double cv = 1.0);
/// Exponential with `mean_s`.
duration_dist exponential(double mean_s);
/// Exponential with `mean_s`, or none (never happens) when mean_s is 0.
duration_dist exponential_or_none(double mean_s);
/// Channel bit mask of `chs`.
std::uint8_t mask(std::initializer_list<engine::channel> chs);
engine::queue_config make_queue(std::string id, std::vector<engine::skill_requirement> skills,
                                std::uint8_t channels, double sl_threshold_s,
                                engine::policy_kind policy);
contact_type make_type(std::string name, std::string intent, std::string queue,
                       engine::channel ch, std::string language,
                       std::vector<double> arrivals_per_hour, duration_dist handle,
                       duration_dist patience);
/// A group of voice-only agents (one call at a time).
agent_group make_group(std::string name, std::vector<engine::agent_skill> skills,
                       std::vector<std::string> languages, std::vector<std::uint32_t> staffing,
                       engine::agent_level level);
/// round(base * factor), at least 1.
std::uint32_t scaled(double base, double factor);
/// A scenario with a name, a description and one default segment.
scenario base(std::string name, std::string description);

// ---- the built-ins ---------------------------------------------------------------

/// A named built-in: its `--list` summary, the description its scenarios carry, its
/// keys and its builder.
struct builtin_def {
  std::string name;
  std::string summary;
  std::string description;
  std::vector<key_def> keys;
  /// Adds the built-in's periods, types, groups and queues to `s`, which `start` made,
  /// from its own keys; a value that contradicts another goes to `k.err`.
  scenario (*build)(scenario s, knobs& k) = nullptr;
};

/// The scenario every builder starts from: `base(b.name, b.description)` with the
/// keys built-ins share applied, each when `b` declares it: replications, days and
/// sl_threshold_s; `hours`, as one period "day" that long; and `policy`
/// (`scenario::policy` and `compare_policies`; builders give their queues `s.policy`).
scenario start(const builtin_def& b, const knobs& k);

builtin_def mmn_builtin();
builtin_def multiskill_builtin();
builtin_def peak_day_builtin();
builtin_def vip_builtin();
builtin_def scale_builtin();

}  // namespace switchboard::bench::builtin
