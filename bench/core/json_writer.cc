#include "bench/core/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace switchboard::bench {

namespace {

/// Length of the well-formed UTF-8 sequence at the start of `s` (which starts
/// with a byte >= 0x80), or 0 when it is not one (overlong, surrogate, > U+10FFFF).
std::size_t utf8_length(std::string_view s) {
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

}  // namespace

void json_writer::key(std::string_view k) {
  comma();
  string_literal(k);
  out_ += ':';
  after_key_ = true;
}

void json_writer::value(std::string_view s) {
  comma();
  string_literal(s);
}

void json_writer::value(double v) {
  comma();
  if (!std::isfinite(v)) {
    out_ += "null";
    return;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, res.ptr);
}

void json_writer::value(std::uint64_t v) {
  comma();
  out_ += std::to_string(v);
}

void json_writer::value(std::int64_t v) {
  comma();
  out_ += std::to_string(v);
}

void json_writer::value(bool v) {
  comma();
  out_ += v ? "true" : "false";
}

void json_writer::null() {
  comma();
  out_ += "null";
}

void json_writer::open(char c) {
  comma();
  out_ += c;
  first_ = true;
}

void json_writer::close(char c) {
  out_ += c;
  first_ = false;
}

void json_writer::comma() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_ && !out_.empty()) out_ += ',';
  first_ = false;
}

void json_writer::string_literal(std::string_view s) {
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

}  // namespace switchboard::bench
