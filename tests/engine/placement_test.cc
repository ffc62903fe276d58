#include "engine/placement.h"

#include <gtest/gtest.h>

#include <map>

namespace switchboard::engine {
namespace {

TEST(placement, weights_depend_on_both_names) {
  EXPECT_EQ(rendezvous_weight("t1", "a"), rendezvous_weight("t1", "a"));
  EXPECT_NE(rendezvous_weight("t1", "a"), rendezvous_weight("t1", "b"));
  EXPECT_NE(rendezvous_weight("ab", "c"), rendezvous_weight("a", "bc")) << "names are separated";
}

TEST(placement, weights_are_pinned_so_every_build_places_domains_alike) {
  // Nodes of different builds (a rolling upgrade) must agree on every owner: a
  // change of the hash is a change of the cluster protocol.
  EXPECT_EQ(rendezvous_weight("tenant-1", "node-a"), 0x4db6a7f9dd97ce13ull);
  std::vector<std::string> m{"a", "b", "c"};
  EXPECT_EQ(rendezvous_order("demo", m), (std::vector<std::string>{"c", "b", "a"}));
}

TEST(placement, the_order_is_the_same_whatever_order_members_are_listed_in) {
  std::vector<std::string> m1{"a", "b", "c", "d"};
  std::vector<std::string> m2{"d", "c", "b", "a", "b"};
  for (int i = 0; i < 50; ++i) {
    auto d = "domain-" + std::to_string(i);
    auto o = rendezvous_order(d, m1);
    EXPECT_EQ(o, rendezvous_order(d, m2)) << d;
    EXPECT_EQ(o.size(), 4u) << "duplicates once";
  }
  EXPECT_TRUE(rendezvous_order("x", std::vector<std::string>{}).empty());
}

TEST(placement, domains_spread_evenly_and_a_join_moves_only_what_the_new_member_wins) {
  std::vector<std::string> three{"a", "b", "c"};
  std::vector<std::string> four{"a", "b", "c", "d"};
  std::map<std::string, int> per_owner;
  int moved = 0, moved_elsewhere = 0;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    auto d = "t" + std::to_string(i);
    auto before = rendezvous_order(d, three).front();
    auto after = rendezvous_order(d, four).front();
    ++per_owner[before];
    if (before != after) {
      ++moved;
      if (after != "d")
        ++moved_elsewhere;
    }
  }
  for (auto& [m, count] : per_owner)
    EXPECT_NEAR(count, n / 3, n / 3 * 0.1) << m;  // within 10% of a fair share
  EXPECT_NEAR(moved, n / 4, n / 4 * 0.15) << "about a quarter moves to the new member";
  EXPECT_EQ(moved_elsewhere, 0) << "nothing moves between the old members";
}

TEST(placement, a_leave_moves_only_the_leavers_domains_to_their_standby) {
  std::vector<std::string> three{"a", "b", "c"};
  std::vector<std::string> two{"a", "c"};
  for (int i = 0; i < 500; ++i) {
    auto d = "t" + std::to_string(i);
    auto before = rendezvous_order(d, three);
    auto after = rendezvous_order(d, two).front();
    if (before.front() != "b")
      EXPECT_EQ(after, before.front()) << d;
    else
      EXPECT_EQ(after, before[1]) << d << ": its standby takes it";
  }
}

}  // namespace
}  // namespace switchboard::engine
