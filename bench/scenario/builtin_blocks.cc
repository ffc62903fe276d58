#include <algorithm>
#include <array>
#include <cmath>

#include "bench/scenario/internal/builtins.h"

// The building blocks the built-in scenarios are made of.
namespace switchboard::bench::builtin {

duration_dist dist(duration_dist::kind k, std::vector<double> mean_s, double cv) {
  duration_dist d;
  d.type = k;
  d.mean_s = std::move(mean_s);
  d.cv = cv;
  return d;
}

duration_dist exponential(double mean_s) {
  return dist(duration_dist::kind::exponential, {mean_s});
}

duration_dist exponential_or_none(double mean_s) {
  return mean_s > 0 ? exponential(mean_s) : duration_dist{};
}

std::uint8_t mask(std::initializer_list<engine::channel> chs) {
  std::uint8_t m = 0;
  for (auto c : chs)
    m |= static_cast<std::uint8_t>(1u << engine::index(c));
  return m;
}

engine::queue_config make_queue(std::string id, std::vector<engine::skill_requirement> skills,
                                std::uint8_t channels, double sl_threshold_s,
                                engine::policy_kind policy) {
  engine::queue_config q;
  q.id = id;
  q.name = std::move(id);
  q.skills = std::move(skills);
  q.channel_mask = channels;
  q.sl_threshold = static_cast<engine::time_ms>(std::llround(sl_threshold_s * 1000));
  q.policy = policy;
  return q;
}

contact_type make_type(std::string name, std::string intent, std::string queue,
                       engine::channel ch, std::string language,
                       std::vector<double> arrivals_per_hour, duration_dist handle,
                       duration_dist patience) {
  contact_type t;
  t.name = std::move(name);
  t.intent = std::move(intent);
  t.queue = std::move(queue);
  t.ch = ch;
  t.language = std::move(language);
  t.arrivals_per_hour = std::move(arrivals_per_hour);
  t.handle = std::move(handle);
  t.patience = std::move(patience);
  return t;
}

agent_group make_group(std::string name, std::vector<engine::agent_skill> skills,
                       std::vector<std::string> languages, std::vector<std::uint32_t> staffing,
                       engine::agent_level level) {
  agent_group g;
  g.name = std::move(name);
  g.skills = std::move(skills);
  g.languages = std::move(languages);
  g.staffing = std::move(staffing);
  g.capacity = {};
  g.capacity[engine::index(engine::channel::voice)] = {1, true};
  g.level = level;
  return g;
}

std::uint32_t scaled(double base, double factor) {
  return static_cast<std::uint32_t>(std::max(1.0, std::round(base * factor)));
}

scenario base(std::string name, std::string description) {
  scenario s;
  s.name = std::move(name);
  s.description = std::move(description);
  s.segments.push_back(segment{"default", 0, 0, 1, false, {}, 1000});
  return s;
}

scenario start(const builtin_def& b, const knobs& k) {
  auto s = base(b.name, b.description);
  if (k.has("replications"))
    s.replications = static_cast<int>(k.count("replications"));
  if (k.has("days"))
    s.days = static_cast<int>(k.count("days"));
  if (k.has("sl_threshold_s"))
    s.sl_threshold_s = k.number("sl_threshold_s");
  if (k.has("hours"))
    s.periods.push_back(period{"day", k.number("hours") * 3600});
  if (k.has("policy"))
    set_policies(s, k.policies("policy"));
  return s;
}

}  // namespace switchboard::bench::builtin
