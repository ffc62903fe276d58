#include "actors/session_actor.h"

#include <caf/all.hpp>

#include "actors/errors.h"
#include "actors/event.h"
#include "actors/messages.h"

namespace switchboard::actors {

namespace {

using engine::contact_state;
using engine::event_type;

struct session_state {
  session_args args;
  /// A submit is answered once the contact's creation is committed, but the
  /// contact may be served or abandoned before that: the session then quits only
  /// after answering, or the submitter would never hear back.
  bool ack_pending = false;
  bool ended = false;
  static inline const char* name = "session";
};

using session_ptr = caf::stateful_actor<session_state>*;

engine::contact& contact_of(session_ptr self) {
  return self->state.args.contact;
}

/// The copy the recommender keeps: no attached data (it never routes on it).
engine::contact routing_copy(const engine::contact& c) {
  engine::contact r = c;
  r.attached.clear();
  return r;
}

storage::write_batch journal_batch(session_ptr self, event_type type, contact_state from,
                                   std::string agent = {}) {
  auto& c = contact_of(self);
  storage::write_batch b;
  engine::journal_event e;
  e.at = self->state.args.ctx.clock->now();
  e.tenant = c.tenant;
  e.contact = c.id;
  e.type = type;
  e.from = from;
  e.to = c.state;
  e.queue = c.queue;
  e.agent = agent.empty() ? c.agent : std::move(agent);
  b.events.push_back(std::move(e));
  if (engine::is_terminal(c.state))
    b.live_deletes.emplace_back(c.tenant, c.id);
  else
    b.live_puts.push_back(c);
  return b;
}

void publish(session_ptr self, const engine::journal_event& e, std::uint64_t offer_id = 0,
             engine::time_ms deadline = 0) {
  event ev;
  ev.type = e.type;
  ev.tenant = e.tenant;
  ev.contact = e.contact;
  ev.agent = e.agent;
  ev.queue = e.queue;
  ev.state = e.to;
  ev.at = e.at;
  ev.offer_id = offer_id;
  ev.deadline = deadline;
  ev.detail = e.detail;
  if (e.decision)
    ev.decision = *e.decision;
  self->send(self->state.args.ctx.hub, std::move(ev));
}

/// Applies a transition, journals it (fire-and-forget) and publishes it.
bool change(session_ptr self, contact_state to, event_type type,
            std::optional<engine::outcome> result = std::nullopt,
            std::optional<engine::routing_decision> decision = std::nullopt,
            std::uint64_t offer_id = 0, engine::time_ms deadline = 0, std::string detail = {},
            std::string agent = {}) {
  auto& c = contact_of(self);
  auto from = c.state;
  if (from != to) {
    if (auto st = engine::transition(c, to); !st) {
      self->state.args.ctx.log->error("[{}/{}] {} ({})", c.tenant, c.id, st.err().message,
                                      engine::to_string(type));
      return false;
    }
  }
  auto b = journal_batch(self, type, from, std::move(agent));
  auto& e = b.events.front();
  e.result = std::move(result);
  e.decision = std::move(decision);
  e.detail = std::move(detail);
  // Handed to the journal before anyone hears of it: a subscriber that reacts to the
  // event (even by shutting the node down) never gets ahead of its record.
  auto published = e;
  self->send(self->state.args.ctx.storage, persist_msg{std::move(b)});
  publish(self, published, offer_id, deadline);
  return true;
}

void end(session_ptr self) {
  const auto& c = contact_of(self);
  self->send(self->state.args.registry, session_ended_msg{c.tenant, c.id});
  if (self->state.ack_pending)
    self->state.ended = true;  // quits in acked()
  else
    self->quit();
}

/// The submit was answered; a session that ended meanwhile can go now.
void acked(session_ptr self) {
  self->state.ack_pending = false;
  if (self->state.ended)
    self->quit();
}

void fail(session_ptr self, const std::string& why) {
  change(self, contact_state::failed, event_type::failed, std::nullopt, std::nullopt, 0, 0, why);
  end(self);
}

/// Tells the registry this restored contact is back with the recommender (or
/// failed): the node opens only once every one is, so that routing after open
/// sees them all, in their original order.
void restored(session_ptr self) {
  self->send(self->state.args.registry, restored_atom::value);
}

/// Recovery: back in line (queued, offered) or back with the agent (connected).
void restore(session_ptr self) {
  auto& c = contact_of(self);
  auto& args = self->state.args;
  if (c.state == contact_state::connected || c.state == contact_state::wrap_up) {
    self->request(args.recommender, caf::infinite, rec_restore_connected{routing_copy(c), self})
      .then([=] { restored(self); }, [=](caf::error&) { restored(self); });
    return;
  }
  auto was = c.state;
  c.state = contact_state::queued;
  c.agent.clear();
  self->request(args.recommender, caf::infinite, rec_enqueue_req{routing_copy(c), self})
    .then(
      [=](ok_atom) {
        auto b = journal_batch(self, event_type::requeued_on_recovery, was);
        b.events.front().detail = "restored after restart";
        auto published = b.events.front();
        self->send(self->state.args.ctx.storage, persist_msg{std::move(b)});
        publish(self, published);
        restored(self);
      },
      [=](caf::error& err) {
        restored(self);
        fail(self, "not re-queued after restart: " + from_caf(err).message);
      });
}

caf::behavior session(session_ptr self, session_args args) {
  self->state.args = std::move(args);
  if (self->state.args.start == session_start::restored)
    restore(self);
  return {
    [=](submit_req&) -> caf::result<submit_ack> {
      auto rp = self->make_response_promise<submit_ack>();
      auto& c = contact_of(self);
      if (c.state != contact_state::created) {
        rp.deliver(to_caf(engine::errc::duplicate_id, "contact " + c.id + " was submitted already"));
        return rp;
      }
      c.state = contact_state::queued;
      auto& a = self->state.args;
      self->request(a.recommender, caf::infinite, rec_enqueue_req{routing_copy(c), self})
        .then(
          [=](ok_atom) mutable {
            auto& c = contact_of(self);
            // Journal created + queued, and ack only once both are committed.
            auto b = journal_batch(self, event_type::contact_created, contact_state::created);
            b.events.front().to = contact_state::created;
            auto q = journal_batch(self, event_type::queued, contact_state::created);
            b.events.push_back(q.events.front());
            auto created = b.events[0];
            auto queued = b.events[1];
            submit_ack ack{c.id, c.seq, c.enqueued_at};
            self->state.ack_pending = true;
            auto commit = self->request(self->state.args.ctx.storage, caf::infinite,
                                        persist_req{std::move(b)});
            publish(self, created);
            publish(self, queued);
            std::move(commit)
              .then(
                [=](ok_atom) mutable {
                  rp.deliver(ack);
                  acked(self);
                },
                [=](caf::error& err) mutable {
                  rp.deliver(err);
                  acked(self);
                });
          },
          [=](caf::error& err) mutable {
            // Unregistered before answering: a corrected retry with the same id
            // must not find this session still live (duplicate_id).
            auto& c = contact_of(self);
            c.state = contact_state::failed;
            self->send(self->state.args.registry, session_ended_msg{c.tenant, c.id});
            rp.deliver(err);
            self->quit();
          });
      return rp;
    },
    [=](offered_msg& m) {
      auto& c = contact_of(self);
      c.agent = m.agent;
      ++c.offers;
      change(self, contact_state::offered, event_type::offered, std::nullopt,
             std::move(m.decision), m.offer_id, m.deadline);
    },
    [=](requeued_msg& m) {
      auto& c = contact_of(self);
      c.last_declined_by = m.agent;
      c.agent.clear();
      // The event names the agent whose offer ended, though the contact has none now.
      change(self, contact_state::queued, m.reason, std::nullopt, std::nullopt, 0, 0, {},
             m.agent);
    },
    [=](connected_msg& m) {
      contact_of(self).agent = m.agent;
      change(self, contact_state::connected, event_type::connected);
    },
    [=](wrap_up_msg&) { change(self, contact_state::wrap_up, event_type::wrap_up); },
    [=](completed_msg& m) {
      if (contact_of(self).state == contact_state::connected)
        change(self, contact_state::wrap_up, event_type::wrap_up);
      change(self, contact_state::completed, event_type::completed, m.result);
      end(self);
    },
    [=](abandoned_msg& m) {
      change(self, contact_state::abandoned, event_type::abandoned, std::nullopt, std::nullopt, 0,
             0, m.reason);
      end(self);
    },
    [=](moved_msg& m) {
      auto& c = contact_of(self);
      c.queue = m.to;
      c.journey.push_back("overflow:" + m.from + "->" + m.to);
      change(self, c.state, event_type::overflow_moved, std::nullopt, std::nullopt, 0, 0,
             m.from + "->" + m.to);
    },
    [=](transferred_msg& m) {
      auto& c = contact_of(self);
      c.journey.push_back("transfer:" + m.from + "->" + m.to);
      if (!change(self, contact_state::transferred, event_type::transferred, std::nullopt,
                  std::nullopt, 0, 0, m.from + "->" + m.to, m.agent))
        return;
      // A new leg: waiting in the target queue at its new place, without an agent.
      c.queue = m.to;
      c.enqueued_at = m.enqueued_at;
      c.seq = m.seq;
      c.agent.clear();
      change(self, contact_state::queued, event_type::queued, std::nullopt, std::nullopt, 0, 0,
             "transfer");
    },
    [=](const contact_req&) -> engine::contact { return contact_of(self); },
  };
}

}  // namespace

caf::actor spawn_session(caf::local_actor* parent, session_args args) {
  return parent->spawn(session, std::move(args));
}

}  // namespace switchboard::actors
