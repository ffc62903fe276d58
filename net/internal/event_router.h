#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
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

class client_connection;

/// An offer an agent holds (or held while disconnected), to (re)send it.
struct offer_info {
  std::string contact;
  std::uint64_t offer_id = 0;
  engine::time_ms deadline = 0;
  std::string queue;
  engine::routing_decision decision;
  engine::contact offered;             ///< as offered (empty id: not known)
  engine::customer_profile customer;   ///< its customer's profile (empty id: none)
};

/// A contact the agent holds again on a new connection (Hello).
struct held_binding {
  std::string contact;
  engine::contact_state state = engine::contact_state::connected;
};

/// Routes the node's events to the connections they concern, and keeps what the
/// protocol needs to know about them:
/// - (tenant, contact) -> the gateway connection that holds the contact now
///   (the one that opened it, or the last that resumed it) and the agent serving it;
/// - (tenant, agent) -> the agent's connection, its pending offers and the
///   contacts it holds; kept while its connection is gone (the node's grace
///   period), until the node logs it out (`agent_logout`) or it logs in again;
/// - tenant -> supervisor connections subscribed to stats, with one shared timer.
///
/// Presence itself (grace periods, releasing a lost agent's work, customers who
/// leave) is the node's; the router only tells the node when a connection goes
/// (the callers do, under `presence()`), and never pushes to a connection that is
/// gone. Chat lines reach the other side through the node's `message` events.
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
  /// No more deliveries or timers. Call with the io_context still alive.
  void stop();
  /// Destroys the timers: after the io threads stopped, before the io_context goes.
  void release_timers();

  /// Held while a connection changes the presence of an agent or a customer: the
  /// router's binding and the node call that goes with it (login, logout,
  /// `agent_disconnected`, `customer_disconnected`/`reconnected`), so a close and
  /// a resume racing on two worker strands reach the node in the order they bound.
  /// Never taken by `on_event`.
  std::unique_lock<std::mutex> presence() { return std::unique_lock<std::mutex>{presence_}; }

  // -- contacts (gateways) ------------------------------------------------------

  /// Registers the gateway of a contact before it is submitted (so no event is
  /// missed). False when a live contact of the tenant opened through the edge
  /// already has that id (a second OpenContact must not take over its updates).
  bool open_contact(const std::string& tenant, const std::string& contact,
                    const std::shared_ptr<client_connection>& gateway);
  /// The submit failed: forget the registration.
  void forget_contact(const std::string& tenant, const std::string& contact);

  /// What the edge knows of a live contact.
  struct contact_view {
    bool known = false;  ///< opened through the edge (or resumed) and live
    std::string agent;   ///< connected (or in wrap-up) with; empty while waiting
    std::shared_ptr<client_connection> gateway;           ///< null when gone
    std::shared_ptr<client_connection> agent_connection;  ///< null when none or disconnected
  };
  contact_view find_contact(const std::string& tenant, const std::string& contact) const;
  /// The node accepted `agent`'s accept of `contact`: binds them now, so a customer
  /// who ends the contact before the `connected` event arrives still reaches the
  /// agent. The event, when it comes, finds the binding made.
  void accepted(const std::string& tenant, const std::string& agent, const std::string& contact);
  /// A gateway takes up a live contact (ResumeContact): its updates and the
  /// agent's lines go to `gateway` from now on. Creates the binding when the
  /// router does not know the contact (after a node restart), with the agent and
  /// state the node has.
  void bind_gateway(const std::string& tenant, const std::string& contact,
                    const std::shared_ptr<client_connection>& gateway, const std::string& agent,
                    engine::contact_state state);
  /// The gateway connection `s` closed: the live contacts it held, now unbound
  /// (their customers are absent; the caller tells the node).
  std::vector<std::string> detach_gateway(const std::string& tenant, const client_connection* s);

  /// A chat line is about to be posted (`customer`: written by the customer), so
  /// its `message` event is shown as from the right side (the node's event names
  /// the contact's agent for both sides). `post_failed` when the node refused it
  /// (no event comes).
  void posting(const std::string& tenant, const std::string& contact, bool customer,
               const std::string& text);
  void post_failed(const std::string& tenant, const std::string& contact, bool customer,
                   const std::string& text);

  // -- agents -------------------------------------------------------------------

  struct attach_result {
    /// The agent carries on where it was: offers re-sent.
    bool resumed = false;
    /// An earlier login whose connection was lost was not resumed: log out, then in.
    bool restart = false;
    /// Another live connection of the same agent, to close.
    std::shared_ptr<client_connection> replaced;
    std::vector<offer_info> offers;
  };
  /// The agent's connection `s` is `agent`'s from now on. `held` (from
  /// `node.find_agent`, connected and wrap-up contacts) rebuilds the bindings the
  /// router lost in a node restart; `node_disconnected`: the node still runs a
  /// grace period for it (a connection lost before the restart).
  attach_result attach_agent(const std::string& tenant, const std::string& agent,
                             const std::shared_ptr<client_connection>& s, bool resume,
                             const std::vector<held_binding>& held, bool node_disconnected);
  /// The agent's connection closed: true when `s` was still the agent's connection
  /// (the caller then tells the node); its slot is kept for a resume.
  bool detach_agent(const std::string& tenant, const std::string& agent,
                    const client_connection* s);
  /// The attach failed (e.g. login refused): forget the agent if `s` holds it.
  void drop_agent(const std::string& tenant, const std::string& agent, const client_connection* s);
  bool offer_pending(const std::string& tenant, const std::string& agent,
                     const std::string& contact, std::uint64_t offer_id) const;
  /// True when `contact` is connected with (or in wrap-up with) `agent`.
  bool serves(const std::string& tenant, const std::string& agent,
              const std::string& contact) const;

  // -- supervisors ----------------------------------------------------------------

  void subscribe_stats(const std::string& tenant, const std::shared_ptr<client_connection>& s,
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
    std::weak_ptr<client_connection> gateway;
    const client_connection* gateway_ptr = nullptr;  ///< identity only, never dereferenced
    std::string agent;
    engine::contact_state state = engine::contact_state::created;
  };
  struct agent_entry {
    std::weak_ptr<client_connection> connection;
    const client_connection* connection_ptr = nullptr;  ///< identity only, never dereferenced
    bool disconnected = false;
    std::map<std::string, offer_info> offers;  ///< by contact
    std::set<std::string> contacts;            ///< connected or wrap-up
  };
  struct stats_feed {
    std::vector<std::weak_ptr<client_connection>> subscribers;
    std::chrono::milliseconds interval{1000};
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool running = false;
  };
  struct stats_cache {
    std::chrono::microseconds at{};  ///< the clock's steady()
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
  void route_message(const event& e);
  void arm_stats(const std::string& tenant);
  void stats_tick(const std::string& tenant);

  edge_context& ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> timers_;
  std::mutex presence_;
  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::unordered_map<std::string, contact_entry> contacts_;
  std::unordered_map<std::string, agent_entry> agents_;
  std::map<std::string, stats_feed> feeds_;
  /// Latency: when the edge got a contact's (re)queued event (tenant\0contact).
  std::unordered_map<std::string, std::chrono::microseconds> queued_at_;
  std::set<std::string> tenants_;
  /// Lines posted through the edge whose `message` event has not come yet, per
  /// tenant\0contact: (written by the customer, text), oldest first. A line the
  /// node took as a repeat (same client id) leaves an entry until the contact ends.
  std::unordered_map<std::string, std::deque<std::pair<bool, std::string>>> posting_;
  std::unordered_map<std::string, std::string> names_;  // tenant\0agent -> name
  std::mutex cache_mutex_;
  std::map<std::string, stats_cache> stats_cache_;
};

}  // namespace switchboard::net::internal
