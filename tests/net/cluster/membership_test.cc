#include "net/cluster/membership.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "engine/placement.h"
#include "tests/testkit/etcd_server.h"

namespace switchboard::net::cluster {
namespace {

using engine::errc;
using namespace std::chrono_literals;

/// What a node's hooks saw: domain -> epoch while owned, and every release.
struct recorder {
  std::mutex m;
  std::map<std::string, std::int64_t> owned;
  std::vector<std::pair<std::string, bool>> released;  // (domain, lost)
  std::atomic<int> rejoins{0};

  ownership_hooks hooks() {
    return {[this](const domain_info& d) {
              std::lock_guard<std::mutex> g{m};
              owned[d.id] = d.epoch;
            },
            [this](const domain_info& d, bool lost) {
              std::lock_guard<std::mutex> g{m};
              owned.erase(d.id);
              released.emplace_back(d.id, lost);
            },
            {},
            [this] { ++rejoins; }};
  }
  std::map<std::string, std::int64_t> snapshot() {
    std::lock_guard<std::mutex> g{m};
    return owned;
  }
};

class membership_test : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(etcd_.ready()) << "etcd did not start: " << etcd_.log_path(); }

  cluster_options options(const std::string& name) {
    cluster_options o;
    o.node_name = name;
    o.cluster_name = "t";
    o.cluster_endpoint = "127.0.0.1:1";
    o.edge_endpoint = "127.0.0.1:2";
    o.etcd = *parse_etcd_urls(etcd_.url(), 1000ms);
    o.lease_ttl = 3s;
    o.poll_interval = 50ms;
    for (int i = 0; i < 12; ++i)
      o.domains.emplace_back("t" + std::to_string(i), "t" + std::to_string(i));
    return o;
  }

  /// Waits until `pred` holds (true) or 15 s passed (false).
  template <class Pred>
  static bool eventually(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred())
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return pred();
  }

  /// Every domain owned by exactly the first of `names` in rendezvous order, as
  /// each node's hooks and view say.
  static bool settled(const std::vector<std::string>& names,
                      std::vector<recorder*> recs, std::vector<membership*> nodes) {
    for (int i = 0; i < 12; ++i) {
      auto id = "t" + std::to_string(i);
      auto want = engine::rendezvous_order(id, names).front();
      int owners = 0;
      for (std::size_t n = 0; n < names.size(); ++n) {
        bool has = recs[n]->snapshot().count(id) > 0;
        owners += has;
        if (has != (names[n] == want) || nodes[n]->owns(id) != has)
          return false;
      }
      if (owners != 1)
        return false;
    }
    return true;
  }

  testkit::etcd_server etcd_;
};

TEST_F(membership_test, bad_options_are_refused_with_the_reason) {
  auto o = options("a");
  o.node_name = "a/b";
  EXPECT_EQ(membership::start(o, nullptr, {}).code(), errc::invalid_argument);
  o = options("a");
  o.lease_ttl = 0s;
  EXPECT_EQ(membership::start(o, nullptr, {}).code(), errc::invalid_argument);
  o = options("a");
  o.poll_interval = 2s;  // more than a third of the TTL: the fence would come first
  EXPECT_EQ(membership::start(o, nullptr, {}).code(), errc::invalid_argument);
  o = options("a");
  o.etcd = *parse_etcd_urls("http://127.0.0.1:" + std::to_string(testkit::free_port()), 300ms);
  auto r = membership::start(o, nullptr, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), errc::unavailable) << "a node that cannot reach etcd does not start";
}

TEST_F(membership_test, each_domain_has_exactly_one_owner_the_rendezvous_choice) {
  recorder ra, rb, rc;
  auto a = membership::start(options("a"), nullptr, ra.hooks());
  auto b = membership::start(options("b"), nullptr, rb.hooks());
  auto c = membership::start(options("c"), nullptr, rc.hooks());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_TRUE(eventually([&] {
    return settled({"a", "b", "c"}, {&ra, &rb, &rc}, {a->get(), b->get(), c->get()});
  }));
  // Every node's view agrees on members, owners and epochs.
  // a's view catches up with the others' claims within a poll or two.
  ASSERT_TRUE(eventually([&] {
    auto v = (*a)->view();
    return v.members.size() == 3 && std::all_of(v.domains.begin(), v.domains.end(),
                                                [](const auto& d) { return d.epoch > 0; });
  }));
  auto va = (*a)->view();
  EXPECT_EQ(va.domains.size(), 12u);
  EXPECT_TRUE(va.healthy);
  for (const auto& d : va.domains) {
    EXPECT_GT(d.epoch, 0) << d.id;
    EXPECT_FALSE(d.owner.empty()) << d.id;
    EXPECT_FALSE(d.standby.empty()) << d.id;
    EXPECT_NE(d.standby, d.owner) << d.id;
    auto* owner = d.owner == "a" ? a->get() : d.owner == "b" ? b->get() : c->get();
    EXPECT_TRUE(owner->owns(d.id, d.epoch));
    EXPECT_FALSE(owner->owns(d.id, d.epoch - 1)) << "a stale epoch is refused";
  }
}

