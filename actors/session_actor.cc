#include "actors/session_actor.h"

#include <caf/all.hpp>
#include <unordered_set>

#include "actors/errors.h"
#include "actors/event.h"
#include "actors/messages.h"

// change() takes designated initializers of `change_args`, whose members all have
// defaults; g++ 12 warns about every member left out (a false positive g++ 13 drops).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

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
  /// The customer's connection is gone; `absent_gen` tells a stale timer apart.
  bool absent = false;
  std::uint64_t absent_gen = 0;
  /// Chat lines journaled by this session (bounded by the node's policy).
  std::uint32_t lines = 0;
  /// Client ids of the lines journaled, so a line sent again is not doubled.
  std::unordered_set<std::string> line_ids;
  bool rated = false;
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
  e.at = self->state.args.ctx.clock->wall();
  e.tenant = c.tenant;
  e.contact = c.id;
  e.type = type;
  e.from = from;
  e.to = c.state;
  e.queue = c.queue;
  // A chat line names its writer as given (empty: the customer), not the contact's agent.
  e.agent = agent.empty() && type != event_type::message ? c.agent : std::move(agent);
  b.events.push_back(std::move(e));
  if (engine::is_terminal(c.state))
    b.live_deletes.emplace_back(c.tenant, c.id);
  else if (type != event_type::message && type != event_type::rated)
    b.live_puts.push_back(c);  // a chat line or a rating leaves the contact as it was
  return b;
}

/// What an offered event carries besides the journal record (see `event`).
struct offer_data {
  std::uint64_t offer_id = 0;
  engine::time_ms deadline = 0;
  engine::customer_profile customer;
};

void publish(session_ptr self, const engine::journal_event& e, offer_data* offer = nullptr) {
  event ev;
  ev.type = e.type;
  ev.tenant = e.tenant;
  ev.contact = e.contact;
  ev.agent = e.agent;
  ev.queue = e.queue;
  ev.state = e.to;
  ev.at = e.at;
  ev.detail = e.detail;
  if (e.decision)
    ev.decision = *e.decision;
  if (offer != nullptr) {
    ev.offer_id = offer->offer_id;
    ev.deadline = offer->deadline;
    ev.offered_contact = contact_of(self);
    ev.offered_customer = std::move(offer->customer);
  }
  self->send(self->state.args.ctx.hub, std::move(ev));
}

/// What goes with a state change besides its target state and event type.
struct change_args {
  std::optional<engine::outcome> result;
  std::optional<engine::routing_decision> decision;
  std::optional<offer_data> offer;
  std::string detail;
  std::string agent;  ///< the event's agent when not the contact's own
  /// The request being handled is answered by the storage actor once this record
  /// is committed (delegation): an acknowledgement is a promise that it is durable.
  bool ack = false;
};

/// Applies a transition, hands its record to the journal and publishes it. False
/// (nothing journaled) when the transition is not allowed.
bool change(session_ptr self, contact_state to, event_type type, change_args a = {}) {
  auto& c = contact_of(self);
  auto from = c.state;
  if (from != to) {
    if (auto st = engine::transition(c, to); !st) {
      self->state.args.ctx.log->error("[{}/{}] {} ({})", c.tenant, c.id, st.err().message,
                                      engine::to_string(type));
      return false;
    }
  }
  auto b = journal_batch(self, type, from, std::move(a.agent));
  auto& e = b.events.front();
  e.result = std::move(a.result);
  e.decision = std::move(a.decision);
  e.detail = std::move(a.detail);
  // Handed to the journal before anyone hears of it: a subscriber that reacts to the
  // event (even by shutting the node down) never gets ahead of its record.
  auto published = e;
  if (a.ack && self->current_message_id().is_request())
    self->delegate(self->state.args.ctx.storage, persist_req{std::move(b)});
  else
    self->send(self->state.args.ctx.storage, persist_msg{std::move(b)});
  publish(self, published, a.offer ? &*a.offer : nullptr);
  return true;
}

