#include <cmath>
#include <limits>
#include <optional>

#include "bench/scenario/internal/builtins.h"

// `apply_set`: the generic `--set` keys every scenario (built-in or file) takes.
namespace switchboard::bench {

namespace builtin {

const std::vector<std::pair<std::string, std::string>>& generic_keys() {
  static const std::vector<std::pair<std::string, std::string>> keys{
    {"replications", "independent runs with their own seeds (>= 1)"},
    {"days", "days per replication (>= 1)"},
    {"seed", "base random seed"},
    {"policy", "routing policy of every queue: longest_idle, skills, profile, or a comma "
               "list to compare them"},
    {"oracle", "sim: also run the fairness-bounded oracle (profile knowing the true rates) "
               "as policy row \"oracle\" (true/false)"},
    {"manager_wait_s", "sim: how long a VIP's contact waits for its dedicated manager, seconds (0: no hold)"},
    {"team_wait_s", "sim: then how long for the manager's team, seconds (0: no hold)"},
    {"fairness_bound", "sim: the fairness guard's bound on occupancy above the mean (0..1; 0: off)"},
    {"on_off_slice_s", "sim: also run profile with the live on/off comparison against "
                       "longest_idle in slices of this many seconds (60..86400), as row \"on_off\""},
    {"sl_threshold_s", "service-level threshold of the scenario and every queue, seconds"},
    {"warmup_s", "start of each replication excluded from statistics, seconds"},
    {"sample_every_s", "time-series resolution, seconds"},
    {"target_rate", "load/net: contacts per second offered (0: as fast as possible)"},
    {"duration_s", "load/net: how long to offer load, seconds"},
    {"max_live", "load/net: cap on live contacts (0: unlimited)"},
    {"journal", "load: RocksDB journal on (true/false); the load mode requires true"},
    {"durability", "load: journal commits fsynced (sync, the default) or not (no_sync)"},
    {"threads", "load: the node's scheduler threads (0: one per core)"},
    {"caf_seconds", "load: seconds per CAF raw-rate measurement (0: skip them)"},
    {"data_dir", "load: data directory (empty: a temp dir removed afterwards)"},
    {"url", "net: ws://host:port of a running node"},
    {"agent_urls", "net: comma list of ws:// URLs the agents connect to, round-robin "
                   "(a cluster's nodes; default: url; recorded in parameters)"},
    {"api_key", "net: admin/gateway key of the tenant"},
    {"connections", "net: gateway connections (0: auto)"},
    {"tenant", "net: tenant id when the url names none (recorded in parameters)"},
    {"time_scale", "load/net: wall seconds per scenario second for handle, patience, "
                   "wrap-up and accept delay (default: scenario rate / target_rate; 0 in "
                   "closed loop)"},
    {"net_max_agents", "net: cap on simulated agents (recorded in parameters)"},
  };
  return keys;
}

std::vector<std::string> generic_key_names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : generic_keys())
    out.push_back(k);
  return out;
}

}  // namespace builtin

using builtin::bad_set;
using builtin::generic_key_names;
using builtin::join;
using builtin::parse_bool;
using builtin::parse_policies;
using builtin::set_policies;
using engine::errc;

