#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/event.h"
#include "actors/stats.h"
#include "net/internal/context.h"

namespace switchboard::net::internal {

class client_session;

/// An offer an agent holds (or held while disconnected), to (re)send it.
struct offer_info {
  std::string contact;
  std::uint64_t offer_id = 0;
  engine::time_ms deadline = 0;
  std::string queue;
  engine::routing_decision decision;
};

/// Routes the node's events to the connections they concern, and keeps what the
/// protocol needs to know about them:
/// - (tenant, contact) -> the gateway connection that opened the contact, the
///   agent serving it, whether that agent's grace period ran out, the customer's
///   CSAT;
/// - (tenant, agent) -> the agent's connection, its pending offers and connected
///   contacts, and its grace timer while disconnected;
/// - tenant -> supervisor connections subscribed to stats, with one shared timer.
///
/// Every key starts with the tenant, so an event of tenant B never reaches a
/// connection of tenant A. `on_event` runs on the node's event thread and never
/// blocks: it posts work to the connections' worker strands. Timers run on one
/// io strand. Other members are called from worker strands; all state is under
/// one mutex.
class event_router {
 public:
  explicit event_router(edge_context& ctx);
  ~event_router();

  /// From node::subscribe (event thread).
  void on_event(const event& e);
  /// No more deliveries, timers or logouts. Call with the io_context still alive.
  void stop();
  /// Destroys the timers: after the io threads stopped, before the io_context goes.
  void release_timers();

  // -- contacts (gateways) ------------------------------------------------------

  /// Registers the gateway of a contact before it is submitted (so no event is
  /// missed). False when a live contact of the tenant opened through the edge
  /// already has that id (a second OpenContact must not take over its updates).
  bool open_contact(const std::string& tenant, const std::string& contact,
                    const std::shared_ptr<client_session>& gateway);
  /// The submit failed: forget the registration.
  void forget_contact(const std::string& tenant, const std::string& contact);

  /// What the edge knows of a live contact.
  struct contact_view {
    bool known = false;          ///< opened through the edge and live
    std::string agent;           ///< connected (or in wrap-up) with
    bool agent_gone = false;     ///< that agent's grace period ran out
    int csat = 0;                ///< from the customer's EndContact
    std::shared_ptr<client_session> gateway;        ///< null when gone
    std::shared_ptr<client_session> agent_session;  ///< null when none or disconnected
  };
  contact_view find_contact(const std::string& tenant, const std::string& contact) const;
  void set_csat(const std::string& tenant, const std::string& contact, int csat);
  /// The node accepted `agent`'s accept of `contact`: binds them now, so a customer
  /// who ends the contact before the `connected` event arrives still reaches the
  /// agent. The event, when it comes, finds the binding made.
  void accepted(const std::string& tenant, const std::string& agent, const std::string& contact);

  // -- agents -------------------------------------------------------------------

  struct attach_result {
    /// The agent's earlier session goes on: still logged in, offers re-sent.
    bool resumed = false;
    /// An earlier session in its grace period was not resumed: log out, then in.
    bool restart = false;
    /// Another live connection of the same agent, to close.
    std::shared_ptr<client_session> replaced;
    std::vector<offer_info> offers;
  };
  attach_result attach_agent(const std::string& tenant, const std::string& agent,
                             const std::shared_ptr<client_session>& s, bool resume);
  /// The agent's connection closed: starts the grace period (if `s` is still the
  /// agent's connection).
  void detach_agent(const std::string& tenant, const std::string& agent, const client_session* s);
  /// The attach failed (e.g. login refused): forget the agent if `s` holds it.
  void drop_agent(const std::string& tenant, const std::string& agent, const client_session* s);
  bool offer_pending(const std::string& tenant, const std::string& agent,
                     const std::string& contact, std::uint64_t offer_id) const;
  /// True when `contact` is connected with (or in wrap-up with) `agent`.
  bool serves(const std::string& tenant, const std::string& agent,
              const std::string& contact) const;

  // -- supervisors ----------------------------------------------------------------

  void subscribe_stats(const std::string& tenant, const std::shared_ptr<client_session>& s,
                       std::chrono::milliseconds interval);

  // -- lookups with caches (worker threads; may call the node) --------------------

  /// The estimated wait of a contact joining `queue` now (node stats, cached 1 s).
  engine::time_ms estimated_wait(const std::string& tenant, const std::string& queue);
  /// The display name of an agent (cached; empty when unknown).
  std::string agent_name(const std::string& tenant, const std::string& agent);
  void forget_agent_name(const std::string& tenant, const std::string& agent);

  /// Tenants seen in events or configured, for /metrics.
  std::vector<std::string> tenants() const;

 private:
  struct contact_entry {
    std::weak_ptr<client_session> gateway;
    std::string agent;
    engine::contact_state state = engine::contact_state::created;
    bool agent_gone = false;
    int csat = 0;
  };
  struct agent_entry {
    std::weak_ptr<client_session> session;
    const client_session* session_ptr = nullptr;  ///< identity only, never dereferenced
    bool disconnected = false;
    std::uint64_t generation = 0;
    std::map<std::string, offer_info> offers;  ///< by contact
    std::set<std::string> contacts;            ///< connected or wrap-up
  };
  struct stats_feed {
    std::vector<std::weak_ptr<client_session>> subscribers;
    std::chrono::milliseconds interval{1000};
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool running = false;
  };
  struct stats_cache {
    std::chrono::steady_clock::time_point at{};
    tenant_stats stats;
  };

  static std::string key(const std::string& tenant, const std::string& id) {
    std::string k;
    k.reserve(tenant.size() + id.size() + 1);
    k += tenant;
    k += '\0';
    k += id;
    return k;
  }
  void observe_latency(const event& e);
  void grace_expired(const std::string& tenant, const std::string& agent, std::uint64_t gen);
  void arm_stats(const std::string& tenant);
  void stats_tick(const std::string& tenant);

  edge_context& ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> timers_;
  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::unordered_map<std::string, contact_entry> contacts_;
  std::unordered_map<std::string, agent_entry> agents_;
  std::map<std::string, std::unique_ptr<boost::asio::steady_timer>> grace_timers_;
  std::map<std::string, stats_feed> feeds_;
  /// Latency: when the edge got a contact's (re)queued event (tenant\0contact).
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> queued_at_;
  std::set<std::string> tenants_;
  std::unordered_map<std::string, std::string> names_;  // tenant\0agent -> name
  std::mutex cache_mutex_;
  std::map<std::string, stats_cache> stats_cache_;
};

}  // namespace switchboard::net::internal
