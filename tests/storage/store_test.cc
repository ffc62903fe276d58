#include "storage/store.h"

#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "storage/codecs.h"
#include "storage/errors.h"
#include "tests/storage/storage_fixture.h"

namespace switchboard::storage {
namespace {

using engine::errc;
using namespace storage::testing;

/// A store in a fresh temporary directory, reopenable.
class store_test : public ::testing::Test {
 protected:
  store_options options() const {
    store_options o;
    o.data_dir = dir_.sub("db");
    return o;
  }

  std::unique_ptr<store> open() {
    auto s = store::open(options());
    EXPECT_TRUE(s.ok()) << s.err().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }

  snapshot load(store& s) {
    auto snap = s.load();
    EXPECT_TRUE(snap.ok()) << snap.err().message;
    return snap.ok() ? std::move(snap).value() : snapshot{};
  }

  /// Commits `b`; the caller's batch gets the assigned journal seqs.
  void commit(store& s, write_batch& b) {
    auto st = s.commit(b);
    ASSERT_TRUE(st.ok()) << st.err().message;
  }
  void commit(store& s, write_batch&& b) { commit(s, b); }

  std::vector<engine::journal_event> history(const store& s, const std::string& tenant,
                                             const std::string& contact) {
    auto r = s.journal_for_contact(tenant, contact);
    EXPECT_TRUE(r.ok()) << r.err().message;
    return r.ok() ? std::move(r).value() : std::vector<engine::journal_event>{};
  }

  std::vector<engine::journal_event> range(const store& s, engine::time_ms from,
                                           engine::time_ms to, std::size_t limit) {
    auto r = s.journal_range(from, to, limit);
    EXPECT_TRUE(r.ok()) << r.err().message;
    return r.ok() ? std::move(r).value() : std::vector<engine::journal_event>{};
  }

  /// Writes `value` under `key` of column family `cf` behind the store's back,
  /// creating an extra column family `extra` too when non-empty.
  void write_raw(const std::string& cf, const std::string& key, const std::string& value,
                 const std::string& extra = {}) {
    open().reset();  // create the column families
    const auto dir = options().data_dir;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (const auto& n : names)
      descs.emplace_back(n, rocksdb::ColumnFamilyOptions{});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions{}, dir, descs, &handles, &db).ok());
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == cf) {
        EXPECT_TRUE(db->Put(rocksdb::WriteOptions{}, handles[i], key, value).ok());
      }
    }
    if (!extra.empty()) {
      rocksdb::ColumnFamilyHandle* h = nullptr;
      EXPECT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions{}, extra, &h).ok());
      handles.push_back(h);
    }
    for (auto* h : handles)
      EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    EXPECT_TRUE(db->Close().ok());
    delete db;
  }

  temp_dir dir_;
};

write_batch with_agents(std::vector<engine::agent_profile> x) {
  write_batch b;
  b.agents = std::move(x);
  return b;
}

write_batch with_live(std::vector<engine::contact> x) {
  write_batch b;
  b.live_puts = std::move(x);
  return b;
}

write_batch with_deletes(std::vector<std::pair<std::string, std::string>> x) {
  write_batch b;
  b.live_deletes = std::move(x);
  return b;
}

write_batch with_events(std::vector<engine::journal_event> x) {
  write_batch b;
  b.events = std::move(x);
  return b;
}

write_batch with_learned(std::vector<tenant_learned> x) {
  write_batch b;
  b.learned = std::move(x);
  return b;
}

std::vector<std::uint64_t> seqs(const std::vector<engine::journal_event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events)
    out.push_back(e.seq);
  return out;
}

std::vector<std::string> details(const std::vector<engine::journal_event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    out.push_back(e.detail);
  return out;
}

// -- opening ------------------------------------------------------------------

TEST_F(store_test, empty_data_dir_is_an_invalid_argument) {
  auto s = store::open(store_options{});
  EXPECT_EQ(s.code(), errc::invalid_argument);
}

