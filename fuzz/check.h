#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "engine/error.h"

/// What every fuzz target asserts with: a failed property is a crash libFuzzer
/// records (with the input), like a sanitizer report.
namespace switchboard::fuzz {

/// Aborts with `what` when `ok` is false.
inline void require(bool ok, std::string_view what) {
  if (ok)
    return;
  std::fprintf(stderr, "fuzz property violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

/// The bytes libFuzzer hands a target, as a string view.
inline std::string_view input(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// True when `r` holds a value. Otherwise checks the typed refusal every parser
/// promises: the error is `code`, with a message that starts with `prefix`.
template <class T>
bool accepted(const engine::result<T>& r, engine::errc code, std::string_view prefix = {}) {
  if (r.ok())
    return true;
  require(r.code() == code, "a refusal has the parser's documented error code");
  require(!r.err().message.empty() && r.err().message.starts_with(prefix), "a refusal says why");
  return false;
}

}  // namespace switchboard::fuzz
