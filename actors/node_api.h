#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/event.h"
#include "actors/stats.h"
#include "engine/contact.h"
#include "engine/error.h"
#include "engine/profiles.h"

namespace switchboard {

/// A submitted contact, acknowledged once it is in line and durably journaled.
struct contact_ack {
  std::string contact;
  std::uint64_t seq = 0;          ///< node-wide order of arrival
  engine::time_ms enqueued_at = 0;
};

/// The calls the network edge makes on a node: the seam between `net/` and the
/// node (Envoy-style), so the edge runs over the local `switchboard::node`, over a
/// fake in its unit tests, and over the cluster's router, which sends each call
/// to the node that owns the call's tenant (this one or a remote one).
///
/// Every call is scoped to one tenant: named first, or, for definitions and
/// `submit`, the `tenant` field of the value passed. Arguments and results are
/// plain values (ids, profiles, copies of live state), never handles or
/// references into a node, so each call can be forwarded to another node as one
/// message. Another tenant's ids are unknown ids (`unknown_*`), never visible.
///
/// Every call is thread-safe and blocks until the owning node answered. Errors are
/// `engine::errc` with a message naming the offending id. Besides those listed,
/// any call may fail with `timeout` or `shutting_down` (`actors/errors.h`), and a
/// call that changes state with `storage_failure` (`storage/errors.h`; nothing was
/// journaled). Over a cluster a call may also fail with `unavailable` (the
/// tenant's owner cannot be reached) or `not_owner` (ownership moved meanwhile:
/// the call may be retried).
class node_api {
 public:
  virtual ~node_api() = default;

  // -- definitions (persisted before they are acknowledged) -------------------------

  /// Creates or replaces a queue of `q.tenant`. Errors: unknown_tenant,
  /// invalid_argument.
  [[nodiscard]] virtual engine::status define_queue(const engine::queue_config& q) = 0;
  /// Creates or replaces an agent profile of `a.tenant` (a live agent keeps its
  /// work). Errors: unknown_tenant, invalid_argument, invalid_proficiency,
  /// invalid_capacity.
  [[nodiscard]] virtual engine::status define_agent(const engine::agent_profile& a) = 0;
  /// Creates or replaces a customer profile of `c.tenant`. Errors: unknown_tenant,
  /// invalid_argument.
  [[nodiscard]] virtual engine::status upsert_customer(const engine::customer_profile& c) = 0;

  // -- agents ---------------------------------------------------------------------------

  /// Logs the agent in (away until `set_away(false)`); ends a grace period that
  /// `agent_disconnected` started; a no-op when logged in. Errors: unknown_tenant,
  /// unknown_agent.
  [[nodiscard]] virtual engine::status login(const std::string& tenant,
                                             const std::string& agent) = 0;
  /// Logs the agent out; offers it held return to their contacts' places.
  /// Errors: unknown_tenant, agent_offline.
  [[nodiscard]] virtual engine::status logout(const std::string& tenant,
                                              const std::string& agent) = 0;
  /// Away (no offers) or available. Errors: unknown_tenant, agent_offline.
  [[nodiscard]] virtual engine::status set_away(const std::string& tenant,
                                                const std::string& agent, bool away) = 0;
  /// The agent's connection is gone: no new offers, and unless it logs in again
  /// within the node's agent grace period its work is released. Errors:
  /// unknown_tenant, agent_offline.
  [[nodiscard]] virtual engine::status agent_disconnected(const std::string& tenant,
                                                          const std::string& agent) = 0;
  /// Accepts offer `offer_id` (0: whichever offer of `contact` the agent holds).
  /// Errors: unknown_tenant, agent_offline, not_offered (not held, expired or
  /// another offer id), unknown_contact.
  [[nodiscard]] virtual engine::status accept(const std::string& tenant,
                                              const std::string& agent,
                                              const std::string& contact,
                                              std::uint64_t offer_id) = 0;
  /// Declines an offer; the contact keeps its place. Errors: as `accept`.
  [[nodiscard]] virtual engine::status decline(const std::string& tenant,
                                               const std::string& agent,
                                               const std::string& contact,
                                               std::uint64_t offer_id) = 0;
  /// Moves a contact the agent serves to wrap-up. Errors: unknown_tenant,
  /// agent_offline, unknown_contact, not_connected (not with this agent),
  /// invalid_transition.
  [[nodiscard]] virtual engine::status wrap_up(const std::string& tenant,
                                               const std::string& agent,
                                               const std::string& contact) = 0;
  /// Ends the contact with its outcome (wrapping it up first if needed); the
  /// outcome's CSAT and tip are ignored (they are the customer's, `rate`).
  /// Errors: as `wrap_up`, and invalid_argument (a bad outcome).
  [[nodiscard]] virtual engine::status complete(const std::string& tenant,
                                                const std::string& agent,
                                                const std::string& contact,
                                                const engine::outcome& o) = 0;
  /// Hands a connected contact to `to_queue`, behind everyone waiting there.
  /// Errors: unknown_tenant, unknown_queue, unknown_contact, not_connected,
  /// invalid_argument (channel not taken there).
  [[nodiscard]] virtual engine::status transfer(const std::string& tenant,
                                                const std::string& agent,
                                                const std::string& contact,
                                                const std::string& to_queue) = 0;

  // -- contacts -------------------------------------------------------------------------

