#include "bench/scenario/scenario.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

namespace switchboard::bench {
namespace {

using engine::errc;
using engine::error;
using engine::status;

// Tenant used to validate queue and agent records; the runner puts its own.
constexpr std::string_view check_tenant = "bench";

error bad(const std::string& path, const std::string& what) {
  return engine::make_error(errc::invalid_argument, path + ": " + what);
}

std::string at(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

bool finite_at_least(double x, double min) {
  return std::isfinite(x) && x >= min;
}

// A per-period array has one element (all periods) or one per period.
status check_per_period(const std::string& path, std::size_t size, std::size_t periods) {
  if (size == 0)
    return bad(path, "must have at least one element");
  if (size != 1 && size != periods)
    return bad(path, "has " + std::to_string(size) + " elements; must have 1 or " +
                       std::to_string(periods) + " (one per period)");
  return {};
}

status check_dist(const std::string& path, const duration_dist& d, std::size_t periods,
                  bool required) {
  if (d.type == duration_dist::kind::none) {
    if (required)
      return bad(path, "a distribution is required (fixed, exponential or lognormal)");
    return {};
  }
  if (auto st = check_per_period(path + ".mean_s", d.mean_s.size(), periods); !st)
    return st;
  for (std::size_t i = 0; i < d.mean_s.size(); ++i)
    if (!(std::isfinite(d.mean_s[i]) && d.mean_s[i] > 0))
      return bad(at(path + ".mean_s", i), "must be > 0");
  if (d.type == duration_dist::kind::lognormal && !(std::isfinite(d.cv) && d.cv > 0))
    return bad(path + ".cv", "must be > 0 for a lognormal distribution");
  return {};
}

status check_id(const std::string& path, const std::string& id) {
  if (!engine::valid_id(id))
    return bad(path, "'" + id + "' is not a valid id (1..128 printable characters, no "
                     "spaces or '/')");
  return {};
}

// Engine validation errors carry their own text; they become invalid_argument
// prefixed by the path of the record.
status engine_check(const std::string& path, status st) {
  if (st)
    return {};
  return bad(path, st.err().message);
}

// Most relaxed rules a queue ever applies: the lowest proficiency cap of its steps
// and whether crowd agents get in at some point.
struct relaxed_rules {
  int min_cap = -1;
  bool admit_crowd = false;
};

relaxed_rules relaxed(const engine::queue_config& q) {
  relaxed_rules r{-1, q.admit_crowd};
  for (const auto& s : q.overflow) {
    if (s.min_proficiency >= 0)
      r.min_cap = r.min_cap < 0 ? s.min_proficiency : std::min(r.min_cap, s.min_proficiency);
    r.admit_crowd = r.admit_crowd || s.admit_crowd;
  }
  return r;
}

int proficiency_of(const agent_group& g, const std::string& skill) {
  for (const auto& s : g.skills)
    if (s.name == skill)
      return s.proficiency;
  return -1;
}

bool speaks(const agent_group& g, const std::string& language) {
  return language.empty() ||
         std::find(g.languages.begin(), g.languages.end(), language) != g.languages.end();
}

// Can some agent of `g` ever take a contact of type `t` waiting in queue `q`?
bool can_serve(const agent_group& g, const contact_type& t, const engine::queue_config& q) {
  if (g.max_staff() == 0 || g.capacity[engine::index(t.ch)].max == 0 || !speaks(g, t.language))
    return false;
  auto rules = relaxed(q);
  if (g.crowd && !rules.admit_crowd)
    return false;
  for (const auto& req : q.skills) {
    int need = rules.min_cap >= 0 ? std::min(req.min_proficiency, rules.min_cap)
                                  : req.min_proficiency;
    if (proficiency_of(g, req.skill) < need)
      return false;
  }
  return true;
}

status check_periods(const scenario& s) {
  if (s.periods.empty())
    return bad("periods", "at least one period is required");
  for (std::size_t i = 0; i < s.periods.size(); ++i) {
    const auto& p = s.periods[i];
    if (p.name.empty())
      return bad(at("periods", i) + ".name", "must not be empty");
    if (!(std::isfinite(p.duration_s) && p.duration_s > 0))
      return bad(at("periods", i) + ".duration_s", "must be > 0");
  }
  return {};
}

/// Checks a list of named items (`field` of the scenario, items called `what`): not
/// empty, each name a valid id and unique, then `check(item, path)` for the rest.
template <class Item, class Check>
status check_named(const std::vector<Item>& items, const std::string& field,
                   const std::string& what, Check check) {
  if (items.empty())
    return bad(field, "at least one " + what + " is required");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto path = at(field, i);
    if (auto st = check_id(path + ".name", items[i].name); !st)
      return st;
    if (!seen.insert(items[i].name).second)
      return bad(path + ".name", "duplicate " + what + " '" + items[i].name + "'");
    if (auto st = check(items[i], path); !st)
      return st;
  }
  return {};
}

status check_segments(const scenario& s, const std::set<std::string>& group_names) {
  auto check = [&](const auto& x, const std::string& path) -> status {
    if (x.tier < 0 || x.tier > 5)
      return bad(path + ".tier", "must be 0..5");
    if (!finite_at_least(x.arpu, 0))
      return bad(path + ".arpu", "must be >= 0");
    if (!(std::isfinite(x.share) && x.share > 0))
      return bad(path + ".share", "must be > 0");
    if (x.customers == 0)
      return bad(path + ".customers", "must be >= 1");
    if (x.dedicated_manager && x.manager_group.empty())
      return bad(path + ".manager_group", "required when dedicated_manager is true");
    if (!x.manager_group.empty() && !group_names.count(x.manager_group))
      return bad(path + ".manager_group", "unknown group '" + x.manager_group + "'");
    return {};
  };
  return check_named(s.segments, "segments", "segment", check);
}

status check_types(const scenario& s,
                   const std::unordered_map<std::string, std::size_t>& queue_index) {
  auto check = [&](const auto& t, const std::string& path) -> status {
    if (auto st = check_id(path + ".intent", t.intent); !st)
      return st;
    auto q = queue_index.find(t.queue);
    if (q == queue_index.end())
      return bad(path + ".queue", "unknown queue '" + t.queue + "'");
    const auto& queue = s.queues[q->second];
    if (!queue.accepts(t.ch))
      return bad(path + ".channel", "queue '" + t.queue + "' does not accept channel " +
                                        std::string{engine::to_string(t.ch)});
    if (!queue.languages.empty() &&
        std::find(queue.languages.begin(), queue.languages.end(), t.language) ==
          queue.languages.end())
      return bad(path + ".language", "'" + t.language + "' is not a language of queue '" +
                                         t.queue + "'");
    if (auto st = check_per_period(path + ".arrivals_per_hour", t.arrivals_per_hour.size(),
                                   s.periods.size());
        !st)
      return st;
    for (std::size_t k = 0; k < t.arrivals_per_hour.size(); ++k)
      if (!finite_at_least(t.arrivals_per_hour[k], 0))
        return bad(at(path + ".arrivals_per_hour", k), "must be >= 0");
    if (!finite_at_least(t.busyness_shape, 0))
      return bad(path + ".busyness_shape", "must be >= 0 (0: no busyness factor)");
    if (auto st = check_dist(path + ".handle", t.handle, s.periods.size(), true); !st)
      return st;
    if (auto st = check_dist(path + ".patience", t.patience, s.periods.size(), false); !st)
      return st;
    if (auto st = check_dist(path + ".wrap_up", t.wrap_up, s.periods.size(), false); !st)
      return st;
    return {};
  };
  return check_named(s.types, "types", "contact type", check);
}

status check_groups(const scenario& s, const std::set<std::string>& intents,
                    const std::set<std::string>& segments) {
  if (s.groups.empty())
    return bad("groups", "at least one agent group is required");
  std::set<std::string> seen;
  std::uint64_t total_staff = 0;
  for (std::size_t i = 0; i < s.groups.size(); ++i) {
    const auto& g = s.groups[i];
    auto path = at("groups", i);
    if (auto st = check_id(path + ".name", g.name); !st)
      return st;
    if (!seen.insert(g.name).second)
      return bad(path + ".name", "duplicate group '" + g.name + "'");
    std::set<std::string> skills;
    for (const auto& k : g.skills) {
      if (auto st = check_id(path + ".skills", k.name); !st)
        return st;
      if (!skills.insert(k.name).second)
        return bad(path + ".skills." + k.name, "listed twice");
      if (k.proficiency < 0 || k.proficiency > engine::max_proficiency)
        return bad(path + ".skills." + k.name, "proficiency must be 0..100");
    }
    for (std::size_t k = 0; k < g.languages.size(); ++k)
      if (g.languages[k].empty())
        return bad(at(path + ".languages", k), "must not be empty");
    if (auto st = check_per_period(path + ".staffing", g.staffing.size(), s.periods.size()); !st)
      return st;
    total_staff += g.max_staff();
    if (!finite_at_least(g.accept_delay_s, 0))
      return bad(path + ".accept_delay_s", "must be >= 0");
    for (std::size_t k = 0; k < g.truth.size(); ++k) {
      const auto& t = g.truth[k];
      auto tp = at(path + ".truth", k);
      if (t.intent != "*" && !intents.count(t.intent))
        return bad(tp + ".intent", "unknown intent '" + t.intent + "' (no contact type has it)");
      if (t.segment != "*" && !segments.count(t.segment))
        return bad(tp + ".segment", "unknown segment '" + t.segment + "'");
      if (!(t.resolve >= 0 && t.resolve <= 1))
        return bad(tp + ".resolve", "must be 0..1");
      if (!(t.sale >= 0 && t.sale <= 1))
        return bad(tp + ".sale", "must be 0..1");
      if (!(t.csat_mean >= 1 && t.csat_mean <= 5))
        return bad(tp + ".csat_mean", "must be 1..5");
    }
    auto a = g.profile(std::string{check_tenant}, g.name);
    if (auto st = engine_check(path, engine::validate(a)); !st)
      return st;
  }
  if (total_staff == 0)
    return bad("groups", "no agent is ever staffed (every staffing is 0)");
  return {};
}

status check_queues(const scenario& s, const std::set<std::string>& skills,
                    std::unordered_map<std::string, std::size_t>& index) {
  if (s.queues.empty())
    return bad("queues", "at least one queue is required");
  for (std::size_t i = 0; i < s.queues.size(); ++i) {
    auto path = at("queues", i);
    if (auto st = check_id(path + ".id", s.queues[i].id); !st)
      return st;
    if (!index.emplace(s.queues[i].id, i).second)
      return bad(path + ".id", "duplicate queue '" + s.queues[i].id + "'");
  }
  for (std::size_t i = 0; i < s.queues.size(); ++i) {
    const auto& q = s.queues[i];
    auto path = at("queues", i);
    for (const auto& r : q.skills)
      if (!skills.count(r.skill))
        return bad(path + ".skills." + r.skill, "missing skill '" + r.skill +
                                                    "' required by queue '" + q.id +
                                                    "': no agent group has it");
    for (std::size_t k = 0; k < q.overflow.size(); ++k) {
      const auto& target = q.overflow[k].move_to_queue;
      if (!target.empty() && !index.count(target))
        return bad(at(path + ".overflow", k) + ".move_to_queue",
                   "unknown queue '" + target + "'");
    }
    auto copy = q;
    if (copy.tenant.empty())
      copy.tenant = check_tenant;
    if (auto st = engine_check(path, engine::validate(copy)); !st)
      return st;
  }
  return {};
}

// Every contact type must be servable by some group in its queue or in a queue its
// overflow steps move it to; otherwise its contacts could only ever abandon.
status check_reachability(const scenario& s,
                          const std::unordered_map<std::string, std::size_t>& queue_index) {
  std::unordered_map<std::string, std::vector<std::size_t>> by_skill;
  for (std::size_t g = 0; g < s.groups.size(); ++g)
    for (const auto& k : s.groups[g].skills)
      by_skill[k.name].push_back(g);
  std::vector<std::size_t> all(s.groups.size());
  for (std::size_t g = 0; g < all.size(); ++g)
    all[g] = g;
  for (std::size_t i = 0; i < s.types.size(); ++i) {
    const auto& t = s.types[i];
    std::vector<std::size_t> chain{queue_index.at(t.queue)};
    std::set<std::size_t> visited{chain.front()};
    bool served = false;
    for (std::size_t c = 0; c < chain.size() && !served; ++c) {
      const auto& q = s.queues[chain[c]];
      if (q.accepts(t.ch)) {
        const auto& candidates = q.skills.empty() ? all : by_skill[q.skills.front().skill];
        served = std::any_of(candidates.begin(), candidates.end(),
                             [&](std::size_t g) { return can_serve(s.groups[g], t, q); });
      }
      for (const auto& step : q.overflow)
        if (!step.move_to_queue.empty()) {
          auto next = queue_index.at(step.move_to_queue);
          if (visited.insert(next).second)
            chain.push_back(next);
        }
    }
    if (!served)
      return bad(at("types", i), "no agent group can ever serve contact type '" + t.name +
                                     "' (queue '" + t.queue + "', channel " +
                                     std::string{engine::to_string(t.ch)} +
                                     (t.language.empty() ? "" : ", language " + t.language) +
                                     "): check skills, proficiencies, languages, "
                                     "capacity and staffing");
  }
  return {};
}

status check_run(const scenario& s) {
  if (s.replications < 1)
    return bad("replications", "must be >= 1");
  if (s.days < 1)
    return bad("days", "must be >= 1");
  if (!(std::isfinite(s.sl_threshold_s) && s.sl_threshold_s > 0))
    return bad("sl_threshold_s", "must be > 0");
  if (!finite_at_least(s.warmup_s, 0))
    return bad("warmup_s", "must be >= 0");
  if (s.warmup_s >= s.day_s() * s.days)
    return bad("warmup_s", "must be shorter than the run (days x the sum of the periods)");
  if (!(std::isfinite(s.sample_every_s) && s.sample_every_s > 0))
    return bad("sample_every_s", "must be > 0");
  std::set<engine::policy_kind> seen;
  for (std::size_t i = 0; i < s.compare_policies.size(); ++i)
    if (!seen.insert(s.compare_policies[i]).second)
      return bad(at("compare_policies", i), "listed twice");
  const auto& r = s.realtime;
  if (!finite_at_least(r.target_rate, 0))
    return bad("realtime.target_rate", "must be >= 0 (0: as fast as possible)");
  if (!(std::isfinite(r.duration_s) && r.duration_s > 0))
    return bad("realtime.duration_s", "must be > 0");
  if (!r.url.empty() && r.url.rfind("ws://", 0) != 0 && r.url.rfind("wss://", 0) != 0)
    return bad("realtime.url", "must start with ws:// or wss://");
  return {};
}

}  // namespace

engine::result<double> number_parameter(const scenario& s, const std::string& key, double def) {
  auto i = s.parameters.find(key);
  if (i == s.parameters.end() || i->second.empty())
    return def;
  const auto& text = i->second;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v) || v < 0)
    return engine::make_error(errc::invalid_argument,
                              key + ": expected a number >= 0, got '" + text + "'");
  return v;
}

