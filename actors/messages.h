#pragma once

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
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

/// Messages between Switchboard's actors. Plain aggregates that name themselves
/// (`type_name`, their wire name) and list their fields once: the generic `inspect`
/// of actors/inspect.h serializes every field in order. Registered once in
/// `register_types`, so they can cross nodes: ids and handles, never pointers. The
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
  static constexpr char type_name[] = "define_tenant_req";
  engine::tenant_config tenant;
};
struct define_queue_req {
  static constexpr char type_name[] = "define_queue_req";
  engine::queue_config queue;
};
struct define_agent_req {
  static constexpr char type_name[] = "define_agent_req";
  engine::agent_profile agent;
};
struct upsert_customer_req {
  static constexpr char type_name[] = "upsert_customer_req";
  engine::customer_profile customer;
};
struct login_req {
  static constexpr char type_name[] = "login_req";
  std::string tenant;
  std::string agent;
};
struct logout_req {
  static constexpr char type_name[] = "logout_req";
  std::string tenant;
  std::string agent;
};
struct presence_req {
  static constexpr char type_name[] = "presence_req";
  std::string tenant;
  std::string agent;
  bool away = false;
};
/// A new contact; the registry assigns seq and enqueue time. Replies `submit_ack`
/// once the contact is in line and durably journaled.
struct submit_req {
  static constexpr char type_name[] = "submit_req";
  engine::contact contact;
};
/// `node_api::open_contact`: `hints` merged into the customer's profile (written
/// if that changed it), then `contact` submitted; answered with the submit's ack.
struct open_req {
  static constexpr char type_name[] = "open_req";
  engine::contact contact;
  engine::customer_profile hints;
};
struct submit_ack {
  static constexpr char type_name[] = "submit_ack";
  std::string contact;
  std::uint64_t seq = 0;
  engine::time_ms enqueued_at = 0;
};
struct accept_req {
  static constexpr char type_name[] = "accept_req";
  std::string tenant;
  std::string agent;
  std::string contact;
  std::uint64_t offer_id = 0;  ///< 0: whatever offer of this contact the agent holds
};
struct decline_req {
  static constexpr char type_name[] = "decline_req";
  std::string tenant;
  std::string agent;
  std::string contact;
  std::uint64_t offer_id = 0;
};
struct wrap_up_req {
  static constexpr char type_name[] = "wrap_up_req";
  std::string tenant;
  std::string agent;
  std::string contact;
};
struct complete_req {
  static constexpr char type_name[] = "complete_req";
  std::string tenant;
  std::string agent;
  std::string contact;
  engine::outcome result;
};
/// The customer left (hung up, closed the chat). Waiting: abandoned; with an
/// agent: wrap-up.
struct end_contact_req {
  static constexpr char type_name[] = "end_contact_req";
  std::string tenant;
  std::string contact;
  std::string reason;
};
struct contact_req {
  static constexpr char type_name[] = "contact_req";
  std::string tenant;
  std::string contact;
};
struct tenant_stats_req {
  static constexpr char type_name[] = "tenant_stats_req";
  std::string tenant;
};
/// Lookups of a tenant's definitions, answered by its recommender.
struct find_agent_req {
  static constexpr char type_name[] = "find_agent_req";
  std::string tenant;
  std::string agent;
};
struct find_customer_req {
  static constexpr char type_name[] = "find_customer_req";
  std::string tenant;
  std::string customer;
};
struct find_queue_req {
  static constexpr char type_name[] = "find_queue_req";
  std::string tenant;
  std::string queue;
};
/// 0-based place of a waiting contact in its line (-1 when not waiting).
struct position_req {
  static constexpr char type_name[] = "position_req";
  std::string tenant;
  std::string contact;
};
/// A connected contact goes back in line in `to_queue`; the registry assigns its
/// new place (seq, enqueue time), the priority is kept.
struct transfer_req {
  static constexpr char type_name[] = "transfer_req";
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
  static constexpr char type_name[] = "agent_connection_req";
  std::string tenant;
  std::string agent;
  bool connected = false;
};
/// The customer's connection (its gateway) is gone (`connected` false) or back.
/// A customer gone for longer than the node's customer grace period has left.
struct customer_connection_req {
  static constexpr char type_name[] = "customer_connection_req";
  std::string tenant;
  std::string contact;
  bool connected = false;
};
/// A chat line: journaled with the contact, acknowledged once committed, and
/// published as a `message` event. `agent` empty: the customer wrote it.
struct message_req {
  static constexpr char type_name[] = "message_req";
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
  static constexpr char type_name[] = "transcript_req";
  std::string tenant;
  std::string contact;
};
/// The routing decisions of a contact, live or ended, from the journal: sent to
/// the registry (which checks the tenant) and forwarded as it is to the storage
/// actor. Answered with `contact_decisions` (epoch 0: the cluster router sets it).
struct decisions_req {
  static constexpr char type_name[] = "decisions_req";
  std::string tenant;
  std::string contact;
  std::uint32_t limit = 0;  ///< at most this many, the most recent; 0: none
};
/// The customer's rating: accepted while the contact is live and for the node's
/// rating window after it completed; once per contact.
struct rate_req {
  static constexpr char type_name[] = "rate_req";
  std::string tenant;
  std::string contact;
  int csat = 0;     ///< 1..5
  double tip = 0;   ///< >= 0
};

