#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/error.h"

/// Small command-line helpers shared by the subcommands of `switchboard`.
namespace switchboard::app {

/// `--name value` and `--flag` arguments of one subcommand.
class flags {
 public:
  /// Parses `args`; `with_value` names the flags that take a value, `switches`
  /// the ones that do not. Unknown flags and missing values are errors.
  static engine::result<flags> parse(const std::vector<std::string>& args,
                                     const std::set<std::string>& with_value,
                                     const std::set<std::string>& switches);

  std::optional<std::string> get(const std::string& name) const;
  bool has(const std::string& name) const;
  /// A value parsed as a number within [lo, hi], or `fallback` when absent.
  engine::result<double> number(const std::string& name, double fallback, double lo,
                                double hi) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positional_;
};

/// Escapes a string for JSON.
std::string json_escape(const std::string& s);

/// `switchboard bench`: runs a scenario (sim, load or net mode) and writes its report.
int run_bench(const std::vector<std::string>& args);
int run_demo(const std::vector<std::string>& args);
int run_inspect(const std::vector<std::string>& args);
int run_serve(const std::vector<std::string>& args);

}  // namespace switchboard::app
