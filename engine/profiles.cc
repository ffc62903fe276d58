#include "engine/profiles.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <type_traits>

namespace switchboard::engine {

namespace {

status bad(errc code, std::string what) {
  return make_error(code, std::move(what));
}

bool valid_proficiency(int p) {
  return p >= 0 && p <= max_proficiency;
}

/// "`what`: `field` must be lo..hi, got v" for a field outside its range.
template <class T>
status in_range(const std::string& what, const char* field, T v, T lo, T hi) {
  if (v >= lo && v <= hi)
    return {};
  auto str = [](T x) {
    if constexpr (std::is_floating_point_v<T>) {
      std::ostringstream os;
      os << x;
      return os.str();
    } else {
      return std::to_string(x);
    }
  };
  return bad(errc::invalid_argument,
             what + ": " + field + " must be " + str(lo) + ".." + str(hi) + ", got " + str(v));
}

/// A finite amount in 0..limits::max_amount (NaN fails every comparison).
status amount(const std::string& what, const char* field, double v) {
  return in_range(what, field, v, 0.0, limits::max_amount);
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

namespace {

/// Every weight of an objective is 0..max_score_weight (a tenant's, a queue's own).
status objective_in_range(const std::string& what, const objective_weights& o) {
  for (double v : {o.resolution, o.sale, o.csat, o.handle_time, o.complaint, o.deescalation,
                   o.purchase})
    if (auto s = in_range(what, "objective weights", v, 0.0, limits::max_score_weight); !s)
      return s;
  return {};
}

}  // namespace

status validate(const tenant_config& x) {
  if (!valid_id(x.id))
    return bad(errc::invalid_argument, "tenant id '" + x.id + "' is not a valid id");
  auto what = "tenant " + x.id;
  if (auto s = in_range(what, "decline_cooldown_ms", x.decline_cooldown, time_ms{0},
                        limits::max_decline_cooldown_ms);
      !s)
    return s;
  if (auto s = in_range(what, "ring_no_answer_limit", x.ring_no_answer_limit, std::uint32_t{1},
                        limits::max_ring_no_answer_limit);
      !s)
    return s;
  const auto& w = x.weights;
  for (double v : {w.skill, w.affinity, w.value, w.fairness, w.aging})
    if (auto s = in_range(what, "score weights", v, 0.0, limits::max_score_weight); !s)
      return s;
  if (auto s = objective_in_range(what, x.objective); !s)
    return s;
  if (auto s = in_range(what, "fairness_bound", x.fairness_bound, 0.0, 1.0); !s)
    return s;
  if (auto s = in_range(what, "manager_wait_ms", x.manager_wait, time_ms{0}, limits::max_wait_ms); !s)
    return s;
  if (auto s = in_range(what, "team_wait_ms", x.team_wait, time_ms{0}, limits::max_wait_ms); !s)
    return s;
  for (auto l : x.min_level_by_tier)
    if (static_cast<int>(l) > static_cast<int>(agent_level::expert))
      return bad(errc::invalid_argument, what + ": min_level_by_tier holds an unknown level");
  if (auto s = in_range(what, "complaint_alert", x.complaint_alert, 0.0, 1.0); !s)
    return s;
  if (auto s = in_range(what, "repeat_window_ms", x.repeat_window, time_ms{0},
                        limits::max_repeat_window_ms);
      !s)
    return s;
  if (x.experiment.slice != 0) {
    if (auto s = in_range(what, "experiment slice_ms", x.experiment.slice,
                          limits::min_experiment_slice_ms, limits::max_experiment_slice_ms);
        !s)
      return s;
    if (x.experiment.baseline == policy_kind::profile)
      return bad(errc::invalid_argument, what + ": the experiment's baseline must not be profile");
  }
  return {};
}

status validate(const queue_config& x) {
  if (!valid_id(x.tenant) || !valid_id(x.id))
    return bad(errc::invalid_argument, "queue '" + x.id + "' of tenant '" + x.tenant + "': invalid id");
  if (static_cast<int>(x.min_level) > static_cast<int>(agent_level::expert))
    return bad(errc::invalid_argument, "queue " + x.id + ": unknown min_level");
  if (x.own_objective)
    if (auto s = objective_in_range("queue " + x.id, x.objective); !s)
      return s;
  for (const auto& s : x.skills) {
    if (s.skill.empty())
      return bad(errc::invalid_argument, "queue " + x.id + ": empty skill name");
    if (!valid_proficiency(s.min_proficiency))
      return bad(errc::invalid_proficiency,
                 "queue " + x.id + ": min proficiency of " + s.skill + " must be 0..100");
  }
  if ((x.channel_mask & 0x7f) == 0)
    return bad(errc::invalid_argument, "queue " + x.id + ": accepts no channel");
  auto what = "queue " + x.id;
  if (auto s = in_range(what, "priority", x.priority, -limits::max_queue_priority,
                        limits::max_queue_priority);
      !s)
    return s;
  if (auto s = in_range(what, "service_level_target", x.sl_target, 0.0, 1.0); !s)
    return s;
  if (auto s = in_range(what, "service_level_threshold_ms", x.sl_threshold, time_ms{1},
                        limits::max_sl_threshold_ms);
      !s)
    return s;
  if (auto s = in_range(what, "offer_timeout_ms", x.offer_timeout, limits::min_offer_timeout_ms,
                        limits::max_offer_timeout_ms);
      !s)
    return s;
  if (auto s = in_range(what, "max_wait_ms", x.max_wait, time_ms{0}, limits::max_wait_ms); !s)
    return s;
  if (auto s = in_range(what, "max_waiting", x.max_waiting, std::uint32_t{0}, limits::max_waiting);
      !s)
    return s;
  if (auto s = in_range(what, "overflow steps", x.overflow.size(), std::size_t{0},
                        limits::max_overflow_steps);
      !s)
    return s;
  time_ms last = -1;
  for (const auto& s : x.overflow) {
    if (auto r = in_range(what, "overflow after_ms", s.after, time_ms{0}, limits::max_wait_ms); !r)
      return r;
    if (s.after < last)
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
  if (auto s = amount("agent " + x.id, "tips", x.tips); !s)
    return s;
  if (!x.team.empty() && !valid_id(x.team))
    return bad(errc::invalid_argument, "agent " + x.id + ": invalid team id");
  return {};
}

status validate(const customer_profile& x) {
  if (!valid_id(x.tenant) || !valid_id(x.id))
    return bad(errc::invalid_argument, "customer '" + x.id + "': invalid id");
  if (x.tier < 0 || x.tier > 5)
    return bad(errc::invalid_argument, "customer " + x.id + ": tier must be 0..5");
  if (auto s = amount("customer " + x.id, "arpu", x.arpu); !s)
    return s;
  for (double r : {x.complaint_risk, x.churn_risk})
    if (!(r >= 0 && r <= 1))
      return bad(errc::invalid_argument, "customer " + x.id + ": risks must be 0..1");
  return {};
}

status validate(const outcome& x) {
  if (x.csat < 0 || x.csat > 5)
    return bad(errc::invalid_argument, "outcome: csat must be 0 (unrated) or 1..5");
  if (auto s = amount("outcome", "sale_amount", x.sale_amount); !s)
    return s;
  if (auto s = amount("outcome", "tip", x.tip); !s)
    return s;
  return {};
}

}  // namespace switchboard::engine