// -- agent actor --------------------------------------------------------------------

struct offer_msg {
  static constexpr char type_name[] = "offer_msg";
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
  static constexpr char type_name[] = "offer_cancelled_msg";
  std::string contact;
  std::uint64_t offer_id = 0;
};
struct offer_timeout_msg {
  static constexpr char type_name[] = "offer_timeout_msg";
  std::string contact;
  std::uint64_t offer_id = 0;
};
/// The recommender set the agent away (ring-no-answer).
struct agent_away_msg {
  static constexpr char type_name[] = "agent_away_msg";
  std::string reason;
};

// -- queue actor --------------------------------------------------------------------

enum class queue_event_kind : std::uint8_t { enqueued, answered, abandoned, completed, expired };
struct queue_event_msg {
  static constexpr char type_name[] = "queue_event_msg";
  queue_event_kind kind = queue_event_kind::enqueued;
  engine::time_ms value = 0;  ///< waited or handle time, ms
};
struct queue_stats_req {
  static constexpr char type_name[] = "queue_stats_req";
};

// -- typed interfaces -----------------------------------------------------------------
//
// The actors whose messages will cross nodes in the cluster. Held as these handles
// wherever they are stored, so a message they do not take does not compile.

/// A logged-in agent's actor (`spawn_agent_actor`): offers and cancellations from
/// the recommender, its own offer timers, the agent's answers (delegated to the
/// recommender, which replies), ring-no-answer away changes, and stop.
using agent_iface = caf::typed_actor<
  caf::reacts_to<offer_msg>, caf::reacts_to<offer_cancelled_msg>,
  caf::reacts_to<offer_timeout_msg>, caf::reacts_to<agent_away_msg>,
  caf::replies_to<accept_req>::with<ok_atom>, caf::replies_to<decline_req>::with<ok_atom>,
  caf::replies_to<wrap_up_req>::with<ok_atom>, caf::replies_to<complete_req>::with<ok_atom>,
  caf::replies_to<transfer_req>::with<ok_atom>, caf::reacts_to<stop_atom>>;

/// A queue's statistics actor (`spawn_queue_actor`).
using queue_iface =
  caf::typed_actor<caf::reacts_to<engine::queue_config>, caf::reacts_to<queue_event_msg>,
                   caf::replies_to<queue_stats_req>::with<queue_stats>, caf::reacts_to<stop_atom>>;

// -- recommender ------------------------------------------------------------------

struct rec_queue_msg {
  static constexpr char type_name[] = "rec_queue_msg";
  engine::queue_config queue;
  queue_iface queue_actor;
};
struct rec_enqueue_req {
  static constexpr char type_name[] = "rec_enqueue_req";
  engine::contact contact;
  caf::actor session;
};
/// Recovery: a contact that was with an agent when the node stopped.
struct rec_restore_connected {
  static constexpr char type_name[] = "rec_restore_connected";
  engine::contact contact;
  caf::actor session;
};
struct rec_login_req {
  static constexpr char type_name[] = "rec_login_req";
  std::string agent;
  agent_iface agent_actor;
};
struct rec_expire_msg {
  static constexpr char type_name[] = "rec_expire_msg";
  std::string agent;
  std::string contact;
  std::uint64_t offer_id = 0;
};
struct rec_snapshot_req {
  static constexpr char type_name[] = "rec_snapshot_req";
};
struct rec_snapshot {
  static constexpr char type_name[] = "rec_snapshot";
  std::vector<engine::queue_snapshot> queues;
  std::vector<engine::agent_snapshot> agents;
  std::uint64_t routed = 0;
  std::uint64_t connected = 0;
  std::vector<engine::risk_alert> alerts;  ///< the most recent, oldest first
  std::uint64_t alerts_raised = 0;
  std::vector<engine::experiment_report> experiments;
  std::uint64_t batch_offers = 0;
  std::uint64_t guarded_offers = 0;
};
struct rec_position_req {
  static constexpr char type_name[] = "rec_position_req";
  std::string contact;
};
/// The agent's connection dropped or came back (no journal record: presence only).
struct rec_connected_req {
  static constexpr char type_name[] = "rec_connected_req";
  std::string agent;
  bool connected = false;
};
/// The agent's grace period ran out: release its work (`routing_domain::release_agent`).
struct rec_agent_lost_req {
  static constexpr char type_name[] = "rec_agent_lost_req";
  std::string agent;
};
/// The contacts an agent holds, for a reconnecting edge.
struct rec_held_req {
  static constexpr char type_name[] = "rec_held_req";
  std::string agent;
};

