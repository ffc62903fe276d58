#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// Where a routing domain lives in a cluster: rendezvous (highest random weight)
/// hashing over the live members. Every node computes the same order from the same
/// member list, with no coordination, and a member joining or leaving moves only
/// the domains it wins or held (about 1/n of them). Pure: etcd confirms the choice
/// (net/cluster), this only proposes it.
namespace switchboard::engine {

/// A stable 64-bit weight of (domain, member): the same on every node, build and
/// platform (FNV-1a over both names, then a 64-bit finaliser).
std::uint64_t rendezvous_weight(std::string_view domain, std::string_view member);

/// `members` ordered by their weight for `domain`, highest first (ties by name):
/// the first is the domain's owner, the second its standby. Duplicates are kept
/// once; an empty list gives an empty order.
std::vector<std::string> rendezvous_order(std::string_view domain,
                                          std::span<const std::string> members);

}  // namespace switchboard::engine
