#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// The one JSON writer of the command and the bench: the report, `demo
/// --summary-json` and `inspect --json` all go through it.
namespace switchboard::bench {

/// A minimal streaming JSON writer that tracks commas itself. Numbers are
/// written in their shortest round-trip form; NaN and infinities become null
/// (JSON has neither); integers are exact. Strings are escaped (quotes,
/// backslashes, control characters); valid UTF-8 passes through and each byte
/// of an invalid sequence becomes U+FFFD, so the output is always valid JSON.
/// The caller balances begin/end; nothing is checked at run time.
class json_writer {
 public:
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  /// A member name; the next value is its value.
  void key(std::string_view k);

  void value(std::string_view s);
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(const char* s) { value(std::string_view(s)); }
  void value(double v);
  void value(std::uint64_t v);
  void value(std::int64_t v);
  void value(int v) { value(static_cast<std::int64_t>(v)); }
  void value(unsigned v) { value(static_cast<std::uint64_t>(v)); }
  void value(bool v);
  void null();

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

  /// The text written so far; the writer is empty afterwards.
  std::string take() { return std::move(out_); }

 private:
  void open(char c);
  void close(char c);
  void comma();
  void string_literal(std::string_view s);

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace switchboard::bench