/// The answer of a handler whose last change was made with `ack`: delegated to
/// the storage actor, or the error when the change was refused.
caf::result<ok_atom> answered(session_ptr self, bool changed, const char* what) {
  if (changed)
    return caf::delegated<ok_atom>{};
  const auto& c = contact_of(self);
  return to_caf(engine::errc::invalid_transition, "contact " + c.id + " in state " +
                                                    std::string{engine::to_string(c.state)} +
                                                    " cannot be " + what);
}

void end(session_ptr self) {
  const auto& c = contact_of(self);
  self->send(self->state.args.registry, session_ended_msg{c.tenant, c.id});
  if (self->state.ack_pending)
    self->state.ended = true;  // quits in submit_answered()
  else
    self->quit();
}

/// The submit was answered; a session that ended meanwhile can go now.
void submit_answered(session_ptr self) {
  self->state.ack_pending = false;
  if (self->state.ended)
    self->quit();
}

void fail(session_ptr self, const std::string& why) {
  change(self, contact_state::failed, event_type::failed, {.detail = why});
  end(self);
}

/// Tells the registry this restored contact is back with the recommender (or
/// failed): the node opens only once every one is, so that routing after open
/// sees them all, in their original order.
void restored(session_ptr self) {
  self->send(self->state.args.registry, restored_atom::value);
}

/// The customer's connection is gone: after the customer grace period the
/// customer has left, unless it came back (`customer_connection_req`).
void customer_gone(session_ptr self) {
  auto& st = self->state;
  st.absent = true;
  auto gen = ++st.absent_gen;
  self->delayed_send(self, std::chrono::milliseconds(st.args.ctx.policy.customer_grace),
                     customer_grace_msg{gen});
}

