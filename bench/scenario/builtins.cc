#include <algorithm>

#include "bench/scenario/internal/builtins.h"

// The named built-in scenarios (one builtin_*.cc each) and `make_builtin`. Each
// built-in declares its keys with their defaults and ranges once (`key_def`);
// `knobs` reads them, checks their range and records the effective values in
// `scenario::parameters`.
namespace switchboard::bench {
namespace {

using builtin::builtin_def;
using builtin::join;
using engine::errc;

const std::vector<builtin_def>& registry() {
  static const std::vector<builtin_def> all{
    builtin::mmn_builtin(), builtin::multiskill_builtin(), builtin::peak_day_builtin(),
    builtin::vip_builtin(), builtin::scale_builtin(),
  };
  return all;
}

}  // namespace

std::vector<builtin_info> builtins() {
  std::vector<builtin_info> out;
  for (const auto& b : registry()) {
    builtin_info info{b.name, b.summary, {}};
    for (const auto& d : b.keys)
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
  // Not a structured binding: the lambdas capture `key`, which clang before 16
  // refuses for a binding (the fuzz build uses Debian's clang 14).
  for (const auto& entry : set) {
    const std::string& key = entry.first;
    bool own = std::any_of(b->keys.begin(), b->keys.end(),
                           [&](const builtin::key_def& d) { return d.key == key; });
    if (own)
      continue;
    bool is_generic = std::any_of(builtin::generic_keys().begin(), builtin::generic_keys().end(),
                                  [&](const auto& g) { return g.first == key; });
    if (!is_generic) {
      std::vector<std::string> valid;
      for (const auto& d : b->keys)
        valid.push_back(d.key);
      for (const auto& g : builtin::generic_key_names())
        if (std::find(valid.begin(), valid.end(), g) == valid.end())
          valid.push_back(g);
      return engine::make_error(errc::invalid_argument,
                                "unknown --set key '" + key + "' for built-in '" + b->name +
                                  "'; valid keys: " + join(valid));
    }
    generic.emplace(key, entry.second);
  }
  builtin::knobs k(b->keys, set);
  auto s = b->build(builtin::start(*b, k), k);
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

}  // namespace switchboard::bench
