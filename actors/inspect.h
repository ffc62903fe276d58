#pragma once

#include <boost/pfr/core.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>
#include <concepts>
#include <cstdint>
#include <tuple>
#include <type_traits>

#include "engine/contact.h"
#include "engine/journal.h"
#include "engine/profiles.h"
#include "engine/routing_domain.h"
#include "storage/store.h"

/// How records travel in CAF messages (and across nodes): every field of a plain
/// aggregate, in declaration order (Boost.PFR reads them), under the record's name.
/// A record's fields are therefore listed once, in its struct.
namespace switchboard::actors {

/// The name a record carries in CAF: its `caf::meta::type_name`, and `sb.<name>`
/// when registered (`register_types`). Our own structs say it themselves with
/// `static constexpr char type_name[] = "...";`; engine records, which must stay
/// free of CAF, get a specialization below. The names are the wire names: they
/// must not change when a type is renamed.
template <class T>
struct wire_name {};

template <class T>
  requires requires { T::type_name; }
struct wire_name<T> {
  static constexpr const char* value = T::type_name;
};

/// A record that travels field by field with the generic `inspect` below.
template <class T>
concept wire_record = std::is_aggregate_v<T> && requires {
  { wire_name<T>::value } -> std::convertible_to<const char*>;
};

namespace wire {

/// The one `inspect` of every wire record: its name, then all its fields. Found by
/// ADL through the using-declarations in the records' namespaces. A record that
/// needs more (a load callback) has its own, more specialized overload.
template <class Inspector, wire_record T>
typename Inspector::result_type inspect(Inspector& f, T& x) {
  return std::apply(
    [&](auto&... fields) { return f(caf::meta::type_name(wire_name<T>::value), fields...); },
    boost::pfr::structure_tie(x));
}

}  // namespace wire

// The namespaces of wire records (engine's is below) see the generic inspect.
using wire::inspect;

/// The engine records' names, specialized here so engine/ stays free of CAF.
template <> struct wire_name<engine::score_weights> { static constexpr const char* value = "score_weights"; };
template <> struct wire_name<engine::objective_weights> { static constexpr const char* value = "objective_weights"; };
template <> struct wire_name<engine::tenant_config> { static constexpr const char* value = "tenant_config"; };
template <> struct wire_name<engine::experiment_config> { static constexpr const char* value = "experiment_config"; };
template <> struct wire_name<engine::experiment_report> { static constexpr const char* value = "experiment_report"; };
template <> struct wire_name<engine::risk_alert> { static constexpr const char* value = "risk_alert"; };
template <> struct wire_name<engine::skill_requirement> { static constexpr const char* value = "skill_requirement"; };
template <> struct wire_name<engine::overflow_step> { static constexpr const char* value = "overflow_step"; };
template <> struct wire_name<engine::queue_config> { static constexpr const char* value = "queue_config"; };
template <> struct wire_name<engine::agent_skill> { static constexpr const char* value = "agent_skill"; };
template <> struct wire_name<engine::channel_capacity> { static constexpr const char* value = "channel_capacity"; };
template <> struct wire_name<engine::agent_profile> { static constexpr const char* value = "agent_profile"; };
template <> struct wire_name<engine::history_item> { static constexpr const char* value = "history_item"; };
template <> struct wire_name<engine::customer_profile> { static constexpr const char* value = "customer_profile"; };
template <> struct wire_name<engine::outcome> { static constexpr const char* value = "outcome"; };
template <> struct wire_name<engine::outcome_stats> { static constexpr const char* value = "outcome_stats"; };
template <> struct wire_name<engine::learned_record> { static constexpr const char* value = "learned_record"; };
template <> struct wire_name<engine::contact> { static constexpr const char* value = "contact"; };
template <> struct wire_name<engine::score_terms> { static constexpr const char* value = "score_terms"; };
template <> struct wire_name<engine::candidate> { static constexpr const char* value = "candidate"; };
template <> struct wire_name<engine::routing_decision> { static constexpr const char* value = "routing_decision"; };
template <> struct wire_name<engine::queue_snapshot> { static constexpr const char* value = "queue_snapshot"; };
template <> struct wire_name<engine::agent_snapshot> { static constexpr const char* value = "agent_snapshot"; };
template <> struct wire_name<storage::tenant_learned> { static constexpr const char* value = "tenant_learned"; };
template <> struct wire_name<storage::snapshot> { static constexpr const char* value = "tenant_snapshot"; };
template <> struct wire_name<storage::write_batch> { static constexpr const char* value = "write_batch"; };
template <> struct wire_name<engine::journal_event> { static constexpr const char* value = "journal_event"; };

}  // namespace switchboard::actors

namespace switchboard {
using actors::wire::inspect;
}  // namespace switchboard

namespace switchboard::storage {
using actors::wire::inspect;
}  // namespace switchboard::storage

namespace switchboard::engine {

using actors::wire::inspect;

/// Explicit because CAF 0.17 has no std::optional support: the preferred channel
/// travels as an int, -1 for none, restored by a load callback.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, customer_profile& x) {
  std::int16_t preferred = x.preferred_channel ? static_cast<std::int16_t>(*x.preferred_channel) : -1;
  auto restore = caf::meta::load_callback([&]() -> caf::error {
    if (preferred < 0)
      x.preferred_channel.reset();
    else
      x.preferred_channel = static_cast<channel>(preferred);
    return caf::none;
  });
  return f(caf::meta::type_name(actors::wire_name<customer_profile>::value), x.tenant, x.id,
           x.tier, x.arpu, x.segments, x.language, x.region, x.account_manager, x.last_agent,
           x.history, x.complaint_risk, x.churn_risk, x.purchase_intents, preferred, restore);
}

/// Explicit for the same reason: the optional outcome and decision travel as a
/// flag and a value (a cluster ships journal events to a standby).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_event& x) {
  bool has_result = x.result.has_value();
  bool has_decision = x.decision.has_value();
  outcome result = has_result ? *x.result : outcome{};
  routing_decision decision = has_decision ? *x.decision : routing_decision{};
  auto restore = caf::meta::load_callback([&]() -> caf::error {
    if (has_result)
      x.result = std::move(result);
    else
      x.result.reset();
    if (has_decision)
      x.decision = std::move(decision);
    else
      x.decision.reset();
    return caf::none;
  });
  return f(caf::meta::type_name(actors::wire_name<journal_event>::value), x.seq, x.at, x.tenant,
           x.contact, x.type, x.from, x.to, x.queue, x.agent, has_result, result, has_decision,
           decision, x.detail, restore);
}

}  // namespace switchboard::engine
