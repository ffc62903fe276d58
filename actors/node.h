#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/event.h"
#include "actors/node_api.h"
#include "actors/stats.h"
#include "engine/clock.h"
#include "engine/contact.h"
#include "engine/error.h"
#include "engine/profiles.h"
#include "storage/store.h"

namespace spdlog {
class logger;
}

namespace caf {
class actor;
class actor_system;
}  // namespace caf

namespace switchboard::actors {
class replication_hook;
}  // namespace switchboard::actors

/// The embedding API: one Switchboard node in the caller's process.
namespace switchboard {

using engine::result;
using engine::status;

/// How to open a node. Built once by the caller.
struct node_options {
  std::string data_dir;  ///< Required: the node's RocksDB directory (created if missing).
  storage::durability durability = storage::durability::sync;  ///< Default: sync.
  std::size_t threads = 0;  ///< Scheduler threads; 0: one per core. Default: 0.
  /// Time source of the engine; null: the wall clock. Timers (offer timeouts) run
  /// on CAF's real clock either way.
  std::shared_ptr<const engine::clock> clock;
  /// How long a facade call waits for the node. Default: 30 s.
  std::chrono::milliseconds request_timeout{30000};
  /// Logger for the node's actors; null: a stderr logger named "switchboard".
  std::shared_ptr<spdlog::logger> logger;
  /// Subscribed before the node restores its database, so it also sees the
  /// recovery events (`requeued_on_recovery`). Optional; see `node::subscribe`.
  event_callback on_event;
  /// Group commit: commit as soon as this many records are buffered. Default: 8192.
  std::size_t max_batch = 8192;
  /// An agent whose connection was lost (`agent_disconnected`), or who held work
  /// when the node restarted, and who does not log in again within this has its
  /// work released: offers return to their places, connected contacts go back in
  /// line at their original place (journal `agent_lost`), contacts in wrap-up
  /// complete (disposition `agent_disconnected`). Default: 15 s.
  std::chrono::milliseconds agent_grace{15000};
  /// A customer whose connection was lost (`customer_disconnected`) and who does
  /// not come back within this has left: waiting, the contact is abandoned; with
  /// an agent, it goes to wrap-up (`customer_left`). Default: 30 s.
  std::chrono::milliseconds customer_grace{30000};
  /// Contacts restored after a restart start with their customer absent, as if
  /// `customer_disconnected` had been called (for a node whose customers reach it
  /// through connections that died with the process, like `switchboard serve`).
  /// Default: false.
  bool restored_customers_absent = false;
  /// How long after completion the customer's rating is still taken. Default: 10 min.
  std::chrono::milliseconds rating_window{600000};
  /// Chat lines journaled per contact at most. Default: 1000.
  std::uint32_t max_transcript_lines = 1000;
  /// Bytes of one chat line at most. Default: 4096.
  std::uint32_t max_message_bytes = 4096;
  /// Loads CAF's network layer (the middleman), with heartbeats on, so the cluster
  /// (actors/cluster.h) can publish this node's gateway and reach other nodes.
  /// Default: false (an embedded single node opens no cluster port).
  bool cluster = false;
  /// Starts the tenants stored in `data_dir` at open (their definitions and live
  /// contacts). A cluster member sets it false: it starts a tenant only when it
  /// owns the tenant's domain (`load_tenant`, `import_tenant`), since its store may
  /// also hold a standby copy, or a copy left from an earlier ownership. Default: true.
  bool restore_tenants = true;
};

/// What the node restored from its data directory when it opened.
struct recovery_summary {
  std::uint64_t tenants = 0;
  std::uint64_t queues = 0;
  std::uint64_t agents = 0;
  std::uint64_t customers = 0;
  std::uint64_t learned = 0;
  std::uint64_t requeued = 0;   ///< waiting or offered before: back in line, in order
  std::uint64_t connected = 0;  ///< with an agent before: still with that agent
  /// The contacts still with an agent, for the embedder to finish them.
  struct with_agent {
    std::string tenant;
    std::string contact;
    std::string agent;
  };
  std::vector<with_agent> with_agents;
};

/// One Switchboard node: an actor system with a registry, per-tenant recommenders,
/// queue, agent and session actors, and a RocksDB journal. Every call is
/// thread-safe and blocks until the node answered (at most `request_timeout`);
/// failures are typed (`engine::errc`) with a message naming the offending id.
/// The edge sees it through `node_api` (`node_api.h`).
class node final : public node_api {
 public:
  /// Opens the data directory, restores what it holds (profiles, and every
  /// contact that was queued, offered or connected) and starts the actors.
  /// Errors: invalid_argument, bad_data_dir, database_locked, corrupt_record.
  [[nodiscard]] static result<std::unique_ptr<node>> open(node_options opts);

  /// Shuts down cleanly (see `shutdown`).
  ~node() override;
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  const recovery_summary& recovered() const;

  // -- definitions (persisted before they are acknowledged) ---------------------

