// `switchboard bench`: runs a named or file scenario in one of the bench modes and
// writes the report (terminal text, JSON, HTML).

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/cli.h"
#include "bench/core/report.h"
#include "bench/modes.h"
#include "bench/scenario/scenario.h"

#ifndef SB_BUILD_TYPE
#define SB_BUILD_TYPE "unknown"
#endif

namespace switchboard::app {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

struct bench_args {
  bool list = false;
  bool quiet = false;
  std::string scenario;
  std::string mode = "sim";
  /// --set occurrences, each with the words that followed it.
  std::vector<std::vector<std::string>> set_words;
  std::vector<std::pair<std::string, std::string>> set;
  std::string json_out;
  std::string html_out;
  std::optional<std::uint64_t> seed;
};

/// Splits the --set words into key=value pairs. Several pairs may follow one
/// --set; a bare word after at least one pair is the scenario, not a setting.
engine::status split_set(bench_args& a) {
  auto bad = [](std::string m) { return engine::make_error(engine::errc::invalid_argument, m); };
  for (const auto& words : a.set_words) {
    std::size_t taken = 0;
    for (const auto& kv : words) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) {
        if (taken == 0)
          return bad("--set expects key=value, not '" + kv + "'");
        if (!a.scenario.empty())
          return bad("more than one scenario given ('" + a.scenario + "' and '" + kv + "')");
        a.scenario = kv;
        taken = words.size();  // what follows a scenario is no setting either
        continue;
      }
      if (taken == words.size())
        return bad("more than one scenario given ('" + a.scenario + "' and '" + kv + "')");
      if (eq == 0)
        return bad("--set '" + kv + "': empty key");
      a.set.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      ++taken;
    }
  }
  return {};
}

void print_list() {
  std::printf("built-in scenarios (switchboard bench NAME [--set key=value ...]):\n");
  for (const auto& b : bench::builtins()) {
    std::printf("\n  %s\n      %s\n", b.name.c_str(), b.summary.c_str());
    for (const auto& [key, meaning] : b.keys)
      std::printf("      --set %-22s %s\n", (key + "=").c_str(), meaning.c_str());
  }
  std::printf(
    "\ngeneric --set keys for every scenario: replications, days, seed, policy,\n"
    "sl_threshold_s, warmup_s, target_rate, duration_s, url, api_key, ...\n"
    "a scenario can also be a JSON file (schema in docs/benchmarks.md).\n");
}

engine::result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return engine::make_error(engine::errc::invalid_argument, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) {
  std::ifstream in(path);
  return static_cast<bool>(in);
}

/// The scenario named on the command line, with every --set applied.
engine::result<bench::scenario> load_scenario(const bench_args& a) {
  std::map<std::string, std::string> builtin_set, generic_set;
  const bench::builtin_info* info = nullptr;
  auto all = bench::builtins();
  for (const auto& b : all)
    if (b.name == a.scenario)
      info = &b;
  std::optional<bench::scenario> s;
  if (info != nullptr) {
    for (const auto& [k, v] : a.set) {
      bool own = std::any_of(info->keys.begin(), info->keys.end(),
                             [&](const auto& kv) { return kv.first == k; });
      (own ? builtin_set : generic_set)[k] = v;
    }
    auto made = bench::make_builtin(a.scenario, builtin_set);
    if (!made)
      return made.err();
    s = std::move(*made);
  } else if (file_exists(a.scenario)) {
    for (const auto& [k, v] : a.set)
      generic_set[k] = v;
    auto text = read_file(a.scenario);
    if (!text)
      return text.err();
    auto parsed = bench::parse_scenario(*text);
    if (!parsed)
      return engine::make_error(parsed.err().code, a.scenario + ": " + parsed.err().message);
    s = std::move(*parsed);
  } else {
    return engine::make_error(engine::errc::invalid_argument,
                              "unknown scenario '" + a.scenario +
                                "': not a built-in (see switchboard bench --list) and no such file");
  }
  if (!generic_set.empty())
    if (auto st = bench::apply_set(*s, generic_set); !st)
      return st.err();
  if (a.seed)
    s->seed = *a.seed;
  if (auto st = bench::validate(*s); !st)
    return st.err();
  return std::move(*s);
}

