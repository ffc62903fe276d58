// The edge's bad-input log throttle: a flood of lines of one kind writes at most
// `per_second` of them a second plus one summary per window, whatever the flood.
#include "net/internal/log_throttle.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "engine/clock.h"
#include "tests/net/log_fixture.h"

namespace switchboard::testing {
namespace {

using net::internal::log_throttle;
using spdlog::level::info;
using spdlog::level::warn;

struct throttled {
  std::shared_ptr<counting_sink> sink = std::make_shared<counting_sink>();
  std::shared_ptr<engine::manual_clock> clock = std::make_shared<engine::manual_clock>(1000);
  std::unique_ptr<log_throttle> t;
  explicit throttled(std::uint32_t per_second)
    : t(std::make_unique<log_throttle>(counted_logger(sink), clock, per_second)) {}
};

// The lines are written at `info`, the summaries at `warn`, so the sink tells
// them apart by level.
TEST(log_throttle_test, a_flood_writes_at_most_the_bound_each_second_and_one_summary) {
  throttled x{5};
  int written = 0;
  for (int i = 0; i < 10000; ++i)
    written += x.t->log(info, "malformed_frame", "bad frame") ? 1 : 0;
  EXPECT_EQ(written, 5);
  EXPECT_EQ(x.sink->lines(info), 5);
  EXPECT_EQ(x.sink->lines(warn), 0);
  EXPECT_EQ(x.t->suppressed(), 9995u);
  // Ten more seconds of flood, 1000 lines each 100 ms.
  for (int tick = 0; tick < 100; ++tick) {
    x.clock->advance(100);
    for (int i = 0; i < 1000; ++i)
      (void) x.t->log(info, "malformed_frame", "bad frame");
  }
  // 11 windows opened (t = 0, 1 s, ..., 10 s): 5 lines each, and a summary on
  // each window's close but the last, still open.
  EXPECT_EQ(x.sink->lines(info), 55);
  EXPECT_EQ(x.sink->lines(warn), 10);
  EXPECT_EQ(x.t->suppressed(), 10000u + 100000u - 55u);
  // The last window's summary comes with the throttle's end.
  x.t.reset();
  EXPECT_EQ(x.sink->lines(warn), 11);
}

TEST(log_throttle_test, kinds_are_counted_apart_and_a_quiet_kind_gets_no_summary) {
  throttled x{3};
  for (int i = 0; i < 100; ++i)
    (void) x.t->log(info, "malformed_frame", "bad frame");
  // Another kind still has its own three lines this second.
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(x.t->log(info, "unknown_message", "no body"));
  EXPECT_FALSE(x.t->log(info, "unknown_message", "no body"));
  EXPECT_EQ(x.sink->lines(info), 6);
  x.clock->advance(1000);
  // A new window: the flooded kinds are summarised once each, as their next
  // line comes.
  EXPECT_TRUE(x.t->log(info, "malformed_frame", "bad frame"));
  EXPECT_EQ(x.sink->lines(warn), 1);
  EXPECT_TRUE(x.t->log(info, "unknown_message", "no body"));
  EXPECT_EQ(x.sink->lines(warn), 2);
  EXPECT_EQ(x.t->suppressed(), 97u + 1u);
  x.t.reset();
  EXPECT_EQ(x.sink->lines(warn), 2);
}

TEST(log_throttle_test, threads_flooding_together_share_one_bound) {
  throttled x{5};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i)
        (void) x.t->log(info, "malformed_frame", "bad frame");
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(x.sink->lines(info), 5);
  EXPECT_EQ(x.t->suppressed(), 20000u - 5u);
}

TEST(log_throttle_test, a_bound_of_zero_writes_only_the_summaries) {
  throttled x{0};
  for (int i = 0; i < 50; ++i)
    EXPECT_FALSE(x.t->log(info, "malformed_frame", "bad frame"));
  x.t.reset();
  EXPECT_EQ(x.sink->lines(info), 0);
  EXPECT_EQ(x.sink->lines(warn), 1);
}

}  // namespace
}  // namespace switchboard::testing
