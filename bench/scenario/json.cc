#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <optional>

#include "bench/scenario/scenario.h"

// Scenario files: the text is parsed by protobuf's JSON parser into a generic
// google.protobuf.Value (a JSON DOM shipped with libprotobuf), then walked into a
// `scenario` with path-aware, typed errors. Value checks that do not depend on the
// JSON form (ranges, cross references) live in validate(), which speaks the same
// paths because the schema mirrors the structs.
namespace switchboard::bench {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

/// Deeper than any scenario (five levels) by a wide margin.
constexpr int max_nesting = 32;

/// True when arrays and objects in `json` nest deeper than `limit` (brackets in
/// strings do not count). Checked before protobuf parses the text: its parser
/// into a Value takes time quadratic in the nesting of arrays (20 000 levels, a
/// 40 KB file, took minutes; found by fuzz/scenario_fuzz).
bool nested_deeper_than(std::string_view json, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::string_view kind_name(const Value& v) {
  switch (v.kind_case()) {
    case Value::kNullValue: return "null";
    case Value::kNumberValue: return "a number";
    case Value::kStringValue: return "a string";
    case Value::kBoolValue: return "a boolean";
    case Value::kStructValue: return "an object";
    case Value::kListValue: return "an array";
    default: return "nothing";
  }
}

std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

/// The first error met while walking the document; later reads are no-ops.
struct walk_state {
  std::optional<engine::error> err;

  void fail(const std::string& path, const std::string& what) {
    if (!err)
      err = engine::make_error(engine::errc::invalid_argument,
                               (path.empty() ? std::string{"scenario"} : path) + ": " + what);
  }
  bool failed() const { return err.has_value(); }
};

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

std::string item(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// ---- scalar readers of one JSON value ---------------------------------------------

std::optional<double> as_number(walk_state& w, const Value& v, const std::string& path) {
  if (v.kind_case() != Value::kNumberValue) {
    w.fail(path, "must be a number, got " + std::string{kind_name(v)});
    return std::nullopt;
  }
  if (!std::isfinite(v.number_value())) {
    w.fail(path, "must be a finite number");
    return std::nullopt;
  }
  return v.number_value();
}

std::optional<std::int64_t> as_integer(walk_state& w, const Value& v, const std::string& path,
                                       double min, double max) {
  auto x = as_number(w, v, path);
  if (!x)
    return std::nullopt;
  if (*x != std::floor(*x)) {
    w.fail(path, "must be a whole number");
    return std::nullopt;
  }
  if (*x < min || *x > max) {
    w.fail(path, "must be " + std::to_string(static_cast<std::int64_t>(min)) + ".." +
                   std::to_string(static_cast<std::int64_t>(max)));
    return std::nullopt;
  }
  return static_cast<std::int64_t>(*x);
}

std::optional<std::string> as_string(walk_state& w, const Value& v, const std::string& path) {
  if (v.kind_case() != Value::kStringValue) {
    w.fail(path, "must be a string, got " + std::string{kind_name(v)});
    return std::nullopt;
  }
  return v.string_value();
}

std::optional<engine::channel> as_channel(walk_state& w, const Value& v,
                                          const std::string& path) {
  auto s = as_string(w, v, path);
  if (!s)
    return std::nullopt;
  auto c = engine::parse_channel(*s);
  if (!c)
    w.fail(path, "unknown channel '" + *s + "' (voice, video, chat, app, wechat, sms, email)");
  return c;
}

std::optional<engine::policy_kind> as_policy(walk_state& w, const Value& v,
                                             const std::string& path) {
  auto s = as_string(w, v, path);
  if (!s)
    return std::nullopt;
  auto p = engine::parse_policy(*s);
  if (!p)
    w.fail(path, "unknown policy '" + *s + "' (longest_idle, skills, profile)");
  return p;
}

/// One JSON object at `path`: checks its keys against the schema on construction,
/// then reads typed members with defaults.
class object {
 public:
  object(walk_state& w, const Value* v, std::string path,
         std::initializer_list<std::string_view> keys)
    : w_(w), path_(std::move(path)) {
    if (!v || w_.failed())
      return;
    if (v->kind_case() != Value::kStructValue) {
      w_.fail(path_, "must be an object, got " + std::string{kind_name(*v)});
      return;
    }
    obj_ = &v->struct_value();
    std::vector<std::string> present;
    for (const auto& [k, _] : obj_->fields())
      present.push_back(k);
    std::sort(present.begin(), present.end());
    for (const auto& k : present)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
        std::vector<std::string> valid(keys.begin(), keys.end());
        w_.fail({}, "unknown key '" + k + "' at " + (path_.empty() ? "top level" : path_) +
                      " (valid keys: " + join(valid) + ")");
        return;
      }
  }

  bool ok() const { return obj_ != nullptr && !w_.failed(); }
  const std::string& path() const { return path_; }
  std::string at(std::string_view key) const { return child(path_, key); }

  /// The member, or null when absent (an error too when `required`).
  const Value* get(std::string_view key, bool required = false) const {
    if (!ok())
      return nullptr;
    auto i = obj_->fields().find(std::string{key});
    if (i == obj_->fields().end()) {
      if (required)
        w_.fail(path_, "missing required key '" + std::string{key} + "'");
      return nullptr;
    }
    return &i->second;
  }

  std::string str(std::string_view key, std::string def = {}, bool required = false) const {
    auto v = get(key, required);
    if (!v)
      return def;
    return as_string(w_, *v, at(key)).value_or(def);
  }

  double num(std::string_view key, double def, bool required = false) const {
    auto v = get(key, required);
    if (!v)
      return def;
    return as_number(w_, *v, at(key)).value_or(def);
  }

  std::int64_t integer(std::string_view key, std::int64_t def, double min, double max) const {
    auto v = get(key);
    if (!v)
      return def;
    return as_integer(w_, *v, at(key), min, max).value_or(def);
  }

  bool boolean(std::string_view key, bool def) const {
    auto v = get(key);
    if (!v)
      return def;
    if (v->kind_case() != Value::kBoolValue) {
      w_.fail(at(key), "must be true or false, got " + std::string{kind_name(*v)});
      return def;
    }
    return v->bool_value();
  }

  /// Time in seconds to engine milliseconds; must be >= min_s (or > 0 if `positive`).
  engine::time_ms millis(std::string_view key, double def_s, bool positive) const {
    double s = num(key, def_s);
    if (w_.failed())
      return 0;
    if (positive ? !(s > 0) : s < 0) {
      w_.fail(at(key), positive ? "must be > 0" : "must be >= 0");
      return 0;
    }
    if (s > 1e9) {
      w_.fail(at(key), "must be at most 1e9 seconds");
      return 0;
    }
    return static_cast<engine::time_ms>(std::llround(s * 1000));
  }

  /// The elements of an array member (empty when absent, an error when required).
  std::vector<const Value*> list(std::string_view key, bool required = false) const {
    auto v = get(key, required);
    if (!v)
      return {};
    if (v->kind_case() != Value::kListValue) {
      w_.fail(at(key), "must be an array, got " + std::string{kind_name(*v)});
      return {};
    }
    std::vector<const Value*> out;
    for (const auto& x : v->list_value().values())
      out.push_back(&x);
    if (required && out.empty())
      w_.fail(at(key), "must not be empty");
    return out;
  }

  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    auto xs = list(key);
    for (std::size_t i = 0; i < xs.size(); ++i)
      if (auto s = as_string(w_, *xs[i], item(at(key), i)))
        out.push_back(*s);
    return out;
  }

  /// A per-period value: a number (all periods) or an array of numbers.
  std::vector<double> per_period(std::string_view key, bool required) const {
    auto v = get(key, required);
    if (!v)
      return {};
    if (v->kind_case() == Value::kNumberValue) {
      if (auto x = as_number(w_, *v, at(key)))
        return {*x};
      return {};
    }
    if (v->kind_case() != Value::kListValue) {
      w_.fail(at(key), "must be a number or an array of numbers (one per period), got " +
                         std::string{kind_name(*v)});
      return {};
    }
    std::vector<double> out;
    const auto& xs = v->list_value().values();
    for (int i = 0; i < xs.size(); ++i)
      if (auto x = as_number(w_, xs[i], item(at(key), static_cast<std::size_t>(i))))
        out.push_back(*x);
    return out;
  }

  /// An object member's entries, sorted by key (protobuf maps have no order).
  std::vector<std::pair<std::string, const Value*>> entries(std::string_view key) const {
    auto v = get(key);
    if (!v)
      return {};
    if (v->kind_case() != Value::kStructValue) {
      w_.fail(at(key), "must be an object, got " + std::string{kind_name(*v)});
      return {};
    }
    std::vector<std::pair<std::string, const Value*>> out;
    for (const auto& [k, x] : v->struct_value().fields())
      out.emplace_back(k, &x);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

 private:
  walk_state& w_;
  std::string path_;
  const Struct* obj_ = nullptr;
};

// ---- schema --------------------------------------------------------------------

duration_dist read_dist(walk_state& w, const object& parent, std::string_view key,
                        bool required) {
  duration_dist d;
  auto v = parent.get(key, required);
  if (!v)
    return d;
  object o(w, v, parent.at(key), {"dist", "mean_s", "cv"});
  auto kind = o.str("dist", {}, true);
  if (!o.ok())
    return d;
  if (kind == "none")
    d.type = duration_dist::kind::none;
  else if (kind == "fixed")
    d.type = duration_dist::kind::fixed;
  else if (kind == "exponential")
    d.type = duration_dist::kind::exponential;
  else if (kind == "lognormal")
    d.type = duration_dist::kind::lognormal;
  else {
    w.fail(o.at("dist"), "unknown distribution '" + kind +
                           "' (none, fixed, exponential, lognormal)");
    return d;
  }
  d.mean_s = o.per_period("mean_s", d.type != duration_dist::kind::none);
  d.cv = o.num("cv", 1.0);
  return d;
}

period read_period(walk_state& w, const Value* v, const std::string& path, std::size_t i) {
  object o(w, v, path, {"name", "duration_s"});
  period p;
  // Appended rather than "p" + ...: GCC 12 -O3 warns falsely (-Wrestrict) on that.
  std::string fallback{"p"};
  fallback += std::to_string(i + 1);
  p.name = o.str("name", fallback);
  p.duration_s = o.num("duration_s", 0, true);
  return p;
}

segment read_segment(walk_state& w, const Value* v, const std::string& path) {
  object o(w, v, path,
           {"name", "tier", "arpu", "share", "dedicated_manager", "manager_group", "customers"});
  segment s;
  s.name = o.str("name", {}, true);
  s.tier = static_cast<int>(o.integer("tier", 0, 0, 5));
  s.arpu = o.num("arpu", 0);
  s.share = o.num("share", 1);
  s.dedicated_manager = o.boolean("dedicated_manager", false);
  s.manager_group = o.str("manager_group");
  s.customers = static_cast<std::uint32_t>(o.integer("customers", 1000, 1, 4294967295.0));
  return s;
}

contact_type read_type(walk_state& w, const Value* v, const std::string& path) {
  object o(w, v, path,
           {"name", "intent", "queue", "channel", "language", "priority", "arrivals_per_hour",
            "busyness_shape", "handle", "patience", "wrap_up"});
  contact_type t;
  t.name = o.str("name", {}, true);
  t.intent = o.str("intent", t.name);
  t.queue = o.str("queue", {}, true);
  if (auto c = o.get("channel"))
    t.ch = as_channel(w, *c, o.at("channel")).value_or(engine::channel::voice);
  t.language = o.str("language");
  t.priority = static_cast<int>(o.integer("priority", 0, -1e6, 1e6));
  t.arrivals_per_hour = o.per_period("arrivals_per_hour", true);
  t.busyness_shape = o.num("busyness_shape", 0);
  t.handle = read_dist(w, o, "handle", true);
  t.patience = read_dist(w, o, "patience", false);
  t.wrap_up = read_dist(w, o, "wrap_up", false);
  return t;
}

true_outcome read_truth(walk_state& w, const Value* v, const std::string& path) {
  object o(w, v, path, {"intent", "segment", "resolve", "sale", "csat_mean"});
  true_outcome t;
  t.intent = o.str("intent", "*");
  t.segment = o.str("segment", "*");
  t.resolve = o.num("resolve", t.resolve);
  t.sale = o.num("sale", t.sale);
  t.csat_mean = o.num("csat_mean", t.csat_mean);
  return t;
}

void read_capacity(walk_state& w, const object& o, agent_group& g) {
  if (!o.get("capacity")) {
    g.capacity[engine::index(engine::channel::voice)] = {1, true};
    return;
  }
  for (const auto& [name, v] : o.entries("capacity")) {
    auto path = child(o.at("capacity"), name);
    auto ch = engine::parse_channel(name);
    if (!ch) {
      w.fail(path, "unknown channel '" + name + "' (voice, video, chat, app, wechat, sms, email)");
      return;
    }
    auto& c = g.capacity[engine::index(*ch)];
    if (v->kind_case() == Value::kNumberValue) {
      c.max = static_cast<std::uint32_t>(
        as_integer(w, *v, path, 0, engine::max_channel_capacity).value_or(0));
      c.exclusive = *ch == engine::channel::voice && c.max > 0;
    } else {
      object co(w, v, path, {"max", "exclusive"});
      c.max = static_cast<std::uint32_t>(co.integer("max", 1, 0, engine::max_channel_capacity));
      c.exclusive = co.boolean("exclusive", *ch == engine::channel::voice);
    }
  }
}

agent_group read_group(walk_state& w, const Value* v, const std::string& path) {
  object o(w, v, path,
           {"name", "skills", "languages", "staffing", "capacity", "level", "crowd", "truth",
            "accept_delay_s"});
  agent_group g;
  g.name = o.str("name", {}, true);
  for (const auto& [skill, x] : o.entries("skills"))
    g.skills.push_back(
      {skill, static_cast<int>(as_integer(w, *x, child(o.at("skills"), skill), 0,
                                          engine::max_proficiency)
                                 .value_or(0))});
  g.languages = o.strings("languages");
  if (auto st = o.get("staffing", true)) {
    auto xs = o.per_period("staffing", true);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      auto p = st->kind_case() == Value::kListValue ? item(o.at("staffing"), i) : o.at("staffing");
      if (xs[i] < 0 || xs[i] != std::floor(xs[i]) || xs[i] > 1e8) {
        w.fail(p, "must be a whole number of agents, 0..100000000");
        break;
      }
      g.staffing.push_back(static_cast<std::uint32_t>(xs[i]));
    }
  }
  read_capacity(w, o, g);
  auto level = o.str("level", "junior");
  if (auto l = engine::parse_agent_level(level))
    g.level = *l;
  else if (!w.failed())
    w.fail(o.at("level"), "unknown level '" + level + "' (crowd, junior, senior, expert)");
  g.crowd = o.boolean("crowd", false);
  auto truth = o.list("truth");
  for (std::size_t i = 0; i < truth.size(); ++i)
    g.truth.push_back(read_truth(w, truth[i], item(o.at("truth"), i)));
  g.accept_delay_s = o.num("accept_delay_s", 0);
  return g;
}

engine::overflow_step read_step(walk_state& w, const Value* v, const std::string& path) {
  object o(w, v, path, {"after_s", "min_proficiency", "admit_crowd", "move_to_queue"});
  engine::overflow_step s;
  o.get("after_s", true);
  s.after = o.millis("after_s", 0, false);
  s.min_proficiency =
    static_cast<int>(o.integer("min_proficiency", -1, -1, engine::max_proficiency));
  s.admit_crowd = o.boolean("admit_crowd", false);
  s.move_to_queue = o.str("move_to_queue");
  return s;
}

engine::queue_config read_queue(walk_state& w, const Value* v, const std::string& path,
                                const scenario& s) {
  object o(w, v, path,
           {"id", "name", "skills", "languages", "channels", "priority", "admit_crowd",
            "sl_target", "sl_threshold_s", "max_waiting", "max_wait_s", "offer_timeout_s",
            "policy", "overflow"});
  engine::queue_config q;
  q.id = o.str("id", {}, true);
  q.name = o.str("name", q.id);
  for (const auto& [skill, x] : o.entries("skills"))
    q.skills.push_back(
      {skill, static_cast<int>(as_integer(w, *x, child(o.at("skills"), skill), 0,
                                          engine::max_proficiency)
                                 .value_or(0))});
  q.languages = o.strings("languages");
  if (o.get("channels")) {
    q.channel_mask = 0;
    auto xs = o.list("channels", true);
    for (std::size_t i = 0; i < xs.size(); ++i)
      if (auto c = as_channel(w, *xs[i], item(o.at("channels"), i)))
        q.channel_mask |= static_cast<std::uint8_t>(1u << engine::index(*c));
  }
  q.priority = static_cast<int>(o.integer("priority", 0, -1e6, 1e6));
  q.admit_crowd = o.boolean("admit_crowd", false);
  q.sl_target = o.num("sl_target", 0.8);
  q.sl_threshold = o.millis("sl_threshold_s", s.sl_threshold_s, true);
  q.max_waiting = static_cast<std::uint32_t>(o.integer("max_waiting", 0, 0, 4294967295.0));
  q.max_wait = o.millis("max_wait_s", 0, false);
  q.offer_timeout = o.millis("offer_timeout_s", 15, true);
  q.policy = s.policy;
  if (auto p = o.get("policy"))
    q.policy = as_policy(w, *p, o.at("policy")).value_or(s.policy);
  auto steps = o.list("overflow");
  for (std::size_t i = 0; i < steps.size(); ++i)
    q.overflow.push_back(read_step(w, steps[i], item(o.at("overflow"), i)));
  return q;
}

realtime_options read_realtime(walk_state& w, const Value* v) {
  realtime_options r;
  if (!v)
    return r;
  object o(w, v, "realtime",
           {"target_rate", "duration_s", "max_live", "journal", "data_dir", "url", "api_key",
            "connections"});
  r.target_rate = o.num("target_rate", r.target_rate);
  r.duration_s = o.num("duration_s", r.duration_s);
  r.max_live = static_cast<std::uint32_t>(o.integer("max_live", 0, 0, 4294967295.0));
  r.journal = o.boolean("journal", r.journal);
  r.data_dir = o.str("data_dir");
  r.url = o.str("url");
  r.api_key = o.str("api_key");
  r.connections = static_cast<std::uint32_t>(o.integer("connections", 0, 0, 1e6));
  return r;
}

template <class T, class Read>
std::vector<T> read_list(const object& o, std::string_view key, bool required, Read read) {
  std::vector<T> out;
  auto xs = o.list(key, required);
  for (std::size_t i = 0; i < xs.size(); ++i)
    out.push_back(read(xs[i], item(o.at(key), i), i));
  return out;
}

}  // namespace