TEST_F(membership_test, rounds_read_the_watched_copy_and_a_change_is_seen_through_the_watch) {
  recorder ra, rb;
  auto a = membership::start(options("a"), nullptr, ra.hooks());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(eventually([&] { return ra.snapshot().size() == 12 && (*a)->view().watching; }));
  // Steady state: many rounds (every 50 ms), no write of a's, and no read of etcd.
  auto before = (*a)->view().full_reads;
  EXPECT_GE(before, 1u) << "the watch starts from one whole read";
  std::this_thread::sleep_for(1s);
  auto v = (*a)->view();
  EXPECT_TRUE(v.watching);
  EXPECT_EQ(v.full_reads, before) << "rounds read etcd instead of the watch's copy";
  // b joins: a reads it through the watch and hands b its share.
  auto b = membership::start(options("b"), nullptr, rb.hooks());
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(eventually([&] {
    return settled({"a", "b"}, {&ra, &rb}, {a->get(), b->get()});
  }));
  EXPECT_TRUE((*b)->view().watching);
}

TEST_F(membership_test, a_broken_watch_is_taken_up_again_after_one_whole_read) {
  recorder ra, rb;
  auto a = membership::start(options("a"), nullptr, ra.hooks());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(eventually([&] { return ra.snapshot().size() == 12 && (*a)->view().watching; }));
  auto before = (*a)->view().full_reads;
  // etcd killed and started again on its data: the watch's connection breaks.
  ASSERT_TRUE(etcd_.restart()) << "etcd did not come back: " << etcd_.log_path();
  EXPECT_TRUE(eventually([&] {
    auto v = (*a)->view();
    return v.watching && v.full_reads > before;
  })) << "the watch was not taken up again";
  // Changes after the restart come through the new watch: b joins and takes its share.
  auto b = membership::start(options("b"), nullptr, rb.hooks());
  ASSERT_TRUE(b.ok()) << b.err().message;
  EXPECT_TRUE(eventually([&] {
    return settled({"a", "b"}, {&ra, &rb}, {a->get(), b->get()});
  }));
}

TEST_F(membership_test, a_leaving_node_hands_off_and_a_joining_node_takes_its_share) {
  recorder ra, rb, rc;
  auto a = membership::start(options("a"), nullptr, ra.hooks());
  auto b = membership::start(options("b"), nullptr, rb.hooks());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(eventually([&] { return settled({"a", "b"}, {&ra, &rb}, {a->get(), b->get()}); }));
  auto before = ra.snapshot();

  // c joins: the domains it wins move to it, with new epochs; no domain ever has
  // two owners (checked by settled() at the end, and by each release preceding
  // the new claim in etcd).
  auto c = membership::start(options("c"), nullptr, rc.hooks());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(eventually([&] {
    return settled({"a", "b", "c"}, {&ra, &rb, &rc}, {a->get(), b->get(), c->get()});
  }));
  EXPECT_FALSE(rc.snapshot().empty()) << "12 domains over 3 nodes: c wins some";
  {
    std::lock_guard<std::mutex> g{ra.m};
    for (auto& [id, lost] : ra.released)
      EXPECT_FALSE(lost) << id << ": a handoff, not a loss";
  }
  for (auto& [id, epoch] : rc.snapshot()) {
    if (before.count(id)) {
      EXPECT_GT(epoch, before[id]) << id << " moved with a new epoch";
    }
  }

  // b leaves gracefully: its domains go to a and c at once (no lease to wait for).
  auto t0 = std::chrono::steady_clock::now();
  (*b)->leave();
  ASSERT_TRUE(eventually([&] { return settled({"a", "c"}, {&ra, &rc}, {a->get(), c->get()}); }));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "faster than a lease expiry";
  EXPECT_TRUE(rb.snapshot().empty());
}

TEST_F(membership_test, a_node_cut_off_from_etcd_stops_owning_before_its_lease_can_lapse) {
  recorder ra;
  auto a = membership::start(options("a"), nullptr, ra.hooks());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(eventually([&] { return ra.snapshot().size() == 12; }));
  auto epoch = ra.snapshot()["t0"];
  // etcd stops answering (as in a partition): renewals time out.
  etcd_.pause();
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return !(*a)->owns("t0"); }));
  auto fenced_after = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(fenced_after, 3s) << "stopped before the 3 s lease could lapse";
  // The hooks run on the polling thread once its hung request timed out.
  EXPECT_TRUE(eventually([&] { return ra.snapshot().empty(); })) << "every domain released";
  {
    std::lock_guard<std::mutex> g{ra.m};
    ASSERT_FALSE(ra.released.empty());
    EXPECT_TRUE(ra.released.front().second) << "released as lost, not handed off";
  }
  EXPECT_FALSE((*a)->view().healthy);
  EXPECT_EQ(ra.rejoins, 0) << "not a member again yet";
  // Back in touch: a new lease, and the domains again once the old lease lapsed,
  // each under a new epoch.
  etcd_.resume();
  ASSERT_TRUE(eventually([&] { return ra.snapshot().size() == 12; }));
  EXPECT_GT(ra.snapshot()["t0"], epoch);
  EXPECT_TRUE((*a)->owns("t0"));
  EXPECT_TRUE((*a)->view().healthy);
  EXPECT_EQ(ra.rejoins, 1) << "a member again under a new lease, once";
}

}  // namespace
}  // namespace switchboard::net::cluster
