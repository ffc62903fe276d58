#include "actors/event_hub.h"

#include <caf/all.hpp>
#include <vector>

#include "actors/event.h"
#include "actors/messages.h"

namespace switchboard::actors {

namespace {

struct hub_state {
  std::vector<std::shared_ptr<event_callback>> subscribers;
  static inline const char* name = "event_hub";
};

// A blocking actor on its own thread rather than `spawn<detached>`, for the
// shutdown reason given at the storage actor (CAF 0.17, issue #1196).
void event_hub(caf::stateful_actor<hub_state, caf::blocking_actor>* self) {
  bool running = true;
  self->receive_while(running)(
    [=](subscribe_msg& m) { self->state.subscribers.push_back(std::move(m.callback)); },
    [=](const event& e) {
      for (const auto& cb : self->state.subscribers)
        (*cb)(e);
    },
    [&](stop_atom) { running = false; });
}

}  // namespace

caf::actor spawn_event_hub(caf::actor_system& sys) {
  return sys.spawn(event_hub);
}

}  // namespace switchboard::actors
