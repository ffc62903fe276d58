#include "app/cli.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace switchboard::app {

engine::result<flags> flags::parse(const std::vector<std::string>& args,
                                   const std::set<std::string>& with_value,
                                   const std::set<std::string>& switches) {
  flags out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.rfind("--", 0) != 0) {
      out.positional_.push_back(a);
      continue;
    }
    auto name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (switches.count(name) > 0) {
      if (inline_value)
        return engine::make_error(engine::errc::invalid_argument,
                                  "flag --" + name + " takes no value");
      out.switches_.insert(name);
    } else if (with_value.count(name) > 0) {
      if (inline_value) {
        out.values_[name] = *inline_value;
      } else {
        if (i + 1 >= args.size())
          return engine::make_error(engine::errc::invalid_argument,
                                    "flag --" + name + " needs a value");
        out.values_[name] = args[++i];
      }
    } else {
      return engine::make_error(engine::errc::invalid_argument, "unknown flag --" + name);
    }
  }
  return out;
}

std::optional<std::string> flags::get(const std::string& name) const {
  auto i = values_.find(name);
  if (i == values_.end())
    return std::nullopt;
  return i->second;
}

bool flags::has(const std::string& name) const {
  return switches_.count(name) > 0 || values_.count(name) > 0;
}

engine::result<double> flags::number(const std::string& name, double fallback, double lo,
                                      double hi) const {
  auto v = get(name);
  if (!v)
    return fallback;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (v->empty() || end == nullptr || *end != '\0' || !std::isfinite(d))
    return engine::make_error(engine::errc::invalid_argument,
                              "--" + name + " expects a number, got '" + *v + "'");
  if (d < lo || d > hi) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "--%s must be between %g and %g", name.c_str(), lo, hi);
    return engine::make_error(engine::errc::invalid_argument, buf);
  }
  return d;
}

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace switchboard::app