/// Recovery: back in line (queued, offered) or back with the agent (connected).
void restore(session_ptr self) {
  auto& c = contact_of(self);
  auto& args = self->state.args;
  // Every connection died with the process: a customer who does not come back
  // within the grace period has left.
  if (args.ctx.policy.restored_customers_absent)
    customer_gone(self);
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
                  submit_answered(self);
                },
                [=](caf::error& err) mutable {
                  rp.deliver(err);
                  submit_answered(self);
                });
          },
          [=](caf::error& err) mutable {
            // Unregistered before answering: a corrected retry with the same id
            // must not find this session still live (duplicate_id).
            auto& c = contact_of(self);
            c.state = contact_state::failed;
            self->send(self->state.args.registry, session_ended_msg{c.tenant, c.id, true});
            rp.deliver(err);
            self->quit();
          });
      return rp;
    },
    [=](offered_msg& m) {
      auto& c = contact_of(self);
      c.agent = m.agent;
      ++c.offers;
      change(self, contact_state::offered, event_type::offered,
             {.decision = std::move(m.decision),
              .offer = offer_data{m.offer_id, m.deadline, std::move(m.customer)}});
    },
    [=](requeued_msg& m) -> caf::result<ok_atom> {
      auto& c = contact_of(self);
      c.last_declined_by = m.agent;
      c.agent.clear();
      // The event names the agent whose offer ended, though the contact has none now.
      return answered(self,
                      change(self, contact_state::queued, m.reason, {.agent = m.agent, .ack = true}),
                      "put back in line");
    },
    [=](connected_msg& m) -> caf::result<ok_atom> {
      contact_of(self).agent = m.agent;
      return answered(self, change(self, contact_state::connected, event_type::connected, {.ack = true}),
                      "connected");
    },
    [=](wrap_up_msg& m) -> caf::result<ok_atom> {
      return answered(self,
                      change(self, contact_state::wrap_up, event_type::wrap_up,
                             {.detail = m.reason, .ack = true}),
                      "wrapped up");
    },
    [=](completed_msg& m) -> caf::result<ok_atom> {
      if (contact_of(self).state == contact_state::connected)
        change(self, contact_state::wrap_up, event_type::wrap_up);
      auto ok = change(self, contact_state::completed, event_type::completed,
                       {.result = m.result, .ack = true});
      end(self);
      return answered(self, ok, "completed");
    },
    [=](abandoned_msg& m) -> caf::result<ok_atom> {
      auto ok = change(self, contact_state::abandoned, event_type::abandoned,
                       {.detail = m.reason, .ack = true});
      end(self);
      return answered(self, ok, "abandoned");
    },
    [=](moved_msg& m) {
      auto& c = contact_of(self);
      c.queue = m.to;
      c.journey.push_back("overflow:" + m.from + "->" + m.to);
      change(self, c.state, event_type::overflow_moved, {.detail = m.from + "->" + m.to});
    },
    [=](transferred_msg& m) -> caf::result<ok_atom> {
      auto& c = contact_of(self);
      c.journey.push_back("transfer:" + m.from + "->" + m.to);
      if (!change(self, contact_state::transferred, event_type::transferred,
                  {.detail = m.from + "->" + m.to, .agent = m.agent}))
        return answered(self, false, "transferred");
      // A new leg: waiting in the target queue at its new place, without an agent.
      c.queue = m.to;
      c.enqueued_at = m.enqueued_at;
      c.seq = m.seq;
      c.agent.clear();
      return answered(self,
                      change(self, contact_state::queued, event_type::queued,
                             {.detail = "transfer", .ack = true}),
                      "transferred");
    },
    [=](agent_lost_msg& m) {
      // Its agent never came back: waiting again, at its original place.
      contact_of(self).agent.clear();
      change(self, contact_state::queued, event_type::agent_lost,
             {.detail = "agent_lost", .agent = m.agent});
    },
    [=](rated_msg& m) -> caf::result<ok_atom> {
      auto& st = self->state;
      if (st.rated)
        return to_caf(engine::errc::duplicate_id,
                      "contact " + contact_of(self).id + " was rated already");
      st.rated = true;
      engine::outcome o;
      o.csat = m.csat;
      o.tip = m.tip;
      return answered(self,
                      change(self, contact_of(self).state, event_type::rated,
                             {.result = o, .detail = "csat=" + std::to_string(m.csat), .ack = true}),
                      "rated");
    },
    [=](message_req& m) -> caf::result<ok_atom> {
      auto& st = self->state;
      const auto& policy = st.args.ctx.policy;
      const auto& c = contact_of(self);
      if (m.text.empty())
        return to_caf(engine::errc::invalid_argument, "a chat line needs text");
      if (m.text.size() > policy.max_message_bytes)
        return to_caf(engine::errc::invalid_argument,
                      "a chat line is at most " + std::to_string(policy.max_message_bytes) +
                        " bytes");
      if (st.lines >= policy.max_transcript_lines)
        return to_caf(engine::errc::queue_full,
                      "contact " + c.id + " has its maximum of " +
                        std::to_string(policy.max_transcript_lines) + " chat lines");
      if (!m.agent.empty() && m.agent != c.agent)
        return to_caf(engine::errc::not_connected,
                      "contact " + c.id + " is not with agent " + m.agent);
      if (!m.id.empty() && !st.line_ids.insert(m.id).second)
        return ok_atom::value;  // journaled already: the client only lost the ack
      ++st.lines;
      return answered(self,
                      change(self, c.state, event_type::message,
                             {.detail = std::move(m.text), .agent = std::move(m.agent), .ack = true}),
                      "messaged");
    },
    [=](const customer_connection_req& m) -> ok_atom {
      if (m.connected) {
        self->state.absent = false;
        ++self->state.absent_gen;  // the timer in flight is stale now
      } else if (!self->state.absent) {
        customer_gone(self);
      }
      return ok_atom::value;
    },
    [=](const customer_grace_msg& m) {
      auto& st = self->state;
      const auto& c = contact_of(self);
      if (!st.absent || m.gen != st.absent_gen || engine::is_terminal(c.state) || st.ended)
        return;
      // Through the recommender, like an EndContact: waiting -> abandoned, with an
      // agent -> wrap-up (the agent sees "customer_left").
      self->send(st.args.recommender, end_contact_req{c.tenant, c.id, "customer_left"});
    },
    [=](const contact_req&) -> engine::contact { return contact_of(self); },
  };
}

}  // namespace

caf::actor spawn_session(caf::local_actor* parent, session_args args) {
  return parent->spawn(session, std::move(args));
}

}  // namespace switchboard::actors
