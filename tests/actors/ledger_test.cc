// The crash ledger: a real child node (sb_ledger_child) under a stream of every
// state-changing request is killed with SIGKILL at a random point, again and
// again. After each kill the database must hold every change the child had
// acknowledged (nothing lost) and none more often than it was sent (nothing
// doubled). Then a node opened on what a kill left behind, with agents and
// customers who never come back, must move every contact to a documented state
// within the grace periods: nothing is left that nothing will move.
//
// SB_LEDGER_KILLS sets the number of kills (default 6; the figures in the
// closing notes come from runs with 25).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "actors/node.h"
#include "storage/store.h"
#include "tests/testkit/child_process.h"
#include "tests/testkit/temp_dir.h"

namespace switchboard::testing {
namespace {

using engine::event_type;

/// What the child said about one request type.
struct tally {
  std::map<std::string, int> sent;   // key -> requests sent
  std::map<std::string, int> acked;  // key -> requests acknowledged
};

/// Per request type over all kills: acknowledged, found, lost, doubled.
struct figures {
  long acked = 0;
  long found = 0;
  long lost = 0;
  long doubled = 0;
};

int kills() {
  if (const char* v = std::getenv("SB_LEDGER_KILLS")) {
    int n = std::atoi(v);
    if (n > 0)
      return n;
  }
  return 6;
}

std::map<std::string, tally> parse(const std::string& out) {
  std::map<std::string, tally> by_type;
  std::istringstream in{out};
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof())
      break;  // the last line may be cut by the kill
    std::istringstream l{line};
    std::string what, type, key;
    if (!(l >> what >> type >> key))
      continue;
    if (what == "SEND")
      ++by_type[type].sent[key];
    else if (what == "ACK")
      ++by_type[type].acked[key];
  }
  return by_type;
}

/// How often the journal (or, for definitions, the stored records) holds the
/// change a request of `type` on `key` makes.
class ledger_reader {
 public:
  explicit ledger_reader(storage::store& st) {
    auto all = st.journal_range(std::numeric_limits<engine::time_ms>::min(),
                                std::numeric_limits<engine::time_ms>::max(), 100000000);
    EXPECT_TRUE(all.ok());
    if (all.ok())
      events_ = std::move(*all);
    auto snap = st.load();
    EXPECT_TRUE(snap.ok());
    if (snap.ok()) {
      for (const auto& q : snap->queues)
        queues_.insert(q.id);
      for (const auto& a : snap->agents)
        agents_.insert(a.id);
      for (const auto& c : snap->customers)
        customers_.insert(c.id);
    }
    for (const auto& e : events_) {
      auto key = e.contact.empty() ? e.agent : e.contact;
      ++counts_[{e.type, key, e.detail}];
      ++by_type_[{e.type, key}];
    }
  }

  int count(const std::string& type, const std::string& key) const {
    if (type == "submit")
      return of(event_type::contact_created, key);
    if (type == "open")  // the contact, and its customer's profile written before it
      return std::min(of(event_type::contact_created, key),
                      static_cast<int>(customers_.count("cu-" + key)));
    if (type == "decline")
      return of(event_type::offer_declined, key);
    if (type == "accept")
      return of(event_type::connected, key);
    if (type == "end")  // "hangup": abandoned while waiting, wrap-up with an agent
      return of(event_type::abandoned, key, "hangup") + of(event_type::wrap_up, key, "hangup");
    if (type == "wrap_up")
      return of(event_type::wrap_up, key, "");
    if (type == "complete")
      return of(event_type::completed, key);
    if (type == "transfer")
      return of(event_type::transferred, key);
    if (type == "rate")
      return of(event_type::rated, key);
    if (type == "message") {
      auto slash = key.find('/');
      return of(event_type::message, key.substr(0, slash), key.substr(slash + 1));
    }
    if (type == "login")
      return of(event_type::agent_login, key);
    if (type == "logout")
      return of(event_type::agent_logout, key);
    if (type == "away")
      return of(event_type::agent_away, key);
    if (type == "available")
      return of(event_type::agent_available, key);
    if (type == "define_queue")
      return static_cast<int>(queues_.count(key));
    if (type == "define_agent")
      return static_cast<int>(agents_.count(key));
    ADD_FAILURE() << "the ledger does not know request type " << type;
    return 0;
  }

 private:
  int of(event_type t, const std::string& key) const {
    auto i = by_type_.find({t, key});
    return i == by_type_.end() ? 0 : i->second;
  }
  int of(event_type t, const std::string& key, const std::string& detail) const {
    auto i = counts_.find({t, key, detail});
    return i == counts_.end() ? 0 : i->second;
  }

  std::vector<engine::journal_event> events_;
  std::map<std::tuple<event_type, std::string, std::string>, int> counts_;
  std::map<std::pair<event_type, std::string>, int> by_type_;
  std::set<std::string> queues_;
  std::set<std::string> agents_;
  std::set<std::string> customers_;
};

/// Agent events repeat by design (p1 logs in many times): for them the counts are
/// compared as totals per agent, which is what `tally` keys on anyway.
void account(const std::map<std::string, tally>& said, const ledger_reader& db,
             std::map<std::string, figures>& out) {
  for (const auto& [type, t] : said) {
    auto& f = out[type];
    for (const auto& [key, acked] : t.acked) {
      auto found = db.count(type, key);
      auto sent = t.sent.count(key) ? t.sent.at(key) : 0;
      f.acked += acked;
      f.found += std::min(found, acked);
      if (found < acked) {
        f.lost += acked - found;
        ADD_FAILURE() << type << " " << key << ": acknowledged " << acked << "x, journaled "
                      << found << "x";
      }
      if (found > sent) {
        f.doubled += found - sent;
        ADD_FAILURE() << type << " " << key << ": sent " << sent << "x, journaled " << found
                      << "x";
      }
    }
  }
}

