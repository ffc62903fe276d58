// The service level as the edge reports it, in StatsUpdate and on /metrics: one
// definition (docs/protocol.md), every abandonment counted, also one within the
// threshold.
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

using service_level_test = edge_fixture;

const pb::QueueStats* queue_in(const pb::StatsUpdate& u, const std::string& id) {
  for (const auto& q : u.queues())
    if (q.queue() == id)
      return &q;
  return nullptr;
}

TEST_F(service_level_test, one_abandoned_and_none_answered_reports_zero_in_stats_and_metrics) {
  auto sup = supervisor("t1");
  auto r = sup->call(subscribe_stats(50));
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto first = sup->wait_for([](const pb::Envelope& e) { return e.has_stats_update(); });
  ASSERT_TRUE(first.has_value());
  EXPECT_DOUBLE_EQ(first->stats_update().service_level(), 1.0);  // nothing closed yet

  // Nobody is logged in: the customer waits a moment and leaves, well within the
  // queue's 20 s threshold.
  auto gw = gateway("t1");
  r = gw->call(open_contact("gone-1", "q1"));
  ASSERT_TRUE(r && r->has_contact_opened()) << show(r);
  r = gw->call(end_contact("gone-1"));
  ASSERT_TRUE(r && r->has_ack()) << show(r);

  auto upd = sup->wait_for([](const pb::Envelope& e) {
    if (!e.has_stats_update())
      return false;
    const auto* q = queue_in(e.stats_update(), "q1");
    return q && q->abandoned() == 1;
  });
  ASSERT_TRUE(upd.has_value()) << sup->error();
  const auto& u = upd->stats_update();
  const auto* q1 = queue_in(u, "q1");
  ASSERT_NE(q1, nullptr);
  EXPECT_EQ(q1->answered(), 0u);
  EXPECT_DOUBLE_EQ(q1->service_level(), 0.0);
  EXPECT_EQ(u.abandoned(), 1u);
  EXPECT_DOUBLE_EQ(u.service_level(), 0.0);
  const auto* q2 = queue_in(u, "q2");
  ASSERT_NE(q2, nullptr);
  EXPECT_DOUBLE_EQ(q2->service_level(), 1.0);

  auto res = http_get(port(), "/metrics");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(metric_value(res.body, "switchboard_service_level{tenant=\"t1\"}"), 0.0) << res.body;
  EXPECT_EQ(metric_value(res.body, "switchboard_service_level{tenant=\"t2\"}"), 1.0) << res.body;
}

}  // namespace
}  // namespace switchboard::testing
