#pragma once

#include <caf/actor_system_config.hpp>

#include "actors/event.h"
#include "actors/messages.h"
#include "actors/registry_actor.h"
#include "actors/stats.h"

namespace switchboard::actors {

template <class... Ts>
struct type_list {};

/// The records registered under their wire name (`sb.` + `wire_name<T>::value`), in
/// one list, which the round-trip test walks too. Besides these, `register_types`
/// registers the event and two vectors by hand.
using wire_types = type_list<
  engine::tenant_config, engine::queue_config, engine::agent_profile, engine::customer_profile,
  engine::contact, engine::outcome, engine::routing_decision, engine::queue_snapshot,
  engine::agent_snapshot, engine::learned_record, define_tenant_req, define_queue_req,
  define_agent_req, upsert_customer_req, login_req, logout_req, presence_req, submit_req,
  open_req, submit_ack, accept_req, decline_req, wrap_up_req, complete_req, end_contact_req, contact_req,
  tenant_stats_req, queue_stats, tenant_stats, agent_info, find_agent_req, find_customer_req,
  find_queue_req, position_req, transfer_req, transferred_msg, rec_queue_msg, rec_enqueue_req,
  rec_restore_connected, rec_login_req, rec_expire_msg, rec_snapshot_req, rec_snapshot,
  rec_position_req, offered_msg, requeued_msg, connected_msg, wrap_up_msg, completed_msg,
  abandoned_msg, moved_msg, offer_msg, offer_cancelled_msg, offer_timeout_msg, agent_away_msg,
  queue_event_msg, queue_stats_req, session_ended_msg, restored_contact, restore_report,
  held_contact, chat_line, agent_connection_req, customer_connection_req, message_req,
  transcript_req, decisions_req, contact_decisions, rate_req, rec_connected_req,
  rec_agent_lost_req, rec_held_req, agent_lost_msg, rated_msg, customer_grace_msg, agent_grace_msg, journal_query_req, storage::tenant_learned,
  storage::snapshot, export_tenant_req, import_tenant_req, drop_tenant_req, load_tenant_req,
  replace_tenant_req, storage::write_batch>;

/// Registers every Switchboard message type and the error category with `cfg`.
/// Call it once per actor system, on every node (types must match across nodes).
void register_types(caf::actor_system_config& cfg);

}  // namespace switchboard::actors
