#include "engine/placement.h"

#include <algorithm>

namespace switchboard::engine {

std::uint64_t rendezvous_weight(std::string_view domain, std::string_view member) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a offset basis
  auto feed = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;  // FNV prime
    }
  };
  feed(domain);
  feed(std::string_view{"\0", 1});  // "ab"+"c" and "a"+"bc" must differ
  feed(member);
  // FNV's low bits mix poorly; a murmur3-style finaliser spreads them.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

std::vector<std::string> rendezvous_order(std::string_view domain,
                                          std::span<const std::string> members) {
  std::vector<std::pair<std::uint64_t, std::string>> ranked;
  ranked.reserve(members.size());
  for (const auto& m : members)
    ranked.emplace_back(rendezvous_weight(domain, m), m);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  out.reserve(ranked.size());
  for (auto& [w, m] : ranked)
    if (std::find(out.begin(), out.end(), m) == out.end())
      out.push_back(std::move(m));
  return out;
}

}  // namespace switchboard::engine
