// The live service level (docs/protocol.md): answered within the threshold over
// answered + abandoned, every abandonment counted, per queue and for the tenant.
// A real node in a temp dir; the statistics are read through node::stats.
#include <thread>

#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

class service_level_test : public node_fixture {
 protected:
  /// The tenant's statistics once `pred` holds for them (queue events reach the
  /// queue actors asynchronously); the last ones read when the bound passed.
  tenant_stats stats_when(const std::function<bool(const tenant_stats&)>& pred) {
    auto deadline = std::chrono::steady_clock::now() + wait_bound;
    tenant_stats last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto s = n().stats(t1);
      EXPECT_TRUE(s.ok()) << describe(s);
      if (!s.ok())
        return last;
      last = *s;
      if (pred(last))
        return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return last;
  }

  static const queue_stats* queue_of(const tenant_stats& s, const std::string& id) {
    for (const auto& q : s.queues)
      if (q.id == id)
        return &q;
    return nullptr;
  }
};

TEST_F(service_level_test, one_abandoned_within_the_threshold_and_none_answered_is_zero) {
  auto before = n().stats(t1);
  ASSERT_TRUE(before.ok()) << describe(before);
  EXPECT_DOUBLE_EQ(before->service_level, 1.0);  // nothing answered or abandoned yet

  submit("gone-1");
  // Nobody is logged in: the customer leaves at once, well within the 20 s threshold.
  ASSERT_TRUE(n().end_contact(t1, "gone-1").ok());
  ASSERT_TRUE(saw(is(event_type::abandoned, "gone-1")));
  auto s = stats_when([](const tenant_stats& x) {
    auto* q = queue_of(x, "q1");
    return q && q->abandoned == 1;
  });
  const auto* q1 = queue_of(s, "q1");
  ASSERT_NE(q1, nullptr);
  EXPECT_EQ(q1->abandoned, 1u);
  EXPECT_EQ(q1->answered, 0u);
  EXPECT_DOUBLE_EQ(q1->service_level, 0.0);
  EXPECT_EQ(s.abandoned, 1u);
  EXPECT_DOUBLE_EQ(s.service_level, 0.0);
  const auto* fast = queue_of(s, "fast");
  ASSERT_NE(fast, nullptr);
  EXPECT_DOUBLE_EQ(fast->service_level, 1.0);  // an untouched queue has missed nothing
}

TEST_F(service_level_test, the_tenant_total_is_the_same_ratio_over_all_its_queues) {
  ASSERT_TRUE(n().define_queue(make_queue(t1, "q2")).ok());
  ASSERT_TRUE(n().login(t1, "a1").ok());
  // q1: one contact answered at once (within the threshold).
  submit("talk-1", "q1");
  auto o = offer_of("talk-1", "a1");
  ASSERT_TRUE(n().accept(t1, "a1", "talk-1", o.offer_id).ok());
  // q2: two contacts abandoned while a1 (one chat at a time) is busy.
  submit("gone-1", "q2");
  submit("gone-2", "q2");
  ASSERT_TRUE(n().end_contact(t1, "gone-1").ok());
  ASSERT_TRUE(n().end_contact(t1, "gone-2").ok());
  auto s = stats_when([](const tenant_stats& x) {
    auto* a = queue_of(x, "q1");
    auto* b = queue_of(x, "q2");
    return a && b && a->answered == 1 && b->abandoned == 2;
  });
  const auto* q1 = queue_of(s, "q1");
  const auto* q2 = queue_of(s, "q2");
  ASSERT_TRUE(q1 && q2);
  ASSERT_EQ(q1->answered, 1u);
  ASSERT_EQ(q2->abandoned, 2u);
  EXPECT_DOUBLE_EQ(q1->service_level, 1.0);
  EXPECT_DOUBLE_EQ(q2->service_level, 0.0);
  // 1 answered within over (1 answered + 2 abandoned), not the mean of 1 and 0.
  EXPECT_NEAR(s.service_level, 1.0 / 3.0, 1e-12);
}

}  // namespace
}  // namespace switchboard::testing
