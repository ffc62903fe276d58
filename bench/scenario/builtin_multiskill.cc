#include <cmath>

#include "bench/scenario/internal/builtins.h"

// multiskill: skills x languages x channels, with overflow to a general queue.
namespace switchboard::bench::builtin {
namespace {

scenario build_multiskill(scenario s, knobs& k) {
  double load = k.number("load");
  double staff = k.number("staff");
  double patience = k.number("patience_s");
  double overflow_s = k.number("overflow_s");
  double move_s = k.number("move_s");
  if (move_s <= overflow_s && !k.err)
    k.err = bad_set("move_s", format_number(move_s), "must be greater than overflow_s (" +
                                                       format_number(overflow_s) + ")");

  using engine::channel;
  const auto voice = channel::voice;
  const auto chat = channel::chat;
  auto add_type = [&](std::string name, std::string intent, channel ch, std::string lang,
                      double rate, double aht) {
    auto t = make_type(name, intent, intent, ch, lang, {rate * load}, exponential(aht),
                       exponential_or_none(patience));
    t.wrap_up = dist(duration_dist::kind::fixed, {10});
    s.types.push_back(std::move(t));
  };
  add_type("billing_en", "billing", voice, "en", 240, 240);
  add_type("billing_es", "billing", voice, "es", 60, 270);
  add_type("tech_en", "tech", voice, "en", 200, 360);
  add_type("tech_chat", "tech", chat, "en", 180, 600);
  add_type("sales_en", "sales", voice, "en", 120, 300);
  add_type("sales_es", "sales", voice, "es", 40, 300);

  auto steps = [&] {
    std::vector<engine::overflow_step> v;
    v.push_back({static_cast<engine::time_ms>(std::llround(overflow_s * 1000)), 40, false, {}});
    v.push_back(
      {static_cast<engine::time_ms>(std::llround(move_s * 1000)), -1, false, "general"});
    return v;
  };
  auto queue = [&](std::string id, std::string skill, std::uint8_t channels,
                   std::vector<std::string> languages) {
    auto q =
      make_queue(std::move(id), {{std::move(skill), 60}}, channels, s.sl_threshold_s, s.policy);
    q.languages = std::move(languages);
    q.overflow = steps();
    s.queues.push_back(std::move(q));
  };
  queue("billing", "billing", mask({voice}), {"en", "es"});
  queue("tech", "tech", mask({voice, chat}), {"en"});
  queue("sales", "sales", mask({voice}), {"en", "es"});
  auto general =
    make_queue("general", {{"general", 30}}, mask({voice, chat}), s.sl_threshold_s, s.policy);
  general.languages = {"en", "es"};
  s.queues.push_back(std::move(general));

  using engine::agent_level;
  auto group = [&](std::string name, std::vector<engine::agent_skill> skills,
                   std::vector<std::string> languages, double n, agent_level level) {
    s.groups.push_back(
      make_group(std::move(name), std::move(skills), std::move(languages), {scaled(n, staff)},
                 level));
    return &s.groups.back();
  };
  group("billing_en", {{"billing", 85}, {"general", 50}}, {"en"}, 17, agent_level::senior);
  group("billing_bilingual", {{"billing", 75}, {"sales", 45}, {"general", 60}}, {"en", "es"}, 7,
        agent_level::junior);
  group("tech_voice", {{"tech", 90}, {"general", 40}}, {"en"}, 22, agent_level::expert)
    ->truth = {{"tech", "*", 0.85, 0.02, 4.3}};
  auto* tc = group("tech_chat", {{"tech", 70}}, {"en"}, 12, agent_level::junior);
  tc->capacity = {};
  tc->capacity[engine::index(chat)] = {3, false};
  tc->truth = {{"tech", "*", 0.7, 0.01, 3.9}};
  group("sales", {{"sales", 85}, {"billing", 45}, {"general", 50}}, {"en", "es"}, 13,
        agent_level::senior)
    ->truth = {{"sales", "*", 0.8, 0.3, 4.1}};
  auto* gen = group("generalists", {{"billing", 50}, {"tech", 50}, {"sales", 50}, {"general", 80}},
                    {"en", "es"}, 10, agent_level::junior);
  gen->capacity[engine::index(chat)] = {2, false};
  gen->truth = {{"*", "*", 0.6, 0.04, 3.7}};
  return s;
}

}  // namespace

builtin_def multiskill_builtin() {
  return {"multiskill",
          "skills x languages x channels: billing, tech, sales and a general overflow queue",
          "Billing, tech support and sales in English and Spanish over voice and chat; "
          "specialist, bilingual and generalist groups; overflow lowers the minimum "
          "proficiency, then moves contacts to a general queue",
          with_run_keys(
            {
              number_key("load", "1", "multiplier on every arrival rate"),
              number_key("staff", "1", "multiplier on every group's staffing", 0, true),
              number_key("hours", "8", "length of a day, hours", 0, true, 24 * 366),
              number_key("patience_s", "180",
                         "mean (exponential) patience, seconds; 0: never abandon"),
              number_key("overflow_s", "30",
                         "wait after which the minimum proficiency drops to 40, seconds"),
              number_key("move_s", "120",
                         "wait after which a contact moves to the general queue, seconds"),
            },
            "5", "independent replications",
            policy_key("skills",
                       "routing policy (longest_idle, skills, profile; comma list compares)")),
          build_multiskill};
}

}  // namespace switchboard::bench::builtin
