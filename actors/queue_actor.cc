#include "actors/queue_actor.h"

#include <caf/all.hpp>

#include "actors/messages.h"
#include "engine/queue_stats.h"

namespace switchboard::actors {

namespace {

struct queue_actor_state {
  engine::queue_config config;
  engine::queue_stats stats;
  static inline const char* name = "queue";
};

using queue_ptr = queue_iface::stateful_pointer<queue_actor_state>;

queue_iface::behavior_type queue_actor(queue_ptr self, engine::queue_config config) {
  self->state.stats.set_threshold(config.sl_threshold);
  self->state.config = std::move(config);
  return {
    [=](engine::queue_config& c) {
      self->state.stats.set_threshold(c.sl_threshold);
      self->state.config = std::move(c);
    },
    [=](const queue_event_msg& m) {
      auto& s = self->state.stats;
      switch (m.kind) {
        case queue_event_kind::enqueued: s.on_enqueued(); break;
        case queue_event_kind::answered: s.on_answered(m.value); break;
        case queue_event_kind::abandoned: s.on_abandoned(m.value); break;
        case queue_event_kind::completed: s.on_completed(m.value); break;
        case queue_event_kind::expired: s.on_offer_expired(); break;
      }
    },
    [=](const queue_stats_req&) {
      const auto& s = self->state.stats;
      queue_stats v;
      v.id = self->state.config.id;
      v.entered = s.entered();
      v.answered = s.answered();
      v.abandoned = s.abandoned();
      v.completed = s.completed();
      v.offers_expired = s.offers_expired();
      v.service_level = s.service_level();
      v.asa_ms = s.average_speed_of_answer_ms();
      v.aht_ms = s.average_handle_ms();
      return v;
    },
    [=](stop_atom) { self->quit(); },
  };
}

}  // namespace

queue_iface spawn_queue_actor(caf::local_actor* parent, engine::queue_config config) {
  return parent->spawn(queue_actor, std::move(config));
}

}  // namespace switchboard::actors
