#include "net/cluster/etcd_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "tests/testkit/etcd_server.h"

namespace switchboard::net::cluster {
namespace {

using engine::errc;
using namespace std::chrono_literals;

class etcd_client_test : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(etcd_.ready()) << "etcd did not start: " << etcd_.log_path(); }

  etcd_client make() {
    auto eps = parse_etcd_urls(etcd_.url(), 2000ms);
    EXPECT_TRUE(eps.ok());
    return etcd_client{*eps};
  }

  testkit::etcd_server etcd_;
};

TEST(etcd_urls, are_parsed_and_bad_ones_refused_with_the_reason) {
  auto two = parse_etcd_urls("http://127.0.0.1:2379,http://10.0.0.2:2380/", 1000ms);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].host, "10.0.0.2");
  EXPECT_EQ((*two)[1].port, 2380);
  for (auto bad : {"", "127.0.0.1:2379", "https://h:2379", "http://h", "http://h:0",
                   "http://h:99999", "http://h:12x"}) {
    auto r = parse_etcd_urls(bad, 1000ms);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.code(), errc::invalid_argument) << bad;
    EXPECT_FALSE(r.err().message.empty());
  }
}

TEST_F(etcd_client_test, puts_and_reads_a_prefix_in_key_order) {
  auto c = make();
  ASSERT_TRUE(c.put("/t/b", "2").ok());
  ASSERT_TRUE(c.put("/t/a", "1").ok());
  ASSERT_TRUE(c.put("/u/a", "other prefix").ok());
  auto r = c.range_prefix("/t/");
  ASSERT_TRUE(r.ok()) << r.err().message;
  ASSERT_EQ(r->kvs.size(), 2u);
  EXPECT_EQ(r->kvs[0].key, "/t/a");
  EXPECT_EQ(r->kvs[0].value, "1");
  EXPECT_EQ(r->kvs[1].key, "/t/b");
  EXPECT_GE(r->revision, 3);
}

TEST_F(etcd_client_test, create_succeeds_once_and_its_revision_is_the_epoch) {
  auto c = make();
  auto lease = c.grant(10s);
  ASSERT_TRUE(lease.ok()) << lease.err().message;
  auto first = c.create("/d/t1", "a", *lease);
  ASSERT_TRUE(first.ok()) << first.err().message;
  ASSERT_TRUE(first->applied);
  ASSERT_TRUE(first->current);
  auto epoch = first->current->create_revision;
  EXPECT_GT(epoch, 0);
  EXPECT_EQ(first->current->lease, *lease);

  auto second = c.create("/d/t1", "b", *lease);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->applied) << "the key exists";
  ASSERT_TRUE(second->current);
  EXPECT_EQ(second->current->value, "a") << "the first claim stands";

  // An update under the right epoch keeps it; under a stale one it is refused.
  auto upd = c.update("/d/t1", "a2", *lease, epoch);
  ASSERT_TRUE(upd.ok() && upd->applied);
  EXPECT_EQ(upd->current->create_revision, epoch);
  EXPECT_EQ(upd->current->value, "a2");
  auto stale = c.update("/d/t1", "x", *lease, epoch - 1);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->applied);

  // Deleted and created again: a new, higher epoch.
  EXPECT_FALSE(c.erase("/d/t1", epoch + 100)->applied);
  EXPECT_TRUE(c.erase("/d/t1", epoch)->applied);
  auto again = c.create("/d/t1", "c", *lease);
  ASSERT_TRUE(again.ok() && again->applied);
  EXPECT_GT(again->current->create_revision, epoch);
}

TEST_F(etcd_client_test, a_revoked_lease_takes_its_keys_along) {
  auto c = make();
  auto lease = c.grant(30s);
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(c.put("/m/n1", "x", *lease).ok());
  auto left = c.keep_alive(*lease);
  ASSERT_TRUE(left.ok());
  EXPECT_GT(*left, 0);
  ASSERT_TRUE(c.revoke(*lease).ok());
  EXPECT_TRUE(c.range_prefix("/m/")->kvs.empty());
  auto after = c.keep_alive(*lease);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, 0) << "a revoked lease cannot be renewed";
}

TEST_F(etcd_client_test, an_expired_lease_drops_its_keys_by_itself) {
  auto c = make();
  auto lease = c.grant(1s);
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(c.put("/m/n2", "x", *lease).ok());
  // etcd's lease checker runs every 500 ms; allow it a few rounds.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!c.range_prefix("/m/")->kvs.empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(c.range_prefix("/m/")->kvs.empty());
}

