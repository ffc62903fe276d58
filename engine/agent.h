#pragma once

#include <array>
#include <cstdint>

#include "engine/profiles.h"

namespace switchboard::engine {

/// The live side of an agent: presence and load per channel. Load counts every
/// contact reserved for (offered), connected with, or in wrap-up with the agent.
struct agent_runtime {
  bool logged_in = false;
  bool away = false;
  /// The agent's connection is gone (its grace period runs): no new offers, the
  /// work it holds stays. Cleared by login.
  bool disconnected = false;
  std::array<std::uint32_t, channel_count> load{};
  std::uint32_t wrap_count = 0;       ///< of the load, contacts in wrap-up
  time_ms idle_since = 0;             ///< when the load last dropped to zero
  time_ms last_assigned = 0;          ///< when the agent last got an offer
  std::uint32_t expired_in_row = 0;   ///< ring-no-answer counter
  /// Share of recent logged-in time with work (any load), as of `busy_at`: an
  /// exponential average over `busy_window` (`recent_occupancy`).
  double busy_share = 0;
  time_ms busy_at = 0;

  std::uint32_t total_load() const;
  /// The state shown to supervisors.
  agent_state state() const;
  /// Time since the agent last became free or, when busy, last got work.
  time_ms idle_ms(time_ms now) const;
};

/// True when the agent is logged in, not away, and can take one more contact on
/// `ch`: an exclusive channel needs no other load; any load on an exclusive
/// channel blocks every other channel.
bool has_free_capacity(const agent_profile& p, const agent_runtime& rt, channel ch);

/// True when the agent could take some contact on some channel right now.
bool has_any_free_capacity(const agent_profile& p, const agent_runtime& rt);

/// Load over total capacity, 0..1.
double occupancy(const agent_profile& p, const agent_runtime& rt);

/// The window of `recent_occupancy`: an exponential average with this time
/// constant. Default: 30 min.
inline constexpr time_ms busy_window = 30 * 60 * 1000;

/// Share of the agent's recent logged-in time with work, 0..1, at `now`.
double recent_occupancy(const agent_runtime& rt, time_ms now);

/// Brings `busy_share` up to `now` (the load so far held since `busy_at`). Called
/// before every change of load and at login.
void note_busy(agent_runtime& rt, time_ms now);

void add_load(agent_runtime& rt, channel ch, time_ms now);
void remove_load(agent_runtime& rt, channel ch, time_ms now);

}  // namespace switchboard::engine