TEST_F(store_test, missing_data_dir_is_created) {
  auto o = options();
  o.data_dir = dir_.sub("a/b/c");
  auto s = store::open(o);
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_TRUE(std::filesystem::is_directory(o.data_dir));
  EXPECT_EQ((*s)->options().data_dir, o.data_dir);
}

TEST_F(store_test, missing_data_dir_without_create_if_missing_is_a_bad_data_dir) {
  auto o = options();
  o.create_if_missing = false;
  EXPECT_EQ(store::open(o).code(), errors::bad_data_dir);
  EXPECT_FALSE(std::filesystem::exists(o.data_dir));
}

TEST_F(store_test, empty_directory_without_create_if_missing_is_a_bad_data_dir) {
  auto o = options();
  std::filesystem::create_directories(o.data_dir);
  o.create_if_missing = false;
  EXPECT_EQ(store::open(o).code(), errors::bad_data_dir);
}

TEST_F(store_test, existing_database_opens_without_create_if_missing) {
  open().reset();
  auto o = options();
  o.create_if_missing = false;
  auto s = store::open(o);
  EXPECT_TRUE(s.ok()) << s.err().message;
}

TEST_F(store_test, regular_file_as_data_dir_is_a_bad_data_dir) {
  auto o = options();
  std::ofstream{o.data_dir} << "not a database";
  auto s = store::open(o);
  EXPECT_EQ(s.code(), errors::bad_data_dir);
  if (!s.ok()) {
    EXPECT_NE(s.err().message.find("not a directory"), std::string::npos) << s.err().message;
  }
}

TEST_F(store_test, data_dir_under_a_regular_file_is_a_bad_data_dir) {
  std::ofstream{dir_.sub("file")} << "x";
  auto o = options();
  o.data_dir = dir_.sub("file/db");
  EXPECT_EQ(store::open(o).code(), errors::bad_data_dir);
}

TEST_F(store_test, read_only_data_dir_is_a_bad_data_dir) {
  if (::geteuid() == 0)
    GTEST_SKIP() << "root may write anywhere";
  auto o = options();
  std::filesystem::create_directories(o.data_dir);
  ::chmod(o.data_dir.c_str(), 0500);
  EXPECT_EQ(store::open(o).code(), errors::bad_data_dir);
  ::chmod(o.data_dir.c_str(), 0700);
}

TEST_F(store_test, second_open_of_the_same_dir_is_database_locked) {
  auto first = open();
  ASSERT_NE(first, nullptr);
  auto second = store::open(options());
  ASSERT_EQ(second.code(), errors::database_locked);
  EXPECT_NE(second.err().message.find(options().data_dir), std::string::npos);
  EXPECT_NE(second.err().message.find("in use"), std::string::npos) << second.err().message;
}

// Run by the next test in a child process (this binary, re-executed): holds the
// store in $SB_HOLD_DIR open until its stdin closes. Skipped when run directly.
TEST(lock_holder, holds_a_store_open_for_a_parent_test) {
  const char* dir = std::getenv("SB_HOLD_DIR");
  if (dir == nullptr)
    GTEST_SKIP() << "helper of a_dir_held_by_another_process_is_database_locked";
  store_options o;
  o.data_dir = dir;
  auto s = store::open(o);
  ASSERT_TRUE(s.ok()) << s.err().message;
  std::printf("\nSB_HOLDING\n");
  std::fflush(stdout);
  char c;
  while (::read(STDIN_FILENO, &c, 1) > 0) {
  }
}

