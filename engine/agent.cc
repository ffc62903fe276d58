#include "engine/agent.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace switchboard::engine {

std::uint32_t agent_runtime::total_load() const {
  return std::accumulate(load.begin(), load.end(), 0u);
}

agent_state agent_runtime::state() const {
  if (!logged_in)
    return agent_state::offline;
  auto total = total_load();
  if (total > 0)
    return wrap_count == total ? agent_state::wrap_up : agent_state::busy;
  return away ? agent_state::away : agent_state::available;
}

time_ms agent_runtime::idle_ms(time_ms now) const {
  auto since = total_load() == 0 ? idle_since : std::max(idle_since, last_assigned);
  return std::max<time_ms>(0, now - since);
}

bool has_free_capacity(const agent_profile& p, const agent_runtime& rt, channel ch) {
  if (!rt.logged_in || rt.away || rt.disconnected)
    return false;
  const auto& cap = p.capacity[index(ch)];
  if (cap.max == 0)
    return false;
  auto total = rt.total_load();
  if (cap.exclusive)
    return total == 0;
  for (std::size_t i = 0; i < channel_count; ++i)
    if (p.capacity[i].exclusive && rt.load[i] > 0)
      return false;
  return rt.load[index(ch)] < cap.max;
}

bool has_any_free_capacity(const agent_profile& p, const agent_runtime& rt) {
  for (std::size_t i = 0; i < channel_count; ++i)
    if (has_free_capacity(p, rt, static_cast<channel>(i)))
      return true;
  return false;
}

double occupancy(const agent_profile& p, const agent_runtime& rt) {
  std::uint32_t cap = 0;
  for (const auto& c : p.capacity)
    cap += c.max;
  if (cap == 0)
    return 1.0;
  return std::min(1.0, static_cast<double>(rt.total_load()) / cap);
}

namespace {

double decayed_share(const agent_runtime& rt, time_ms now) {
  if (now <= rt.busy_at)
    return rt.busy_share;
  double target = rt.total_load() > 0 ? 1.0 : 0.0;
  double keep = std::exp(-static_cast<double>(now - rt.busy_at) / static_cast<double>(busy_window));
  return target + (rt.busy_share - target) * keep;
}

}  // namespace

double recent_occupancy(const agent_runtime& rt, time_ms now) {
  return decayed_share(rt, now);
}

void note_busy(agent_runtime& rt, time_ms now) {
  rt.busy_share = decayed_share(rt, now);
  rt.busy_at = std::max(rt.busy_at, now);
}

void add_load(agent_runtime& rt, channel ch, time_ms now) {
  note_busy(rt, now);
  ++rt.load[index(ch)];
  rt.last_assigned = now;
}

void remove_load(agent_runtime& rt, channel ch, time_ms now) {
  note_busy(rt, now);
  auto& l = rt.load[index(ch)];
  if (l > 0)
    --l;
  if (rt.total_load() == 0)
    rt.idle_since = now;
}

}  // namespace switchboard::engine
