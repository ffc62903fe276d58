#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>

#include "bench/scenario/scenario.h"

// The named built-in scenarios and the `--set key=value` overrides. Each built-in
// declares its keys with their defaults once (`key_def`); `knobs` reads them,
// checks their range and records the effective values in `scenario::parameters`.
namespace switchboard::bench {
namespace {

using engine::errc;
using engine::error;

error bad_set(const std::string& key, const std::string& value, const std::string& what) {
  return engine::make_error(errc::invalid_argument,
                            "--set " + key + "=" + value + ": " + what);
}

std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

engine::result<double> parse_number(const std::string& key, const std::string& text) {
  if (text.empty())
    return bad_set(key, text, "a number is required");
  errno = 0;
  char* end = nullptr;
  double x = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(x))
    return bad_set(key, text, "not a finite number");
  return x;
}

engine::result<std::uint64_t> parse_count(const std::string& key, const std::string& text,
                                          std::uint64_t min, std::uint64_t max) {
  auto x = parse_number(key, text);
  if (!x)
    return x.err();
  if (*x != std::floor(*x))
    return bad_set(key, text, "must be a whole number");
  if (*x < static_cast<double>(min) || *x > static_cast<double>(max))
    return bad_set(key, text,
                   "must be " + std::to_string(min) + ".." + std::to_string(max));
  return static_cast<std::uint64_t>(*x);
}

engine::result<bool> parse_bool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "on" || text == "yes")
    return true;
  if (text == "false" || text == "0" || text == "off" || text == "no")
    return false;
  return bad_set(key, text, "must be true or false");
}

/// "profile" or a comma list "longest_idle,skills,profile" (compared in turn).
engine::result<std::vector<engine::policy_kind>> parse_policies(const std::string& key,
                                                                const std::string& text) {
  std::vector<engine::policy_kind> out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    auto p = engine::parse_policy(item);
    if (!p)
      return bad_set(key, text, "unknown policy '" + item +
                                  "' (longest_idle, skills or profile; a comma list "
                                  "compares them)");
    if (std::find(out.begin(), out.end(), *p) != out.end())
      return bad_set(key, text, "policy '" + item + "' listed twice");
    out.push_back(*p);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

void set_policies(scenario& s, const std::vector<engine::policy_kind>& policies) {
  s.policy = policies.front();
  s.compare_policies = policies.size() > 1 ? policies : std::vector<engine::policy_kind>{};
  for (auto& q : s.queues)
    q.policy = s.policy;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

// Keys apply_set understands, for every scenario.
const std::vector<std::pair<std::string, std::string>>& generic_keys() {
  static const std::vector<std::pair<std::string, std::string>> keys{
    {"replications", "independent runs with their own seeds (>= 1)"},
    {"days", "days per replication (>= 1)"},
    {"seed", "base random seed"},
    {"policy", "routing policy of every queue: longest_idle, skills, profile, or a comma "
               "list to compare them"},
    {"sl_threshold_s", "service-level threshold of the scenario and every queue, seconds"},
    {"warmup_s", "start of each replication excluded from statistics, seconds"},
    {"sample_every_s", "time-series resolution, seconds"},
    {"target_rate", "load/net: contacts per second offered (0: as fast as possible)"},
    {"duration_s", "load/net: how long to offer load, seconds"},
    {"max_live", "load/net: cap on live contacts (0: unlimited)"},
    {"journal", "load: RocksDB journal on (true/false)"},
    {"data_dir", "load: data directory (empty: a temp dir removed afterwards)"},
    {"url", "net: ws://host:port of a running node"},
    {"api_key", "net: admin/gateway key of the tenant"},
    {"connections", "net: gateway connections (0: auto)"},
    {"tenant", "net: tenant id when the url names none (recorded in parameters)"},
    {"time_scale", "net: wall seconds per scenario second for handle, patience, wrap-up "
                   "and accept delay (default: scenario rate / target_rate)"},
    {"net_max_agents", "net: cap on simulated agents (recorded in parameters)"},
  };
  return keys;
}

std::vector<std::string> generic_key_names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : generic_keys())
    out.push_back(k);
  return out;
}

