#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/profiles.h"

namespace switchboard::app {

/// The demo tenant: queues with overflow, customers with tiers and segments,
/// in-house and crowdsourced agents with skills. Deterministic for a seed.
struct demo_tenant {
  engine::tenant_config tenant;
  std::vector<engine::queue_config> queues;  ///< overflow targets first
  std::vector<engine::agent_profile> agents;
  std::vector<engine::customer_profile> customers;
  /// Intents customers call about, with the queue each goes to and its share.
  struct intent_mix {
    std::string intent;
    std::string queue;
    double share;
  };
  std::vector<intent_mix> intents;
};

demo_tenant make_demo_tenant(std::uint64_t seed);

}  // namespace switchboard::app
