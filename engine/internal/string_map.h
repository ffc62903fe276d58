#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchboard::engine::internal {

/// Hash of strings that also takes `std::string_view` and `const char*`, so lookups
/// by a view do not build a temporary `std::string` (heterogeneous lookup, C++20).
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// `std::unordered_map` keyed by string, looked up by `std::string_view` without
/// allocating.
template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

}  // namespace switchboard::engine::internal
