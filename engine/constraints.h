#pragma once

#include <cstdint>
#include <string_view>

#include "engine/agent.h"
#include "engine/contact.h"
#include "engine/overflow.h"

namespace switchboard::engine {

/// Why an agent cannot take a contact. `none` means eligible.
enum class reject_reason : std::uint8_t {
  none,
  other_tenant,
  unavailable,        ///< offline or away
  no_capacity,        ///< no free capacity on the contact's channel
  language,
  missing_skill,
  proficiency,        ///< below the minimum of the current overflow step
  crowd_not_admitted, ///< crowdsourced agent before the admit-crowd step
  just_declined,      ///< this agent declined or let the offer expire, within the tenant's decline_cooldown
  level,              ///< below the least level of the queue or of the customer's tier
  reserved,           ///< held for the customer's dedicated manager, then its team, for a bounded wait
};

std::string_view to_string(reject_reason r);

/// Hard constraints of a (contact, agent) pair under the queue's current step.
reject_reason check_eligibility(const contact& c, const queue_config& q, const step_view& step,
                                const agent_profile& a, const agent_runtime& rt);

/// Effective minimum proficiency of a requirement under a step.
int effective_min(const skill_requirement& r, const step_view& step);

}  // namespace switchboard::engine