engine::status apply_set(scenario& s, const std::map<std::string, std::string>& set) {
  // Not a structured binding: the lambdas below capture key and value, which
  // clang before 16 refuses for a binding (the fuzz build uses Debian's clang 14).
  for (const auto& entry : set) {
    const std::string& key = entry.first;
    const std::string& value = entry.second;
    engine::status st;
    // The value in range, or nullopt with `st` set.
    auto in_range = [&](const builtin::key_def& d) -> std::optional<double> {
      auto x = builtin::read_value(d, value);
      if (!x) {
        st = x.err();
        return std::nullopt;
      }
      return *x;
    };
    auto count = [&](std::uint64_t min, std::uint64_t max) {
      return in_range(builtin::count_key(key, {}, {}, min, max));
    };
    auto number = [&](double min, bool exclusive) {
      // No upper bound, unlike a built-in's own keys.
      return in_range(builtin::number_key(key, {}, {}, min, exclusive,
                                          std::numeric_limits<double>::infinity()));
    };
    if (key == "replications") {
      if (auto x = count(1, 100000))
        s.replications = static_cast<int>(*x);
    } else if (key == "days") {
      if (auto x = count(1, 3650))
        s.days = static_cast<int>(*x);
    } else if (key == "seed") {
      if (auto x = count(0, std::uint64_t{1} << 53))
        s.seed = static_cast<std::uint64_t>(*x);
    } else if (key == "policy") {
      auto x = parse_policies(key, value);
      if (x)
        set_policies(s, *x);
      else
        st = x.err();
    } else if (key == "sl_threshold_s") {
      if (auto x = number(0, true)) {
        s.sl_threshold_s = *x;
        for (auto& q : s.queues)
          q.sl_threshold = static_cast<engine::time_ms>(std::llround(*x * 1000));
      }
    } else if (key == "warmup_s") {
      if (auto x = number(0, false))
        s.warmup_s = *x;
    } else if (key == "sample_every_s") {
      if (auto x = number(0, true))
        s.sample_every_s = *x;
    } else if (key == "target_rate") {
      if (auto x = number(0, false))
        s.realtime.target_rate = *x;
    } else if (key == "duration_s") {
      if (auto x = number(0, true))
        s.realtime.duration_s = *x;
    } else if (key == "max_live") {
      if (auto x = count(0, 0xffffffffu))
        s.realtime.max_live = static_cast<std::uint32_t>(*x);
    } else if (key == "connections") {
      if (auto x = count(0, 1'000'000))
        s.realtime.connections = static_cast<std::uint32_t>(*x);
    } else if (key == "manager_wait_s" || key == "team_wait_s") {
      if (auto x = number(0, false)) {
        if (*x > 7 * 86400)
          st = engine::make_error(engine::errc::invalid_argument, key + ": must be 0..604800");
        else
          (key == "manager_wait_s" ? s.manager_wait_s : s.team_wait_s) = *x;
      }
    } else if (key == "fairness_bound") {
      if (auto x = number(0, false)) {
        if (*x > 1)
          st = engine::make_error(engine::errc::invalid_argument, "fairness_bound: must be 0..1");
        else
          s.fairness_bound = *x;
      }
    } else if (key == "on_off_slice_s") {
      if (auto x = number(0, false)) {
        if (*x != 0 && !(*x >= 60 && *x <= 86400))
          st = engine::make_error(engine::errc::invalid_argument,
                                  "on_off_slice_s: must be 0 or 60..86400");
        else
          s.on_off_slice_s = *x;
      }
    } else if (key == "oracle") {
      auto x = parse_bool(key, value);
      if (x)
        s.oracle = *x;
      else
        st = x.err();
    } else if (key == "journal") {
      auto x = parse_bool(key, value);
      if (x)
        s.realtime.journal = *x;
      else
        st = x.err();
    } else if (key == "data_dir") {
      s.realtime.data_dir = value;
    } else if (key == "url") {
      if (value.rfind("ws://", 0) != 0 && value.rfind("wss://", 0) != 0)
        st = bad_set(key, value, "must start with ws:// or wss://");
      else
        s.realtime.url = value;
    } else if (key == "api_key") {
      s.realtime.api_key = value;
    } else if (key == "agent_urls") {
      // Each URL is parsed by the net mode (bench/net parse_ws_url, the one parser).
      if (value.empty())
        st = bad_set(key, value, "must list at least one ws://host:port");
    } else if (key == "tenant") {
      // Mode-specific keys without a field: read back from `parameters` by the mode.
      if (!engine::valid_id(value))
        st = bad_set(key, value, "not a valid id");
    } else if (key == "time_scale") {
      number(0, false);
    } else if (key == "durability") {
      if (value != "sync" && value != "no_sync")
        st = bad_set(key, value, "must be sync or no_sync");
    } else if (key == "threads") {
      count(0, 256);
    } else if (key == "caf_seconds") {
      if (auto x = number(0, false); x && *x > 60)
        st = bad_set(key, value, "must be <= 60");
    } else if (key == "net_max_agents") {
      count(1, 1'000'000);
    } else {
      return engine::make_error(errc::invalid_argument,
                                "unknown --set key '" + key +
                                  "'; valid keys: " + join(generic_key_names()));
    }
    if (!st)
      return st;
    // Secrets stay out of reports.
    s.parameters[key] = key == "api_key" ? std::string{"(set)"} : value;
  }
  return {};
}

}  // namespace switchboard::bench
