#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "bench/core/report.h"

// The JSON writer: keys mirror the structs of report.h field by field. Numbers are
// written in their shortest round-trip form; NaN and infinities become null (JSON
// has neither); unsigned counters and seeds are exact integers.
namespace switchboard::bench {
namespace {

/// A minimal streaming JSON writer that tracks commas itself.
class json_writer {
 public:
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  void key(std::string_view k) {
    comma();
    string_literal(k);
    out_ += ':';
    after_key_ = true;
  }

  void value(std::string_view s) {
    comma();
    string_literal(s);
  }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(const char* s) { value(std::string_view(s)); }

  void value(double v) {
    comma();
    if (!std::isfinite(v)) {
      out_ += "null";
      return;
    }
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, res.ptr);
  }

  void value(std::uint64_t v) {
    comma();
    out_ += std::to_string(v);
  }
  void value(int v) {
    comma();
    out_ += std::to_string(v);
  }
  void value(unsigned v) { value(static_cast<std::uint64_t>(v)); }

  void null() {
    comma();
    out_ += "null";
  }

  template <class T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }

  /// `{...}` with what `body()` writes inside.
  template <class Body>
  void object(Body&& body) {
    begin_object();
    body();
    end_object();
  }

  /// `"k":[...]` with what `each(x)` writes for every element of `xs`.
  template <class Range, class Each>
  void array(std::string_view k, const Range& xs, Each&& each) {
    key(k);
    begin_array();
    for (const auto& x : xs) each(x);
    end_array();
  }

  /// `"k":[v, ...]`: the elements of `xs` as plain values.
  template <class Range>
  void values(std::string_view k, const Range& xs) {
    array(k, xs, [this](const auto& x) { value(x); });
  }

  /// `"k":[{...}, ...]`: one object per element, its fields written by `fields(x)`.
  template <class Range, class Fields>
  void objects(std::string_view k, const Range& xs, Fields&& fields) {
    array(k, xs, [&](const auto& x) { object([&] { fields(x); }); });
  }

  /// `"k":{"name":value, ...}` from a map.
  template <class Map>
  void map(std::string_view k, const Map& m) {
    key(k);
    object([&] {
      for (const auto& [name, v] : m) field(name, v);
    });
  }

  std::string take() { return std::move(out_); }

 private:
  void open(char c) {
    comma();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_ && !out_.empty()) out_ += ',';
    first_ = false;
  }

  /// A JSON string: quotes, backslashes and control characters escaped; valid
  /// UTF-8 passes through; each byte of an invalid sequence becomes U+FFFD.
  void string_literal(std::string_view s) {
    out_ += '"';
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        const std::size_t len = utf8_length(s.substr(i));
        if (len == 0) {
          out_ += "\xEF\xBF\xBD";
          ++i;
        } else {
          out_.append(s.substr(i, len));
          i += len;
        }
        continue;
      }
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ += buf;
          } else {
            out_ += static_cast<char>(c);
          }
      }
      ++i;
    }
    out_ += '"';
  }

  /// Length of the well-formed UTF-8 sequence at the start of `s` (which starts
  /// with a byte >= 0x80), or 0 when it is not one (overlong, surrogate, > U+10FFFF).
  static std::size_t utf8_length(std::string_view s) {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
    const unsigned char c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
      if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
      if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
      return 4;
    }
    return 0;
  }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

void write_ci(json_writer& w, const metric_ci& ci) {
  w.object([&] {
    w.field("mean", ci.mean);
    w.field("half_width", ci.half_width);
    w.field("n", ci.n);
  });
}

void write_ci_map(json_writer& w, std::string_view k, const std::map<std::string, metric_ci>& m) {
  w.key(k);
  w.object([&] {
    for (const auto& [name, ci] : m) {
      w.key(name);
      write_ci(w, ci);
    }
  });
}

void write_replication(json_writer& w, const replication_result& r) {
  w.object([&] {
    w.field("index", r.index);
    w.field("seed", r.seed);
    w.field("arrivals", r.arrivals);
    w.field("served", r.served);
    w.field("abandoned", r.abandoned);
    w.field("service_level", r.service_level);
    w.field("asa_s", r.asa_s);
    w.field("p_wait", r.p_wait);
    w.field("abandon_rate", r.abandon_rate);
    w.field("occupancy", r.occupancy);
    w.field("fairness_spread", r.fairness_spread);
    w.field("resolution_rate", r.resolution_rate);
    w.field("sale_rate", r.sale_rate);
    w.field("csat_mean", r.csat_mean);
    w.objects("groups", r.groups, [&](const group_result& g) {
      w.field("group", g.group);
      w.field("occupancy", g.occupancy);
      w.field("occupancy_spread", g.occupancy_spread);
      w.field("served", g.served);
    });
    w.objects("series", r.series, [&](const series_point& p) {
      w.field("t_s", p.t_s);
      w.field("waiting", p.waiting);
      w.field("service_level", p.service_level);
      w.field("occupancy", p.occupancy);
    });
    w.field("cpu_s", r.cpu_s);
    w.field("wall_s", r.wall_s);
  });
}

void write_latency(json_writer& w, const std::optional<latency_histogram>& latency) {
  w.key("latency");
  if (!latency) {
    w.null();
    return;
  }
  const auto& l = *latency;
  w.object([&] {
    w.values("upper_us", l.upper_us);  // the open last bucket (+inf) is written as null
    w.values("counts", l.counts);
    w.field("p50_us", l.p50_us);
    w.field("p99_us", l.p99_us);
    w.field("p999_us", l.p999_us);
    w.field("max_us", l.max_us);
    w.field("samples", l.samples);
  });
}

}  // namespace

std::string to_json(const run_report& r) {
  json_writer w;
  w.object([&] {
    w.field("scenario", r.scenario);
    w.field("mode", r.mode);
    w.field("seed", r.seed);
    w.field("build_type", r.build_type);
    w.field("cores", r.cores);
    w.map("parameters", r.parameters);
    w.field("sl_threshold_s", r.sl_threshold_s);
    w.field("sample_every_s", r.sample_every_s);
    write_ci_map(w, "summary", r.summary);
    w.objects("theory", r.theory, [&](const theory_row& t) {
      w.field("metric", t.metric);
      w.field("model", t.model);
      w.field("theory", t.theory);
      w.key("simulated");
      write_ci(w, t.simulated);
      w.field("rel_error", t.rel_error);
    });
    w.objects("policies", r.policies, [&](const policy_row& p) {
      w.field("policy", p.policy);
      write_ci_map(w, "summary", p.summary);
    });
    w.map("figures", r.figures);
    write_latency(w, r.latency);
    w.values("notes", r.notes);
    w.field("cpu_s", r.cpu_s);
    w.field("wall_s", r.wall_s);
    w.array("replications", r.replications,
            [&](const replication_result& rep) { write_replication(w, rep); });
  });
  return w.take() + "\n";
}

}  // namespace switchboard::bench