TEST(ledger, every_acknowledged_change_survives_a_kill_and_none_is_doubled) {
  std::map<std::string, figures> total;
  std::mt19937 rng{20261205};
  const int n = kills();
  for (int k = 0; k < n; ++k) {
    testkit::temp_dir dir{"sb-ledger"};
    auto data = dir.sub("data");
    // Killed after a random number of acknowledgements (so at a random point of
    // the stream, mid-commit as often as not).
    int after = std::uniform_int_distribution<int>{150, 1500}(rng);
    {
      testkit::child_process child{{SB_LEDGER_CHILD, data, std::to_string(k + 1)},
                                   dir.sub("stderr")};
      ASSERT_TRUE(child.started());
      ASSERT_TRUE(child.expect_count("ACK ", static_cast<std::size_t>(after),
                                     std::chrono::seconds(120)))
        << "the child stopped early: " << testkit::slurp(dir.sub("stderr"));
      child.signal(SIGKILL);
      child.wait_exit();
      auto said = parse(child.output());
      storage::store_options so;
      so.data_dir = data;
      auto st = storage::store::open(so);
      ASSERT_TRUE(st.ok()) << st.err().message;
      ledger_reader db{**st};
      account(said, db, total);
    }
  }
  std::ostringstream table;
  table << "ledger over " << n << " kills (request: acknowledged / found / lost / doubled)\n";
  for (const auto& [type, f] : total)
    table << "  " << type << ": " << f.acked << " / " << f.found << " / " << f.lost << " / "
          << f.doubled << "\n";
  std::printf("%s", table.str().c_str());
  RecordProperty("ledger", table.str());
  for (const char* type : {"submit", "open", "decline", "accept", "end", "wrap_up", "complete", "transfer",
                           "rate", "message", "login", "logout", "away", "available",
                           "define_queue", "define_agent"}) {
    EXPECT_GT(total[type].acked, 0) << type << " was never acknowledged: the stream missed it";
    EXPECT_EQ(total[type].lost, 0) << type;
    EXPECT_EQ(total[type].doubled, 0) << type;
  }
}

/// Opens a node on a directory a kill left behind, with short grace periods, and
/// waits (bounded) until its live contacts satisfy `done`; returns them.
std::vector<engine::contact> settle(const std::string& data, bool customers_absent,
                                    const std::function<bool(const engine::contact&)>& done) {
  std::vector<engine::contact> live;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      node_options o;
      o.data_dir = data;
      o.agent_grace = std::chrono::milliseconds(300);
      o.customer_grace = std::chrono::milliseconds(300);
      o.restored_customers_absent = customers_absent;
      auto n = node::open(o);
      EXPECT_TRUE(n.ok());
      if (!n.ok())
        return live;
      // Grace (300 ms) plus what the node needs to act on it.
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    }
    storage::store_options so;
    so.data_dir = data;
    auto st = storage::store::open(so);
    EXPECT_TRUE(st.ok());
    auto snap = (*st)->load();
    EXPECT_TRUE(snap.ok());
    live = snap->live;
    if (std::all_of(live.begin(), live.end(), done))
      return live;
  }
  return live;
}

TEST(ledger, after_a_kill_no_contact_is_left_with_an_agent_who_never_returns) {
  testkit::temp_dir dir{"sb-ledger-grace"};
  auto data = dir.sub("data");
  {
    testkit::child_process child{{SB_LEDGER_CHILD, data, "7"}, dir.sub("stderr")};
    ASSERT_TRUE(child.started());
    // Killed with contacts connected, in wrap-up and ringing.
    ASSERT_TRUE(child.expect_count("ACK accept", 40, std::chrono::seconds(120)))
      << testkit::slurp(dir.sub("stderr"));
    child.signal(SIGKILL);
    child.wait_exit();
  }
  std::size_t with_agent = 0;
  {
    storage::store_options so;
    so.data_dir = data;
    auto st = storage::store::open(so);
    ASSERT_TRUE(st.ok());
    auto snap = (*st)->load();
    ASSERT_TRUE(snap.ok());
    for (const auto& c : snap->live)
      with_agent += c.state == engine::contact_state::connected ||
                    c.state == engine::contact_state::wrap_up;
  }
  ASSERT_GT(with_agent, 0u) << "the kill left no contact with an agent: nothing was tested";
  // Agents never log in again: connected contacts go back in line (agent_lost),
  // those in wrap-up complete. Customers stay (an embedder's transport).
  auto live = settle(data, false, [](const engine::contact& c) {
    return c.state == engine::contact_state::queued;
  });
  for (const auto& c : live)
    EXPECT_EQ(c.state, engine::contact_state::queued)
      << c.id << " is " << engine::to_string(c.state) << " with agent " << c.agent;
  // Now the customers are gone too (as for `serve`, whose connections died): every
  // contact ends.
  live = settle(data, true, [](const engine::contact&) { return false; });
  EXPECT_TRUE(live.empty()) << live.size() << " contacts still live, e.g. " << live.front().id
                            << " " << engine::to_string(live.front().state);
}

}  // namespace
}  // namespace switchboard::testing