/// One `--set` key of a built-in: name, default (as typed on the command line), meaning.
struct key_def {
  std::string key;
  std::string def;
  std::string meaning;
};

/// Reads a built-in's keys from `--set` or their defaults. The first bad value is
/// kept in `err` (later reads return the default so the builder can go on).
class knobs {
 public:
  knobs(const std::vector<key_def>& defs, const std::map<std::string, std::string>& set)
    : defs_(defs), set_(set) {}

  double number(const std::string& key, double min, bool min_exclusive = false,
                double max = 1e12) {
    auto text = raw(key);
    auto x = parse_number(key, text);
    if (!x)
      return fail(x.err(), key);
    if (*x < min || (min_exclusive && *x == min) || *x > max)
      return fail(bad_set(key, text,
                          "must be " + std::string{min_exclusive ? "> " : ">= "} +
                            format_number(min) +
                            (max < 1e12 ? " and <= " + format_number(max) : "")),
                  key);
    effective[key] = format_number(*x);
    return *x;
  }

  std::uint32_t count(const std::string& key, std::uint64_t min, std::uint64_t max) {
    auto text = raw(key);
    auto x = parse_count(key, text, min, max);
    if (!x)
      return static_cast<std::uint32_t>(fail(x.err(), key));
    effective[key] = std::to_string(*x);
    return static_cast<std::uint32_t>(*x);
  }

  std::vector<engine::policy_kind> policies(const std::string& key) {
    auto text = raw(key);
    auto x = parse_policies(key, text);
    if (!x) {
      fail(x.err(), key);
      return {engine::policy_kind::profile};
    }
    effective[key] = text;
    return *x;
  }

  std::optional<error> err;
  std::map<std::string, std::string> effective;

 private:
  std::string raw(const std::string& key) const {
    if (auto i = set_.find(key); i != set_.end())
      return i->second;
    for (const auto& d : defs_)
      if (d.key == key)
        return d.def;
    return {};  // a builder asked for a key it did not declare: parse fails loudly
  }

  // Records the first error and returns the default so building can finish.
  double fail(error e, const std::string& key) {
    if (!err)
      err = std::move(e);
    for (const auto& d : defs_)
      if (d.key == key)
        if (auto x = std::strtod(d.def.c_str(), nullptr); std::isfinite(x) && x > 0)
          return x;
    return 1;
  }

  const std::vector<key_def>& defs_;
  const std::map<std::string, std::string>& set_;
};

// ---- building blocks ------------------------------------------------------------

duration_dist dist(duration_dist::kind k, std::vector<double> mean_s, double cv = 1.0) {
  duration_dist d;
  d.type = k;
  d.mean_s = std::move(mean_s);
  d.cv = cv;
  return d;
}

duration_dist exponential_or_none(double mean_s) {
  return mean_s > 0 ? dist(duration_dist::kind::exponential, {mean_s}) : duration_dist{};
}

