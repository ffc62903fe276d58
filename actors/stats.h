#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/inspect.h"
#include "engine/routing_domain.h"

/// Live statistics, as the facade returns them and as they travel between actors.
namespace switchboard {

/// Live statistics of one queue.
struct queue_stats {
  static constexpr char type_name[] = "queue_stats";
  std::string id;
  std::uint64_t waiting = 0;
  std::uint64_t offered = 0;
  engine::time_ms longest_wait_ms = 0;
  std::uint64_t agents_ready = 0;    ///< logged in, qualified, with free capacity
  std::uint64_t agents_staffed = 0;  ///< logged in and qualified
  std::uint64_t entered = 0;
  std::uint64_t answered = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t completed = 0;
  std::uint64_t offers_expired = 0;
  double service_level = 1.0;
  double asa_ms = 0;
  double aht_ms = 0;
  engine::time_ms ewt_ms = 0;  ///< estimated wait of a contact joining now
};

/// One agent's state and load.
using agent_stats = engine::agent_snapshot;

/// A contact an agent holds (offered, connected or in wrap-up).
struct held_contact {
  static constexpr char type_name[] = "held_contact";
  std::string contact;
  std::string queue;
  engine::contact_state state = engine::contact_state::connected;
};

/// One agent's profile, live state and learned totals (`node::find_agent`).
struct agent_info {
  static constexpr char type_name[] = "agent_info";
  engine::agent_profile profile;
  engine::agent_state state = engine::agent_state::offline;
  std::uint32_t load = 0;
  /// The agent's learned outcome statistics summed over intents and segments.
  engine::outcome_stats totals;
  /// The contacts it holds now, so a reconnecting agent finds its work.
  std::vector<held_contact> held;
  bool disconnected = false;  ///< its connection is gone and its grace period runs
};

/// One line of a contact's conversation, as journaled.
struct chat_line {
  static constexpr char type_name[] = "chat_line";
  engine::time_ms at = 0;
  std::string agent;  ///< who wrote it; empty: the customer
  std::string text;
};

/// Why a contact went where it went: its routing decisions as the journal keeps
/// them (the `offered` events), so they can be read back by contact id after the
/// offer is gone.
struct contact_decisions {
  static constexpr char type_name[] = "contact_decisions";
  std::string contact;
  /// Oldest first, so the current (or last) offer's decision is the last one; at
  /// most the limit asked for (the most recent ones). Empty: journaled, never
  /// offered yet.
  std::vector<engine::routing_decision> decisions;
  /// The fencing epoch of the contact's routing domain at the owner that answered
  /// (docs/cluster.md); 0 on a node without a cluster.
  std::int64_t epoch = 0;

  /// Drops all but the `n` most recent decisions.
  void keep_last(std::size_t n) {
    if (decisions.size() > n)
      decisions.erase(decisions.begin(), decisions.end() - static_cast<std::ptrdiff_t>(n));
  }
};

/// Live statistics of one tenant: its queues and agents.
struct tenant_stats {
  static constexpr char type_name[] = "tenant_stats";
  std::string tenant;
  std::vector<queue_stats> queues;
  std::vector<agent_stats> agents;
  std::uint64_t waiting = 0;
  std::uint64_t offered = 0;
  std::uint64_t connected = 0;  ///< with an agent now (connected or wrap-up)
  std::uint64_t routed = 0;     ///< offers accepted since start
  std::uint64_t completed = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t offers_expired = 0;
  double service_level = 1.0;   ///< over all queues, weighted by answered + abandoned
  /// Contacts that entered a line at a high complaint risk: the most recent
  /// (oldest first) and how many since start.
  std::vector<engine::risk_alert> alerts;
  std::uint64_t alerts_raised = 0;
  /// The live on/off comparison per queue (empty when the tenant runs none).
  std::vector<engine::experiment_report> experiments;
  std::uint64_t batch_offers = 0;    ///< offers made by batch assignment
  std::uint64_t guarded_offers = 0;  ///< offers the fairness guard gave another agent
};

}  // namespace switchboard