TEST_F(store_test, a_dir_held_by_another_process_is_database_locked) {
  open().reset();  // create it, then let the child hold it
  int to_child[2];
  int from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, to_child[1]);
  posix_spawn_file_actions_addclose(&actions, from_child[0]);
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string filter = "--gtest_filter=lock_holder.holds_a_store_open_for_a_parent_test";
  std::string env_dir = "SB_HOLD_DIR=" + options().data_dir;
  char* argv[] = {self.data(), filter.data(), nullptr};
  char* envp[] = {env_dir.data(), nullptr};
  pid_t child = 0;
  ASSERT_EQ(::posix_spawn(&child, self.c_str(), &actions, nullptr, argv, envp), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);

  std::string out;
  pollfd pfd{from_child[0], POLLIN, 0};
  while (out.find("SB_HOLDING") == std::string::npos && ::poll(&pfd, 1, 20000) > 0) {
    char buf[256];
    auto n = ::read(from_child[0], buf, sizeof buf);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_NE(out.find("SB_HOLDING"), std::string::npos) << out;

  auto second = store::open(options());
  EXPECT_EQ(second.code(), errors::database_locked);
  if (!second.ok()) {
    EXPECT_NE(second.err().message.find("in use"), std::string::npos) << second.err().message;
  }

  ::close(to_child[1]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(from_child[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(open(), nullptr);  // released with the child
}

TEST_F(store_test, dir_opens_again_once_the_store_is_closed) {
  open().reset();
  EXPECT_NE(open(), nullptr);
}

// -- profiles -----------------------------------------------------------------

TEST_F(store_test, fresh_store_loads_an_empty_snapshot_with_seqs_at_one) {
  auto s = open();
  auto snap = load(*s);
  EXPECT_TRUE(snap.tenants.empty());
  EXPECT_TRUE(snap.live.empty());
  EXPECT_TRUE(snap.learned.empty());
  EXPECT_EQ(snap.next_event_seq, 1u);
  EXPECT_EQ(snap.next_contact_seq, 1u);
}

TEST_F(store_test, profiles_and_learned_stats_survive_reopen) {
  {
    auto s = open();
    write_batch b;
    b.tenants = {sample_tenant("acme"), sample_tenant("globex")};
    b.queues = {sample_queue("acme", "billing"), sample_queue("globex", "billing")};
    b.agents = {sample_agent("acme", "a1"), sample_agent("acme", "a2")};
    b.customers = {sample_customer("acme", "cust1")};
    b.learned = {{"acme", sample_learned("a1", "billing", "gold")},
                 {"globex", sample_learned("a1", "billing", "gold")}};
    b.learned[1].record.stats.handled = 99;
    commit(*s, std::move(b));
  }
  auto s = open();
  auto snap = load(*s);
  ASSERT_EQ(snap.tenants.size(), 2u);
  EXPECT_EQ(encode(snap.tenants[0]), encode(sample_tenant("acme")));
  EXPECT_EQ(encode(snap.tenants[1]), encode(sample_tenant("globex")));
  ASSERT_EQ(snap.queues.size(), 2u);
  EXPECT_EQ(encode(snap.queues[0]), encode(sample_queue("acme", "billing")));
  EXPECT_EQ(snap.queues[1].tenant, "globex");
  ASSERT_EQ(snap.agents.size(), 2u);
  EXPECT_EQ(encode(snap.agents[1]), encode(sample_agent("acme", "a2")));
  ASSERT_EQ(snap.customers.size(), 1u);
  EXPECT_EQ(encode(snap.customers[0]), encode(sample_customer("acme", "cust1")));
  ASSERT_EQ(snap.learned.size(), 2u);
  EXPECT_EQ(snap.learned[0].tenant, "acme");
  EXPECT_EQ(snap.learned[0].record.agent, "a1");
  EXPECT_EQ(encode(snap.learned[0].record), encode(sample_learned("a1", "billing", "gold")));
  EXPECT_EQ(snap.learned[1].tenant, "globex");
  EXPECT_EQ(snap.learned[1].record.stats.handled, 99u);
}

TEST_F(store_test, a_batch_split_by_tenant_writes_what_the_whole_batch_writes) {
  // Records of two tenants in every field: each part holds one tenant's, in order.
  write_batch b;
  b.tenants = {sample_tenant("acme"), sample_tenant("globex")};
  b.queues = {sample_queue("globex", "billing"), sample_queue("acme", "billing")};
  b.agents = {sample_agent("acme", "a1"), sample_agent("globex", "g1"), sample_agent("acme", "a2")};
  b.customers = {sample_customer("globex", "cust1")};
  b.live_puts = {sample_contact("acme", "c1", 1), sample_contact("globex", "c1", 2),
                 sample_contact("acme", "c2", 3)};
  b.live_deletes = {{"globex", "gone"}};
  b.events = {sample_event("acme", "c1", 100), sample_event("globex", "c1", 101)};
  b.learned = {{"globex", sample_learned("g1", "billing", "gold")}};
  EXPECT_EQ(b.tenant_ids(), (std::set<std::string>{"acme", "globex"}));
  EXPECT_TRUE(write_batch{}.tenant_ids().empty());
  auto parts = b.split_by_tenant();
  ASSERT_EQ(parts.size(), 2u);
  const auto& acme = parts.at("acme");
  const auto& globex = parts.at("globex");
  EXPECT_EQ(acme.tenant_ids(), std::set<std::string>{"acme"});
  EXPECT_EQ(globex.tenant_ids(), std::set<std::string>{"globex"});
  ASSERT_EQ(acme.agents.size(), 2u);
  EXPECT_EQ(acme.agents[1].id, "a2");
  ASSERT_EQ(acme.live_puts.size(), 2u);
  EXPECT_EQ(acme.live_puts[1].id, "c2");
  EXPECT_EQ(acme.events.size(), 1u);
  EXPECT_TRUE(acme.customers.empty() && acme.learned.empty() && acme.live_deletes.empty());
  EXPECT_EQ(globex.queues.size(), 1u);
  EXPECT_EQ(globex.customers.size(), 1u);
  EXPECT_EQ(globex.live_deletes.size(), 1u);
  EXPECT_EQ(globex.learned.size(), 1u);
  // Committed part by part, the store holds what the whole batch would leave.
  {
    auto o = options();
    o.data_dir = dir_.sub("whole");
    auto whole = store::open(o);
    ASSERT_TRUE(whole.ok()) << whole.err().message;
    commit(**whole, write_batch{b});
    auto s = open();
    for (auto& [tenant, part] : parts)
      commit(*s, std::move(part));
    auto a = load(**whole);
    auto p = load(*s);
    ASSERT_EQ(a.live.size(), p.live.size());
    for (std::size_t i = 0; i < a.live.size(); ++i)
      EXPECT_EQ(encode(a.live[i]), encode(p.live[i]));
    ASSERT_EQ(a.agents.size(), p.agents.size());
    EXPECT_EQ(a.queues.size(), p.queues.size());
    EXPECT_EQ(a.customers.size(), p.customers.size());
    EXPECT_EQ(a.learned.size(), p.learned.size());
  }
}

TEST_F(store_test, an_upsert_replaces_the_stored_record) {
  auto s = open();
  commit(*s, with_agents({sample_agent("acme", "a1")}));
  auto changed = sample_agent("acme", "a1");
  changed.name = "Ana Maria";
  changed.skills = {{"billing", 99}};
  commit(*s, with_agents({changed}));
  auto snap = load(*s);
  ASSERT_EQ(snap.agents.size(), 1u);
  EXPECT_EQ(snap.agents[0].name, "Ana Maria");
  EXPECT_EQ(encode(snap.agents[0]), encode(changed));
}

TEST_F(store_test, learned_cells_with_shifted_intent_and_segment_stay_apart) {
  auto s = open();
  write_batch b;
  b.learned = {{"acme", sample_learned("a1", "ab", "c")},
               {"acme", sample_learned("a1", "a", "bc")},
               {"acme", sample_learned("a1", std::string("a\0b", 3), "c")},
               {"acme", sample_learned("a1", "a", std::string("b\0c", 3))}};
  for (std::size_t i = 0; i < b.learned.size(); ++i)
    b.learned[i].record.stats.handled = i;
  commit(*s, std::move(b));
  auto snap = load(*s);
  ASSERT_EQ(snap.learned.size(), 4u);
  std::vector<std::uint64_t> handled;
  for (const auto& l : snap.learned)
    handled.push_back(l.record.stats.handled);
  std::sort(handled.begin(), handled.end());
  EXPECT_EQ(handled, (std::vector<std::uint64_t>{0, 1, 2, 3}));
}

// -- live contacts ------------------------------------------------------------

TEST_F(store_test, live_contacts_come_back_in_enqueue_order) {
  {
    auto s = open();
    write_batch b;
    // Key order ("acme/a", "acme/m", "acme/z", "beta/b") differs from seq order.
    b.live_puts = {sample_contact("acme", "z", 3), sample_contact("beta", "b", 1),
                   sample_contact("acme", "a", 4), sample_contact("acme", "m", 2)};
    commit(*s, std::move(b));
  }
  auto s = open();
  auto snap = load(*s);
  ASSERT_EQ(snap.live.size(), 4u);
  EXPECT_EQ(snap.live[0].id, "b");
  EXPECT_EQ(snap.live[1].id, "m");
  EXPECT_EQ(snap.live[2].id, "z");
  EXPECT_EQ(snap.live[3].id, "a");
  EXPECT_EQ(encode(snap.live[3]), encode(sample_contact("acme", "a", 4)));
  EXPECT_EQ(snap.next_contact_seq, 5u);
}

TEST_F(store_test, deleted_live_contacts_do_not_come_back) {
  {
    auto s = open();
    commit(*s, with_live({sample_contact("acme", "c1", 1),
                                         sample_contact("acme", "c2", 2),
                                         sample_contact("beta", "c1", 3)}));
    commit(*s, with_deletes({{"acme", "c1"}, {"acme", "never-stored"}}));
  }
  auto s = open();
  auto snap = load(*s);
  ASSERT_EQ(snap.live.size(), 2u);
  EXPECT_EQ(snap.live[0].tenant, "acme");
  EXPECT_EQ(snap.live[0].id, "c2");
  EXPECT_EQ(snap.live[1].tenant, "beta");
  EXPECT_EQ(snap.live[1].id, "c1");
}

TEST_F(store_test, a_put_and_a_delete_of_one_contact_in_one_batch_remove_it) {
  auto s = open();
  auto first = with_live({sample_contact("acme", "c1", 1)});
  first.append(with_deletes({{"acme", "c1"}}));
  commit(*s, std::move(first));
  EXPECT_TRUE(load(*s).live.empty());
}

TEST_F(store_test, an_updated_live_contact_replaces_the_old_copy) {
  auto s = open();
  commit(*s, with_live({sample_contact("acme", "c1", 1)}));
  auto c = sample_contact("acme", "c1", 1);
  c.state = engine::contact_state::connected;
  commit(*s, with_live({c}));
  auto snap = load(*s);
  ASSERT_EQ(snap.live.size(), 1u);
  EXPECT_EQ(snap.live[0].state, engine::contact_state::connected);
}

TEST_F(store_test, contact_seqs_are_not_reused_after_the_contacts_are_gone) {
  {
    auto s = open();
    commit(*s, with_live({sample_contact("acme", "c1", 41),
                                         sample_contact("acme", "c2", 42)}));
    commit(*s, with_deletes({{"acme", "c1"}, {"acme", "c2"}}));
  }
  auto s = open();
  auto snap = load(*s);
  EXPECT_TRUE(snap.live.empty());
  EXPECT_EQ(snap.next_contact_seq, 43u);
  // A lower seq later does not lower the mark.
  commit(*s, with_live({sample_contact("acme", "c3", 7)}));
  EXPECT_EQ(load(*s).next_contact_seq, 43u);
}

// -- journal ------------------------------------------------------------------

TEST_F(store_test, commit_assigns_increasing_journal_seqs_in_batch_order) {
  auto s = open();
  write_batch b;
  b.events = {sample_event("acme", "c1", 100), sample_event("acme", "c1", 100),
              sample_event("acme", "", 90, engine::event_type::agent_login)};
  commit(*s, b);
  EXPECT_EQ(b.events[0].seq, 1u);
  EXPECT_EQ(b.events[1].seq, 2u);
  EXPECT_EQ(b.events[2].seq, 3u);
  auto more = with_events({sample_event("acme", "c2", 110)});
  commit(*s, more);
  EXPECT_EQ(more.events[0].seq, 4u);
  EXPECT_EQ(load(*s).next_event_seq, 5u);
}

TEST_F(store_test, journal_seqs_keep_increasing_across_reopen) {
  {
    auto s = open();
    commit(*s, with_events({sample_event("acme", "c1", 500),
                                      sample_event("acme", "c1", 600)}));
  }
  {
    auto s = open();
    EXPECT_EQ(load(*s).next_event_seq, 3u);
    // An earlier time than what is stored: the seq still goes up.
    auto b = with_events({sample_event("acme", "c1", 50)});
    commit(*s, b);
    EXPECT_EQ(b.events[0].seq, 3u);
  }
  auto s = open();
  EXPECT_EQ(load(*s).next_event_seq, 4u);
  auto b = with_events({sample_event("acme", "c1", 700)});
  commit(*s, b);
  EXPECT_EQ(b.events[0].seq, 4u);
  EXPECT_EQ(seqs(history(*s, "acme", "c1")), (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST_F(store_test, journal_events_come_back_with_every_field) {
  auto e = sample_event("acme", "c1", 1234, engine::event_type::completed);
  e.result = sample_outcome();
  e.decision = sample_decision();
  {
    auto s = open();
    auto b = with_events({e});
    commit(*s, b);
    e.seq = b.events[0].seq;
  }
  auto s = open();
  auto events = history(*s, "acme", "c1");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(encode(events[0]), encode(e));
  EXPECT_TRUE(events[0].result.has_value());
  EXPECT_TRUE(events[0].decision.has_value());
}

TEST_F(store_test, journal_for_contact_returns_exactly_that_contacts_events_in_order) {
  auto s = open();
  write_batch b;
  b.events = {sample_event("acme", "c1", 10), sample_event("beta", "c1", 11),
              sample_event("acme", "c10", 12), sample_event("acme", "c", 13),
              sample_event("acme", "", 14, engine::event_type::agent_away),
              sample_event("acme", "c1", 15)};
  // Committed later but stamped earlier: still after the others by seq.
  commit(*s, std::move(b));
  commit(*s, with_events({sample_event("acme", "c1", 5)}));

  auto events = history(*s, "acme", "c1");
  EXPECT_EQ(seqs(events), (std::vector<std::uint64_t>{1, 6, 7}));
  EXPECT_EQ(details(events), (std::vector<std::string>{"at 10", "at 15", "at 5"}));
  for (const auto& e : events) {
    EXPECT_EQ(e.tenant, "acme");
    EXPECT_EQ(e.contact, "c1");
  }
  EXPECT_EQ(seqs(history(*s, "beta", "c1")), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(seqs(history(*s, "acme", "c10")), (std::vector<std::uint64_t>{3}));
}

TEST_F(store_test, journal_of_an_unknown_contact_is_empty) {
  auto s = open();
  commit(*s, with_events({sample_event("acme", "c1", 10)}));
  EXPECT_TRUE(history(*s, "acme", "c2").empty());
  EXPECT_TRUE(history(*s, "other", "c1").empty());
}

TEST_F(store_test, journal_of_a_contact_id_with_a_slash_is_an_invalid_argument) {
  auto s = open();
  EXPECT_EQ(s->journal_for_contact("acme", "c1/x").code(), errc::invalid_argument);
  EXPECT_EQ(s->journal_for_contact("acme", "").code(), errc::invalid_argument);
}

TEST_F(store_test, journal_range_respects_bounds_and_limit) {
  auto s = open();
  write_batch b;
  for (engine::time_ms at : {100, 200, 200, 300, 400, 500})
    b.events.push_back(sample_event("acme", "c1", at));
  commit(*s, std::move(b));

  EXPECT_EQ(seqs(range(*s, 200, 400, 100)), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(seqs(range(*s, 0, 1000, 100)), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(seqs(range(*s, 0, 1000, 2)), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(seqs(range(*s, 200, 201, 100)), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(seqs(range(*s, 201, 300, 100)), (std::vector<std::uint64_t>{}));
  EXPECT_EQ(seqs(range(*s, 500, 501, 100)), (std::vector<std::uint64_t>{6}));
  EXPECT_TRUE(range(*s, 400, 400, 100).empty());
  EXPECT_TRUE(range(*s, 500, 100, 100).empty());
  EXPECT_TRUE(range(*s, 0, 1000, 0).empty());
}

TEST_F(store_test, journal_range_orders_by_time_then_seq) {
  auto s = open();
  commit(*s, with_events({sample_event("acme", "c1", 300)}));
  commit(*s, with_events({sample_event("acme", "c2", 100),
                                    sample_event("acme", "", 300, engine::event_type::agent_login),
                                    sample_event("acme", "c3", -50)}));
  EXPECT_EQ(seqs(range(*s, -100, 1000, 10)), (std::vector<std::uint64_t>{4, 2, 1, 3}));
  EXPECT_EQ(seqs(range(*s, -100, 0, 10)), (std::vector<std::uint64_t>{4}));
}

// -- rejected batches ---------------------------------------------------------

TEST_F(store_test, ids_with_a_slash_are_rejected_and_nothing_is_written) {
  auto s = open();
  write_batch b;
  b.tenants = {sample_tenant("acme")};
  b.events = {sample_event("acme", "c1", 10)};
  b.live_puts = {sample_contact("acme", "c/1", 1)};
  EXPECT_EQ(s->commit(b).code(), errc::invalid_argument);

  auto learned = with_learned({{"acme", sample_learned("a/1")}});
  EXPECT_EQ(s->commit(learned).code(), errc::invalid_argument);
  auto deletes = with_deletes({{"ac/me", "c1"}});
  EXPECT_EQ(s->commit(deletes).code(), errc::invalid_argument);
  auto event = with_events({sample_event("", "c1", 10)});
  EXPECT_EQ(s->commit(event).code(), errc::invalid_argument);

  auto snap = load(*s);
  EXPECT_TRUE(snap.tenants.empty());
  EXPECT_TRUE(snap.live.empty());
  EXPECT_EQ(snap.next_event_seq, 1u);  // no seq consumed
  EXPECT_TRUE(range(*s, 0, 1000, 10).empty());
}

TEST_F(store_test, a_record_that_could_not_be_read_back_is_rejected) {
  auto s = open();
  auto c = sample_customer();
  c.region = "eu\xff";
  write_batch b;
  b.tenants = {sample_tenant()};
  b.customers = {c};
  auto st = s->commit(b);
  EXPECT_EQ(st.code(), errc::invalid_argument);
  EXPECT_NE(st.err().message.find("region"), std::string::npos) << st.err().message;

  auto e = sample_event("acme", "c1", 10);
  e.detail = "\xc3";
  auto events = with_events({sample_event("acme", "c1", 5), e});
  EXPECT_EQ(s->commit(events).code(), errc::invalid_argument);

  auto snap = load(*s);
  EXPECT_TRUE(snap.tenants.empty());
  EXPECT_TRUE(snap.customers.empty());
  EXPECT_EQ(snap.next_event_seq, 1u);
}

// -- damaged data -------------------------------------------------------------

TEST_F(store_test, unreadable_bytes_in_a_column_family_make_load_a_corrupt_record) {
  write_raw("live_contacts", "acme/c1", std::string(11, '\xff'));
  auto s = open();
  auto snap = s->load();
  ASSERT_EQ(snap.code(), errors::corrupt_record);
  EXPECT_NE(snap.err().message.find("acme/c1"), std::string::npos) << snap.err().message;
}

TEST_F(store_test, a_record_under_another_records_key_is_a_corrupt_record) {
  write_raw("agents", "acme/a2", encode(sample_agent("acme", "a1")));
  auto s = open();
  EXPECT_EQ(s->load().code(), errors::corrupt_record);
}

TEST_F(store_test, unreadable_journal_event_is_a_corrupt_record_when_read) {
  write_raw("journal", std::string(16, '\x80'), std::string("\x0a\x05" "ab", 4));
  auto s = open();
  EXPECT_EQ(s->journal_range(std::numeric_limits<engine::time_ms>::min(),
                             std::numeric_limits<engine::time_ms>::max(), 10)
              .code(),
            errors::corrupt_record);
}

TEST_F(store_test, column_families_of_a_newer_version_do_not_prevent_opening) {
  write_raw("tenants", "acme", encode(sample_tenant("acme")), "future_records");
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(load(*s).tenants.size(), 1u);
}

// -- misc ---------------------------------------------------------------------

TEST_F(store_test, an_empty_batch_commits_nothing) {
  auto s = open();
  write_batch b;
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(s->commit(b).ok());
  EXPECT_EQ(load(*s).next_event_seq, 1u);
}

TEST_F(store_test, append_keeps_order_and_counts_every_record) {
  auto a = with_events({sample_event("t1", "c1", 1)});
  a.tenants = {sample_tenant("t1")};
  auto b = with_events({sample_event("t1", "c2", 2)});
  b.queues = {sample_queue()};
  b.live_deletes = {{"t1", "c1"}};
  b.learned = {{"t1", sample_learned()}};
  a.append(std::move(b));
  EXPECT_EQ(a.size(), 6u);
  EXPECT_FALSE(a.empty());
  ASSERT_EQ(a.events.size(), 2u);
  EXPECT_EQ(a.events[0].contact, "c1");
  EXPECT_EQ(a.events[1].contact, "c2");
  EXPECT_EQ(a.queues.size(), 1u);
  EXPECT_EQ(a.learned.size(), 1u);
}

TEST_F(store_test, no_sync_mode_commits_and_survives_a_clean_reopen) {
  auto o = options();
  o.mode = durability::no_sync;
  {
    auto s = store::open(o);
    ASSERT_TRUE(s.ok()) << s.err().message;
    auto b = with_events({sample_event("acme", "c1", 1)});
    b.tenants = {sample_tenant()};
    ASSERT_TRUE((*s)->commit(b).ok());
  }
  auto s = open();
  auto snap = load(*s);
  EXPECT_EQ(snap.tenants.size(), 1u);
  EXPECT_EQ(snap.next_event_seq, 2u);
}

TEST_F(store_test, counts_reflect_what_is_stored) {
  auto s = open();
  {
    auto c = s->counts();
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->tenants, 0u);
    EXPECT_EQ(c->journal_events, 0u);
  }
  write_batch b;
  b.tenants = {sample_tenant("t1"), sample_tenant("t2")};
  b.queues = {sample_queue("t1", "q1"), sample_queue("t1", "q2"), sample_queue("t2", "q1")};
  b.agents = {sample_agent("t1", "a1")};
  b.customers = {sample_customer("t1", "c1"), sample_customer("t2", "c1")};
  b.live_puts = {sample_contact("t1", "x1", 1), sample_contact("t1", "x2", 2)};
  for (int i = 0; i < 50; ++i) {
    auto e = sample_event("t1", "x1", 1000 + i);
    e.decision = sample_decision();
    b.events.push_back(e);
  }
  b.learned = {{"t1", sample_learned("a1", "i1", "s1")}, {"t1", sample_learned("a1", "i2", "s1")}};
  commit(*s, std::move(b));
  commit(*s, with_deletes({{"t1", "x2"}}));

  auto c = s->counts();
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->tenants, 2u);
  EXPECT_EQ(c->queues, 3u);
  EXPECT_EQ(c->agents, 1u);
  EXPECT_EQ(c->customers, 2u);
  EXPECT_EQ(c->live_contacts, 1u);
  EXPECT_EQ(c->journal_events, 50u);
  EXPECT_EQ(c->learned, 2u);
  EXPECT_GT(c->journal_bytes, 0u);
}

}  // namespace
}  // namespace switchboard::storage
