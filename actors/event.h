#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/inspect.h"
#include "engine/journal.h"

namespace switchboard {

/// A state change published to subscribers (embedders, the edge). Contact events
/// come from the contact's session actor after they were handed to the journal;
/// agent events from the registry and agent actors.
struct event {
  static constexpr char type_name[] = "switchboard.event";
  engine::event_type type = engine::event_type::contact_created;
  std::string tenant;
  std::string contact;
  std::string agent;
  std::string queue;
  engine::contact_state state = engine::contact_state::created;
  engine::time_ms at = 0;
  std::uint64_t offer_id = 0;    ///< offers: the id to accept or decline
  engine::time_ms deadline = 0;  ///< offers: when it expires
  std::string detail;
  /// offers: why this agent (candidates and their score terms); empty otherwise.
  engine::routing_decision decision;
  /// offers: the contact as offered and its customer's profile (empty ids when
  /// there is none), so that the edge of any node shows an offer without asking
  /// the owner for them (two round trips on another node).
  engine::contact offered_contact;
  engine::customer_profile offered_customer;
};

/// A subscriber callback; called on the event hub's thread, one event at a time,
/// so it must return quickly.
using event_callback = std::function<void(const event&)>;

namespace actors {
/// Node-local: a callback cannot cross nodes.
struct subscribe_msg {
  std::shared_ptr<event_callback> callback;
};
}  // namespace actors

}  // namespace switchboard

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::subscribe_msg)