/// Progress on stderr: a bar redrawn in place on a terminal, otherwise a plain
/// line every few seconds (only for runs that last).
class progress_printer {
 public:
  explicit progress_printer(bool enabled)
      : enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0),
        start_(std::chrono::steady_clock::now()), last_(start_) {}

  void operator()(double done, double total) {
    if (!enabled_ || !(total > 0))
      return;
    auto now = std::chrono::steady_clock::now();
    auto since_last = std::chrono::duration<double>(now - last_).count();
    auto elapsed = std::chrono::duration<double>(now - start_).count();
    auto frac = std::min(1.0, std::max(0.0, done / total));
    if (tty_) {
      if (since_last < 0.1 && frac < 1.0)
        return;
      last_ = now;
      constexpr int width = 40;
      auto fill = static_cast<int>(frac * width);
      std::string bar(static_cast<std::size_t>(fill), '#');
      bar.append(static_cast<std::size_t>(width - fill), '.');
      std::fprintf(stderr, "\r[%s] %5.1f%%  %.1f s", bar.c_str(), frac * 100, elapsed);
      std::fflush(stderr);
      drawn_ = true;
    } else {
      if (since_last < 5.0)
        return;
      last_ = now;
      std::fprintf(stderr, "bench: %.0f%% after %.0f s\n", frac * 100, elapsed);
    }
  }

  void finish() {
    if (drawn_) {
      std::fprintf(stderr, "\n");
      drawn_ = false;
    }
  }

 private:
  bool enabled_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return false;
  out << text;
  out.close();
  return static_cast<bool>(out);
}

engine::result<bench::run_report> run_mode(const std::string& mode, const bench::scenario& s,
                                           const bench::progress_fn& progress) {
  if (mode == "sim")
    return bench::run_sim(s, progress);
  if (mode == "load") {
#ifdef SB_BENCH_HAVE_LOAD
    return bench::run_load(s, progress);
#else
    return engine::make_error(engine::errc::invalid_argument,
                              "mode 'load' is not built into this binary (no bench/load library)");
#endif
  }
#ifdef SB_BENCH_HAVE_NET
  return bench::run_net(s, progress);
#else
  return engine::make_error(engine::errc::invalid_argument,
                            "mode 'net' is not built into this binary (no bench/net library)");
#endif
}

int run_bench(bench_args& a) {
  if (auto st = split_set(a); !st) {
    std::fprintf(stderr, "switchboard bench: %s\nRun 'switchboard bench --help' for the flags.\n",
                 st.err().message.c_str());
    return exit_usage;
  }
  if (a.list) {
    print_list();
    return exit_ok;
  }
  if (a.scenario.empty()) {
    std::fprintf(stderr, "switchboard bench: no scenario given\nRun 'switchboard bench --help' "
                         "for the flags.\n");
    return exit_usage;
  }
  auto s = load_scenario(a);
  if (!s) {
    std::fprintf(stderr, "switchboard bench: %s\n", s.err().message.c_str());
    return exit_usage;
  }

  progress_printer printer(!a.quiet);
  auto r = run_mode(a.mode, *s, [&](double done, double total) { printer(done, total); });
  printer.finish();
  if (!r) {
    std::fprintf(stderr, "switchboard bench: %s run of '%s' failed: %s\n", a.mode.c_str(),
                 s->name.c_str(), r.err().message.c_str());
    return r.err().code == engine::errc::invalid_argument ? exit_usage : exit_failure;
  }
  auto& report = *r;
  report.build_type = SB_BUILD_TYPE;
  report.cores = std::thread::hardware_concurrency();
  if (report.mode.empty())
    report.mode = a.mode;

  auto text = bench::to_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  int rc = exit_ok;
  if (!a.json_out.empty() && !write_file(a.json_out, bench::to_json(report))) {
    std::fprintf(stderr, "switchboard bench: cannot write %s\n", a.json_out.c_str());
    rc = exit_failure;
  }
  if (!a.html_out.empty() && !write_file(a.html_out, bench::to_html(report))) {
    std::fprintf(stderr, "switchboard bench: cannot write %s\n", a.html_out.c_str());
    rc = exit_failure;
  }
  return rc;
}

}  // namespace

command add_bench(CLI::App& root) {
  auto a = std::make_shared<bench_args>();
  auto* c = root.add_subcommand(
    "bench",
    "simulate a workload against the engine (virtual time), or load a node in real time; "
    "report service level, waits, occupancy");
  c->add_option("scenario", a->scenario, "a built-in scenario (see --list) or a scenario file");
  c->add_flag("--list", a->list, "built-in scenarios and their --set keys");
  c->add_option("--mode", a->mode,
                "sim: virtual-time simulation; load: real time through the actors in "
                "process; net: real time against a running node")
    ->check(CLI::IsMember({"sim", "load", "net"}))
    ->capture_default_str();
  c->add_option("--set", a->set_words,
                "override a setting (key=value); repeatable, and several key=value may follow "
                "one --set (built-in keys, or generic ones: replications, days, seed, policy, "
                "sl_threshold_s, warmup_s, target_rate, duration_s, url, ...)")
    ->expected(1, CLI::detail::expected_max_vector_size)
    ->type_name("KEY=VALUE");
  c->add_option("--json", a->json_out, "write the report as JSON");
  c->add_option("--html", a->html_out, "write the report as a self-contained HTML page");
  c->add_option("--seed", a->seed, "base seed (replication i uses N + i)")
    ->check(bench::cli::non_negative_integer);
  c->add_flag("-q,--quiet", a->quiet, "no progress on stderr");
  return {c, [a] { return run_bench(*a); }};
}

}  // namespace switchboard::app
