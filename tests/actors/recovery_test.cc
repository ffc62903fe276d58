// Crash recovery with a real child process (sb_crash_child) killed with SIGKILL
// while it submits: what it acknowledged is in the database, once, in order, and a
// node opened on the directory puts it back in line in that order.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "storage/errors.h"
#include "storage/store.h"
#include "tests/actors/node_fixture.h"

extern char** environ;

namespace switchboard::testing {
namespace {

using clock_type = std::chrono::steady_clock;

/// How long the child may take to print what a test waits for.
constexpr std::chrono::seconds child_bound{60};

/// sb_crash_child running on a pipe; killed (if still running) and reaped on
/// destruction.
class child_process {
 public:
  child_process(const std::string& data_dir, const std::string& mode) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::string path = SB_CRASH_CHILD;
    std::string count = "1000000";
    std::vector<char*> argv{path.data(), const_cast<char*>(data_dir.c_str()), count.data(),
                            const_cast<char*>(mode.c_str()), nullptr};
    int rc = ::posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    fd_ = fds[0];
    if (rc != 0) {
      ::close(fd_);
      throw std::system_error(rc, std::generic_category(), "posix_spawn " + path);
    }
  }

  ~child_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0)
      ::close(fd_);
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// The next line of the child's stdout; nothing at EOF or after the bound.
  std::optional<std::string> read_line(clock_type::time_point deadline) {
    while (true) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        auto line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
      if (left.count() <= 0)
        return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        return std::nullopt;
      char chunk[4096];
      auto got = ::read(fd_, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return std::nullopt;  // EOF: a partial last line is dropped
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  /// SIGKILL, then the wait status.
  int kill_and_reap() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

struct ack_line {
  std::string contact;
  std::uint64_t seq = 0;
  engine::time_ms enqueued_at = 0;
  std::string queue;
};

/// What the child printed, parsed.
struct child_output {
  std::vector<ack_line> acks;  // in the order acknowledged
  std::vector<std::string> connected;
  std::optional<std::uint64_t> ring_offer;
  bool done = false;

  void parse(const std::string& line) {
    std::istringstream in{line};
    std::string word;
    in >> word;
    if (word == "ACK") {
      ack_line a;
      in >> a.contact >> a.seq >> a.enqueued_at >> a.queue;
      if (in)
        acks.push_back(a);
    } else if (word == "CONNECTED") {
      std::string c;
      in >> c;
      connected.push_back(c);
    } else if (word == "OFFERED") {
      std::string c;
      std::uint64_t id = 0;
      in >> c >> id;
      ring_offer = id;
    } else if (word == "DONE") {
      done = true;
    }
  }
};

/// Runs the child until `enough` holds for its output, kills it, and collects
/// everything it printed before it died (acknowledged lines still in the pipe too).
child_output run_and_kill(const std::string& db, const std::string& mode,
                          const std::function<bool(const child_output&)>& enough,
                          const std::function<void()>& while_running = {}) {
  child_output out;
  child_process child{db, mode};
  auto deadline = clock_type::now() + child_bound;
  bool first = true;
  while (!enough(out)) {
    auto line = child.read_line(deadline);
    if (!line) {
      ADD_FAILURE() << "the child stopped or stalled after " << out.acks.size() << " acks";
      return out;
    }
    out.parse(*line);
    if (first && !out.acks.empty() && while_running) {
      first = false;
      while_running();
    }
  }
  int status = child.kill_and_reap();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
    << "the child was not killed mid-run (status " << status << ")";
  while (auto line = child.read_line(clock_type::now() + std::chrono::seconds(5)))
    out.parse(*line);
  EXPECT_FALSE(out.done) << "the child finished before it was killed";
  return out;
}

std::unique_ptr<storage::store> open_store(const std::string& db) {
  storage::store_options so;
  so.data_dir = db;
  so.create_if_missing = false;
  auto st = storage::store::open(so);
  EXPECT_TRUE(st.ok()) << describe(st);
  return st.ok() ? std::move(*st) : nullptr;
}

/// Every acknowledged contact is live exactly once, in acknowledgement order, with
/// its seq and enqueue time; at most one unacknowledged submit follows them.
void expect_acks_survived(const storage::snapshot& snap, const std::vector<ack_line>& acks) {
  std::map<std::string, std::size_t> copies;
  for (const auto& c : snap.live)
    ++copies[c.id];
  for (const auto& [id, n] : copies)
    EXPECT_EQ(n, 1u) << id << " is live " << n << " times";
  std::map<std::string, std::size_t> pos;
  for (std::size_t i = 0; i < snap.live.size(); ++i)
    pos[snap.live[i].id] = i;
  std::size_t last = 0;
  for (std::size_t i = 0; i < acks.size(); ++i) {
    const auto& a = acks[i];
    auto p = pos.find(a.contact);
    if (p == pos.end()) {
      ADD_FAILURE() << "acknowledged contact " << a.contact << " (seq " << a.seq << ") was lost";
      continue;
    }
    const auto& c = snap.live[p->second];
    EXPECT_EQ(c.seq, a.seq) << a.contact;
    EXPECT_EQ(c.enqueued_at, a.enqueued_at) << a.contact << ": enqueue time not preserved";
    EXPECT_EQ(c.queue, a.queue) << a.contact;
    if (i > 0) {
      EXPECT_GT(p->second, last) << a.contact << " is out of acknowledgement order";
    }
    last = p->second;
  }
  EXPECT_LE(snap.live.size(), acks.size() + 1) << "more live contacts than submits";
  for (const auto& c : snap.live) {
    bool acked = std::any_of(acks.begin(), acks.end(),
                             [&](const ack_line& a) { return a.contact == c.id; });
    if (!acked && !acks.empty()) {
      EXPECT_GT(c.seq, acks.back().seq) << c.id << " was never acknowledged";
    }
  }
}

std::size_t count_state(const storage::snapshot& snap, std::initializer_list<contact_state> states) {
  return static_cast<std::size_t>(std::count_if(snap.live.begin(), snap.live.end(), [&](const auto& c) {
    return std::find(states.begin(), states.end(), c.state) != states.end();
  }));
}

/// Logs `agent` in and serves every offer it gets (accept, complete) until
/// `expected` contacts were offered to it; returns the offers in offer-id order.
std::vector<event> serve_all(node& n, event_recorder& rec, const std::string& agent,
                             std::size_t expected) {
  EXPECT_TRUE(n.login("t1", agent).ok());
  std::set<std::uint64_t> served;
  std::vector<event> offers;
  auto offered = [&](const event& e) { return e.type == event_type::offered && e.agent == agent; };
  while (offers.size() < expected) {
    std::vector<event> fresh;
    bool got = rec.wait_for([&](const std::vector<event>& es) {
      fresh.clear();
      for (const auto& e : es)
        if (offered(e) && served.count(e.offer_id) == 0)
          fresh.push_back(e);
      return !fresh.empty();
    });
    if (!got) {
      ADD_FAILURE() << agent << " got " << offers.size() << " of " << expected << " offers";
      break;
    }
    for (const auto& e : fresh) {
      served.insert(e.offer_id);
      offers.push_back(e);
      EXPECT_TRUE(n.accept("t1", agent, e.contact, e.offer_id).ok()) << e.contact;
      EXPECT_TRUE(n.complete("t1", agent, e.contact, resolved()).ok()) << e.contact;
    }
  }
  std::sort(offers.begin(), offers.end(),
            [](const event& a, const event& b) { return a.offer_id < b.offer_id; });
  return offers;
}

TEST(recovery, acknowledged_contacts_survive_a_kill_in_order_with_their_enqueue_time) {
  temp_dir dir;
  auto db = dir.sub("db");
  auto out = run_and_kill(
    db, "line", [](const child_output& o) { return o.acks.size() >= 200; },
    [&] {
      // While the child runs, its database is locked for everyone else.
      storage::store_options so;
      so.data_dir = db;
      auto other = storage::store::open(so);
      EXPECT_EQ(other.code(), storage::errors::database_locked) << describe(other);
      auto n = node::open(options_for(db));
      EXPECT_EQ(n.code(), storage::errors::database_locked) << describe(n);
    });
  ASSERT_GE(out.acks.size(), 200u);

  storage::snapshot snap;
  {
    auto st = open_store(db);
    ASSERT_NE(st, nullptr);
    auto s = st->load();
    ASSERT_TRUE(s.ok()) << describe(s);
    snap = std::move(*s);
  }
  expect_acks_survived(snap, out.acks);
  EXPECT_EQ(count_state(snap, {contact_state::queued}), snap.live.size());
  for (const auto& c : snap.live) {
    ASSERT_EQ(c.attached.size(), 1u) << c.id;
    EXPECT_EQ(c.attached[0].second, std::to_string(1000 + std::stoi(c.id.substr(2)))) << c.id;
  }

  // A node on the directory puts every live contact back in line.
  auto n = node::open(options_for(db, storage::durability::sync));
  ASSERT_TRUE(n.ok()) << describe(n);
  event_recorder rec;
  rec.attach(**n);
  const auto& r = (*n)->recovered();
  EXPECT_EQ(r.tenants, 1u);
  EXPECT_EQ(r.queues, 3u);
  EXPECT_EQ(r.agents, 2u);
  EXPECT_EQ(r.requeued, snap.live.size());
  EXPECT_EQ(r.connected, 0u);
  auto first = (*n)->find_contact("t1", out.acks.front().contact);
  ASSERT_TRUE(first.ok()) << describe(first);
  EXPECT_EQ(first->state, contact_state::queued);
  EXPECT_EQ(first->seq, out.acks.front().seq);
  EXPECT_EQ(first->enqueued_at, out.acks.front().enqueued_at);
  auto s = (*n)->stats("t1");
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s->waiting, snap.live.size());

  // New contacts queue behind the restored ones, with a higher seq.
  auto late = (*n)->submit(make_contact("t1", "late", "line"));
  ASSERT_TRUE(late.ok()) << describe(late);
  EXPECT_GT(late->seq, snap.live.back().seq);

  // One agent serves them all: offers follow the original order, one per contact.
  ASSERT_TRUE((*n)->define_agent(make_agent("t1", "l1", 8, {"line"})).ok());
  auto offers = serve_all(**n, rec, "l1", snap.live.size() + 1);
  ASSERT_EQ(offers.size(), snap.live.size() + 1);
  for (std::size_t i = 0; i < snap.live.size(); ++i)
    EXPECT_EQ(offers[i].contact, snap.live[i].id) << "offer #" << i;
  EXPECT_EQ(offers.back().contact, "late");
  ASSERT_TRUE(rec.wait_for([&](const std::vector<event>& es) {
    return static_cast<std::size_t>(std::count_if(es.begin(), es.end(), [](const event& e) {
             return e.type == event_type::completed;
           })) == snap.live.size() + 1;
  }));
  EXPECT_EQ(rec.count([](const event& e) { return e.type == event_type::offered; }),
            snap.live.size() + 1)
    << "a restored contact was offered twice";
}

TEST(recovery, an_offer_ringing_at_the_crash_is_offered_again_exactly_once) {
  temp_dir dir;
  auto db = dir.sub("db");
  auto out = run_and_kill(db, "ringing", [](const child_output& o) {
    return o.ring_offer.has_value() && o.acks.size() >= 21;
  });
  ASSERT_TRUE(out.ring_offer.has_value());
  ASSERT_FALSE(out.acks.empty());
  ASSERT_EQ(out.acks.front().contact, "ring-1");

  storage::snapshot snap;
  {
    auto st = open_store(db);
    ASSERT_NE(st, nullptr);
    auto s = st->load();
    ASSERT_TRUE(s.ok()) << describe(s);
    snap = std::move(*s);
    auto journal = st->journal_for_contact("t1", "ring-1");
    ASSERT_TRUE(journal.ok()) << describe(journal);
    ASSERT_FALSE(journal->empty());
    // The offer is journaled without waiting; the live record always matches
    // the journal's last word (both are in the same atomic batch).
    auto ring = std::find_if(snap.live.begin(), snap.live.end(),
                             [](const auto& c) { return c.id == "ring-1"; });
    ASSERT_NE(ring, snap.live.end());
    EXPECT_EQ(ring->state, journal->back().to);
    EXPECT_EQ(journal->back().type, event_type::offered)
      << "ring-1's offer was not committed although 20 later submits were";
    if (ring->state == contact_state::offered) {
      EXPECT_EQ(ring->agent, "r1");
    }
  }
  expect_acks_survived(snap, out.acks);

  auto n = node::open(options_for(db, storage::durability::sync));
  ASSERT_TRUE(n.ok()) << describe(n);
  event_recorder rec;
  rec.attach(**n);
  EXPECT_EQ((*n)->recovered().requeued, snap.live.size());
  EXPECT_EQ((*n)->recovered().connected, 0u);
  auto ring = (*n)->find_contact("t1", "ring-1");
  ASSERT_TRUE(ring.ok()) << describe(ring);
  EXPECT_EQ(ring->state, contact_state::queued);
  EXPECT_TRUE(ring->agent.empty());
  EXPECT_EQ(ring->enqueued_at, out.acks.front().enqueued_at);
  EXPECT_EQ(n.value()->accept("t1", "r1", "ring-1", *out.ring_offer).code(), errc::agent_offline);

  // Two agents could take it; exactly one offer is made.
  ASSERT_TRUE((*n)->define_agent(make_agent("t1", "r2", 1, {"ring"})).ok());
  ASSERT_TRUE((*n)->login("t1", "r1").ok());
  ASSERT_TRUE((*n)->login("t1", "r2").ok());
  auto offer = rec.wait_event(is(event_type::offered, "ring-1"));
  ASSERT_TRUE(offer.has_value());
  EXPECT_NE(offer->offer_id, 0u);
  ASSERT_TRUE((*n)->accept("t1", offer->agent, "ring-1", offer->offer_id).ok());
  ASSERT_TRUE((*n)->complete("t1", offer->agent, "ring-1", resolved()).ok());
  ASSERT_TRUE(rec.wait_event(is(event_type::completed, "ring-1")).has_value());
  EXPECT_EQ(rec.count(is(event_type::offered, "ring-1")), 1u);
  EXPECT_EQ(rec.count([](const event& e) {
              return e.type == event_type::offered && e.contact != "ring-1";
            }),
            0u)
    << "the line contacts need skill 'line'";
  auto s = (*n)->stats("t1");
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s->waiting, snap.live.size() - 1);
  EXPECT_EQ(s->offered, 0u);
  (*n)->shutdown();
  n->reset();

  // The journal tells the whole story, recovery included, once.
  auto st = open_store(db);
  ASSERT_NE(st, nullptr);
  auto journal = st->journal_for_contact("t1", "ring-1");
  ASSERT_TRUE(journal.ok()) << describe(journal);
  std::vector<event_type> types;
  for (const auto& e : *journal)
    types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<event_type>{
                     event_type::contact_created, event_type::queued, event_type::offered,
                     event_type::requeued_on_recovery, event_type::offered, event_type::connected,
                     event_type::wrap_up, event_type::completed}));
  auto snap2 = st->load();
  ASSERT_TRUE(snap2.ok()) << describe(snap2);
  EXPECT_EQ(snap2->live.size(), snap.live.size() - 1);
}

