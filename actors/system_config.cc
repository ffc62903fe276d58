#include "actors/system_config.h"

#include <caf/all.hpp>

#include "actors/errors.h"
#include "actors/event.h"
#include "actors/messages.h"
#include "actors/registry_actor.h"

namespace switchboard::actors {

void register_types(caf::actor_system_config& cfg) {
  using namespace switchboard::engine;
  cfg.add_message_type<tenant_config>("sb.tenant_config")
    .add_message_type<queue_config>("sb.queue_config")
    .add_message_type<agent_profile>("sb.agent_profile")
    .add_message_type<customer_profile>("sb.customer_profile")
    .add_message_type<contact>("sb.contact")
    .add_message_type<outcome>("sb.outcome")
    .add_message_type<routing_decision>("sb.routing_decision")
    .add_message_type<queue_snapshot>("sb.queue_snapshot")
    .add_message_type<agent_snapshot>("sb.agent_snapshot")
    .add_message_type<learned_record>("sb.learned_record")
    .add_message_type<std::vector<learned_record>>("sb.learned_records")
    .add_message_type<switchboard::event>("sb.event")
    .add_message_type<define_tenant_req>("sb.define_tenant_req")
    .add_message_type<define_queue_req>("sb.define_queue_req")
    .add_message_type<define_agent_req>("sb.define_agent_req")
    .add_message_type<upsert_customer_req>("sb.upsert_customer_req")
    .add_message_type<login_req>("sb.login_req")
    .add_message_type<logout_req>("sb.logout_req")
    .add_message_type<presence_req>("sb.presence_req")
    .add_message_type<submit_req>("sb.submit_req")
    .add_message_type<submit_ack>("sb.submit_ack")
    .add_message_type<accept_req>("sb.accept_req")
    .add_message_type<decline_req>("sb.decline_req")
    .add_message_type<wrap_up_req>("sb.wrap_up_req")
    .add_message_type<complete_req>("sb.complete_req")
    .add_message_type<end_contact_req>("sb.end_contact_req")
    .add_message_type<contact_req>("sb.contact_req")
    .add_message_type<tenant_stats_req>("sb.tenant_stats_req")
    .add_message_type<queue_stats>("sb.queue_stats")
    .add_message_type<tenant_stats>("sb.tenant_stats")
    .add_message_type<agent_info>("sb.agent_info")
    .add_message_type<find_agent_req>("sb.find_agent_req")
    .add_message_type<find_customer_req>("sb.find_customer_req")
    .add_message_type<find_queue_req>("sb.find_queue_req")
    .add_message_type<position_req>("sb.position_req")
    .add_message_type<transfer_req>("sb.transfer_req")
    .add_message_type<transferred_msg>("sb.transferred_msg")
    .add_message_type<rec_queue_msg>("sb.rec_queue_msg")
    .add_message_type<rec_enqueue_req>("sb.rec_enqueue_req")
    .add_message_type<rec_restore_connected>("sb.rec_restore_connected")
    .add_message_type<rec_login_req>("sb.rec_login_req")
    .add_message_type<rec_expire_msg>("sb.rec_expire_msg")
    .add_message_type<rec_snapshot_req>("sb.rec_snapshot_req")
    .add_message_type<rec_snapshot>("sb.rec_snapshot")
    .add_message_type<rec_position_req>("sb.rec_position_req")
    .add_message_type<offered_msg>("sb.offered_msg")
    .add_message_type<requeued_msg>("sb.requeued_msg")
    .add_message_type<connected_msg>("sb.connected_msg")
    .add_message_type<wrap_up_msg>("sb.wrap_up_msg")
    .add_message_type<completed_msg>("sb.completed_msg")
    .add_message_type<abandoned_msg>("sb.abandoned_msg")
    .add_message_type<moved_msg>("sb.moved_msg")
    .add_message_type<offer_msg>("sb.offer_msg")
    .add_message_type<offer_cancelled_msg>("sb.offer_cancelled_msg")
    .add_message_type<offer_timeout_msg>("sb.offer_timeout_msg")
    .add_message_type<agent_away_msg>("sb.agent_away_msg")
    .add_message_type<queue_event_msg>("sb.queue_event_msg")
    .add_message_type<queue_stats_req>("sb.queue_stats_req")
    .add_message_type<session_ended_msg>("sb.session_ended_msg")
    .add_message_type<restored_contact>("sb.restored_contact")
    .add_message_type<restore_report>("sb.restore_report")
    .add_message_type<held_contact>("sb.held_contact")
    .add_message_type<chat_line>("sb.chat_line")
    .add_message_type<std::vector<chat_line>>("sb.chat_lines")
    .add_message_type<agent_connection_req>("sb.agent_connection_req")
    .add_message_type<customer_connection_req>("sb.customer_connection_req")
    .add_message_type<message_req>("sb.message_req")
    .add_message_type<transcript_req>("sb.transcript_req")
    .add_message_type<rate_req>("sb.rate_req")
    .add_message_type<rec_connected_req>("sb.rec_connected_req")
    .add_message_type<rec_agent_lost_req>("sb.rec_agent_lost_req")
    .add_message_type<rec_held_req>("sb.rec_held_req")
    .add_message_type<agent_lost_msg>("sb.agent_lost_msg")
    .add_message_type<rated_msg>("sb.rated_msg")
    .add_message_type<customer_grace_msg>("sb.customer_grace_msg")
    .add_message_type<agent_grace_msg>("sb.agent_grace_msg")
    .add_message_type<journal_query_req>("sb.journal_query_req");
  cfg.add_error_category(actors::error_category, [](std::uint8_t code, caf::atom_value,
                                             const caf::message& ctx) {
    std::string out = "switchboard: ";
    out += engine::to_string(static_cast<engine::errc>(code));
    if (ctx.size() == 1 && ctx.match_element<std::string>(0))
      out += " (" + ctx.get_as<std::string>(0) + ")";
    return out;
  });
}

}  // namespace switchboard::actors
