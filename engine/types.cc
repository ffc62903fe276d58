#include "engine/types.h"

namespace switchboard::engine {
namespace {

constexpr std::array<std::string_view, channel_count> channel_names{
  "voice", "video", "chat", "app", "wechat", "sms", "email"};
constexpr std::array<std::string_view, 9> contact_state_names{
  "new",       "queued",    "offered",     "connected", "wrap_up",
  "completed", "abandoned", "transferred", "failed"};
constexpr std::array<std::string_view, 5> agent_state_names{
  "offline", "available", "busy", "wrap_up", "away"};
constexpr std::array<std::string_view, 4> level_names{"crowd", "junior", "senior",
                                                      "expert"};
constexpr std::array<std::string_view, 3> policy_names{"longest_idle", "skills",
                                                       "profile"};

template <class Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::string_view, N>& names,
                          std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s)
      return static_cast<Enum>(i);
  return std::nullopt;
}

template <std::size_t N, class Enum>
std::string_view name(const std::array<std::string_view, N>& names, Enum x) {
  auto i = static_cast<std::size_t>(x);
  return i < N ? names[i] : std::string_view{"invalid"};
}

}  // namespace

std::string_view to_string(channel x) { return name(channel_names, x); }
std::string_view to_string(contact_state x) { return name(contact_state_names, x); }
std::string_view to_string(agent_state x) { return name(agent_state_names, x); }
std::string_view to_string(agent_level x) { return name(level_names, x); }
std::string_view to_string(policy_kind x) { return name(policy_names, x); }

std::optional<channel> parse_channel(std::string_view s) {
  return parse<channel>(channel_names, s);
}
std::optional<contact_state> parse_contact_state(std::string_view s) {
  return parse<contact_state>(contact_state_names, s);
}
std::optional<agent_level> parse_agent_level(std::string_view s) {
  return parse<agent_level>(level_names, s);
}
std::optional<policy_kind> parse_policy(std::string_view s) {
  return parse<policy_kind>(policy_names, s);
}

}  // namespace switchboard::engine
