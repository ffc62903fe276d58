#include "engine/overflow.h"

namespace switchboard::engine {

step_view current_step(const queue_config& q, time_ms waited) {
  step_view v;
  v.admit_crowd = q.admit_crowd;
  for (std::size_t i = 0; i < q.overflow.size(); ++i) {
    const auto& s = q.overflow[i];
    if (waited < s.after)
      break;
    v.index = static_cast<int>(i);
    if (s.min_proficiency >= 0)
      v.min_proficiency_cap = s.min_proficiency;
    v.admit_crowd = v.admit_crowd || s.admit_crowd;
    if (!s.move_to_queue.empty())
      v.move_to_queue = s.move_to_queue;
  }
  return v;
}

time_ms next_step_after(const queue_config& q, int index) {
  auto next = static_cast<std::size_t>(index + 1);
  return next < q.overflow.size() ? q.overflow[next].after : -1;
}

}  // namespace switchboard::engine
