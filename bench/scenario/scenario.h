#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"
#include "engine/profiles.h"
#include "engine/types.h"

/// A bench workload: who calls, when, about what, and who answers. Read from a JSON
/// file (schema in docs/benchmarks.md) or built by a named built-in generator; the
/// same value drives every mode (sim, load, net).
namespace switchboard::bench {

/// A random duration with per-period means (seconds).
struct duration_dist {
  enum class kind : std::uint8_t { none, fixed, exponential, lognormal };
  kind type = kind::none;         ///< none: never happens (e.g. infinite patience)
  std::vector<double> mean_s;     ///< one per period, or one for all periods
  double cv = 1.0;                ///< lognormal coefficient of variation (stddev/mean)

  double mean_for(std::size_t period) const {
    return mean_s.empty() ? 0 : mean_s[period < mean_s.size() ? period : 0];
  }
};

struct period {
  std::string name;
  double duration_s = 3600;
};

/// A customer segment: share of the arrivals of each contact type that use it.
struct segment {
  std::string name;
  int tier = 0;                   ///< 0..5
  double arpu = 0;
  double share = 1;               ///< relative weight (normalized over segments)
  bool dedicated_manager = false; ///< each customer gets an account manager from
                                  ///< `manager_group` (VIP mix)
  std::string manager_group;
  std::uint32_t customers = 1000; ///< distinct customers drawn from (repeat contacts)
};

/// A kind of contact and how it arrives.
struct contact_type {
  std::string name;
  std::string intent;
  std::string queue;                     ///< queue id it is submitted to
  engine::channel ch = engine::channel::voice;
  std::string language;                  ///< empty: none required
  int priority = 0;
  std::vector<double> arrivals_per_hour; ///< one per period, or one for all
  /// Day-level randomness: each day's rates are multiplied by a Gamma(shape,
  /// 1/shape) factor (mean 1). 0: no busyness factor (pure Poisson).
  double busyness_shape = 0;
  duration_dist handle;                  ///< talk/handle time
  duration_dist patience;                ///< time a waiting customer stays; none: forever
  duration_dist wrap_up;                 ///< after-contact work; none: 0

  double rate_for(std::size_t period) const {
    return arrivals_per_hour.empty()
               ? 0
               : arrivals_per_hour[period < arrivals_per_hour.size() ? period : 0];
  }
};

/// Hidden "true" outcome rates of a group for an (intent, segment): used by the
/// simulator to draw outcomes, never shown to the router (which learns them).
struct true_outcome {
  std::string intent;   ///< "*" matches any
  std::string segment;  ///< "*" matches any
  double resolve = 0.7;
  double sale = 0.05;
  double csat_mean = 4.0;  ///< 1..5
};

/// A group of identical agents.
struct agent_group {
  std::string name;
  std::vector<engine::agent_skill> skills;
  std::vector<std::string> languages;
  std::vector<std::uint32_t> staffing;   ///< agents logged in per period, or one for all
  std::array<engine::channel_capacity, engine::channel_count> capacity{};
  engine::agent_level level = engine::agent_level::junior;
  bool crowd = false;                    ///< crowdsourced remote pool (admit_crowd gates it)
  std::vector<true_outcome> truth;
  double accept_delay_s = 0;             ///< time from offer to accept