  /// Submits a new contact of `c.tenant` (state new; id, queue, channel set);
  /// answers once it is in line and journaled. Errors: unknown_tenant,
  /// unknown_queue, invalid_argument (channel not taken, bad fields),
  /// duplicate_id (live already), queue_full.
  [[nodiscard]] virtual engine::result<contact_ack> submit(engine::contact c) = 0;
  /// What a gateway's OpenContact does: merges `hints` into the profile of
  /// `c.customer` (`engine::apply_hints`; a customer not known yet is created),
  /// writes it only if that changed it, takes `c.segment` from it, then submits
  /// `c`. A contact without a customer is submitted as it is. One call, so that
  /// over a cluster it crosses to the owner once; the profile is durable before
  /// the contact is submitted. Errors: those of `find_customer`,
  /// `upsert_customer` and `submit`.
  [[nodiscard]] virtual engine::result<contact_ack> open_contact(
    engine::contact c, const engine::customer_profile& hints);
  /// The customer left: waiting, the contact is abandoned; with an agent, it goes
  /// to wrap-up. Errors: unknown_tenant, unknown_contact, invalid_transition.
  [[nodiscard]] virtual engine::status end_contact(const std::string& tenant,
                                                   const std::string& contact,
                                                   const std::string& reason) = 0;
  /// The customer's connection is gone; unless `customer_reconnected` comes within
  /// the node's customer grace period, the customer has left. Errors:
  /// unknown_tenant, unknown_contact.
  [[nodiscard]] virtual engine::status customer_disconnected(const std::string& tenant,
                                                             const std::string& contact) = 0;
  /// Ends the grace period `customer_disconnected` started. Errors: unknown_tenant,
  /// unknown_contact.
  [[nodiscard]] virtual engine::status customer_reconnected(const std::string& tenant,
                                                            const std::string& contact) = 0;
  /// A chat line of a live contact, journaled with it, answered once committed and
  /// published as a `message` event. `agent` empty: the customer wrote it;
  /// otherwise the contact must be with that agent. `client_id` (may be empty): a
  /// line sent again with the same id is acknowledged, not journaled twice.
  /// Errors: unknown_contact, not_connected, invalid_argument (empty or too
  /// long), queue_full (transcript full).
  [[nodiscard]] virtual engine::status post_message(const std::string& tenant,
                                                    const std::string& contact,
                                                    const std::string& agent,
                                                    const std::string& text,
                                                    const std::string& client_id) = 0;
  /// The chat lines of a contact, live or ended, in order. Errors: unknown_tenant,
  /// unknown_contact (nothing journaled for it).
  [[nodiscard]] virtual engine::result<std::vector<chat_line>> transcript(
    const std::string& tenant, const std::string& contact) = 0;
  /// Why the contact went where it went: the routing decisions journaled with its
  /// offers, live or ended, the last `limit` of them, oldest first (each with its
  /// time, agent, policy, candidates with their score terms, and rejections). Over
  /// a cluster, `epoch` is that of the contact's domain at its owner. Errors:
  /// unknown_tenant, unknown_contact (nothing journaled for it in this tenant).
  [[nodiscard]] virtual engine::result<contact_decisions> decisions(const std::string& tenant,
                                                                    const std::string& contact,
                                                                    std::uint32_t limit) = 0;
  /// The customer's rating (CSAT 1..5, tip >= 0), taken once, while the contact is
  /// live or within the rating window after it completed. Errors:
  /// invalid_argument, unknown_contact, duplicate_id (rated already).
  [[nodiscard]] virtual engine::status rate(const std::string& tenant,
                                            const std::string& contact, int csat,
                                            double tip) = 0;

  // -- lookups ----------------------------------------------------------------------------

  /// A copy of the live contact. Errors: unknown_tenant, unknown_contact.
  [[nodiscard]] virtual engine::result<engine::contact> find_contact(
    const std::string& tenant, const std::string& contact) = 0;
  /// An agent's profile, live state, learned totals and held contacts. Errors:
  /// unknown_tenant, unknown_agent.
  [[nodiscard]] virtual engine::result<agent_info> find_agent(const std::string& tenant,
                                                              const std::string& agent) = 0;
  /// What the node knows of a customer. Errors: unknown_tenant, unknown_customer.
  [[nodiscard]] virtual engine::result<engine::customer_profile> find_customer(
    const std::string& tenant, const std::string& customer) = 0;
  /// A queue's configuration. Errors: unknown_tenant, unknown_queue.
  [[nodiscard]] virtual engine::result<engine::queue_config> find_queue(
    const std::string& tenant, const std::string& queue) = 0;
  /// 0-based place of a waiting contact in its queue's line; -1 when it is not
  /// waiting (offered, with an agent, or unknown). Errors: unknown_tenant.
  [[nodiscard]] virtual engine::result<std::int64_t> position(const std::string& tenant,
                                                              const std::string& contact) = 0;
  /// Live statistics of the tenant's queues and agents. Errors: unknown_tenant.
  [[nodiscard]] virtual engine::result<tenant_stats> stats(const std::string& tenant) = 0;

  // -- events -----------------------------------------------------------------------------

  /// Calls `cb` with every event of every tenant served from now on; each event
  /// names its tenant (`event::tenant`), which is how a subscriber tells them
  /// apart. Events of one tenant come in the order that tenant's node published
  /// them, one at a time; events of different tenants may come on different
  /// threads at once, so `cb` must be thread-safe, and it must return quickly and
  /// never block on the node. There is no unsubscribe: `cb` lives as long as the
  /// implementation (a subscriber that may go first gates its callback).
  ///
  /// A cluster router fans in: it subscribes to the local node and to each remote
  /// owner of a tenant it serves, forwards an event of tenant T only from T's
  /// current owner (so T's order holds), and leaves the event unchanged.
  virtual void subscribe(event_callback cb) = 0;
};

}  // namespace switchboard
