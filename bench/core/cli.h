#pragma once

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

/// The one command-line layer of `switchboard` and the bench tools: CLI11 apps
/// with the house conventions. The help is generated from the option
/// definitions; `--help` prints it on stdout and exits 0; a bad flag or value
/// prints `PROGRAM: what is wrong` and a pointer to `--help` on stderr and exits 2.
namespace switchboard::bench::cli {

/// Exit code of a command-line mistake (unknown flag, bad value, missing argument).
inline constexpr int exit_usage = 2;

/// A number as a person writes it (20, 0.01, 1.5e+06), for help and errors.
inline std::string g(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

/// Accepts a finite number within [lo, hi]: "must be between lo and hi" otherwise.
inline CLI::Validator between(double lo, double hi) {
  return CLI::Validator(
    [lo, hi](std::string& s) -> std::string {
      double d = 0;
      if (!CLI::detail::lexical_cast(s, d) || !std::isfinite(d))
        return "expects a number, got '" + s + "'";
      if (d < lo || d > hi)
        return "must be between " + g(lo) + " and " + g(hi) + ", not " + s;
      return {};
    },
    "in " + g(lo) + ".." + g(hi));
}

/// Accepts a non-negative integer that fits in 64 bits (seeds, counts).
inline const CLI::Validator non_negative_integer{
  [](std::string& s) -> std::string {
    std::uint64_t v = 0;
    bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || !CLI::detail::lexical_cast(s, v))
      return "must be a non-negative integer, not '" + s + "'";
    return {};
  },
  "N"};

/// Rejects an empty value (`--data-dir ""`).
inline const CLI::Validator non_empty{
  [](std::string& s) -> std::string { return s.empty() ? "must not be empty" : ""; }, ""};

/// Parses `argv` into `app` (and its subcommands). nullopt: go on and run;
/// otherwise the exit code, after the help (0) or the error (exit_usage) was
/// printed. The error names the subcommand, e.g. `switchboard bench: ...`.
[[nodiscard]] inline std::optional<int> parse(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    auto text = app.help();  // the help of the subcommand given, if any
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string who = app.get_name();
    for (const auto* sub : app.get_subcommands())
      who += " " + sub->get_name();
    std::fprintf(stderr, "%s: %s\nRun '%s --help' for the flags.\n", who.c_str(), e.what(),
                 who.c_str());
    return exit_usage;
  }
}

}  // namespace switchboard::bench::cli
