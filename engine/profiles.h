#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/types.h"

/// Configuration and profile records: tenants, queues, agents, customers, outcomes.
/// Plain values; storage and the edge translate them to and from protobuf.
namespace switchboard::engine {

inline constexpr int max_proficiency = 100;
inline constexpr std::uint32_t max_channel_capacity = 64;

/// Bounds of the numeric fields a client or a config file sets, checked by
/// `validate` (docs/protocol.md, "Limits"). They keep every `now + duration` and
/// every sum far from overflow.
namespace limits {
inline constexpr time_ms hour_ms = 3'600'000;
inline constexpr time_ms min_offer_timeout_ms = 100;       ///< 100 ms
inline constexpr time_ms max_offer_timeout_ms = hour_ms;   ///< 1 h
inline constexpr time_ms max_sl_threshold_ms = hour_ms;    ///< 1 h
inline constexpr time_ms max_wait_ms = 7 * 24 * hour_ms;   ///< 7 days; also overflow `after`
inline constexpr std::uint32_t max_waiting = 1'000'000;    ///< contacts in one line
inline constexpr std::size_t max_overflow_steps = 32;
inline constexpr int max_queue_priority = 1000;            ///< -1000..1000
inline constexpr time_ms max_decline_cooldown_ms = hour_ms;  ///< 1 h
inline constexpr std::uint32_t max_ring_no_answer_limit = 100;
inline constexpr double max_score_weight = 1000;
inline constexpr double max_amount = 1e9;  ///< sale amount, tip, tips, ARPU
inline constexpr time_ms max_repeat_window_ms = 30 * 24 * hour_ms;  ///< 30 days
inline constexpr time_ms min_experiment_slice_ms = 60'000;          ///< 1 min
inline constexpr time_ms max_experiment_slice_ms = 24 * hour_ms;    ///< 1 day
}  // namespace limits

/// Customer tiers are 0..5 (star level).
inline constexpr int max_tier = 5;

/// Weights of the score terms of the `profile` policy.
struct score_weights {
  double skill = 1.0;     ///< Default: 1.
  double affinity = 2.0;  ///< Default: 2 (dedicated manager / last agent matter most).
  double value = 1.5;     ///< Default: 1.5.
  double fairness = 0.5;  ///< Default: 0.5.
  double aging = 1.0;     ///< Default: 1.
};

/// What a pairing is worth (the `profile` policy's value term): the weight of each
/// predicted outcome in its expected value. Resolution counts for every customer;
/// a sale counts times the customer's value; CSAT adds; handle time (against the
/// cohort's typical one) and complaints (more for a customer at risk) subtract.
struct objective_weights {
  double resolution = 1.0;   ///< Default: 1.
  double sale = 1.0;         ///< Default: 1 (times the customer's value, 0..1).
  double csat = 0.3;         ///< Default: 0.3 (CSAT on 0..1).
  double handle_time = 0.1;  ///< Default: 0.1 per typical handle time above it.
  double complaint = 1.0;    ///< Default: 1 (times 1 + deescalation x complaint risk).
  /// How much more complaint and CSAT count for a customer at complaint risk 1
  /// than at 0 (both count times 1 + deescalation x risk): at-risk contacts go to
  /// the agents who learned to calm them. Default: 3.
  double deescalation = 3.0;
  /// Added to the customer's value (0..1) in the sale term of a customer with a
  /// purchase intent: such contacts go to the agents who convert. Default: 1.
  double purchase = 1.0;
};

/// The live on/off comparison of the `profile` policy against a baseline
/// (engine/experiment.h): time is cut into slices; in each pair of slices one,
/// drawn at random, routes a `profile` queue by `profile` and the other by
/// `baseline`, and every outcome counts for the policy that routed it.
struct experiment_config {
  time_ms slice = 0;  ///< 0: off (default). 1 min .. 1 day.
  policy_kind baseline = policy_kind::longest_idle;  ///< Default: longest_idle.
};

/// An enterprise hosted on the node; everything else is scoped by tenant id.
struct tenant_config {
  std::string id;
  std::string name;
  policy_kind default_policy = policy_kind::profile;  ///< Default: profile.
  std::uint32_t ring_no_answer_limit = 3;  ///< Expired offers in a row before away. Default: 3.
  /// How long a contact is not offered again to the agent who declined it or let it
  /// ring out. Default: 30 s.
  time_ms decline_cooldown = 30000;
  score_weights weights;
  objective_weights objective;
  /// The fairness guard of the `profile` policy: an agent whose recent occupancy
  /// (`recent_occupancy`) is more than this above the mean of the logged-in
  /// agents' is offered a contact only when no agent within it can take it.
  /// 0..1; 0: no guard. Default: 0.10 (10 points).
  double fairness_bound = 0.10;
  /// A contact whose customer has a dedicated manager who is logged in is offered
  /// to that manager only for this long; then (or at once when the manager is not
  /// logged in) to the manager's team only for `team_wait`; then to the queue.
  /// 0 skips the stage. Default: 30 s each.
  time_ms manager_wait = 30'000;
  time_ms team_wait = 30'000;
  /// The least agent level that may take a contact of a customer of each tier
  /// (index 0..5); queues add their own `min_level`. Default: no gate (crowd).
  std::array<agent_level, max_tier + 1> min_level_by_tier{};
  /// Complaint risk (`complaint_risk`, from the customer's path) at which a new
  /// contact raises an alert to the tenant's supervisors. Default: 0.6; 0: off.
  double complaint_alert = 0.6;
  /// Earlier contacts of the same customer within this count as repeats in the
  /// complaint risk (and flag the contact). Default: 24 h.
  time_ms repeat_window = 24 * limits::hour_ms;
  experiment_config experiment;
};

struct skill_requirement {
  std::string skill;
  int min_proficiency = 0;  ///< 0..100
};

/// One overflow step, applied once a contact has waited `after` ms.
struct overflow_step {
  time_ms after = 0;
  int min_proficiency = -1;   ///< cap on every required proficiency; -1 keeps it
  bool admit_crowd = false;   ///< crowdsourced (remote) agents become eligible
  std::string move_to_queue;  ///< non-empty: the contact moves to this queue
};

/// A queue: what it requires of agents, how it orders and overflows, its targets.
struct queue_config {
  std::string tenant;
  std::string id;
  std::string name;
  std::vector<skill_requirement> skills;
  std::vector<std::string> languages;  ///< empty: any; else the contact's must be here
  std::uint8_t channel_mask = 0x7f;    ///< bit per channel accepted. Default: all.
  bool admit_crowd = false;            ///< crowd pool eligible from the start
  int priority = 0;                    ///< higher queues are served first
  double sl_target = 0.8;              ///< Default: 80% ...
  time_ms sl_threshold = 20000;        ///< ... answered within 20 s.
  std::uint32_t max_waiting = 0;       ///< 0: unlimited
  time_ms max_wait = 0;                ///< 0: unlimited; longer waits are abandoned
  std::vector<overflow_step> overflow; ///< sorted by `after`
  time_ms offer_timeout = 15000;       ///< Default: 15 s.
  policy_kind policy = policy_kind::profile;
  /// The least agent level that may take this queue's contacts (besides the
  /// tenant's per-tier levels). Default: crowd (no gate).
  agent_level min_level = agent_level::crowd;
  /// This queue's own objective (e.g. sales weighs sale more); false: the tenant's.
  bool own_objective = false;
  objective_weights objective;

