#pragma once

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "engine/routing_domain.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine::testkit {

/// The routing_domain tests' fixture (suite `routing` and the suites derived from it):
/// a domain_fixture with queue snapshots and one-offer helpers.
class routing_fixture : public domain_fixture {
 protected:
  const queue_snapshot* snapshot(std::string_view queue) {
    snapshots_ = domain_.queues();
    for (const auto& q : snapshots_)
      if (q.id == queue)
        return &q;
    return nullptr;
  }
  /// One queue `support`, one chat agent `a` logged in at 0.
  void one_queue_one_agent() {
    add_queue(queue_builder());
    add_agent(agent_builder("a"));
    login("a", 0);
  }
  /// The single offer of `match(now)`, or a failure.
  offer only_offer(time_ms now) {
    auto offers = match(now);
    EXPECT_EQ(offers.size(), 1u);
    return offers.empty() ? offer{} : offers.front();
  }

  std::vector<queue_snapshot> snapshots_;
};

}  // namespace switchboard::engine::testkit
