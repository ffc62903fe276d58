// The crash ledger of a handoff: a real child (sb_handoff_child) moves one tenant
// back and forth between two nodes while contacts are submitted, and is killed
// with SIGKILL at a random point, mid-move as often as not. After each kill every
// acknowledged contact must be in one of the two stores (nothing lost). A contact
// in both is the documented leftover of a kill between the new owner's import and
// the old owner's drop (docs/cluster.md): counted, and only ever the whole line
// of one move.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "storage/store.h"
#include "tests/testkit/child_process.h"
#include "tests/testkit/temp_dir.h"

namespace switchboard::testing {
namespace {

std::set<std::string> stored(const std::string& dir) {
  std::set<std::string> out;
  storage::store_options so;
  so.data_dir = dir;
  auto st = storage::store::open(so);
  EXPECT_TRUE(st.ok()) << st.err().message;
  if (!st.ok())
    return out;
  auto snap = (*st)->load("t1");
  EXPECT_TRUE(snap.ok());
  if (snap.ok())
    for (const auto& c : snap->live)
      out.insert(c.id);
  return out;
}

TEST(handoff_ledger, a_kill_during_handoffs_loses_no_acknowledged_contact) {
  int kills = 6;
  if (const char* v = std::getenv("SB_LEDGER_KILLS"); v && std::atoi(v) > 0)
    kills = std::atoi(v);
  std::mt19937 rng{20261206};
  long acked = 0, lost = 0, in_both = 0, moves = 0;
  for (int k = 0; k < kills; ++k) {
    testkit::temp_dir dir{"sb-handoff-ledger"};
    int after = std::uniform_int_distribution<int>{40, 400}(rng);
    testkit::child_process child{
      {SB_HANDOFF_CHILD, dir.sub("a"), dir.sub("b"), std::to_string(k + 1)}, dir.sub("stderr")};
    ASSERT_TRUE(child.started());
    ASSERT_TRUE(child.expect_count("ACK ", static_cast<std::size_t>(after), std::chrono::seconds(120)))
      << "the child stopped early: " << testkit::slurp(dir.sub("stderr"));
    child.signal(SIGKILL);
    child.wait_exit();
    std::vector<std::string> ids;
    std::istringstream in{child.output()};
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof())
        break;  // the last line may be cut by the kill
      std::istringstream l{line};
      std::string what, type, id;
      l >> what >> type >> id;
      if (what == "ACK")
        ids.push_back(id);
      else if (what == "MOVED")
        ++moves;
    }
    auto a = stored(dir.sub("a"));
    auto b = stored(dir.sub("b"));
    for (const auto& id : ids) {
      ++acked;
      bool ina = a.count(id) > 0, inb = b.count(id) > 0;
      lost += !ina && !inb;
      in_both += ina && inb;
      EXPECT_TRUE(ina || inb) << "kill " << k << ": acknowledged " << id << " is in neither store";
    }
    // A leftover copy is a whole line left by one move: then one store holds a
    // subset of the other's contacts, never a mix.
    if (!a.empty() && !b.empty()) {
      bool a_in_b = std::includes(b.begin(), b.end(), a.begin(), a.end());
      bool b_in_a = std::includes(a.begin(), a.end(), b.begin(), b.end());
      EXPECT_TRUE(a_in_b || b_in_a) << "kill " << k << ": both stores hold contacts of their own";
    }
  }
  std::printf("[ figures  ] handoff ledger over %d kills, %ld moves: %ld acknowledged, %ld lost, "
              "%ld in both stores (a kill between import and drop)\n",
              kills, moves, acked, lost, in_both);
  EXPECT_EQ(lost, 0);
  EXPECT_GT(moves, 0) << "no move completed: nothing was tested";
}

}  // namespace
}  // namespace switchboard::testing
