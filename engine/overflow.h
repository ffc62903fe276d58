#pragma once

#include <string_view>

#include "engine/profiles.h"

namespace switchboard::engine {

/// The rules in force for a contact after some waiting time: the queue's match
/// rule as changed by the overflow steps reached so far (steps accumulate).
struct step_view {
  int index = -1;               ///< last step reached, -1 for none
  int min_proficiency_cap = -1; ///< every required proficiency capped at this; -1: none
  bool admit_crowd = false;
  std::string_view move_to_queue;  ///< target of the last move step reached, if any
};

/// The steps of `q` in force after waiting `waited` ms.
step_view current_step(const queue_config& q, time_ms waited);

/// When the next step of `q` after step `index` applies (waiting time), or -1.
time_ms next_step_after(const queue_config& q, int index);

}  // namespace switchboard::engine