std::array<engine::channel_capacity, engine::channel_count> voice_only() {
  std::array<engine::channel_capacity, engine::channel_count> c{};
  c[engine::index(engine::channel::voice)] = {1, true};
  return c;
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
  g.capacity = voice_only();
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

void run_settings(scenario& s, knobs& k) {
  s.replications = static_cast<int>(k.count("replications", 1, 100000));
  s.days = static_cast<int>(k.count("days", 1, 3650));
  s.sl_threshold_s = k.number("sl_threshold_s", 0, true);
}

// ---- mmn ------------------------------------------------------------------------

const std::vector<key_def> mmn_keys{
  {"arrivals_per_hour", "720", "Poisson arrival rate"},
  {"aht_s", "240", "mean (exponential) handle time, seconds"},
  {"agents", "55", "agents staffed all day"},
  {"patience_s", "0", "mean (exponential) patience, seconds; 0: customers never abandon "
                      "(Erlang C), > 0: Erlang A"},
  {"hours", "8", "length of a day, hours"},
  {"warmup_s", "600", "start of each replication excluded from statistics, seconds"},
  {"replications", "10", "independent replications"},
  {"days", "1", "days per replication"},
  {"sl_threshold_s", "20", "service-level threshold, seconds"},
  {"policy", "longest_idle", "routing policy (longest_idle, skills, profile)"},
};

scenario build_mmn(knobs& k) {
  auto s = base("mmn", "M/M/n (Erlang C) or M/M/n+M (Erlang A): one skill, one queue, "
                       "one group of identical voice agents");
  double rate = k.number("arrivals_per_hour", 0);
  double aht = k.number("aht_s", 0, true);
  auto agents = k.count("agents", 1, 10'000'000);
  double patience = k.number("patience_s", 0);
  double hours = k.number("hours", 0, true, 24 * 366);
  s.warmup_s = k.number("warmup_s", 0);
  run_settings(s, k);
  auto policies = k.policies("policy");
  s.periods.push_back(period{"day", hours * 3600});
  s.types.push_back(make_type("call", "support", "q", engine::channel::voice, "", {rate},
                              dist(duration_dist::kind::exponential, {aht}),
                              exponential_or_none(patience)));
  s.groups.push_back(make_group("agents", {{"support", 50}}, {}, {agents},
                                engine::agent_level::junior));
  s.queues.push_back(make_queue("q", {{"support", 0}}, mask({engine::channel::voice}),
                                s.sl_threshold_s, engine::policy_kind::longest_idle));
  set_policies(s, policies);
  k.effective["model"] = "mmn";
  k.effective["offered_erlangs"] = format_number(rate * aht / 3600);
  return s;
}

// ---- multiskill -----------------------------------------------------------------

const std::vector<key_def> multiskill_keys{
  {"load", "1", "multiplier on every arrival rate"},
  {"staff", "1", "multiplier on every group's staffing"},
  {"hours", "8", "length of a day, hours"},
  {"patience_s", "180", "mean (exponential) patience, seconds; 0: never abandon"},
  {"overflow_s", "30", "wait after which the minimum proficiency drops to 40, seconds"},
  {"move_s", "120", "wait after which a contact moves to the general queue, seconds"},
  {"replications", "5", "independent replications"},
  {"days", "1", "days per replication"},
  {"sl_threshold_s", "20", "service-level threshold, seconds"},
  {"policy", "skills", "routing policy (longest_idle, skills, profile; comma list compares)"},
};

scenario build_multiskill(knobs& k) {
  auto s = base("multiskill",
                "Billing, tech support and sales in English and Spanish over voice and chat; "
                "specialist, bilingual and generalist groups; overflow lowers the minimum "
                "proficiency, then moves contacts to a general queue");
  double load = k.number("load", 0);
  double staff = k.number("staff", 0, true);
  double hours = k.number("hours", 0, true, 24 * 366);
  double patience = k.number("patience_s", 0);
  double overflow_s = k.number("overflow_s", 0);
  double move_s = k.number("move_s", 0);
  run_settings(s, k);
  auto policies = k.policies("policy");
  if (move_s <= overflow_s && !k.err)
    k.err = bad_set("move_s", format_number(move_s), "must be greater than overflow_s (" +
                                                       format_number(overflow_s) + ")");
  s.periods.push_back(period{"day", hours * 3600});

  using engine::channel;
  const auto voice = channel::voice;
  const auto chat = channel::chat;
  auto exp = [](double mean) { return dist(duration_dist::kind::exponential, {mean}); };
  auto add_type = [&](std::string name, std::string intent, channel ch, std::string lang,
                      double rate, double aht) {
    auto t = make_type(name, intent, intent, ch, lang, {rate * load}, exp(aht),
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
    auto q = make_queue(std::move(id), {{std::move(skill), 60}}, channels, s.sl_threshold_s,
                        policies.front());
    q.languages = std::move(languages);
    q.overflow = steps();
    s.queues.push_back(std::move(q));
  };
  queue("billing", "billing", mask({voice}), {"en", "es"});
  queue("tech", "tech", mask({voice, chat}), {"en"});
  queue("sales", "sales", mask({voice}), {"en", "es"});
  auto general = make_queue("general", {{"general", 30}}, mask({voice, chat}), s.sl_threshold_s,
                            policies.front());
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
  set_policies(s, policies);
  return s;
}

// ---- peak_day -------------------------------------------------------------------

const std::vector<key_def> peak_day_keys{
  {"base_per_hour", "360", "arrival rate of an average hour (the day's shape multiplies it)"},
  {"aht_s", "300", "mean (lognormal) handle time, seconds"},
  {"aht_cv", "0.8", "coefficient of variation of the handle time"},
  {"wrap_up_s", "15", "fixed after-contact work, seconds"},
  {"patience_s", "240", "mean (exponential) patience, seconds; 0: never abandon"},
  {"busyness_shape", "25", "Gamma shape of the day's busyness factor (0: none; 25: ~20% "
                           "day-to-day spread)"},
  {"plan_cap", "1.2", "in-house staffing is planned for at most this multiple of the "
                      "average hour, so the peak is understaffed"},
  {"crowd_agents", "12", "crowdsourced agents available all day"},
  {"crowd_after_s", "45", "wait after which the crowd pool is admitted, seconds"},
  {"replications", "5", "independent replications"},
  {"days", "1", "days per replication"},
  {"sl_threshold_s", "20", "service-level threshold, seconds"},
  {"policy", "profile", "routing policy (longest_idle, skills, profile; comma list compares)"},
};

scenario build_peak_day(knobs& k) {
  auto s = base("peak_day",
                "A 10-hour day with a midday peak: Gamma day-level busyness, lognormal handle "
                "times, abandonment, in-house staffing per hour planned below the peak and a "
                "crowdsourced pool admitted by an overflow step");
  double rate = k.number("base_per_hour", 0);
  double aht = k.number("aht_s", 0, true);
  double cv = k.number("aht_cv", 0, true, 10);
  double wrap = k.number("wrap_up_s", 0);
  double patience = k.number("patience_s", 0);
  double shape = k.number("busyness_shape", 0);
  double plan_cap = k.number("plan_cap", 0, true, 10);
  auto crowd = k.count("crowd_agents", 0, 10'000'000);
  double crowd_after = k.number("crowd_after_s", 0);
  run_settings(s, k);
  auto policies = k.policies("policy");

  const std::vector<double> shape_of_day{0.55, 0.8, 1.0, 1.2, 1.5, 1.35, 1.0, 1.1, 0.9, 0.6};
  std::vector<double> rates;
  std::vector<std::uint32_t> seniors, juniors;
  for (std::size_t h = 0; h < shape_of_day.size(); ++h) {
    char name[16];
    std::snprintf(name, sizeof name, "%02zu:00", h + 8);
    s.periods.push_back(period{name, 3600});
    rates.push_back(rate * shape_of_day[h]);
    // Square-root staffing for the planned load: n = R + sqrt(R).
    double planned = rate * std::min(shape_of_day[h], plan_cap) * (aht + wrap) / 3600;
    auto n = static_cast<std::uint32_t>(std::ceil(planned + std::sqrt(planned)));
    n = std::max<std::uint32_t>(n, 2);
    seniors.push_back(n / 3);
    juniors.push_back(n - n / 3);
  }
  auto handle = dist(duration_dist::kind::lognormal, {aht}, cv);
  auto add_type = [&](std::string name, double share) {
    std::vector<double> r;
    for (double x : rates)
      r.push_back(x * share);
    auto t = make_type(name, name, "care", engine::channel::voice, "", r, handle,
                       exponential_or_none(patience));
    t.busyness_shape = shape;
    if (wrap > 0)
      t.wrap_up = dist(duration_dist::kind::fixed, {wrap});
    s.types.push_back(std::move(t));
  };
  add_type("support", 0.75);
  add_type("billing", 0.25);

  auto q = make_queue("care", {{"care", 50}}, mask({engine::channel::voice}), s.sl_threshold_s,
                      policies.front());
  q.overflow.push_back(
    {static_cast<engine::time_ms>(std::llround(crowd_after * 1000)), 40, true, {}});
  s.queues.push_back(std::move(q));

  using engine::agent_level;
  s.groups.push_back(make_group("seniors", {{"care", 85}}, {}, seniors, agent_level::senior));
  s.groups.back().truth = {{"*", "*", 0.85, 0.05, 4.3}};
  s.groups.push_back(make_group("juniors", {{"care", 60}}, {}, juniors, agent_level::junior));
  s.groups.back().truth = {{"*", "*", 0.7, 0.04, 3.9}};
  if (crowd > 0) {
    s.groups.push_back(make_group("crowd", {{"care", 45}}, {}, {crowd}, agent_level::crowd));
    s.groups.back().crowd = true;
    s.groups.back().accept_delay_s = 3;
    s.groups.back().truth = {{"*", "*", 0.6, 0.02, 3.6}};
  }
  set_policies(s, policies);
  return s;
}

// ---- vip ------------------------------------------------------------------------

const std::vector<key_def> vip_keys{
  {"load", "1", "multiplier on every arrival rate"},
  {"hours", "8", "length of a day, hours"},
  {"managers", "6", "dedicated account managers (serve the vip segment first)"},
  {"patience_s", "300", "mean (exponential) patience, seconds; 0: never abandon"},
  {"replications", "5", "independent replications per policy"},
  {"days", "1", "days per replication"},
  {"sl_threshold_s", "20", "service-level threshold, seconds"},
  {"policy", "longest_idle,skills,profile", "policies compared (comma list) or one policy"},
};

scenario build_vip(knobs& k) {
  auto s = base("vip",
                "Standard, gold and VIP customers with dedicated account managers; groups "
                "differ in hidden true resolution, sale and CSAT rates; compares routing "
                "policies on service level and outcomes");
  double load = k.number("load", 0);
  double hours = k.number("hours", 0, true, 24 * 366);
  auto managers = k.count("managers", 1, 100000);
  double patience = k.number("patience_s", 0);
  run_settings(s, k);
  auto policies = k.policies("policy");
  s.periods.push_back(period{"day", hours * 3600});
  s.segments = {
    segment{"standard", 1, 25, 0.75, false, {}, 20000},
    segment{"gold", 3, 90, 0.20, false, {}, 3000},
    segment{"vip", 5, 600, 0.05, true, "account_managers", 120},
  };
  auto exp = [](double mean) { return dist(duration_dist::kind::exponential, {mean}); };
  s.types.push_back(make_type("care", "care", "care", engine::channel::voice, "", {300 * load},
                              exp(300), exponential_or_none(patience)));
  s.types.push_back(make_type("upgrade", "upgrade", "sales", engine::channel::voice, "",
                              {100 * load}, exp(420), exponential_or_none(patience)));
  for (auto id : {"care", "sales"}) {
    auto q = make_queue(id, {{id, 40}}, mask({engine::channel::voice}), s.sl_threshold_s,
                        policies.front());
    q.overflow.push_back({60000, 20, false, {}});
    s.queues.push_back(std::move(q));
  }
  using engine::agent_level;
  s.groups.push_back(
    make_group("generalists", {{"care", 60}, {"sales", 50}}, {}, {18}, agent_level::junior));
  s.groups.back().truth = {{"care", "*", 0.62, 0.02, 3.6}, {"upgrade", "*", 0.7, 0.10, 3.7}};
  s.groups.push_back(make_group("specialists", {{"care", 90}}, {}, {12}, agent_level::senior));
  s.groups.back().truth = {{"care", "*", 0.88, 0.03, 4.4}};
  s.groups.push_back(
    make_group("sellers", {{"sales", 90}, {"care", 45}}, {}, {8}, agent_level::senior));
  s.groups.back().truth = {{"upgrade", "*", 0.75, 0.30, 4.0}, {"care", "*", 0.6, 0.08, 3.8}};
  s.groups.push_back(make_group("account_managers", {{"care", 85}, {"sales", 85}}, {},
                                {managers}, agent_level::expert));
  s.groups.back().truth = {{"*", "vip", 0.92, 0.35, 4.8}, {"*", "*", 0.8, 0.2, 4.3}};
  set_policies(s, policies);
  return s;
}

// ---- scale ----------------------------------------------------------------------

const std::vector<key_def> scale_keys{
  {"agents", "100000", "agents, spread evenly over one group per queue"},
  {"queues", "1000", "queues, each requiring its own skill"},
  {"skills_per_agent", "3", "skills of each agent (its own queue's and the next ones)"},
  {"chat_capacity", "3", "concurrent chats per agent"},
  {"live", "1000000", "target of concurrent live contacts (realtime.max_live)"},
  {"aht_s", "3600", "mean (exponential) handle time, seconds: long, so contacts accumulate"},
  {"target_rate", "0", "load/net: contacts per second offered (0: as fast as possible)"},
  {"duration_s", "60", "load/net: how long to offer load, seconds"},
  {"sim_arrivals_per_hour", "20000", "sim: total arrival rate over all queues"},
  {"hours", "1", "sim: length of a day, hours"},
  {"replications", "1", "independent replications"},
};

scenario build_scale(knobs& k) {
  auto s = base("scale",
                "Many queues each with its own skill, agents with a few skills each on chat, "
                "long handle times and no abandonment, so live contacts accumulate: the "
                "load mode's scale figures");
  auto agents = k.count("agents", 1, 10'000'000);
  auto queues = k.count("queues", 1, 1'000'000);
  auto per_agent = k.count("skills_per_agent", 1, 1000);
  auto capacity = k.count("chat_capacity", 1, engine::max_channel_capacity);
  auto live = k.count("live", 0, 0xffffffffu);
  double aht = k.number("aht_s", 0, true);
  s.realtime.target_rate = k.number("target_rate", 0);
  s.realtime.duration_s = k.number("duration_s", 0, true);
  double sim_rate = k.number("sim_arrivals_per_hour", 0);
  double hours = k.number("hours", 0, true, 24 * 366);
  s.replications = static_cast<int>(k.count("replications", 1, 100000));
  if (!k.err && queues > agents)
    k.err = bad_set("queues", std::to_string(queues),
                    "must be <= agents (" + std::to_string(agents) + "): one group per queue");
  if (!k.err && per_agent > queues)
    k.err = bad_set("skills_per_agent", std::to_string(per_agent),
                    "must be <= queues (" + std::to_string(queues) + ")");
  if (k.err)
    return s;
  s.realtime.max_live = live;
  s.sample_every_s = 300;
  s.policy = engine::policy_kind::skills;
  s.periods.push_back(period{"day", hours * 3600});
  auto id = [](char prefix, std::uint32_t i) { return prefix + std::to_string(i); };
  for (std::uint32_t q = 0; q < queues; ++q) {
    s.queues.push_back(make_queue(id('q', q), {{id('s', q), 0}}, mask({engine::channel::chat}),
                                  s.sl_threshold_s, s.policy));
    s.types.push_back(make_type(id('t', q), "chat", id('q', q), engine::channel::chat, "",
                                {sim_rate / queues},
                                dist(duration_dist::kind::exponential, {aht}), {}));
    std::vector<engine::agent_skill> skills;
    for (std::uint32_t j = 0; j < per_agent; ++j)
      skills.push_back({id('s', (q + j) % queues), j == 0 ? 80 : 50});
    std::uint32_t n = agents / queues + (q < agents % queues ? 1 : 0);
    auto g = make_group(id('g', q), std::move(skills), {}, {n}, engine::agent_level::junior);
    g.capacity = {};
    g.capacity[engine::index(engine::channel::chat)] = {capacity, false};
    s.groups.push_back(std::move(g));
  }
  auto in_service = std::uint64_t{agents} * capacity;
  k.effective["in_service_max"] = std::to_string(in_service);
  k.effective["waiting_target"] = std::to_string(live > in_service ? live - in_service : 0);
  return s;
}

// ---- registry -------------------------------------------------------------------

struct builtin_def {
  std::string name;
  std::string summary;
  const std::vector<key_def>* keys;
  std::function<scenario(knobs&)> build;
};

const std::vector<builtin_def>& registry();

}  // namespace

std::vector<builtin_info> builtins() {
  std::vector<builtin_info> out;
  for (const auto& b : registry()) {
    builtin_info info{b.name, b.summary, {}};
    for (const auto& d : *b.keys)
      info.keys.emplace_back(d.key, d.meaning + " (default " + d.def + ")");
    out.push_back(std::move(info));
  }
  return out;
}

engine::result<scenario> make_builtin(std::string_view name,
                                      const std::map<std::string, std::string>& set) {
  const auto& all = registry();
  auto b = std::find_if(all.begin(), all.end(), [&](const auto& x) { return x.name == name; });
  if (b == all.end()) {
    std::vector<std::string> names;
    for (const auto& x : all)
      names.push_back(x.name);
    return engine::make_error(errc::invalid_argument, "unknown built-in scenario '" +
                                                        std::string{name} +
                                                        "'; built-ins: " + join(names));
  }
  std::map<std::string, std::string> generic;
  for (const auto& [key, value] : set) {
    bool own = std::any_of(b->keys->begin(), b->keys->end(),
                           [&](const key_def& d) { return d.key == key; });
    if (own)
      continue;
    bool is_generic = std::any_of(generic_keys().begin(), generic_keys().end(),
                                  [&](const auto& g) { return g.first == key; });
    if (!is_generic) {
      std::vector<std::string> valid;
      for (const auto& d : *b->keys)
        valid.push_back(d.key);
      for (const auto& g : generic_key_names())
        if (std::find(valid.begin(), valid.end(), g) == valid.end())
          valid.push_back(g);
      return engine::make_error(errc::invalid_argument,
                                "unknown --set key '" + key + "' for built-in '" + b->name +
                                  "'; valid keys: " + join(valid));
    }
    generic.emplace(key, value);
  }
  knobs k(*b->keys, set);
  auto s = b->build(k);
  if (k.err)
    return *k.err;
  for (auto& [key, value] : k.effective)
    s.parameters[key] = value;
  if (auto st = apply_set(s, generic); !st)
    return st.err();
  if (auto st = validate(s); !st)
    return st.err();
  return s;
}

engine::status apply_set(scenario& s, const std::map<std::string, std::string>& set) {
  for (const auto& [key, value] : set) {
    engine::status st;
    auto count = [&](std::uint64_t min, std::uint64_t max) -> std::optional<std::uint64_t> {
      auto x = parse_count(key, value, min, max);
      if (!x) {
        st = x.err();
        return std::nullopt;
      }
      return *x;
    };
    auto number = [&](double min, bool exclusive) -> std::optional<double> {
      auto x = parse_number(key, value);
      if (!x) {
        st = x.err();
        return std::nullopt;
      }
      if (*x < min || (exclusive && *x == min)) {
        st = bad_set(key, value, std::string{"must be "} + (exclusive ? "> " : ">= ") +
                                   format_number(min));
        return std::nullopt;
      }
      return *x;
    };
    if (key == "replications") {
      if (auto x = count(1, 100000))
        s.replications = static_cast<int>(*x);
    } else if (key == "days") {
      if (auto x = count(1, 3650))
        s.days = static_cast<int>(*x);
    } else if (key == "seed") {
      if (auto x = count(0, std::uint64_t{1} << 53))
        s.seed = *x;
    } else if (key == "policy") {
      auto x = parse_policies(key, value);
      if (x)
        set_policies(s, *x);
      else
        st = x.err();
    } else if (key == "sl_threshold_s") {
      if (auto x = number(0, true)) {
        s.sl_threshold_s = *x;
        for (auto& q : s.queues)
          q.sl_threshold = static_cast<engine::time_ms>(std::llround(*x * 1000));
      }
    } else if (key == "warmup_s") {
      if (auto x = number(0, false))
        s.warmup_s = *x;
    } else if (key == "sample_every_s") {
      if (auto x = number(0, true))
        s.sample_every_s = *x;
    } else if (key == "target_rate") {
      if (auto x = number(0, false))
        s.realtime.target_rate = *x;
    } else if (key == "duration_s") {
      if (auto x = number(0, true))
        s.realtime.duration_s = *x;
    } else if (key == "max_live") {
      if (auto x = count(0, 0xffffffffu))
        s.realtime.max_live = static_cast<std::uint32_t>(*x);
    } else if (key == "connections") {
      if (auto x = count(0, 1'000'000))
        s.realtime.connections = static_cast<std::uint32_t>(*x);
    } else if (key == "journal") {
      auto x = parse_bool(key, value);
      if (x)
        s.realtime.journal = *x;
      else
        st = x.err();
    } else if (key == "data_dir") {
      s.realtime.data_dir = value;
    } else if (key == "url") {
      if (value.rfind("ws://", 0) != 0 && value.rfind("wss://", 0) != 0)
        st = bad_set(key, value, "must start with ws:// or wss://");
      else
        s.realtime.url = value;
    } else if (key == "api_key") {
      s.realtime.api_key = value;
    } else if (key == "tenant") {
      // Mode-specific keys without a field: read back from `parameters` by the mode.
      if (!engine::valid_id(value))
        st = bad_set(key, value, "not a valid id");
    } else if (key == "time_scale") {
      number(0, false);
    } else if (key == "net_max_agents") {
      count(1, 1'000'000);
    } else {
      return engine::make_error(errc::invalid_argument,
                                "unknown --set key '" + key +
                                  "'; valid keys: " + join(generic_key_names()));
    }
    if (!st)
      return st;
    // Secrets stay out of reports.
    s.parameters[key] = key == "api_key" ? std::string{"(set)"} : value;
  }
  return {};
}

namespace {

const std::vector<builtin_def>& registry() {
  static const std::vector<builtin_def> all{
    {"mmn",
     "M/M/n and M/M/n+M: one skill, one queue, one voice group; checked against Erlang C/A",
     &mmn_keys, build_mmn},
    {"multiskill",
     "skills x languages x channels: billing, tech, sales and a general overflow queue",
     &multiskill_keys, build_multiskill},
    {"peak_day", "hourly periods with a midday peak, busyness, lognormal handle times, "
                 "abandonment and a crowdsourced pool admitted by overflow",
     &peak_day_keys, build_peak_day},
    {"vip", "segments with a VIP tier and account managers; compares longest_idle, skills "
            "and profile on service level and outcomes",
     &vip_keys, build_vip},
    {"scale", "many queues, skills and agents on chat with long handle times: the load "
              "mode's scale run (agents, queues, live contacts)",
     &scale_keys, build_scale},
  };
  return all;
}

}  // namespace
}  // namespace switchboard::bench
