#include "actors/event_hub.h"

#include <caf/all.hpp>
#include <vector>

#include "actors/event.h"
#include "actors/messages.h"

namespace switchboard::actors {

namespace {

// A blocking actor on its own thread rather than `spawn<detached>`, for the
// shutdown reason given at the storage actor (CAF 0.17, issue #1196). A class, not
// a function: CAF 0.17 spawns a function given no arguments through
// init_fun_factory, which binds a reference to its null argument tuple
// (`*args_`), undefined behaviour that UBSan stops at (docs/security.md).
class event_hub final : public caf::blocking_actor {
 public:
  explicit event_hub(caf::actor_config& cfg) : caf::blocking_actor(cfg) {}

  const char* name() const override { return "event_hub"; }

  void act() override {
    bool running = true;
    receive_while(running)(
      [this](subscribe_msg& m) { subscribers_.push_back(std::move(m.callback)); },
      [this](const event& e) {
        for (const auto& cb : subscribers_)
          (*cb)(e);
      },
      [&](stop_atom) { running = false; });
  }

 private:
  std::vector<std::shared_ptr<event_callback>> subscribers_;
};

}  // namespace

caf::actor spawn_event_hub(caf::actor_system& sys) {
  return sys.spawn<event_hub>();
}

}  // namespace switchboard::actors
