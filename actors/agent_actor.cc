#include "actors/agent_actor.h"

#include <caf/all.hpp>
#include <unordered_map>

#include "actors/event.h"
#include "actors/messages.h"

namespace switchboard::actors {

namespace {

struct agent_actor_state {
  agent_args args;
  std::unordered_map<std::string, std::uint64_t> pending;  // contact -> offer id
  static inline const char* name = "agent";
};

using agent_ptr = agent_iface::stateful_pointer<agent_actor_state>;

/// Forgets the pending offer of `contact` (any id when `offer_id` is 0).
void settle(agent_ptr self, const std::string& contact, std::uint64_t offer_id) {
  auto i = self->state.pending.find(contact);
  if (i != self->state.pending.end() && (offer_id == 0 || i->second == offer_id))
    self->state.pending.erase(i);
}

/// Hands the agent's answer to the recommender, which replies to the requester.
template <class Req>
caf::delegated<ok_atom> to_recommender(agent_ptr self, Req&& r) {
  self->delegate(self->state.args.recommender, std::forward<Req>(r));
  return {};
}

agent_iface::behavior_type agent_actor(agent_ptr self, agent_args args) {
  self->state.args = std::move(args);
  return {
    [=](offer_msg& m) {
      self->state.pending[m.contact] = m.offer_id;
      self->delayed_send(self, std::chrono::milliseconds(m.timeout_ms),
                         offer_timeout_msg{m.contact, m.offer_id});
    },
    [=](offer_timeout_msg& m) {
      auto i = self->state.pending.find(m.contact);
      if (i == self->state.pending.end() || i->second != m.offer_id)
        return;  // answered or cancelled in time
      self->state.pending.erase(i);
      const auto& a = self->state.args;
      // A typed actor may send() only to typed ones; the recommender, storage and
      // hub are dynamically typed, and none of these messages is answered.
      caf::anon_send(a.recommender, rec_expire_msg{a.agent, m.contact, m.offer_id});
    },
    [=](offer_cancelled_msg& m) { settle(self, m.contact, m.offer_id); },
    [=](accept_req& r) {
      settle(self, r.contact, r.offer_id);
      return to_recommender(self, std::move(r));
    },
    [=](decline_req& r) {
      settle(self, r.contact, r.offer_id);
      return to_recommender(self, std::move(r));
    },
    [=](wrap_up_req& r) { return to_recommender(self, std::move(r)); },
    [=](complete_req& r) { return to_recommender(self, std::move(r)); },
    [=](transfer_req& r) { return to_recommender(self, std::move(r)); },
    [=](agent_away_msg& m) {
      const auto& a = self->state.args;
      event ev;
      ev.type = engine::event_type::agent_away;
      ev.tenant = a.tenant;
      ev.agent = a.agent;
      ev.at = a.ctx.clock->wall();
      ev.detail = m.reason;
      storage::write_batch b;
      engine::journal_event je;
      je.at = ev.at;
      je.tenant = a.tenant;
      je.agent = a.agent;
      je.type = engine::event_type::agent_away;
      je.detail = m.reason;
      b.events.push_back(std::move(je));
      caf::anon_send(a.ctx.storage, persist_msg{std::move(b)});
      caf::anon_send(a.ctx.hub, std::move(ev));
    },
    [=](stop_atom) { self->quit(); },
  };
}

}  // namespace

agent_iface spawn_agent_actor(caf::local_actor* parent, agent_args args) {
  return parent->spawn(agent_actor, std::move(args));
}

}  // namespace switchboard::actors
