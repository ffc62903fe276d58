#include "storage/store.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <array>
#include <cctype>
#include <filesystem>
#include <iterator>
#include <system_error>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "storage/codecs.h"
#include "storage/errors.h"

namespace switchboard::storage {

using engine::errc;
using engine::make_error;
using engine::result;
using engine::status;

namespace {

// -- column families ----------------------------------------------------------

/// Our column families, in the order of the handles of `store::impl`.
enum cf : std::size_t {
  cf_default,
  cf_tenants,
  cf_queues,
  cf_agents,
  cf_customers,
  cf_live,
  cf_journal,
  cf_journal_by_contact,
  cf_learned,
  cf_count,
};

constexpr std::array<const char*, cf_count> cf_names{
  "default",
  "tenants",
  "queues",
  "agents",
  "customers",
  "live_contacts",
  "journal",
  "journal_by_contact",
  "learned",
};

// Meta keys of the default column family; values are 8-byte big-endian integers.
const rocksdb::Slice meta_max_event_seq{"meta/max_event_seq"};
const rocksdb::Slice meta_max_contact_seq{"meta/max_contact_seq"};

// -- key encoding -------------------------------------------------------------

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint64_t get_be64(std::string_view in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string be64(std::uint64_t v) {
  std::string out;
  put_be64(out, v);
  return out;
}

constexpr std::size_t journal_key_size = 16;

// The sign bit is flipped so that negative times (never produced by our clocks,
// but representable) still sort before positive ones.
std::uint64_t ordered_time(engine::time_ms at) {
  return static_cast<std::uint64_t>(at) ^ (std::uint64_t{1} << 63);
}

std::string journal_key(engine::time_ms at, std::uint64_t seq) {
  std::string k;
  k.reserve(journal_key_size);
  put_be64(k, ordered_time(at));
  put_be64(k, seq);
  return k;
}

std::uint64_t journal_key_seq(std::string_view key) { return get_be64(key.substr(8)); }

std::string scoped_key(std::string_view tenant, std::string_view id) {
  std::string k;
  k.reserve(tenant.size() + 1 + id.size());
  k.append(tenant).push_back('/');
  k.append(id);
  return k;
}

/// "a/b/": the prefix of the keys of one contact's journal index or of one agent's
/// learned cells.
std::string scoped_prefix(std::string_view tenant, std::string_view id) {
  auto k = scoped_key(tenant, id);
  k.push_back('/');
  return k;
}

// Intent and segment are free text, so no separator is safe between them: the
// intent is length-prefixed (4 bytes, big-endian) and the segment runs to the end.
std::string learned_key(std::string_view tenant, const engine::learned_record& r) {
  auto k = scoped_prefix(tenant, r.agent);
  put_be32(k, static_cast<std::uint32_t>(r.intent.size()));
  k.append(r.intent);
  k.append(r.segment);
  return k;
}

/// Ids are used as key parts: non-empty and without the '/' separator.
status check_key_part(std::string_view part, std::string_view what,
                      std::string_view record) {
  if (part.empty() || part.find('/') != std::string_view::npos)
    return make_error(errc::invalid_argument,
                      std::string{record} + ": " + std::string{what} + " '" +
                        std::string{part} + "' cannot be stored (empty or contains '/')");
  return {};
}

status check_scoped(std::string_view tenant, std::string_view id, std::string_view record) {
  auto name = std::string{record} + " " + std::string{tenant} + "/" + std::string{id};
  if (auto s = check_key_part(tenant, "tenant", name); !s)
    return s;
  return check_key_part(id, "id", name);
}

// -- rocksdb::Status translation ----------------------------------------------

/// True for the IOError of a LOCK file held by another process or store. The data
/// dir is cut out first, so that a path like /srv/blocks cannot match.
bool is_lock_error(const rocksdb::Status& s, const std::string& dir) {
  if (!s.IsIOError())
    return false;
  std::string msg = s.ToString();
  for (auto at = msg.find(dir); !dir.empty() && at != std::string::npos; at = msg.find(dir, at))
    msg.erase(at, dir.size());
  std::transform(msg.begin(), msg.end(), msg.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return msg.find("lock") != std::string::npos;
}

engine::error translate(const rocksdb::Status& s, std::string_view context) {
  auto code = s.IsCorruption() ? errors::corrupt_record : errors::storage_failure;
  return make_error(code, std::string{context} + ": " + s.ToString());
}

// -- tuning -------------------------------------------------------------------

// A node writes mostly journal events (append-only, time-ordered keys) and a few
// small, frequently rewritten records; it reads the journal rarely. Memory stays
// modest: ~64 MiB of memtables at most and a 32 MiB block cache.
rocksdb::DBOptions db_options(const store_options& opts) {
  rocksdb::DBOptions o;
  o.create_if_missing = opts.create_if_missing;
  o.create_missing_column_families = true;
  o.max_background_jobs = 2;
  // With several column families, a rarely written one pins old WAL files until it
  // is flushed; this cap forces such flushes.
  o.max_total_wal_size = 64ull << 20;
  o.db_write_buffer_size = 64ull << 20;
  o.bytes_per_sync = 1ull << 20;
  o.keep_log_file_num = 5;
  o.max_log_file_size = 16ull << 20;
  return o;
}

/// `wanted` when this librocksdb has it, else `fallback` (opening with an
/// unsupported type would fail).
rocksdb::CompressionType compression(rocksdb::CompressionType wanted,
                                     rocksdb::CompressionType fallback) {
  static const auto supported = rocksdb::GetSupportedCompressions();
  return std::find(supported.begin(), supported.end(), wanted) != supported.end() ? wanted
                                                                                 : fallback;
}

rocksdb::ColumnFamilyOptions cf_options(std::size_t which,
                                        const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.level_compaction_dynamic_level_bytes = true;
  o.compression = compression(rocksdb::kLZ4Compression, rocksdb::kNoCompression);
  switch (which) {
    case cf_journal:
      // The bulk of the data, cold once written: a larger memtable and zstd for
      // the last level.
      o.write_buffer_size = 16ull << 20;
      o.max_write_buffer_number = 3;
      o.bottommost_compression = compression(rocksdb::kZSTD, rocksdb::kDisableCompressionOption);
      break;
    case cf_journal_by_contact:
    case cf_live:
      o.write_buffer_size = 8ull << 20;
      break;
    default:
      o.write_buffer_size = 4ull << 20;
      break;
  }
  return o;
}

}  // namespace

// -- store::impl --------------------------------------------------------------

struct store::impl {
  store_options opts;
  std::unique_ptr<rocksdb::DB> db;
  /// Our column families (indexed by `cf`), then any unknown ones found on disk.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::WriteOptions write_opts;
  /// The next journal seq to assign. Never reused, even after a failed commit.
  std::uint64_t next_event_seq = 1;
  /// Highest contact seq stored so far (meta key or live contacts).
  std::uint64_t max_contact_seq = 0;

  ~impl() {
    if (!db)
      return;
    // Errors cannot be reported from here; in no_sync mode a clean close still
    // makes the WAL durable.
    if (opts.mode == durability::no_sync)
      (void)db->SyncWAL();
    for (auto* h : handles)
      (void)db->DestroyColumnFamilyHandle(h);
    handles.clear();
    (void)db->Close();
  }

  rocksdb::ColumnFamilyHandle* h(cf which) const { return handles[which]; }

  std::string context(std::string_view what) const {
    return std::string{what} + " in " + opts.data_dir;
  }

  result<std::uint64_t> read_meta(const rocksdb::Slice& key) const {
    std::string v;
    auto s = db->Get(rocksdb::ReadOptions{}, h(cf_default), key, &v);
    if (s.IsNotFound())
      return std::uint64_t{0};
    if (!s.ok())
      return translate(s, context("reading " + key.ToString()));
    if (v.size() != 8)
      return make_error(errors::corrupt_record, context("meta key " + key.ToString()) +
                                                ": value of " + std::to_string(v.size()) +
                                                " bytes, expected 8");
    return get_be64(v);
  }

  /// Calls `fn(key, value)` for every record of a column family, in key order,
  /// until it returns an error.
  template <class Fn>
  status scan(cf which, Fn&& fn, std::string_view prefix = {}) const {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it{db->NewIterator(ro, h(which))};
    if (prefix.empty())
      it->SeekToFirst();
    else
      it->Seek(rocksdb::Slice{prefix.data(), prefix.size()});
    for (; it->Valid(); it->Next()) {
      auto k = it->key();
      if (!prefix.empty() && !k.starts_with(rocksdb::Slice{prefix.data(), prefix.size()}))
        break;
      auto v = it->value();
      status st = fn(std::string_view{k.data(), k.size()}, std::string_view{v.data(), v.size()});
      if (!st)
        return st;
    }
    if (!it->status().ok())
      return translate(it->status(), context(std::string{"scanning "} + cf_names[which]));
    return {};
  }

  /// Decodes all records of one column family into `out`, checking that each
  /// sits under the key its contents imply.
  template <class T, class Decode, class Key>
  status load_all(cf which, std::vector<T>& out, Decode decode, Key key_of,
                  std::string_view prefix = {}) const {
    return scan(which, [&](std::string_view k, std::string_view v) -> status {
      auto r = decode(v);
      if (!r)
        return make_error(errors::corrupt_record, context(std::string{cf_names[which]} + " key '" +
                                                        std::string{k} + "'") +
                                                  ": " + r.err().message);
      if (key_of(*r) != k)
        return make_error(errors::corrupt_record,
                          context(std::string{cf_names[which]} + " key '" + std::string{k} +
                                  "'") +
                            ": holds the record of '" + key_of(*r) + "'");
      out.push_back(std::move(*r));
      return {};
    }, prefix);
  }

  result<engine::journal_event> decode_event(std::string_view key, std::string_view v) const {
    auto e = decode_journal_event(v);
    if (!e)
      return make_error(errors::corrupt_record,
                        context("journal event at key " + std::to_string(journal_key_seq(key))) +
                          ": " + e.err().message);
    return e;
  }
};

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

store::~store() = default;

const store_options& store::options() const { return impl_->opts; }

// -- open ---------------------------------------------------------------------

result<std::unique_ptr<store>> store::open(const store_options& opts) {
  namespace fs = std::filesystem;
  const auto& dir = opts.data_dir;
  if (dir.empty())
    return make_error(errc::invalid_argument, "store: data_dir is empty");

  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return make_error(errors::bad_data_dir, "data dir " + dir + ": " + ec.message());
  if (fs::exists(st)) {
    if (!fs::is_directory(st))
      return make_error(errors::bad_data_dir, "data dir " + dir + " exists but is not a directory");
  } else {
    if (!opts.create_if_missing)
      return make_error(errors::bad_data_dir,
                        "data dir " + dir + " does not exist (create_if_missing is off)");
    fs::create_directories(dir, ec);
    if (ec)
      return make_error(errors::bad_data_dir, "cannot create data dir " + dir + ": " + ec.message());
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return make_error(errors::bad_data_dir, "data dir " + dir + " is not writable");

  auto p = std::make_unique<impl>();
  p->opts = opts;
  p->write_opts.sync = opts.mode == durability::sync;

  auto dbo = db_options(opts);
  auto cache = rocksdb::NewLRUCache(32ull << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (std::size_t i = 0; i < cf_count; ++i)
    descs.emplace_back(cf_names[i], cf_options(i, cache));
  // Column families of a newer version must be opened too (RocksDB insists); they
  // get default options and are otherwise left alone.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(dbo, dir, &existing).ok())
    for (const auto& name : existing)
      if (std::none_of(descs.begin(), descs.end(),
                       [&](const auto& d) { return d.name == name; }))
        descs.emplace_back(name, rocksdb::ColumnFamilyOptions{});

  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(dbo, dir, descs, &p->handles, &raw);
  if (!s.ok()) {
    if (is_lock_error(s, dir))
      return make_error(errors::database_locked,
                        "data dir " + dir +
                          " is in use by another process (RocksDB LOCK held): " + s.ToString());
    if (s.IsInvalidArgument() && !opts.create_if_missing)
      return make_error(errors::bad_data_dir, "data dir " + dir +
                                              " holds no database (create_if_missing is off): " +
                                              s.ToString());
    return translate(s, "opening data dir " + dir);
  }
  p->db.reset(raw);

  // The next journal seq: the highest ever assigned (meta key) or stored (the last
  // journal key, in case the meta key is missing), plus one.
  auto max_event = p->read_meta(meta_max_event_seq);
  if (!max_event)
    return max_event.err();
  std::uint64_t max_seq = *max_event;
  {
    std::unique_ptr<rocksdb::Iterator> it{p->db->NewIterator(rocksdb::ReadOptions{},
                                                             p->h(cf_journal))};
    it->SeekToLast();
    if (it->Valid()) {
      if (it->key().size() != journal_key_size)
        return make_error(errors::corrupt_record, p->context("journal") + ": key of " +
                                                  std::to_string(it->key().size()) +
                                                  " bytes, expected 16");
      max_seq = std::max(max_seq, journal_key_seq(it->key().ToStringView()));
    }
    if (!it->status().ok())
      return translate(it->status(), p->context("reading the journal"));
  }
  p->next_event_seq = max_seq + 1;

  auto max_contact = p->read_meta(meta_max_contact_seq);
  if (!max_contact)
    return max_contact.err();
  p->max_contact_seq = *max_contact;

  return std::unique_ptr<store>{new store(std::move(p))};
}

// -- commit -------------------------------------------------------------------

status store::commit(write_batch& b) {
  if (b.empty())
    return {};
  auto& p = *impl_;

  // Everything is checked and encoded into `wb` before any seq is assigned, so a
  // rejected batch changes nothing.
  rocksdb::WriteBatch wb;
  rocksdb::Status s;
  auto put = [&](cf which, const std::string& key, const auto& message,
                 std::string_view record) -> status {
    if (auto u = check_utf8(message, record); !u)
      return u;
    if (s.ok())
      s = wb.Put(p.h(which), key, message.SerializeAsString());
    return {};
  };

  for (const auto& t : b.tenants) {
    auto name = "tenant " + t.id;
    if (auto st = check_key_part(t.id, "id", name); !st)
      return st;
    if (auto st = put(cf_tenants, t.id, to_proto(t), name); !st)
      return st;
  }
  // Tenant-scoped records: checked key "tenant/id", then the record.
  auto put_scoped = [&](cf which, const auto& x, std::string_view kind) -> status {
    auto key = scoped_key(x.tenant, x.id);
    auto name = std::string{kind} + " " + key;
    if (auto st = check_scoped(x.tenant, x.id, kind); !st)
      return st;
    return put(which, key, to_proto(x), name);
  };
  for (const auto& q : b.queues)
    if (auto st = put_scoped(cf_queues, q, "queue"); !st)
      return st;
  for (const auto& a : b.agents)
    if (auto st = put_scoped(cf_agents, a, "agent"); !st)
      return st;
  for (const auto& c : b.customers)
    if (auto st = put_scoped(cf_customers, c, "customer"); !st)
      return st;
  // Puts before deletes: in an appended group of batches, a contact's removal
  // comes after its insertion.
  auto max_contact = p.max_contact_seq;
  for (const auto& c : b.live_puts) {
    if (auto st = put_scoped(cf_live, c, "live contact"); !st)
      return st;
    max_contact = std::max(max_contact, c.seq);
  }
  for (const auto& [tenant, id] : b.live_deletes) {
    if (auto st = check_scoped(tenant, id, "live contact delete"); !st)
      return st;
    if (s.ok())
      s = wb.Delete(p.h(cf_live), scoped_key(tenant, id));
  }
  if (max_contact > p.max_contact_seq && s.ok())
    s = wb.Put(p.h(cf_default), meta_max_contact_seq, be64(max_contact));

  for (const auto& l : b.learned) {
    auto name = "learned record of " + l.tenant + "/" + l.record.agent;
    if (auto st = check_key_part(l.tenant, "tenant", name); !st)
      return st;
    if (auto st = check_key_part(l.record.agent, "agent", name); !st)
      return st;
    if (auto st = put(cf_learned, learned_key(l.tenant, l.record), to_proto(l.record), name); !st)
      return st;
  }

  if (!b.events.empty()) {
    std::vector<pb::JournalEvent> events;
    events.reserve(b.events.size());
    for (const auto& e : b.events) {
      auto name = "journal event of " + e.tenant + "/" + e.contact;
      if (!e.contact.empty())
        if (auto st = check_scoped(e.tenant, e.contact, "journal event of contact"); !st)
          return st;
      events.push_back(to_proto(e));
      if (auto st = check_utf8(events.back(), name); !st)
        return st;
    }
    // Seqs are consumed even if the write fails below: gaps are harmless, reuse
    // of a seq that might have reached the disk is not.
    for (std::size_t i = 0; i < events.size() && s.ok(); ++i) {
      auto& e = b.events[i];
      e.seq = p.next_event_seq++;
      events[i].set_seq(e.seq);
      auto key = journal_key(e.at, e.seq);
      s = wb.Put(p.h(cf_journal), key, events[i].SerializeAsString());
      if (s.ok() && !e.contact.empty()) {
        auto index = scoped_prefix(e.tenant, e.contact);
        put_be64(index, e.seq);
        s = wb.Put(p.h(cf_journal_by_contact), index, key);
      }
    }
    if (s.ok())
      s = wb.Put(p.h(cf_default), meta_max_event_seq, be64(p.next_event_seq - 1));
  }

  if (s.ok())
    s = p.db->Write(p.write_opts, &wb);
  if (!s.ok())
    return translate(s, p.context("committing a batch of " + std::to_string(b.size()) +
                                  " records"));
  p.max_contact_seq = max_contact;
  return {};
}

// -- reads --------------------------------------------------------------------

result<snapshot> store::load() {
  return load_scoped({});
}

result<snapshot> store::load(const std::string& tenant) {
  if (auto s = check_key_part(tenant, "tenant", "tenant " + tenant); !s)
    return s.err();
  return load_scoped(tenant);
}

result<snapshot> store::load_scoped(const std::string& tenant) {
  auto& p = *impl_;
  snapshot out;
  auto scoped_of = [](const auto& x) { return scoped_key(x.tenant, x.id); };
  // One tenant's records are the keys under "tenant/" (its definition: the key "tenant").
  const std::string prefix = tenant.empty() ? std::string{} : tenant + "/";

  if (auto s = p.load_all(cf_tenants, out.tenants, decode_tenant,
                          [](const engine::tenant_config& t) { return t.id; });
      !s)
    return s.err();
  if (!tenant.empty())
    std::erase_if(out.tenants, [&](const engine::tenant_config& t) { return t.id != tenant; });
  if (auto s = p.load_all(cf_queues, out.queues, decode_queue, scoped_of, prefix); !s)
    return s.err();
  if (auto s = p.load_all(cf_agents, out.agents, decode_agent, scoped_of, prefix); !s)
    return s.err();
  if (auto s = p.load_all(cf_customers, out.customers, decode_customer, scoped_of, prefix); !s)
    return s.err();
  if (auto s = p.load_all(cf_live, out.live, decode_contact, scoped_of, prefix); !s)
    return s.err();
  std::stable_sort(
    out.live.begin(), out.live.end(),
    [](const engine::contact& a, const engine::contact& b) { return a.seq < b.seq; });

  auto learned = p.scan(cf_learned, [&](std::string_view k, std::string_view v) -> status {
    auto bad = [&](std::string why) {
      return make_error(errors::corrupt_record, p.context("learned key of " +
                                                        std::to_string(k.size()) + " bytes") +
                                                ": " + why);
    };
    auto first = k.find('/');
    auto second = first == std::string_view::npos ? first : k.find('/', first + 1);
    if (second == std::string_view::npos)
      return bad("no tenant/agent prefix");
    auto owner = std::string{k.substr(0, first)};
    auto r = decode_learned(v, std::string{k.substr(first + 1, second - first - 1)});
    if (!r)
      return bad(r.err().message);
    if (learned_key(owner, *r) != k)
      return bad("holds the record of another (intent, segment)");
    out.learned.push_back({std::move(owner), std::move(*r)});
    return {};
  }, prefix);
  if (!learned)
    return learned.err();

  auto max_contact = p.read_meta(meta_max_contact_seq);
  if (!max_contact)
    return max_contact.err();
  std::uint64_t max_seq = std::max(p.max_contact_seq, *max_contact);
  if (!out.live.empty())
    max_seq = std::max(max_seq, out.live.back().seq);
  p.max_contact_seq = max_seq;
  out.next_contact_seq = max_seq + 1;
  out.next_event_seq = p.next_event_seq;
  return out;
}

status store::replace_tenant(const std::string& tenant, const snapshot& snap) {
  if (auto s = check_key_part(tenant, "tenant", "tenant " + tenant); !s)
    return s;
  auto foreign = [&](const auto& xs) {
    return std::any_of(xs.begin(), xs.end(), [&](const auto& x) { return x.tenant != tenant; });
  };
  if (std::any_of(snap.tenants.begin(), snap.tenants.end(),
                  [&](const engine::tenant_config& t) { return t.id != tenant; }) ||
      foreign(snap.queues) || foreign(snap.agents) || foreign(snap.customers) ||
      foreign(snap.live) || foreign(snap.learned))
    return make_error(engine::errc::invalid_argument,
                      "replacing tenant " + tenant + ": the snapshot holds another tenant's records");
  std::set<std::string> keep;
  for (const auto& c : snap.live)
    keep.insert(c.id);
  write_batch b;
  auto& p = *impl_;
  auto listed = p.scan(cf_live, [&](std::string_view k, std::string_view) -> status {
    auto id = std::string{k.substr(tenant.size() + 1)};
    if (keep.count(id) == 0)
      b.live_deletes.emplace_back(tenant, std::move(id));
    return {};
  }, tenant + "/");
  if (!listed)
    return listed;
  b.tenants = snap.tenants;
  b.queues = snap.queues;
  b.agents = snap.agents;
  b.customers = snap.customers;
  b.live_puts = snap.live;
  b.learned = snap.learned;
  return commit(b);
}

result<std::vector<engine::journal_event>>
store::journal_for_contact(const std::string& tenant, const std::string& contact) const {
  const auto& p = *impl_;
  if (auto s = check_scoped(tenant, contact, "journal of contact"); !s)
    return s.err();
  const auto prefix = scoped_prefix(tenant, contact);

  std::vector<std::string> keys;
  {
    std::unique_ptr<rocksdb::Iterator> it{
      p.db->NewIterator(rocksdb::ReadOptions{}, p.h(cf_journal_by_contact))};
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
      keys.push_back(it->value().ToString());
    if (!it->status().ok())
      return translate(it->status(), p.context("reading the journal index of " + prefix));
  }

  std::vector<engine::journal_event> out;
  out.reserve(keys.size());
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(keys.size(), p.h(cf_journal));
  std::vector<std::string> values;
  auto statuses = p.db->MultiGet(rocksdb::ReadOptions{}, cfs, slices, &values);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound() || keys[i].size() != journal_key_size)
      return make_error(errors::corrupt_record,
                        p.context("journal index of " + tenant + "/" + contact) +
                          ": entry " + std::to_string(i) + " points to no event");
    if (!statuses[i].ok())
      return translate(statuses[i], p.context("reading the journal of " + tenant + "/" + contact));
    auto e = p.decode_event(keys[i], values[i]);
    if (!e)
      return e.err();
    out.push_back(std::move(*e));
  }
  return out;
}

result<std::vector<engine::journal_event>>
store::journal_range(engine::time_ms from, engine::time_ms to, std::size_t limit) const {
  const auto& p = *impl_;
  std::vector<engine::journal_event> out;
  if (from >= to || limit == 0)
    return out;
  const auto lower = journal_key(from, 0);
  const auto upper = journal_key(to, 0);
  rocksdb::Slice upper_slice{upper};
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{p.db->NewIterator(ro, p.h(cf_journal))};
  for (it->Seek(lower); it->Valid() && out.size() < limit; it->Next()) {
    auto e = p.decode_event(it->key().ToStringView(), it->value().ToStringView());
    if (!e)
      return e.err();
    out.push_back(std::move(*e));
  }
  if (!it->status().ok())
    return translate(it->status(), p.context("reading the journal"));
  return out;
}

result<store_counts> store::counts() const {
  const auto& p = *impl_;
  store_counts out;
  auto count = [&](cf which, std::uint64_t& n) {
    return p.scan(which, [&](std::string_view, std::string_view) -> status {
      ++n;
      return {};
    });
  };
  for (auto [which, n] : {std::pair{cf_tenants, &out.tenants}, std::pair{cf_queues, &out.queues},
                          std::pair{cf_agents, &out.agents},
                          std::pair{cf_customers, &out.customers},
                          std::pair{cf_live, &out.live_contacts},
                          std::pair{cf_journal, &out.journal_events},
                          std::pair{cf_learned, &out.learned}})
    if (auto s = count(which, *n); !s)
      return s.err();

  // The whole journal key space: 16 bytes of 0x00 .. 17 bytes of 0xff.
  const std::string lo(journal_key_size, '\0');
  const std::string hi(journal_key_size + 1, '\xff');
  rocksdb::Range all{lo, hi};
  rocksdb::SizeApproximationOptions so;
  so.include_memtables = true;
  so.include_files = true;
  std::uint64_t bytes = 0;
  auto s = p.db->GetApproximateSizes(so, p.h(cf_journal), &all, 1, &bytes);
  if (!s.ok())
    return translate(s, p.context("estimating the journal size"));
  out.journal_bytes = bytes;
  return out;
}

}  // namespace switchboard::storage