TEST(recovery, contacts_with_an_agent_at_the_crash_stay_with_that_agent) {
  temp_dir dir;
  auto db = dir.sub("db");
  auto out = run_and_kill(db, "mixed", [](const child_output& o) {
    return o.connected.size() >= 2 && o.acks.size() >= 60;
  });
  ASSERT_GE(out.connected.size(), 2u);

  storage::snapshot snap;
  {
    auto st = open_store(db);
    ASSERT_NE(st, nullptr);
    auto s = st->load();
    ASSERT_TRUE(s.ok()) << describe(s);
    snap = std::move(*s);
  }
  expect_acks_survived(snap, out.acks);
  std::set<std::string> with_s1;
  for (const auto& c : snap.live)
    if (c.state == contact_state::connected) {
      EXPECT_EQ(c.agent, "s1") << c.id;
      with_s1.insert(c.id);
    }
  EXPECT_EQ(with_s1, std::set<std::string>(out.connected.begin(), out.connected.end()))
    << "connections are journaled without waiting, but 50 later submits were committed";

  auto n = node::open(options_for(db, storage::durability::sync));
  ASSERT_TRUE(n.ok()) << describe(n);
  event_recorder rec;
  rec.attach(**n);
  const auto& r = (*n)->recovered();
  EXPECT_EQ(r.connected, with_s1.size());
  EXPECT_EQ(r.requeued, snap.live.size() - with_s1.size());
  std::set<std::string> reported;
  for (const auto& w : r.with_agents) {
    EXPECT_EQ(w.tenant, "t1");
    EXPECT_EQ(w.agent, "s1");
    reported.insert(w.contact);
  }
  EXPECT_EQ(reported, with_s1);
  for (const auto& id : with_s1) {
    auto c = (*n)->find_contact("t1", id);
    ASSERT_TRUE(c.ok()) << describe(c);
    EXPECT_EQ(c->state, contact_state::connected);
    EXPECT_EQ(c->agent, "s1");
  }
  auto s = (*n)->stats("t1");
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s->connected, with_s1.size());

  // s1 finishes them without logging in; then, logged in, gets the rest of its queue.
  for (const auto& id : with_s1) {
    EXPECT_TRUE((*n)->complete("t1", "s1", id, resolved()).ok()) << id;
    EXPECT_TRUE(rec.wait_event(is(event_type::completed, id)).has_value()) << id;
  }
  auto served_waiting = static_cast<std::size_t>(
    std::count_if(snap.live.begin(), snap.live.end(), [](const auto& c) {
      return c.queue == "served" && c.state != contact_state::connected;
    }));
  auto offers = serve_all(**n, rec, "s1", served_waiting);
  EXPECT_EQ(offers.size(), served_waiting);
  for (const auto& o : offers)
    EXPECT_EQ(with_s1.count(o.contact), 0u) << o.contact << " was connected, not waiting";
  s = (*n)->stats("t1");
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s->connected, 0u);
}

}  // namespace
}  // namespace switchboard::testing