TEST_F(etcd_client_test, an_unreachable_etcd_is_unavailable_and_a_second_url_is_used) {
  auto none = parse_etcd_urls("http://127.0.0.1:" + std::to_string(testkit::free_port()), 500ms);
  ASSERT_TRUE(none.ok());
  etcd_client dead{*none};
  auto r = dead.range_prefix("/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), errc::unavailable);
  EXPECT_NE(r.err().message.find("127.0.0.1"), std::string::npos) << r.err().message;

  auto both = parse_etcd_urls(
    "http://127.0.0.1:" + std::to_string(testkit::free_port()) + "," + etcd_.url(), 500ms);
  ASSERT_TRUE(both.ok());
  etcd_client failover{*both};
  EXPECT_TRUE(failover.put("/f/k", "v").ok()) << "the live second endpoint answers";
}

TEST_F(etcd_client_test, a_refused_request_is_invalid_argument_with_etcds_reason) {
  auto c = make();
  auto lease = c.grant(10s);
  ASSERT_TRUE(lease.ok());
  // A key attached to a lease that does not exist: etcd refuses it.
  auto r = c.put("/x", "v", *lease + 12345);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), errc::invalid_argument);
  EXPECT_NE(r.err().message.find("lease"), std::string::npos) << r.err().message;
}

TEST_F(etcd_client_test, a_watch_brings_every_change_under_its_prefix_in_order) {
  auto c = make();
  auto first = c.put("/w/a", "1");
  ASSERT_TRUE(first.ok()) << first.err().message;
  auto lease = c.grant(1s);
  ASSERT_TRUE(lease.ok()) << lease.err().message;
  std::mutex m;
  std::vector<std::pair<std::string, bool>> seen;  // (key=value, deleted)
  std::int64_t revision = 0;
  std::atomic<bool> created{false}, stop{false};
  std::thread watcher([&] {
    auto st = c.watch_prefix(
      "/w/", *first,  // from the first put on: it is seen too
      [&](const etcd_changes& ch) {
        std::lock_guard<std::mutex> g{m};
        created = true;
        revision = ch.revision;
        for (const auto& e : ch.events)
          seen.emplace_back(e.kv.key + "=" + e.kv.value, e.deleted);
        return true;
      },
      [&] { return !stop; });
    EXPECT_TRUE(st.ok()) << st.err().message;  // stopped by keep_going: not an error
  });
  auto until = [&](auto pred) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> g{m};
        if (pred())
          return true;
      }
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  ASSERT_TRUE(until([&] { return created.load(); }));
  ASSERT_TRUE(c.put("/w/b", "2", *lease).ok());
  ASSERT_TRUE(c.put("/x/other", "not watched").ok());
  auto gone = c.erase("/w/a", *first);
  ASSERT_TRUE(gone.ok() && gone->applied);
  // The lease expires: its key goes, as a delete.
  EXPECT_TRUE(until([&] { return seen.size() >= 4; })) << seen.size() << " changes seen";
  stop = true;
  watcher.join();
  std::lock_guard<std::mutex> g{m};
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], std::make_pair(std::string{"/w/a=1"}, false));
  EXPECT_EQ(seen[1], std::make_pair(std::string{"/w/b=2"}, false));
  EXPECT_EQ(seen[2], std::make_pair(std::string{"/w/a="}, true));
  EXPECT_EQ(seen[3], std::make_pair(std::string{"/w/b="}, true));
  EXPECT_GT(revision, gone->revision);
}

TEST_F(etcd_client_test, a_watch_from_a_compacted_revision_is_unavailable_with_the_reason) {
  auto c = make();
  ASSERT_TRUE(c.put("/w/a", "1").ok());
  auto last = c.put("/w/a", "2");
  ASSERT_TRUE(last.ok());
  client::endpoint ep = (*parse_etcd_urls(etcd_.url(), 2000ms))[0];
  auto r = client::http_request(ep, "POST", "/v3/kv/compaction",
                                R"({"revision": ")" + std::to_string(*last) + R"(", "physical": true})",
                                "application/json");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  auto st = c.watch_prefix("/w/", 1, [](const etcd_changes&) { return true; }, [] { return true; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), errc::unavailable);
  EXPECT_NE(st.err().message.find("compacted"), std::string::npos) << st.err().message;
}

TEST_F(etcd_client_test, a_watch_of_an_unreachable_etcd_is_unavailable) {
  auto eps = parse_etcd_urls("http://127.0.0.1:1", 500ms);
  ASSERT_TRUE(eps.ok());
  etcd_client c{*eps};
  auto st = c.watch_prefix("/w/", 1, [](const etcd_changes&) { return true; }, [] { return true; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), errc::unavailable);
}

}  // namespace
}  // namespace switchboard::net::cluster
