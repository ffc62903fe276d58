#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/contact.h"
#include "engine/error.h"
#include "engine/journal.h"
#include "engine/learned_stats.h"
#include "engine/profiles.h"

/// RocksDB persistence of one node: profiles, live contacts, journal, learned stats.
namespace switchboard::storage {

/// When a committed batch is on disk.
enum class durability : std::uint8_t {
  sync,     ///< fsync the WAL at every batch: an acknowledged write survives power loss
  no_sync,  ///< WAL written but not fsynced: survives a process crash, not power loss
};

/// Options of a store. Built once by the caller; every field has a sane default.
struct store_options {
  std::string data_dir;                    ///< Required. Created when missing.
  durability mode = durability::sync;      ///< Default: sync.
  bool create_if_missing = true;           ///< Default: true.
};

/// A learned-statistics cell with its tenant.
struct tenant_learned {
  std::string tenant;
  engine::learned_record record;
};

/// Everything one group commit writes, atomically (one RocksDB WriteBatch).
struct write_batch {
  std::vector<engine::tenant_config> tenants;
  std::vector<engine::queue_config> queues;
  std::vector<engine::agent_profile> agents;
  std::vector<engine::customer_profile> customers;
  std::vector<engine::contact> live_puts;                         ///< upsert live contacts
  std::vector<std::pair<std::string, std::string>> live_deletes;  ///< (tenant, contact)
  std::vector<engine::journal_event> events;  ///< seq assigned by commit, in order
  std::vector<tenant_learned> learned;

  bool empty() const;
  std::size_t size() const;
  /// Appends everything of `other` (keeps order).
  void append(write_batch&& other);
  /// The records of each tenant, in their order here (the parts a cluster ships
  /// to each tenant's standby). Committed alone, a part writes what the whole
  /// batch wrote for that tenant.
  std::map<std::string, write_batch> split_by_tenant() const;
  /// The tenants the batch writes to (without copying any record).
  std::set<std::string> tenant_ids() const;
};

/// What a node restores on start.
struct snapshot {
  std::vector<engine::tenant_config> tenants;
  std::vector<engine::queue_config> queues;
  std::vector<engine::agent_profile> agents;
  std::vector<engine::customer_profile> customers;
  std::vector<engine::contact> live;  ///< sorted by contact seq (the enqueue order)
  std::vector<tenant_learned> learned;
  std::uint64_t next_event_seq = 1;   ///< one past the last journal seq
  std::uint64_t next_contact_seq = 1; ///< one past the highest contact seq ever stored
};

/// Record counts, for `switchboard inspect`.
struct store_counts {
  std::uint64_t tenants = 0;
  std::uint64_t queues = 0;
  std::uint64_t agents = 0;
  std::uint64_t customers = 0;
  std::uint64_t live_contacts = 0;
  std::uint64_t journal_events = 0;
  std::uint64_t learned = 0;
  std::uint64_t journal_bytes = 0;  ///< approximate on-disk size of the journal
};

/// One RocksDB database with a column family per kind of record. Not thread-safe:
/// confined to its owner (the storage actor, or a tool).
class store {
 public:
  /// Opens or creates the database in `opts.data_dir`. Errors: bad_data_dir (not a
  /// directory, not writable), database_locked (another process holds it),
  /// corrupt_record, storage_failure.
  [[nodiscard]] static engine::result<std::unique_ptr<store>> open(const store_options& opts);

  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// Writes the batch atomically, assigning journal seqs (in order) first.
  /// Syncs the WAL when the durability is `sync`.
  [[nodiscard]] engine::status commit(write_batch& batch);

  /// Reads everything a node restores on start.
  [[nodiscard]] engine::result<snapshot> load();
  /// Reads one tenant's records (its definition, queues, agents, customers, live
  /// contacts in order, learned cells): what a handoff moves to another node.
  /// `next_*_seq` are the node's. Errors: invalid_argument (a bad tenant id),
  /// corrupt_record, storage_failure.
  [[nodiscard]] engine::result<snapshot> load(const std::string& tenant);
  /// Makes the tenant's stored state `snap` (of that tenant only), atomically: its
  /// records are written, and its live contacts not in `snap` are deleted. An
  /// empty `snap` removes all its live contacts (the tenant moved away). Errors:
  /// invalid_argument (another tenant's record in `snap`), storage_failure.
  [[nodiscard]] engine::status replace_tenant(const std::string& tenant, const snapshot& snap);

  /// Journal events of one contact, in seq order.
  [[nodiscard]] engine::result<std::vector<engine::journal_event>>
  journal_for_contact(const std::string& tenant, const std::string& contact) const;

  /// Journal events with `from <= at < to`, in time order, at most `limit`.
  [[nodiscard]] engine::result<std::vector<engine::journal_event>>
  journal_range(engine::time_ms from, engine::time_ms to, std::size_t limit) const;

  [[nodiscard]] engine::result<store_counts> counts() const;

  const store_options& options() const;

 private:
  struct impl;
  explicit store(std::unique_ptr<impl> p);
  engine::result<snapshot> load_scoped(const std::string& tenant);
  std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::storage
