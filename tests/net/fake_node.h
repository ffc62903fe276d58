#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "actors/node_api.h"

namespace switchboard::testing {

/// A hand-written `node_api` for the edge's unit tests: no actors, no database.
///
/// It keeps a small directory (tenants, queues, agents, customers, contacts and
/// their chat lines) and answers from it with the node's typed errors (an id it
/// does not hold in the call's tenant is `unknown_*`, a tenant it does not hold
/// `unknown_tenant`). `fail` scripts an error for every later call of one name.
/// Every call is recorded as one line, the call's name and arguments separated by
/// spaces (`"accept t1 a1 c1 7"`). `publish` plays an event to the subscribers,
/// as the node's event thread would. Thread-safe: the edge calls it from its
/// worker pool.
class fake_node final : public node_api {
 public:
  // -- script ---------------------------------------------------------------------

  void add_tenant(const std::string& tenant);
  /// A contact as the node would hold it (queued unless `c.state` says otherwise).
  void add_contact(engine::contact c);
  /// A routing decision of `d.contact` journaled in `tenant`, as an offer would.
  void add_decision(const std::string& tenant, engine::routing_decision d);
  /// Every later call named `call` (e.g. "login") fails with `e`.
  void fail(const std::string& call, engine::error e);
  /// What `position` answers for a queued contact. Default: 0.
  void set_position(std::int64_t p);
  /// Calls every subscriber with `e`, on the caller's thread.
  void publish(const event& e);

  // -- observation ----------------------------------------------------------------

  /// The calls so far, in order.
  std::vector<std::string> calls() const;
  /// The recorded calls whose line starts with `prefix`.
  std::vector<std::string> calls_starting(const std::string& prefix) const;
  /// Waits until `line` was recorded; false after `timeout`.
  bool wait_for_call(const std::string& line, std::chrono::milliseconds timeout) const;
  std::size_t subscribers() const;

  // -- node_api -------------------------------------------------------------------

  engine::status define_queue(const engine::queue_config& q) override;
  engine::status define_agent(const engine::agent_profile& a) override;
  engine::status upsert_customer(const engine::customer_profile& c) override;
  engine::status login(const std::string& tenant, const std::string& agent) override;
  engine::status logout(const std::string& tenant, const std::string& agent) override;
  engine::status set_away(const std::string& tenant, const std::string& agent,
                          bool away) override;
  engine::status agent_disconnected(const std::string& tenant,
                                    const std::string& agent) override;
  engine::status accept(const std::string& tenant, const std::string& agent,
                        const std::string& contact, std::uint64_t offer_id) override;
  engine::status decline(const std::string& tenant, const std::string& agent,
                         const std::string& contact, std::uint64_t offer_id) override;
  engine::status wrap_up(const std::string& tenant, const std::string& agent,
                         const std::string& contact) override;
  engine::status complete(const std::string& tenant, const std::string& agent,
                          const std::string& contact, const engine::outcome& o) override;
  engine::status transfer(const std::string& tenant, const std::string& agent,
                          const std::string& contact, const std::string& to_queue) override;
  engine::result<contact_ack> submit(engine::contact c) override;
  engine::status end_contact(const std::string& tenant, const std::string& contact,
                             const std::string& reason) override;
  engine::status customer_disconnected(const std::string& tenant,
                                       const std::string& contact) override;
  engine::status customer_reconnected(const std::string& tenant,
                                      const std::string& contact) override;
  engine::status post_message(const std::string& tenant, const std::string& contact,
                              const std::string& agent, const std::string& text,
                              const std::string& client_id) override;
  engine::result<std::vector<chat_line>> transcript(const std::string& tenant,
                                                    const std::string& contact) override;
  engine::result<contact_decisions> decisions(const std::string& tenant,
                                              const std::string& contact,
                                              std::uint32_t limit) override;
  engine::status rate(const std::string& tenant, const std::string& contact, int csat,
                      double tip) override;
  engine::result<engine::contact> find_contact(const std::string& tenant,
                                               const std::string& contact) override;
  engine::result<agent_info> find_agent(const std::string& tenant,
                                        const std::string& agent) override;
  engine::result<engine::customer_profile> find_customer(const std::string& tenant,
                                                         const std::string& customer) override;
  engine::result<engine::queue_config> find_queue(const std::string& tenant,
                                                  const std::string& queue) override;
  engine::result<std::int64_t> position(const std::string& tenant,
                                        const std::string& contact) override;
  engine::result<tenant_stats> stats(const std::string& tenant) override;
  void subscribe(event_callback cb) override;

 private:
  struct tenant_data {
    std::map<std::string, engine::queue_config> queues;
    std::map<std::string, agent_info> agents;
    std::map<std::string, engine::customer_profile> customers;
    std::map<std::string, engine::contact> contacts;
    std::map<std::string, std::vector<chat_line>> lines;
    std::map<std::string, std::vector<engine::routing_decision>> decisions;
  };

  /// Records `line`; then the scripted error of its call (the line's first word)
  /// if there is one, else the tenant's data or unknown_tenant. Under `mutex_`.
  engine::result<tenant_data*> enter(const std::string& line, const std::string& tenant);
  /// A contact the tenant holds (live or ended), or unknown_contact. Under `mutex_`.
  static engine::result<engine::contact*> contact_of(tenant_data& t, const std::string& id);
  /// A defined agent, or unknown_agent. Under `mutex_`.
  static engine::result<agent_info*> agent_of(tenant_data& t, const std::string& id);
  /// A logged-in agent, or agent_offline (unknown_agent). Under `mutex_`.
  static engine::result<agent_info*> online(tenant_data& t, const std::string& id);
  /// The tenant (of the line's call) and its live contact; the common start of
  /// the contact calls. Under `mutex_`.
  engine::result<engine::contact*> enter_contact(const std::string& line,
                                                 const std::string& tenant,
                                                 const std::string& contact);

  mutable std::mutex mutex_;
  mutable std::condition_variable recorded_;
  std::map<std::string, tenant_data> tenants_;
  std::map<std::string, engine::error> scripted_;
  std::vector<std::string> calls_;
  std::vector<event_callback> subscribers_;
  std::int64_t position_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace switchboard::testing
