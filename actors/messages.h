#pragma once

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/inspect.h"
#include "actors/stats.h"
#include "engine/contact.h"
#include "engine/journal.h"
#include "engine/profiles.h"
#include "engine/routing_domain.h"
#include "storage/store.h"

/// Messages between Switchboard's actors. Plain structs with `inspect`, registered
/// once in `register_types`, so they can cross nodes: ids, never pointers. The
/// exceptions are marked node-local below (storage batches, recovery snapshots,
/// subscriber callbacks), which by design never leave the node that made them.
namespace switchboard::actors {

using ok_atom = caf::atom_constant<caf::atom("ok")>;
using match_atom = caf::atom_constant<caf::atom("match")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
/// A restored session is back with its recommender (see the registry's restore).
using restored_atom = caf::atom_constant<caf::atom("restored")>;

// -- requests to the registry (from the facade or the edge) ---------------------

struct define_tenant_req {
  engine::tenant_config tenant;
};
struct define_queue_req {
  engine::queue_config queue;
};
struct define_agent_req {
  engine::agent_profile agent;
};
struct upsert_customer_req {
  engine::customer_profile customer;
};
struct login_req {
  std::string tenant;
  std::string agent;
};
struct logout_req {
  std::string tenant;
  std::string agent;
};
struct presence_req {
  std::string tenant;
  std::string agent;
  bool away = false;
};
/// A new contact; the registry assigns seq and enqueue time. Replies `submit_ack`
/// once the contact is in line and durably journaled.
struct submit_req {
  engine::contact contact;
};
struct submit_ack {
  std::string contact;
  std::uint64_t seq = 0;
  engine::time_ms enqueued_at = 0;
};
struct accept_req {
  std::string tenant;
  std::string agent;
  std::string contact;
  std::uint64_t offer_id = 0;  ///< 0: whatever offer of this contact the agent holds
};
struct decline_req {
  std::string tenant;
  std::string agent;
  std::string contact;
  std::uint64_t offer_id = 0;
};
struct wrap_up_req {
  std::string tenant;
  std::string agent;
  std::string contact;
};
struct complete_req {
  std::string tenant;
  std::string agent;
  std::string contact;
  engine::outcome result;
};
/// The customer left (hung up, closed the chat). Waiting: abandoned; with an
/// agent: wrap-up.
struct end_contact_req {
  std::string tenant;
  std::string contact;
  std::string reason;
};
struct contact_req {
  std::string tenant;
  std::string contact;
};
struct tenant_stats_req {
  std::string tenant;
};
/// Lookups of a tenant's definitions, answered by its recommender.
struct find_agent_req {
  std::string tenant;
  std::string agent;
};
struct find_customer_req {
  std::string tenant;
  std::string customer;
};
struct find_queue_req {
  std::string tenant;
  std::string queue;
};
/// 0-based place of a waiting contact in its line (-1 when not waiting).
struct position_req {
  std::string tenant;
  std::string contact;
};
/// A connected contact goes back in line in `to_queue`; the registry assigns its
/// new place (seq, enqueue time), the priority is kept.
struct transfer_req {
  std::string tenant;
  std::string agent;
  std::string contact;
  std::string to_queue;
  std::uint64_t seq = 0;
  engine::time_ms enqueued_at = 0;
};

/// The edge lost (`connected` false) the agent's connection: no new offers, and
/// after the node's agent grace period its work is released (see `agent_lost`).
/// Reconnecting is a `login_req`.
struct agent_connection_req {
  std::string tenant;
  std::string agent;
  bool connected = false;
};
/// The customer's connection (its gateway) is gone (`connected` false) or back.
/// A customer gone for longer than the node's customer grace period has left.
struct customer_connection_req {
  std::string tenant;
  std::string contact;
  bool connected = false;
};
/// A chat line: journaled with the contact, acknowledged once committed, and
/// published as a `message` event. `agent` empty: the customer wrote it.
struct message_req {
  std::string tenant;
  std::string contact;
  std::string agent;
  std::string text;
  /// The client's id of the line: a repeat is acknowledged, not journaled again
  /// (the session remembers the ids of its lines; not across a restart).
  std::string id;
};
/// The chat lines of a contact, live or ended, from the journal.
struct transcript_req {
  std::string tenant;
  std::string contact;
};
/// The customer's rating: accepted while the contact is live and for the node's
/// rating window after it completed; once per contact.
struct rate_req {
  std::string tenant;
  std::string contact;
  int csat = 0;     ///< 1..5
  double tip = 0;   ///< >= 0
};

// -- recommender ------------------------------------------------------------------

struct rec_queue_msg {
  engine::queue_config queue;
  caf::actor queue_actor;
};
struct rec_enqueue_req {
  engine::contact contact;
  caf::actor session;
};
/// Recovery: a contact that was with an agent when the node stopped.
struct rec_restore_connected {
  engine::contact contact;
  caf::actor session;
};
struct rec_login_req {
  std::string agent;
  caf::actor agent_actor;
};
struct rec_expire_msg {
  std::string agent;
  std::string contact;
  std::uint64_t offer_id = 0;
};
struct rec_snapshot_req {};
struct rec_snapshot {
  std::vector<engine::queue_snapshot> queues;
  std::vector<engine::agent_snapshot> agents;
  std::uint64_t routed = 0;
  std::uint64_t connected = 0;
};
struct rec_position_req {
  std::string contact;
};
/// The agent's connection dropped or came back (no journal record: presence only).
struct rec_connected_req {
  std::string agent;
  bool connected = false;
};
/// The agent's grace period ran out: release its work (`routing_domain::release_agent`).
struct rec_agent_lost_req {
  std::string agent;
};
/// The contacts an agent holds, for a reconnecting edge.
struct rec_held_req {
  std::string agent;
};

// -- session ------------------------------------------------------------------------

struct offered_msg {
  std::string agent;
  std::uint64_t offer_id = 0;
  engine::time_ms deadline = 0;
  engine::routing_decision decision;
};
/// The contact is back in line at its original place.
struct requeued_msg {
  engine::event_type reason = engine::event_type::offer_declined;
  std::string agent;
};
struct connected_msg {
  std::string agent;
};
struct wrap_up_msg {
  std::string agent;
  std::string reason;  ///< why, when not the agent's own request (e.g. customer_left)
};
struct completed_msg {
  std::string agent;
  engine::outcome result;
};
struct abandoned_msg {
  std::string reason;
};
struct moved_msg {
  std::string from;
  std::string to;
};
/// Its agent was lost: the contact is back in line at its original place.
struct agent_lost_msg {
  std::string agent;
};
/// The customer rated the service (journaled by the session).
struct rated_msg {
  int csat = 0;
  double tip = 0;
};
/// A customer-absence timer of a session fired (stale when `gen` moved on).
struct customer_grace_msg {
  std::uint64_t gen = 0;
};
/// An agent-absence timer of the registry fired (stale when `gen` moved on).
struct agent_grace_msg {
  std::string tenant;
  std::string agent;
  std::uint64_t gen = 0;
};

/// The agent transferred the contact: it waits in `to` with a new place in line.
struct transferred_msg {
  std::string agent;
  std::string from;
  std::string to;
  std::uint64_t seq = 0;
  engine::time_ms enqueued_at = 0;
};

// -- agent actor --------------------------------------------------------------------

struct offer_msg {
  std::string contact;
  std::string queue;
  std::string customer;
  std::string intent;
  engine::channel ch = engine::channel::chat;
  std::uint64_t offer_id = 0;
  engine::time_ms deadline = 0;
  engine::time_ms timeout_ms = 0;
};
struct offer_cancelled_msg {
  std::string contact;
  std::uint64_t offer_id = 0;
};
struct offer_timeout_msg {
  std::string contact;
  std::uint64_t offer_id = 0;
};
/// The recommender set the agent away (ring-no-answer).
struct agent_away_msg {
  std::string reason;
};

// -- queue actor --------------------------------------------------------------------

enum class queue_event_kind : std::uint8_t { enqueued, answered, abandoned, completed, expired };
struct queue_event_msg {
  queue_event_kind kind = queue_event_kind::enqueued;
  engine::time_ms value = 0;  ///< waited or handle time, ms
};
struct queue_stats_req {};

// -- registry bookkeeping -----------------------------------------------------------

struct session_ended_msg {
  std::string tenant;
  std::string contact;
};

// -- node-local messages (never cross nodes) ------------------------------------------

/// A group-commit write; `persist_req` is answered after commit, `persist_msg` not.
struct persist_req {
  storage::write_batch batch;
};
struct persist_msg {
  storage::write_batch batch;
};
/// What a node restored from its database on start.
struct restore_req {
  storage::snapshot snap;
};
/// Reads the journal of one contact (storage actor).
struct journal_query_req {
  std::string tenant;
  std::string contact;
};

// -- inspect ------------------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, define_tenant_req& x) {
  return f(caf::meta::type_name("define_tenant_req"), x.tenant);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, define_queue_req& x) {
  return f(caf::meta::type_name("define_queue_req"), x.queue);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, define_agent_req& x) {
  return f(caf::meta::type_name("define_agent_req"), x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, upsert_customer_req& x) {
  return f(caf::meta::type_name("upsert_customer_req"), x.customer);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_req& x) {
  return f(caf::meta::type_name("login_req"), x.tenant, x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, logout_req& x) {
  return f(caf::meta::type_name("logout_req"), x.tenant, x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, presence_req& x) {
  return f(caf::meta::type_name("presence_req"), x.tenant, x.agent, x.away);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submit_req& x) {
  return f(caf::meta::type_name("submit_req"), x.contact);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submit_ack& x) {
  return f(caf::meta::type_name("submit_ack"), x.contact, x.seq, x.enqueued_at);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, accept_req& x) {
  return f(caf::meta::type_name("accept_req"), x.tenant, x.agent, x.contact, x.offer_id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decline_req& x) {
  return f(caf::meta::type_name("decline_req"), x.tenant, x.agent, x.contact, x.offer_id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wrap_up_req& x) {
  return f(caf::meta::type_name("wrap_up_req"), x.tenant, x.agent, x.contact);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, complete_req& x) {
  return f(caf::meta::type_name("complete_req"), x.tenant, x.agent, x.contact, x.result);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, end_contact_req& x) {
  return f(caf::meta::type_name("end_contact_req"), x.tenant, x.contact, x.reason);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, contact_req& x) {
  return f(caf::meta::type_name("contact_req"), x.tenant, x.contact);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_stats_req& x) {
  return f(caf::meta::type_name("tenant_stats_req"), x.tenant);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, find_agent_req& x) {
  return f(caf::meta::type_name("find_agent_req"), x.tenant, x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, find_customer_req& x) {
  return f(caf::meta::type_name("find_customer_req"), x.tenant, x.customer);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, find_queue_req& x) {
  return f(caf::meta::type_name("find_queue_req"), x.tenant, x.queue);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, position_req& x) {
  return f(caf::meta::type_name("position_req"), x.tenant, x.contact);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transfer_req& x) {
  return f(caf::meta::type_name("transfer_req"), x.tenant, x.agent, x.contact, x.to_queue, x.seq,
           x.enqueued_at);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transferred_msg& x) {
  return f(caf::meta::type_name("transferred_msg"), x.agent, x.from, x.to, x.seq, x.enqueued_at);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_queue_msg& x) {
  return f(caf::meta::type_name("rec_queue_msg"), x.queue, x.queue_actor);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_enqueue_req& x) {
  return f(caf::meta::type_name("rec_enqueue_req"), x.contact, x.session);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_restore_connected& x) {
  return f(caf::meta::type_name("rec_restore_connected"), x.contact, x.session);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_login_req& x) {
  return f(caf::meta::type_name("rec_login_req"), x.agent, x.agent_actor);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_expire_msg& x) {
  return f(caf::meta::type_name("rec_expire_msg"), x.agent, x.contact, x.offer_id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_snapshot_req&) {
  return f(caf::meta::type_name("rec_snapshot_req"));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_snapshot& x) {
  return f(caf::meta::type_name("rec_snapshot"), x.queues, x.agents, x.routed, x.connected);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_position_req& x) {
  return f(caf::meta::type_name("rec_position_req"), x.contact);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offered_msg& x) {
  return f(caf::meta::type_name("offered_msg"), x.agent, x.offer_id, x.deadline, x.decision);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, requeued_msg& x) {
  return f(caf::meta::type_name("requeued_msg"), x.reason, x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connected_msg& x) {
  return f(caf::meta::type_name("connected_msg"), x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wrap_up_msg& x) {
  return f(caf::meta::type_name("wrap_up_msg"), x.agent, x.reason);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completed_msg& x) {
  return f(caf::meta::type_name("completed_msg"), x.agent, x.result);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, abandoned_msg& x) {
  return f(caf::meta::type_name("abandoned_msg"), x.reason);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, moved_msg& x) {
  return f(caf::meta::type_name("moved_msg"), x.from, x.to);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offer_msg& x) {
  return f(caf::meta::type_name("offer_msg"), x.contact, x.queue, x.customer, x.intent, x.ch,
           x.offer_id, x.deadline, x.timeout_ms);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offer_cancelled_msg& x) {
  return f(caf::meta::type_name("offer_cancelled_msg"), x.contact, x.offer_id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offer_timeout_msg& x) {
  return f(caf::meta::type_name("offer_timeout_msg"), x.contact, x.offer_id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_away_msg& x) {
  return f(caf::meta::type_name("agent_away_msg"), x.reason);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_event_msg& x) {
  return f(caf::meta::type_name("queue_event_msg"), x.kind, x.value);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_stats_req&) {
  return f(caf::meta::type_name("queue_stats_req"));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_ended_msg& x) {
  return f(caf::meta::type_name("session_ended_msg"), x.tenant, x.contact);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_connection_req& x) {
  return f(caf::meta::type_name("agent_connection_req"), x.tenant, x.agent, x.connected);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, customer_connection_req& x) {
  return f(caf::meta::type_name("customer_connection_req"), x.tenant, x.contact, x.connected);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_req& x) {
  return f(caf::meta::type_name("message_req"), x.tenant, x.contact, x.agent, x.text, x.id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transcript_req& x) {
  return f(caf::meta::type_name("transcript_req"), x.tenant, x.contact);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate_req& x) {
  return f(caf::meta::type_name("rate_req"), x.tenant, x.contact, x.csat, x.tip);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_connected_req& x) {
  return f(caf::meta::type_name("rec_connected_req"), x.agent, x.connected);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_agent_lost_req& x) {
  return f(caf::meta::type_name("rec_agent_lost_req"), x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rec_held_req& x) {
  return f(caf::meta::type_name("rec_held_req"), x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_lost_msg& x) {
  return f(caf::meta::type_name("agent_lost_msg"), x.agent);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rated_msg& x) {
  return f(caf::meta::type_name("rated_msg"), x.csat, x.tip);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, customer_grace_msg& x) {
  return f(caf::meta::type_name("customer_grace_msg"), x.gen);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_grace_msg& x) {
  return f(caf::meta::type_name("agent_grace_msg"), x.tenant, x.agent, x.gen);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_query_req& x) {
  return f(caf::meta::type_name("journal_query_req"), x.tenant, x.contact);
}

}  // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::persist_req)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::persist_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::restore_req)
