// One tenant's records read and replaced as a whole: what a cluster handoff moves
// between nodes (actors/cluster.h), against a real RocksDB in a temp dir.
#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/storage_fixture.h"

namespace switchboard::storage::testing {
namespace {

class tenant_move_test : public ::testing::Test {
 protected:
  std::unique_ptr<store> open() {
    store_options o;
    o.data_dir = dir_.sub("db");
    auto s = store::open(o);
    EXPECT_TRUE(s.ok()) << s.err().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }

  /// Two tenants whose ids share a prefix ("acme", "acme2"), each with a queue,
  /// an agent, a customer, learned cells and live contacts.
  void seed(store& s) {
    write_batch b;
    for (const auto* t : {"acme", "acme2"}) {
      b.tenants.push_back(sample_tenant(t));
      b.queues.push_back(sample_queue(t));
      b.agents.push_back(sample_agent(t));
      b.customers.push_back(sample_customer(t));
      b.learned.push_back({t, sample_learned()});
    }
    b.live_puts = {sample_contact("acme", "c3", 3), sample_contact("acme2", "x1", 1),
                   sample_contact("acme", "c1", 4), sample_contact("acme", "c2", 2)};
    ASSERT_TRUE(s.commit(b).ok());
  }

  temp_dir dir_{"sb-tenant-move"};
};

TEST_F(tenant_move_test, a_tenant_is_read_alone_with_its_line_in_order) {
  auto s = open();
  seed(*s);
  auto snap = s->load("acme");
  ASSERT_TRUE(snap.ok()) << snap.err().message;
  ASSERT_EQ(snap->tenants.size(), 1u);
  EXPECT_EQ(snap->tenants[0].id, "acme");
  ASSERT_EQ(snap->queues.size(), 1u);
  EXPECT_EQ(snap->queues[0].tenant, "acme");
  EXPECT_EQ(snap->agents.size(), 1u);
  EXPECT_EQ(snap->customers.size(), 1u);
  ASSERT_EQ(snap->learned.size(), 1u);
  EXPECT_EQ(snap->learned[0].tenant, "acme");
  ASSERT_EQ(snap->live.size(), 3u) << "acme2's contact is not acme's";
  EXPECT_EQ(snap->live[0].id, "c2");
  EXPECT_EQ(snap->live[1].id, "c3");
  EXPECT_EQ(snap->live[2].id, "c1");
  auto none = s->load("nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->tenants.empty() && none->live.empty());
  EXPECT_EQ(s->load("bad/id").code(), engine::errc::invalid_argument);
}

TEST_F(tenant_move_test, a_replaced_tenant_holds_exactly_the_snapshot_after_a_reopen) {
  {
    auto s = open();
    seed(*s);
    // The state another node sends: c2 is gone there (served), c9 is new.
    snapshot moved;
    moved.tenants = {sample_tenant("acme")};
    moved.queues = {sample_queue("acme", "sales")};
    moved.live = {sample_contact("acme", "c9", 7), sample_contact("acme", "c3", 3)};
    ASSERT_TRUE(s->replace_tenant("acme", moved).ok());
  }
  auto s = open();
  auto acme = s->load("acme");
  ASSERT_TRUE(acme.ok());
  ASSERT_EQ(acme->live.size(), 2u);
  EXPECT_EQ(acme->live[0].id, "c3");
  EXPECT_EQ(acme->live[1].id, "c9");
  EXPECT_EQ(acme->queues.size(), 2u) << "definitions are upserted, not deleted";
  auto other = s->load("acme2");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->live.size(), 1u) << "the other tenant is untouched";
  // Moved away: an empty snapshot removes the tenant's live contacts only.
  ASSERT_TRUE(s->replace_tenant("acme", snapshot{}).ok());
  auto all = s->load();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->live.size(), 1u);
  EXPECT_EQ(all->live[0].tenant, "acme2");
  EXPECT_EQ(all->tenants.size(), 2u);
}

TEST_F(tenant_move_test, a_snapshot_with_another_tenants_records_is_refused_and_changes_nothing) {
  auto s = open();
  seed(*s);
  snapshot mixed;
  mixed.live = {sample_contact("acme2", "intruder", 9)};
  auto st = s->replace_tenant("acme", mixed);
  EXPECT_EQ(st.code(), engine::errc::invalid_argument);
  auto acme = s->load("acme");
  ASSERT_TRUE(acme.ok());
  EXPECT_EQ(acme->live.size(), 3u);
  auto other = s->load("acme2");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->live.size(), 1u);
}

}  // namespace
}  // namespace switchboard::storage::testing