// -- session ------------------------------------------------------------------------

struct offered_msg {
  static constexpr char type_name[] = "offered_msg";
  std::string agent;
  std::uint64_t offer_id = 0;
  engine::time_ms deadline = 0;
  engine::routing_decision decision;
  engine::customer_profile customer;  ///< the contact's customer (empty id: none)
};
/// The contact is back in line at its original place.
struct requeued_msg {
  static constexpr char type_name[] = "requeued_msg";
  engine::event_type reason = engine::event_type::offer_declined;
  std::string agent;
};
struct connected_msg {
  static constexpr char type_name[] = "connected_msg";
  std::string agent;
};
struct wrap_up_msg {
  static constexpr char type_name[] = "wrap_up_msg";
  std::string agent;
  std::string reason;  ///< why, when not the agent's own request (e.g. customer_left)
};
struct completed_msg {
  static constexpr char type_name[] = "completed_msg";
  std::string agent;
  engine::outcome result;
};
struct abandoned_msg {
  static constexpr char type_name[] = "abandoned_msg";
  std::string reason;
};
struct moved_msg {
  static constexpr char type_name[] = "moved_msg";
  std::string from;
  std::string to;
};
/// Its agent was lost: the contact is back in line at its original place.
struct agent_lost_msg {
  static constexpr char type_name[] = "agent_lost_msg";
  std::string agent;
};
/// The customer rated the service (journaled by the session).
struct rated_msg {
  static constexpr char type_name[] = "rated_msg";
  int csat = 0;
  double tip = 0;
};
/// A customer-absence timer of a session fired (stale when `gen` moved on).
struct customer_grace_msg {
  static constexpr char type_name[] = "customer_grace_msg";
  std::uint64_t gen = 0;
};
/// An agent-absence timer of the registry fired (stale when `gen` moved on).
struct agent_grace_msg {
  static constexpr char type_name[] = "agent_grace_msg";
  std::string tenant;
  std::string agent;
  std::uint64_t gen = 0;
};

/// The agent transferred the contact: it waits in `to` with a new place in line.
struct transferred_msg {
  static constexpr char type_name[] = "transferred_msg";
  std::string agent;
  std::string from;
  std::string to;
  std::uint64_t seq = 0;
  engine::time_ms enqueued_at = 0;
};

// -- registry bookkeeping -----------------------------------------------------------

struct session_ended_msg {
  static constexpr char type_name[] = "session_ended_msg";
  std::string tenant;
  std::string contact;
  /// Its opening was refused (never acknowledged): the id may be opened again.
  bool refused = false;
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
/// Cluster handoff (actors/cluster.h). The registry stops the tenant here (every
/// actor of it) and answers its stored state once every write of it is committed.
struct export_tenant_req {
  static constexpr char type_name[] = "export_tenant_req";
  std::string tenant;
};
/// The registry takes a tenant's state (from its previous owner, or its own after
/// a handoff failed): any live state of it here is stopped, the snapshot replaces
/// its stored state durably, then its contacts start again in their order.
struct import_tenant_req {
  static constexpr char type_name[] = "import_tenant_req";
  storage::snapshot snap;
};
/// The tenant's new owner has it: its live contacts are deleted from this node's
/// store, so a restart here does not bring them back.
struct drop_tenant_req {
  static constexpr char type_name[] = "drop_tenant_req";
  std::string tenant;
};
/// Storage actor: commits what is pending, then reads one tenant (store::load).
struct load_tenant_req {
  static constexpr char type_name[] = "load_tenant_req";
  std::string tenant;
};
/// Storage actor: commits what is pending, then store::replace_tenant.
struct replace_tenant_req {
  static constexpr char type_name[] = "replace_tenant_req";
  std::string tenant;
  storage::snapshot snap;
};
/// Reads the journal of one contact (storage actor).
struct journal_query_req {
  static constexpr char type_name[] = "journal_query_req";
  std::string tenant;
  std::string contact;
};

}  // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::persist_req)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::persist_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::restore_req)