double first_period_rate_per_s(const scenario& s) {
  double rate = 0;
  for (const auto& t : s.types)
    rate += std::max(0.0, t.rate_for(0)) / 3600.0;
  return rate;
}

double drain_seconds(const scenario& s, double time_scale, double max_s) {
  double hold = 0;
  for (const auto& t : s.types)
    hold = std::max(hold, t.handle.mean_for(0) + t.wrap_up.mean_for(0));
  double accept = 0;
  for (const auto& g : s.groups)
    accept = std::max(accept, g.accept_delay_s);
  return std::clamp(5 * (hold + accept) * time_scale + 5, 5.0, max_s);
}

double scenario::day_s() const {
  double total = 0;
  for (const auto& p : periods)
    total += p.duration_s;
  return total;
}

const true_outcome& agent_group::truth_for(const std::string& intent,
                                           const std::string& segment) const {
  static const true_outcome fallback{};
  const true_outcome* best = nullptr;
  int best_score = -1;
  for (const auto& t : truth) {
    bool intent_ok = t.intent == "*" || t.intent == intent;
    bool segment_ok = t.segment == "*" || t.segment == segment;
    if (!intent_ok || !segment_ok)
      continue;
    int score = (t.intent == intent ? 2 : 0) + (t.segment == segment ? 1 : 0);
    if (score > best_score) {
      best = &t;
      best_score = score;
    }
  }
  return best != nullptr ? *best : fallback;
}

