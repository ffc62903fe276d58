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

caf::behavior event_hub(caf::stateful_actor<hub_state>* self) {
  return {
    [=](subscribe_msg& m) { self->state.subscribers.push_back(std::move(m.callback)); },
    [=](const event& e) {
      for (const auto& cb : self->state.subscribers)
        (*cb)(e);
    },
    [=](stop_atom) { self->quit(); },
  };
}

}  // namespace

caf::actor spawn_event_hub(caf::actor_system& sys) {
  return sys.spawn<caf::detached>(event_hub);
}

}  // namespace switchboard::actors
