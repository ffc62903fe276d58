#include "engine/constraints.h"

#include <algorithm>

namespace switchboard::engine {

std::string_view to_string(reject_reason r) {
  switch (r) {
    case reject_reason::none: return "";
    case reject_reason::other_tenant: return "other_tenant";
    case reject_reason::unavailable: return "unavailable";
    case reject_reason::no_capacity: return "no_capacity";
    case reject_reason::language: return "language";
    case reject_reason::missing_skill: return "missing_skill";
    case reject_reason::proficiency: return "proficiency";
    case reject_reason::crowd_not_admitted: return "crowd_not_admitted";
    case reject_reason::just_declined: return "just_declined";
    case reject_reason::level: return "level";
    case reject_reason::reserved: return "reserved";
  }
  return "invalid";
}

int effective_min(const skill_requirement& r, const step_view& step) {
  return step.min_proficiency_cap >= 0 ? std::min(r.min_proficiency, step.min_proficiency_cap)
                                       : r.min_proficiency;
}

reject_reason check_eligibility(const contact& c, const queue_config& q, const step_view& step,
                                const agent_profile& a, const agent_runtime& rt) {
  if (a.tenant != c.tenant || q.tenant != c.tenant)
    return reject_reason::other_tenant;
  if (!rt.logged_in || rt.away || rt.disconnected)
    return reject_reason::unavailable;
  if (!has_free_capacity(a, rt, c.ch))
    return reject_reason::no_capacity;
  if (!c.language.empty() && !a.speaks(c.language))
    return reject_reason::language;
  for (const auto& req : q.skills) {
    auto p = a.proficiency(req.skill);
    if (p < 0)
      return reject_reason::missing_skill;
    if (p < effective_min(req, step))
      return reject_reason::proficiency;
  }
  if (a.remote && !step.admit_crowd)
    return reject_reason::crowd_not_admitted;
  if (!c.last_declined_by.empty() && c.last_declined_by == a.id)
    return reject_reason::just_declined;
  return reject_reason::none;
}

}  // namespace switchboard::engine