std::uint32_t agent_group::max_staff() const {
  std::uint32_t m = 0;
  for (auto n : staffing)
    m = std::max(m, n);
  return m;
}

engine::agent_profile agent_group::profile(const std::string& tenant,
                                           const std::string& id) const {
  engine::agent_profile a;
  a.tenant = tenant;
  a.id = id;
  a.name = id;
  a.skills = skills;
  a.languages = languages;
  a.capacity = capacity;
  a.level = level;
  a.remote = crowd;
  return a;
}

engine::status validate(const scenario& s) {
  if (s.name.empty())
    return bad("name", "must not be empty");
  if (auto st = check_periods(s); !st)
    return st;
  if (s.segments.empty())
    return bad("segments", "at least one segment is required");
  if (s.types.empty())
    return bad("types", "at least one contact type is required");
  if (s.groups.empty())
    return bad("groups", "at least one agent group is required");
  if (s.queues.empty())
    return bad("queues", "at least one queue is required");
  std::set<std::string> group_names, skills, intents, segments;
  for (const auto& g : s.groups) {
    group_names.insert(g.name);
    for (const auto& k : g.skills)
      skills.insert(k.name);
  }
  for (const auto& t : s.types)
    intents.insert(t.intent);
  for (const auto& x : s.segments)
    segments.insert(x.name);
  if (auto st = check_groups(s, intents, segments); !st)
    return st;
  std::unordered_map<std::string, std::size_t> queue_index;
  if (auto st = check_queues(s, skills, queue_index); !st)
    return st;
  if (auto st = check_segments(s, group_names); !st)
    return st;
  if (auto st = check_types(s, queue_index); !st)
    return st;
  if (auto st = check_reachability(s, queue_index); !st)
    return st;
  return check_run(s);
}

}  // namespace switchboard::bench
