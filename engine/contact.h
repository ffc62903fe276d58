#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "engine/types.h"

namespace switchboard::engine {

/// Place of a waiting contact in line: priority first (higher first), then enqueue
/// time, then the node-wide sequence number. A declined or expired offer keeps the
/// key, so the contact returns to its original place.
struct queue_key {
  int priority = 0;
  time_ms enqueued_at = 0;
  std::uint64_t seq = 0;

  friend bool operator<(const queue_key& a, const queue_key& b) {
    if (a.priority != b.priority)
      return a.priority > b.priority;
    if (a.enqueued_at != b.enqueued_at)
      return a.enqueued_at < b.enqueued_at;
    return a.seq < b.seq;
  }
  friend bool operator==(const queue_key&, const queue_key&) = default;
};

/// A customer contact (session) on any channel. Confined to its session actor;
/// copies travel in messages.
struct contact {
  std::string tenant;
  std::string id;
  std::string customer;
  channel ch = channel::chat;
  std::string intent;
  std::string language;
  int priority = 0;
  std::string queue;
  std::vector<std::pair<std::string, std::string>> attached;
  std::vector<std::string> journey;  ///< self-service steps, transfers, queues so far
  contact_state state = contact_state::created;
  time_ms created_at = 0;
  time_ms enqueued_at = 0;
  std::uint64_t seq = 0;
  std::string agent;             ///< offered to / connected with
  std::string last_declined_by;  ///< not offered to this agent again right away
  std::uint32_t offers = 0;      ///< offers made so far
  std::string segment;           ///< customer segment, for learned statistics

  queue_key key() const { return {priority, enqueued_at, seq}; }
};

/// True when the lifecycle allows `from -> to`.
bool can_transition(contact_state from, contact_state to);

/// True for states a contact never leaves (completed, abandoned, failed).
bool is_terminal(contact_state s);

/// Moves `c` to `to`, or returns errc::invalid_transition and leaves it unchanged.
[[nodiscard]] status transition(contact& c, contact_state to);

/// Checks the fields a submitter provides (ids, priority bounds, attached size).
[[nodiscard]] status validate_new_contact(const contact& c);

}  // namespace switchboard::engine
