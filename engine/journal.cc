#include "engine/journal.h"

#include <array>
#include <utility>

namespace switchboard::engine {

namespace {

constexpr std::array<std::pair<event_type, std::string_view>, 21> names{{
  {event_type::contact_created, "contact_created"},
  {event_type::queued, "queued"},
  {event_type::offered, "offered"},
  {event_type::offer_declined, "offer_declined"},
  {event_type::offer_expired, "offer_expired"},
  {event_type::offer_cancelled, "offer_cancelled"},
  {event_type::connected, "connected"},
  {event_type::wrap_up, "wrap_up"},
  {event_type::completed, "completed"},
  {event_type::abandoned, "abandoned"},
  {event_type::transferred, "transferred"},
  {event_type::overflow_moved, "overflow_moved"},
  {event_type::failed, "failed"},
  {event_type::requeued_on_recovery, "requeued_on_recovery"},
  {event_type::agent_lost, "agent_lost"},
  {event_type::message, "message"},
  {event_type::rated, "rated"},
  {event_type::agent_login, "agent_login"},
  {event_type::agent_logout, "agent_logout"},
  {event_type::agent_away, "agent_away"},
  {event_type::agent_available, "agent_available"},
}};

}  // namespace

std::string_view to_string(event_type t) {
  for (const auto& [k, v] : names)
    if (k == t)
      return v;
  return "unknown";
}

std::optional<event_type> parse_event_type(std::string_view s) {
  for (const auto& [k, v] : names)
    if (v == s)
      return k;
  return std::nullopt;
}

}  // namespace switchboard::engine