  std::uint32_t staff_for(std::size_t period) const {
    return staffing.empty() ? 0 : staffing[period < staffing.size() ? period : 0];
  }
  std::uint32_t max_staff() const;
  /// The hidden outcome rates for (intent, segment): the most specific entry of
  /// `truth` (exact intent beats "*", then exact segment), or the defaults.
  const true_outcome& truth_for(const std::string& intent, const std::string& segment) const;
  /// The engine profile of one agent of this group: id and name `id`, the group's
  /// skills, languages, capacity and level, remote when the group is a crowd.
  engine::agent_profile profile(const std::string& tenant, const std::string& id) const;
};

/// Load/net modes: how hard to push in real time.
struct realtime_options {
  double target_rate = 0;      ///< contacts/s; 0 = as fast as possible
  double duration_s = 10;      ///< how long to offer load
  std::uint32_t max_live = 0;  ///< cap on live contacts (0 = unlimited)
  bool journal = true;         ///< RocksDB journal on
  std::string data_dir;        ///< empty: a temp dir removed afterwards
  std::string url;             ///< net: ws://host:port of a running node
  std::string api_key;         ///< net: admin/gateway key of the tenant
  std::uint32_t connections = 0;  ///< net: gateway connections (0 = auto)
};

struct scenario {
  std::string name;
  std::string description;
  std::vector<period> periods;           ///< at least one; a day is their sum
  std::vector<segment> segments;         ///< at least one
  std::vector<contact_type> types;       ///< at least one
  std::vector<agent_group> groups;       ///< at least one
  std::vector<engine::queue_config> queues;  ///< tenant filled in by the runner
  engine::policy_kind policy = engine::policy_kind::profile;
  std::vector<engine::policy_kind> compare_policies;  ///< empty: only `policy`
  /// sim: also runs the fairness-bounded oracle, reported as policy "oracle":
  /// `profile` (with its fairness guard) whose learned model knows every agent's
  /// true rates from the start, the yardstick of what learning can reach.
  bool oracle = false;
  /// sim: also runs `profile` with the live on/off comparison against longest_idle
  /// in slices of this many seconds (60..86400; 0: not), reported as policy row
  /// "on_off" and the comparison each replication measured live.
  double on_off_slice_s = 0;
  /// sim: the tenant's fairness bound (engine tenant_config::fairness_bound, 0..1;
  /// 0: no guard). Default 0.10.
  double fairness_bound = 0.10;
  /// sim: how long a VIP's contact is held for its dedicated manager, then for
  /// the manager's team (engine tenant_config::manager_wait, team_wait), seconds.
  /// Default 30 each; 0: no hold.
  double manager_wait_s = 30;
  double team_wait_s = 30;
  double sl_threshold_s = 20;
  int replications = 5;
  int days = 1;
  double warmup_s = 0;                   ///< excluded from statistics
  double sample_every_s = 60;            ///< time-series resolution
  std::uint64_t seed = 1;
  realtime_options realtime;
  /// The effective settings, shown in reports (generators record their --set values).
  std::map<std::string, std::string> parameters;

  double day_s() const;
};

/// What the scenario module knows about a built-in.
struct builtin_info {
  std::string name;
  std::string summary;
  std::vector<std::pair<std::string, std::string>> keys;  ///< --set key, meaning/default
};

/// Built-in scenarios (mmn, multiskill, peak_day, vip, scale).
std::vector<builtin_info> builtins();

/// Builds a built-in with `--set key=value` overrides; unknown keys and bad values
/// are errc::invalid_argument with the key named.
engine::result<scenario> make_builtin(std::string_view name,
                                      const std::map<std::string, std::string>& set);

/// Parses a scenario file's JSON. Unknown keys, wrong types, negative rates,
/// missing skills, unknown queues... are errc::invalid_argument whose message names
/// the JSON path (e.g. "types[2].arrivals_per_hour[0]: must be >= 0").
engine::result<scenario> parse_scenario(std::string_view json);

/// Applies generic `--set` keys to any scenario (replications, days, seed, policy,
/// sl_threshold_s, warmup_s, target_rate, duration_s, url, api_key, ...).
engine::status apply_set(scenario& s, const std::map<std::string, std::string>& set);

/// Helpers of the real-time modes (load, net).
/// A mode-specific `--set` value kept in `parameters` (e.g. time_scale), as a number
/// >= 0; `def` when absent; invalid_argument naming the key when not a number.
engine::result<double> number_parameter(const scenario& s, const std::string& key, double def);
/// Contacts per second of the first period, all types.
double first_period_rate_per_s(const scenario& s);
/// How long a real-time run waits for contacts in flight after its load window: five
/// times the longest mean handle + wrap-up + accept delay at `time_scale`, plus 5 s,
/// within [5, max_s].
double drain_seconds(const scenario& s, double time_scale, double max_s);

/// Cross-checks a scenario (what parse_scenario and make_builtin also run).
engine::status validate(const scenario& s);

}  // namespace switchboard::bench
