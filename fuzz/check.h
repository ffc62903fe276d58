#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

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

}  // namespace switchboard::fuzz
