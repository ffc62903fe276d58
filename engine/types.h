#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

/// Basic vocabulary of the routing engine: channels, states, levels, policies, time.
namespace switchboard::engine {

/// Milliseconds since an epoch chosen by the clock (wall or virtual).
using time_ms = std::int64_t;

/// A customer contact's channel. Order matters: it indexes per-channel arrays.
enum class channel : std::uint8_t { voice, video, chat, app, wechat, sms, email };
inline constexpr std::size_t channel_count = 7;

/// Lifecycle of a contact. `created` is the state called "new" in the docs.
enum class contact_state : std::uint8_t {
  created,
  queued,
  offered,
  connected,
  wrap_up,
  completed,
  abandoned,
  transferred,
  failed,
};

/// What an agent is doing, as shown to supervisors.
enum class agent_state : std::uint8_t { offline, available, busy, wrap_up, away };

/// Career level; crowdsourced agents start at `crowd` and rise.
enum class agent_level : std::uint8_t { crowd, junior, senior, expert };

/// How a queue picks agents and contacts.
enum class policy_kind : std::uint8_t {
  longest_idle,  ///< FIFO contact, longest-idle eligible agent (classic ACD)
  skills,        ///< FIFO contact, best proficiency
  profile,       ///< weighted, explainable score of customer and agent profiles
};

std::string_view to_string(channel x);
std::string_view to_string(contact_state x);
std::string_view to_string(agent_state x);
std::string_view to_string(agent_level x);
std::string_view to_string(policy_kind x);

std::optional<channel> parse_channel(std::string_view s);
std::optional<contact_state> parse_contact_state(std::string_view s);
std::optional<agent_level> parse_agent_level(std::string_view s);
std::optional<policy_kind> parse_policy(std::string_view s);

inline constexpr std::size_t index(channel c) {
  return static_cast<std::size_t>(c);
}

}  // namespace switchboard::engine