  [[nodiscard]] status define_tenant(const engine::tenant_config& t);
  [[nodiscard]] status define_queue(const engine::queue_config& q) override;
  [[nodiscard]] status define_agent(const engine::agent_profile& a) override;
  [[nodiscard]] status upsert_customer(const engine::customer_profile& c) override;

  // -- agents ---------------------------------------------------------------------

  [[nodiscard]] status login(const std::string& tenant, const std::string& agent) override;
  /// Offers the agent held return to their contacts' original places.
  [[nodiscard]] status logout(const std::string& tenant, const std::string& agent) override;
  [[nodiscard]] status set_away(const std::string& tenant, const std::string& agent,
                              bool away) override;
  /// The agent's connection is gone: it gets no new offers, and unless it logs in
  /// again within `agent_grace` its work is released (see `node_options`).
  /// Errors: unknown_tenant, agent_offline.
  [[nodiscard]] status agent_disconnected(const std::string& tenant,
                                        const std::string& agent) override;
  [[nodiscard]] status accept(const std::string& tenant, const std::string& agent,
                              const std::string& contact, std::uint64_t offer_id = 0) override;
  [[nodiscard]] status decline(const std::string& tenant, const std::string& agent,
                               const std::string& contact, std::uint64_t offer_id = 0) override;
  [[nodiscard]] status wrap_up(const std::string& tenant, const std::string& agent,
                               const std::string& contact) override;
  /// Ends the contact with its outcome (wrapping it up first if needed). The
  /// outcome's CSAT and tip are the customer's rating (`rate`), whatever `o` says.
  [[nodiscard]] status complete(const std::string& tenant, const std::string& agent,
                                const std::string& contact, const engine::outcome& o) override;
  /// The agent hands a connected contact to `to_queue`: it leaves the agent (journal
  /// `transferred`) and waits in the target queue behind everyone already there
  /// (journal `queued`), with its priority. Errors: unknown_queue, unknown_contact,
  /// not_connected (not with this agent), invalid_argument (channel not taken there).
  [[nodiscard]] status transfer(const std::string& tenant, const std::string& agent,
                                const std::string& contact, const std::string& to_queue) override;

  // -- contacts -------------------------------------------------------------------

  /// Submits a new contact (state new; tenant, id, queue, channel set). Returns
  /// once it is in line and its creation is durably journaled.
  [[nodiscard]] result<contact_ack> submit(engine::contact c) override;
  /// `node_api::open_contact` as one request: the registry merges the hints, writes
  /// the profile if they changed it, then submits.
  [[nodiscard]] result<contact_ack> open_contact(engine::contact c,
                                                 const engine::customer_profile& hints) override;
  /// The customer left: a waiting contact is abandoned, one with an agent goes to
  /// wrap-up.
  [[nodiscard]] status end_contact(const std::string& tenant, const std::string& contact,
                                   const std::string& reason = "customer_left") override;
  /// The customer's connection is gone; unless `customer_reconnected` comes within
  /// `customer_grace`, the customer has left (see `node_options`). Errors:
  /// unknown_tenant, unknown_contact.
  [[nodiscard]] status customer_disconnected(const std::string& tenant,
                                             const std::string& contact) override;
  [[nodiscard]] status customer_reconnected(const std::string& tenant,
                                            const std::string& contact) override;
  /// A chat line of a live contact, journaled with it; answered once committed,
  /// and published as a `message` event (detail: the text). `agent` empty: the
  /// customer wrote it; otherwise the contact must be with that agent. Errors:
  /// unknown_contact, not_connected, invalid_argument (empty or too long),
  /// queue_full (`max_transcript_lines` reached).
  /// `client_id` (optional): a line sent again with the same id is acknowledged
  /// and not journaled twice.
  [[nodiscard]] status post_message(const std::string& tenant, const std::string& contact,
                                    const std::string& agent, const std::string& text,
                                    const std::string& client_id = {}) override;
  /// The chat lines of a contact, live or ended, in order. Errors: unknown_tenant,
  /// unknown_contact (nothing journaled for it).
  [[nodiscard]] result<std::vector<chat_line>> transcript(const std::string& tenant,
                                                          const std::string& contact) override;
  /// The routing decisions journaled with the contact's offers, the last `limit`,
  /// oldest first; `epoch` is 0 (a node alone). Errors: unknown_tenant,
  /// unknown_contact (nothing journaled for it).
  [[nodiscard]] result<contact_decisions> decisions(const std::string& tenant,
                                                    const std::string& contact,
                                                    std::uint32_t limit) override;
  /// The customer's rating (CSAT 1..5, tip >= 0), journaled when given, taken
  /// while the contact is live and for `rating_window` after it completed, once.
  /// It alone sets the outcome's CSAT and tip: `complete` ignores the agent's.
  /// Errors: invalid_argument, unknown_contact (ended longer ago, or never),
  /// duplicate_id (rated already).
  [[nodiscard]] status rate(const std::string& tenant, const std::string& contact, int csat,
                            double tip = 0) override;
  /// The live contact as its session holds it.
  [[nodiscard]] result<engine::contact> find_contact(const std::string& tenant,
                                                     const std::string& contact) override;
  /// 0-based place of a waiting contact in its queue's line; -1 when it is not
  /// waiting (offered, with an agent, or unknown).
  [[nodiscard]] result<std::int64_t> position(const std::string& tenant,
                                              const std::string& contact) override;

