#include "engine/profiles.h"

#include <algorithm>
#include <cmath>

namespace switchboard::engine {

namespace {

status bad(errc code, std::string what) {
  return make_error(code, std::move(what));
}

bool valid_proficiency(int p) {
  return p >= 0 && p <= max_proficiency;
}

}  // namespace

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 128)
    return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return c > 0x20 && c < 0x7f && c != '/'; });
}

int agent_profile::proficiency(std::string_view skill) const {
  auto i = std::lower_bound(skills.begin(), skills.end(), skill,
                            [](const agent_skill& s, std::string_view k) { return s.name < k; });
  return i != skills.end() && i->name == skill ? i->proficiency : -1;
}

bool agent_profile::speaks(std::string_view language) const {
  return std::find(languages.begin(), languages.end(), language) != languages.end();
}

std::string_view customer_profile::primary_segment() const {
  return segments.empty() ? std::string_view{"default"} : std::string_view{segments.front()};
}

status validate(const tenant_config& x) {
  if (!valid_id(x.id))
    return bad(errc::invalid_argument, "tenant id '" + x.id + "' is not a valid id");
  if (x.decline_cooldown < 0)
    return bad(errc::invalid_argument, "tenant " + x.id + ": decline_cooldown must be >= 0");
  if (x.ring_no_answer_limit == 0)
    return bad(errc::invalid_argument, "tenant " + x.id + ": ring_no_answer_limit must be >= 1");
  const auto& w = x.weights;
  for (double v : {w.skill, w.affinity, w.value, w.fairness, w.aging})
    if (!std::isfinite(v) || v < 0)
      return bad(errc::invalid_argument, "tenant " + x.id + ": score weights must be finite and >= 0");
  return {};
}

status validate(const queue_config& x) {
  if (!valid_id(x.tenant) || !valid_id(x.id))
    return bad(errc::invalid_argument, "queue '" + x.id + "' of tenant '" + x.tenant + "': invalid id");
  for (const auto& s : x.skills) {
    if (s.skill.empty())
      return bad(errc::invalid_argument, "queue " + x.id + ": empty skill name");
    if (!valid_proficiency(s.min_proficiency))
      return bad(errc::invalid_proficiency,
                 "queue " + x.id + ": min proficiency of " + s.skill + " must be 0..100");
  }
  if ((x.channel_mask & 0x7f) == 0)
    return bad(errc::invalid_argument, "queue " + x.id + ": accepts no channel");
  if (!(x.sl_target >= 0 && x.sl_target <= 1))
    return bad(errc::invalid_argument, "queue " + x.id + ": service-level target must be 0..1");
  if (x.sl_threshold <= 0 || x.offer_timeout <= 0 || x.max_wait < 0)
    return bad(errc::invalid_argument, "queue " + x.id + ": times must be positive");
  time_ms last = -1;
  for (const auto& s : x.overflow) {
    if (s.after < 0 || s.after < last)
      return bad(errc::invalid_argument,
                 "queue " + x.id + ": overflow steps must have increasing, non-negative times");
    last = s.after;
    if (s.min_proficiency != -1 && !valid_proficiency(s.min_proficiency))
      return bad(errc::invalid_proficiency, "queue " + x.id + ": overflow min proficiency must be 0..100 or -1");
    if (s.move_to_queue == x.id)
      return bad(errc::invalid_argument, "queue " + x.id + ": overflow moves to itself");
    if (!s.move_to_queue.empty() && !valid_id(s.move_to_queue))
      return bad(errc::invalid_argument, "queue " + x.id + ": invalid overflow target");
  }
  return {};
}

status validate(agent_profile& x) {
  if (!valid_id(x.tenant) || !valid_id(x.id))
    return bad(errc::invalid_argument, "agent '" + x.id + "' of tenant '" + x.tenant + "': invalid id");
  std::sort(x.skills.begin(), x.skills.end(),
            [](const agent_skill& a, const agent_skill& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < x.skills.size(); ++i) {
    const auto& s = x.skills[i];
    if (s.name.empty())
      return bad(errc::invalid_argument, "agent " + x.id + ": empty skill name");
    if (!valid_proficiency(s.proficiency))
      return bad(errc::invalid_proficiency,
                 "agent " + x.id + ": proficiency of " + s.name + " is " +
                   std::to_string(s.proficiency) + ", must be 0..100");
    if (i > 0 && x.skills[i - 1].name == s.name)
      return bad(errc::invalid_argument, "agent " + x.id + ": skill " + s.name + " listed twice");
  }
  std::uint32_t total = 0;
  for (const auto& c : x.capacity) {
    if (c.max > max_channel_capacity)
      return bad(errc::invalid_capacity,
                 "agent " + x.id + ": channel capacity must be 0.." +
                   std::to_string(max_channel_capacity));
    if (c.exclusive && c.max > 1)
      return bad(errc::invalid_capacity, "agent " + x.id + ": an exclusive channel has capacity 1");
    total += c.max;
  }
  if (total == 0)
    return bad(errc::invalid_capacity, "agent " + x.id + ": no channel capacity at all");
  if (!std::isfinite(x.tips) || x.tips < 0)
    return bad(errc::invalid_argument, "agent " + x.id + ": tips must be >= 0");
  return {};
}

status validate(const customer_profile& x) {
  if (!valid_id(x.tenant) || !valid_id(x.id))
    return bad(errc::invalid_argument, "customer '" + x.id + "': invalid id");
  if (x.tier < 0 || x.tier > 5)
    return bad(errc::invalid_argument, "customer " + x.id + ": tier must be 0..5");
  if (!std::isfinite(x.arpu) || x.arpu < 0)
    return bad(errc::invalid_argument, "customer " + x.id + ": arpu must be >= 0");
  for (double r : {x.complaint_risk, x.churn_risk})
    if (!(r >= 0 && r <= 1))
      return bad(errc::invalid_argument, "customer " + x.id + ": risks must be 0..1");
  return {};
}

status validate(const outcome& x) {
  if (x.csat < 0 || x.csat > 5)
    return bad(errc::invalid_argument, "outcome: csat must be 0 (unrated) or 1..5");
  if (!std::isfinite(x.sale_amount) || x.sale_amount < 0 || !std::isfinite(x.tip) || x.tip < 0)
    return bad(errc::invalid_argument, "outcome: amounts must be >= 0");
  return {};
}

}  // namespace switchboard::engine