  bool accepts(channel c) const { return (channel_mask >> index(c)) & 1u; }
};

struct agent_skill {
  std::string name;
  int proficiency = 0;  ///< 0..100
};

struct channel_capacity {
  std::uint32_t max = 0;
  bool exclusive = false;  ///< while busy on it, nothing else; e.g. voice
};

/// Learned outcome statistics of one agent for one (intent, segment).
struct outcome_stats {
  std::uint64_t handled = 0;
  std::uint64_t resolved = 0;
  std::uint64_t sales = 0;
  double csat_sum = 0;
  std::uint64_t csat_count = 0;
  double handle_ms_sum = 0;
  std::uint64_t complaints = 0;
  double sale_amount_sum = 0;
};

/// An agent's static profile (the runtime state lives in `agent_runtime`).
struct agent_profile {
  std::string tenant;
  std::string id;
  std::string name;
  std::vector<agent_skill> skills;  ///< kept sorted by name
  std::vector<std::string> languages;
  std::array<channel_capacity, channel_count> capacity{};
  agent_level level = agent_level::junior;
  bool remote = false;  ///< crowdsourced remote agent; gated by `admit_crowd`
  double tips = 0;
  std::string team;  ///< its team (a VIP's contact goes to its manager's team next); may be empty

  /// Proficiency in `skill`, or -1 when the agent lacks it.
  int proficiency(std::string_view skill) const;
  bool speaks(std::string_view language) const;
};

/// One past interaction of a customer.
struct history_item {
  time_ms at = 0;
  channel ch = channel::voice;
  std::string intent;
  std::string agent;
  bool resolved = false;
  bool complaint = false;
};

/// What the engine knows of a customer.
struct customer_profile {
  std::string tenant;
  std::string id;
  int tier = 0;  ///< star level 0..5
  double arpu = 0;
  std::vector<std::string> segments;
  std::string language;
  std::string region;
  std::string account_manager;  ///< dedicated agent id (VIPs)
  std::string last_agent;
  std::vector<history_item> history;  ///< most recent last; bounded
  double complaint_risk = 0;
  double churn_risk = 0;
  std::vector<std::string> purchase_intents;
  std::optional<channel> preferred_channel;

  /// The segment used for learned statistics: the first tag, or "default".
  std::string_view primary_segment() const;
};

/// What an agent reports at wrap-up.
struct outcome {
  bool resolved = false;
  bool sale = false;
  double sale_amount = 0;
  int csat = 0;  ///< 0 = not rated, 1..5
  bool complaint = false;
  std::string disposition;
  std::string notes;
  double tip = 0;
};

inline constexpr std::size_t max_history = 20;

[[nodiscard]] status validate(const tenant_config& x);
[[nodiscard]] status validate(const queue_config& x);
/// Also sorts the skills by name.
[[nodiscard]] status validate(agent_profile& x);
[[nodiscard]] status validate(const customer_profile& x);
[[nodiscard]] status validate(const outcome& x);

/// Ids are 1..128 printable ASCII characters without '/' (used as key separator).
bool valid_id(std::string_view id);

}  // namespace switchboard::engine
