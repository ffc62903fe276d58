#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/profiles.h"
#include "engine/routing_domain.h"

namespace switchboard::engine {

/// Kinds of journal events. Values are stable (stored).
enum class event_type : std::uint8_t {
  contact_created = 1,
  queued = 2,
  offered = 3,
  offer_declined = 4,
  offer_expired = 5,
  offer_cancelled = 6,
  connected = 7,
  wrap_up = 8,
  completed = 9,
  abandoned = 10,
  transferred = 11,
  overflow_moved = 12,
  failed = 13,
  requeued_on_recovery = 14,
  /// Back in line at its original place: its agent's connection was lost and did
  /// not come back within the grace period.
  agent_lost = 15,
  /// A chat line of the contact's conversation; `detail` is the text, `agent` the
  /// agent who wrote it (empty: the customer).
  message = 16,
  /// The customer rated the service; `result` carries the CSAT and the tip.
  rated = 17,
  agent_login = 20,
  agent_logout = 21,
  agent_away = 22,
  agent_available = 23,
};

std::string_view to_string(event_type t);
std::optional<event_type> parse_event_type(std::string_view s);

/// One state change, as recorded in the journal. `seq` is assigned by the store
/// at commit and orders all events of a node.
struct journal_event {
  std::uint64_t seq = 0;
  time_ms at = 0;
  std::string tenant;
  std::string contact;  ///< empty for agent events
  event_type type = event_type::contact_created;
  contact_state from = contact_state::created;
  contact_state to = contact_state::created;
  std::string queue;
  std::string agent;
  std::optional<outcome> result;            ///< at completion
  std::optional<routing_decision> decision; ///< at offer
  std::string detail;
};

}  // namespace switchboard::engine