engine::result<scenario> parse_scenario(std::string_view json) {
  if (nested_deeper_than(json, max_nesting))
    return engine::make_error(engine::errc::invalid_argument,
                              "invalid JSON: nested deeper than " + std::to_string(max_nesting) +
                                " levels");
  Value doc;
  auto parsed = google::protobuf::util::JsonStringToMessage(
    google::protobuf::StringPiece{json.data(), json.size()}, &doc);
  if (!parsed.ok()) {
    std::string what{parsed.message()};
    // The parser reports duplicate object keys in terms of Struct internals.
    if (auto at = what.find("Repeated map key: '"); at != std::string::npos)
      what = "duplicate key '" + what.substr(at + 19, what.find('\'', at + 19) - at - 19) + "'";
    // Otherwise: "reason\nexcerpt\n   ^" on three lines; keep one line.
    auto first = what.find('\n');
    if (first != std::string::npos) {
      auto second = what.find('\n', first + 1);
      auto excerpt =
        what.substr(first + 1, second == std::string::npos ? second : second - first - 1);
      what = what.substr(0, first) + (excerpt.empty() ? "" : " (near: " + excerpt + ")");
    }
    return engine::make_error(engine::errc::invalid_argument, "invalid JSON: " + what);
  }
  walk_state w;
  object top(w, &doc, {},
             {"name", "description", "seed", "replications", "days", "warmup_s",
              "sample_every_s", "sl_threshold_s", "policy", "compare_policies", "oracle", "on_off_slice_s", "fairness_bound", "manager_wait_s", "team_wait_s", "periods",
              "segments", "types", "groups", "queues", "realtime", "parameters"});
  scenario s;
  s.name = top.str("name", {}, true);
  s.description = top.str("description");
  s.seed = static_cast<std::uint64_t>(top.integer("seed", 1, 0, 9007199254740992.0));
  s.replications = static_cast<int>(top.integer("replications", 5, 1, 100000));
  s.days = static_cast<int>(top.integer("days", 1, 1, 3650));
  s.warmup_s = top.num("warmup_s", 0);
  s.sample_every_s = top.num("sample_every_s", 60);
  s.sl_threshold_s = top.num("sl_threshold_s", 20);
  if (auto p = top.get("policy"))
    s.policy = as_policy(w, *p, "policy").value_or(s.policy);
  s.oracle = top.boolean("oracle", false);
  s.on_off_slice_s = top.num("on_off_slice_s", 0);
  s.fairness_bound = top.num("fairness_bound", 0.10);
  s.manager_wait_s = top.num("manager_wait_s", 30);
  s.team_wait_s = top.num("team_wait_s", 30);
  for (auto [key, v] : {std::pair{"manager_wait_s", s.manager_wait_s}, std::pair{"team_wait_s", s.team_wait_s}})
    if (!w.failed() && !(v >= 0 && v <= 7 * 86400))
      w.fail(key, "must be 0..604800");
  if (!w.failed() && !(s.fairness_bound >= 0 && s.fairness_bound <= 1))
    w.fail("fairness_bound", "must be 0..1");
  if (!w.failed() && s.on_off_slice_s != 0 && !(s.on_off_slice_s >= 60 && s.on_off_slice_s <= 86400))
    w.fail("on_off_slice_s", "must be 0 or 60..86400");
  auto compare = top.list("compare_policies");
  for (std::size_t i = 0; i < compare.size(); ++i)
    if (auto p = as_policy(w, *compare[i], item("compare_policies", i)))
      s.compare_policies.push_back(*p);
  if (!w.failed() && !(s.sl_threshold_s > 0))
    w.fail("sl_threshold_s", "must be > 0");

  s.periods = read_list<period>(top, "periods", true, [&](auto v, auto path, auto i) {
    return read_period(w, v, path, i);
  });
  if (top.get("segments"))
    s.segments = read_list<segment>(top, "segments", true, [&](auto v, auto path, auto) {
      return read_segment(w, v, path);
    });
  else
    s.segments.push_back(segment{"default", 0, 0, 1, false, {}, 1000});
  s.types = read_list<contact_type>(top, "types", true, [&](auto v, auto path, auto) {
    return read_type(w, v, path);
  });
  s.groups = read_list<agent_group>(top, "groups", true, [&](auto v, auto path, auto) {
    return read_group(w, v, path);
  });
  s.queues = read_list<engine::queue_config>(top, "queues", true, [&](auto v, auto path, auto) {
    return read_queue(w, v, path, s);
  });
  s.realtime = read_realtime(w, top.get("realtime"));
  for (const auto& [key, v] : top.entries("parameters")) {
    auto path = child("parameters", key);
    if (v->kind_case() == Value::kStringValue)
      s.parameters[key] = v->string_value();
    else if (v->kind_case() == Value::kNumberValue)
      s.parameters[key] = format_number(v->number_value());
    else if (v->kind_case() == Value::kBoolValue)
      s.parameters[key] = v->bool_value() ? "true" : "false";
    else
      w.fail(path, "must be a string, number or boolean, got " + std::string{kind_name(*v)});
  }
  if (w.err)
    return *w.err;
  if (auto st = validate(s); !st)
    return st.err();
  return s;
}

}  // namespace switchboard::bench
