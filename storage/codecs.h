#pragma once

#include <string>
#include <string_view>

#include "engine/contact.h"
#include "engine/error.h"
#include "engine/journal.h"
#include "engine/learned_stats.h"
#include "engine/profiles.h"
#include "engine/routing_domain.h"
#include "proto/switchboard.pb.h"
#include "storage/errors.h"

/// Conversions between engine records and their protobuf messages. Pure functions
/// without state; used by the store and by the network edge.
///
/// Conventions:
/// - Engine enums are 0-based; proto enums are the engine value + 1, with 0 meaning
///   UNSPECIFIED. Decoding rejects UNSPECIFIED and unknown values with
///   errors::corrupt_record, except `CustomerProfile.preferred_channel`, where
///   UNSPECIFIED means "no preference" (std::nullopt).
/// - `to_proto` never fails. `from_proto` checks only what the wire can get wrong
///   (enums, duplicates); domain rules stay with `engine::validate`.
/// - `encode` serializes; `decode_xxx` parses and converts, and names the record in
///   the message of a failure.
///
/// Lossy fields, because the schema has no place for them:
/// - `routing_decision::agent_triggered` is not stored (decodes as false).
/// - `channel_capacity` entries with `max == 0` are not written (decode as {0,false}).
namespace switchboard::storage {

// -- protobuf messages ------------------------------------------------------

pb::Tenant to_proto(const engine::tenant_config& x);
pb::Queue to_proto(const engine::queue_config& x);
pb::AgentProfile to_proto(const engine::agent_profile& x);
pb::CustomerProfile to_proto(const engine::customer_profile& x);
pb::Contact to_proto(const engine::contact& x);
pb::Outcome to_proto(const engine::outcome& x);
pb::RoutingDecision to_proto(const engine::routing_decision& x);
/// The event type is stored as its name (`engine::to_string(event_type)`).
pb::JournalEvent to_proto(const engine::journal_event& x);
/// The agent is not part of the message: the store keeps it in the key.
pb::OutcomeStats to_proto(const engine::learned_record& x);

[[nodiscard]] engine::result<engine::tenant_config> from_proto(const pb::Tenant& m);
[[nodiscard]] engine::result<engine::queue_config> from_proto(const pb::Queue& m);
[[nodiscard]] engine::result<engine::agent_profile> from_proto(const pb::AgentProfile& m);
[[nodiscard]] engine::result<engine::customer_profile> from_proto(const pb::CustomerProfile& m);
[[nodiscard]] engine::result<engine::contact> from_proto(const pb::Contact& m);
[[nodiscard]] engine::result<engine::outcome> from_proto(const pb::Outcome& m);
[[nodiscard]] engine::result<engine::routing_decision> from_proto(const pb::RoutingDecision& m);
[[nodiscard]] engine::result<engine::journal_event> from_proto(const pb::JournalEvent& m);
/// A learned record of `agent` (the message itself has no agent field).
[[nodiscard]] engine::result<engine::learned_record> from_proto(const pb::OutcomeStats& m,
                                                                std::string agent);

// -- bytes ------------------------------------------------------------------

/// Serialized `to_proto(x)`.
std::string encode(const engine::tenant_config& x);
std::string encode(const engine::queue_config& x);
std::string encode(const engine::agent_profile& x);
std::string encode(const engine::customer_profile& x);
std::string encode(const engine::contact& x);
std::string encode(const engine::outcome& x);
std::string encode(const engine::routing_decision& x);
std::string encode(const engine::journal_event& x);
std::string encode(const engine::learned_record& x);

/// Parses and converts; unparsable bytes or bad enums give errors::corrupt_record.
[[nodiscard]] engine::result<engine::tenant_config> decode_tenant(std::string_view bytes);
[[nodiscard]] engine::result<engine::queue_config> decode_queue(std::string_view bytes);
[[nodiscard]] engine::result<engine::agent_profile> decode_agent(std::string_view bytes);
[[nodiscard]] engine::result<engine::customer_profile> decode_customer(std::string_view bytes);
[[nodiscard]] engine::result<engine::contact> decode_contact(std::string_view bytes);
[[nodiscard]] engine::result<engine::outcome> decode_outcome(std::string_view bytes);
[[nodiscard]] engine::result<engine::routing_decision> decode_decision(std::string_view bytes);
[[nodiscard]] engine::result<engine::journal_event> decode_journal_event(std::string_view bytes);
[[nodiscard]] engine::result<engine::learned_record> decode_learned(std::string_view bytes,
                                                                    std::string agent);

// -- checks ---------------------------------------------------------------

/// Checks that every `string` field of `m` (recursively) is valid UTF-8. Proto3
/// parsing rejects anything else, so a record failing this could be written but
/// never read back. Gives errc::invalid_argument naming `record` and the field.
[[nodiscard]] engine::status check_utf8(const google::protobuf::Message& m,
                                        std::string_view record);

/// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code
/// points above U+10FFFF), the rule protobuf enforces.
bool valid_utf8(std::string_view s);

// -- enums ------------------------------------------------------------------

pb::Channel to_proto(engine::channel x);
pb::ContactState to_proto(engine::contact_state x);
pb::AgentLevel to_proto(engine::agent_level x);
pb::RoutingPolicy to_proto(engine::policy_kind x);

/// The engine value of a proto enum, or errors::corrupt_record for UNSPECIFIED and
/// unknown values. `what` names the field in the error message.
[[nodiscard]] engine::result<engine::channel> channel_from_proto(int v, std::string_view what);
[[nodiscard]] engine::result<engine::contact_state> state_from_proto(int v,
                                                                     std::string_view what);
[[nodiscard]] engine::result<engine::agent_level> level_from_proto(int v, std::string_view what);
[[nodiscard]] engine::result<engine::policy_kind> policy_from_proto(int v,
                                                                   std::string_view what);

}  // namespace switchboard::storage
