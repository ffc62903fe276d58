#include "engine/contact_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

namespace switchboard::engine {
namespace {

using handle = contact_queue::handle;

std::vector<handle> in_line(const contact_queue& q) {
  std::vector<handle> out;
  q.for_each([&](const queue_key&, handle h) {
    out.push_back(h);
    return true;
  });
  return out;
}

TEST(contact_queue, starts_empty) {
  contact_queue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.position({0, 0, 1}), -1);
  EXPECT_FALSE(q.contains({0, 0, 1}));
  EXPECT_TRUE(in_line(q).empty());
}

TEST(contact_queue, orders_by_priority_then_enqueue_time_then_seq) {
  contact_queue q;
  // Pushed out of order on purpose.
  ASSERT_TRUE(q.push({0, 2'000, 4}, 4));
  ASSERT_TRUE(q.push({0, 1'000, 2}, 2));
  ASSERT_TRUE(q.push({9, 5'000, 6}, 6));
  ASSERT_TRUE(q.push({0, 1'000, 1}, 1));
  ASSERT_TRUE(q.push({-3, 0, 7}, 7));
  ASSERT_TRUE(q.push({9, 3'000, 5}, 5));
  EXPECT_EQ(in_line(q), (std::vector<handle>{5, 6, 1, 2, 4, 7}));
  EXPECT_EQ(q.front().second, 5u);
  EXPECT_EQ(q.front().first, (queue_key{9, 3'000, 5}));
}

TEST(contact_queue, position_is_the_zero_based_place_in_line) {
  contact_queue q;
  ASSERT_TRUE(q.push({0, 1'000, 1}, 1));
  ASSERT_TRUE(q.push({0, 2'000, 2}, 2));
  ASSERT_TRUE(q.push({0, 3'000, 3}, 3));
  EXPECT_EQ(q.position({0, 1'000, 1}), 0);
  EXPECT_EQ(q.position({0, 2'000, 2}), 1);
  EXPECT_EQ(q.position({0, 3'000, 3}), 2);
  EXPECT_EQ(q.position({0, 2'500, 9}), -1);
}

TEST(contact_queue, a_key_already_in_line_is_refused_and_keeps_its_handle) {
  contact_queue q;
  ASSERT_TRUE(q.push({0, 1'000, 1}, 1));
  EXPECT_FALSE(q.push({0, 1'000, 1}, 2));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.front().second, 1u);
}

TEST(contact_queue, erase_removes_one_contact_and_the_rest_move_up) {
  contact_queue q;
  ASSERT_TRUE(q.push({0, 1'000, 1}, 1));
  ASSERT_TRUE(q.push({0, 2'000, 2}, 2));
  ASSERT_TRUE(q.push({0, 3'000, 3}, 3));
  EXPECT_TRUE(q.erase({0, 1'000, 1}));
  EXPECT_FALSE(q.erase({0, 1'000, 1}));
  EXPECT_FALSE(q.contains({0, 1'000, 1}));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.position({0, 2'000, 2}), 0);
  EXPECT_EQ(q.position({0, 3'000, 3}), 1);
}

TEST(contact_queue, requeued_contact_keeps_its_place) {
  contact_queue q;
  ASSERT_TRUE(q.push({0, 1'000, 1}, 1));
  ASSERT_TRUE(q.push({0, 2'000, 2}, 2));
  // Contact 1 leaves the line for an offer; others arrive meanwhile.
  ASSERT_TRUE(q.erase({0, 1'000, 1}));
  ASSERT_TRUE(q.push({0, 3'000, 3}, 3));
  ASSERT_TRUE(q.push({0, 4'000, 4}, 4));
  // The offer is declined: the same key puts it back in front.
  ASSERT_TRUE(q.push({0, 1'000, 1}, 1));
  EXPECT_EQ(q.position({0, 1'000, 1}), 0);
  EXPECT_EQ(in_line(q), (std::vector<handle>{1, 2, 3, 4}));
}

TEST(contact_queue, higher_priority_contact_arriving_later_goes_ahead) {
  contact_queue q;
  ASSERT_TRUE(q.push({0, 1'000, 1}, 1));
  ASSERT_TRUE(q.push({0, 2'000, 2}, 2));
  ASSERT_TRUE(q.push({1, 9'000, 3}, 3));
  EXPECT_EQ(q.position({1, 9'000, 3}), 0);
  EXPECT_EQ(q.position({0, 1'000, 1}), 1);
}

TEST(contact_queue, for_each_stops_when_the_callback_returns_false) {
  contact_queue q;
  for (handle h = 1; h <= 5; ++h)
    ASSERT_TRUE(q.push({0, static_cast<time_ms>(h) * 1'000, h}, h));
  std::vector<handle> seen;
  q.for_each([&](const queue_key&, handle h) {
    seen.push_back(h);
    return seen.size() < 2;
  });
  EXPECT_EQ(seen, (std::vector<handle>{1, 2}));
}

TEST(contact_queue, positions_match_sorted_order_under_random_inserts_and_erases) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> prio(-2, 2);
  std::uniform_int_distribution<time_ms> when(0, 50);
  contact_queue q;
  std::vector<std::pair<queue_key, handle>> model;
  for (handle h = 0; h < 2'000; ++h) {
    queue_key k{prio(rng), when(rng), h};
    ASSERT_TRUE(q.push(k, h));
    model.emplace_back(k, h);
    if (h % 3 == 0) {
      std::uniform_int_distribution<std::size_t> pick(0, model.size() - 1);
      auto i = pick(rng);
      ASSERT_TRUE(q.erase(model[i].first));
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  std::sort(model.begin(), model.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  ASSERT_EQ(q.size(), model.size());
  std::vector<handle> expected;
  for (std::size_t i = 0; i < model.size(); ++i) {
    EXPECT_EQ(q.position(model[i].first), static_cast<std::int64_t>(i));
    expected.push_back(model[i].second);
  }
  EXPECT_EQ(in_line(q), expected);
}

}  // namespace
}  // namespace switchboard::engine