  // -- non-blocking calls ---------------------------------------------------------------

  /// Called exactly once with the answer of a non-blocking call, on one of the
  /// node's threads (on the caller's only when the node is already shut down).
  /// Calls still unanswered when `shutdown` stops the node get shutting_down
  /// before `shutdown` returns; an acknowledged submit is journaled either way.
  /// It must return quickly and must not block on the node (no blocking calls).
  using status_callback = std::function<void(status)>;
  using submit_callback = std::function<void(result<contact_ack>)>;

  /// `submit` without waiting: `done` gets the same answer `submit` returns. For
  /// embedders with their own event loop and for load generators, which keep many
  /// calls in flight from one thread. Calls from one thread reach the node in the
  /// order they were made.
  void submit_async(engine::contact c, submit_callback done);
  void accept_async(const std::string& tenant, const std::string& agent,
                    const std::string& contact, std::uint64_t offer_id, status_callback done);
  void decline_async(const std::string& tenant, const std::string& agent,
                     const std::string& contact, std::uint64_t offer_id, status_callback done);
  void complete_async(const std::string& tenant, const std::string& agent,
                      const std::string& contact, const engine::outcome& o,
                      status_callback done);
  void end_contact_async(const std::string& tenant, const std::string& contact,
                         const std::string& reason, status_callback done);
  void rate_async(const std::string& tenant, const std::string& contact, int csat, double tip,
                  status_callback done);

  // -- lookups (the tenant's recommender answers) ------------------------------------

  /// An agent's profile, live state and learned totals. Errors: unknown_tenant,
  /// unknown_agent.
  [[nodiscard]] result<agent_info> find_agent(const std::string& tenant,
                                              const std::string& agent) override;
  /// What the node knows of a customer. Errors: unknown_tenant, unknown_customer.
  [[nodiscard]] result<engine::customer_profile> find_customer(
    const std::string& tenant, const std::string& customer) override;
  /// A queue's configuration. Errors: unknown_tenant, unknown_queue.
  [[nodiscard]] result<engine::queue_config> find_queue(const std::string& tenant,
                                                        const std::string& queue) override;

  // -- observation ------------------------------------------------------------------

  /// Calls `cb` for every event from now on, on the node's event thread.
  void subscribe(event_callback cb) override;
  [[nodiscard]] result<tenant_stats> stats(const std::string& tenant) override;

  /// Stops routing, commits everything handed to the journal, stops the actors.
  /// Idempotent; later calls fail with shutting_down.
  void shutdown();
  /// Whether `shutdown` has made its final journal commit (everything acknowledged
  /// is on disk; what is left is stopping threads).
  [[nodiscard]] bool journal_closed() const;

  // -- for the cluster layer (actors/cluster.h) ---------------------------------------

  /// Hands a tenant over: stops every actor of it here (offers in flight are
  /// withdrawn: their contacts keep their places) and answers its stored state once
  /// every write of it is committed. Until `import_tenant` or `drop_tenant`, the
  /// tenant is unknown here. Errors: unknown_tenant, storage_failure.
  [[nodiscard]] result<storage::snapshot> export_tenant(const std::string& tenant);
  /// Takes a tenant's state (of one tenant): stored durably in place of whatever this
  /// node had of it, then started, contacts in their order with their enqueue
  /// times; customers count as connected. Errors: invalid_argument, storage_failure.
  [[nodiscard]] status import_tenant(storage::snapshot snap);
  /// After a handoff: deletes the tenant's live contacts from this node's store.
  /// Errors: invalid_argument (the tenant is live here), storage_failure.
  [[nodiscard]] status drop_tenant(const std::string& tenant);

  /// A tenant's state as this node's store holds it, once every write handed to
  /// the journal is committed (a standby's copy, on failover). Errors:
  /// invalid_argument, corrupt_record, storage_failure.
  [[nodiscard]] result<storage::snapshot> load_tenant(const std::string& tenant);
  /// Installs the hook that ships each commit to standbys (null removes it).
  void set_replication(std::shared_ptr<actors::replication_hook> hook);

  /// The node's actor system (its middleman is loaded when `node_options::cluster`).
  caf::actor_system& system();
  /// The actor every request of `node_api` goes to; invalid after `shutdown`.
  caf::actor registry() const;
  /// The storage actor (group commit); invalid after `shutdown`.
  caf::actor storage() const;

 private:
  struct impl;
  explicit node(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace switchboard
