// Concurrency: contacts submitted from several threads while agents log in and
// out, accept, decline and complete from their own threads. No contact is ever
// offered to two agents at once, and no agent holds more than its capacity.
#include <atomic>
#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

/// Checks every contact's event stream as it arrives (events of one contact are
/// published by its session in order): an offer needs the previous one settled.
class offer_ledger {
 public:
  void on_event(const event& e) {
    if (e.contact.empty())
      return;
    std::lock_guard<std::mutex> guard{mutex_};
    auto& c = contacts_[e.contact];
    auto who = agent_of(e);
    switch (e.type) {
      case event_type::offered:
        ++offers_;
        if (!c.offered_to.empty())
          fail(e, "offered to " + who + " while still offered to " + c.offered_to);
        if (!c.with.empty())
          fail(e, "offered to " + who + " while connected with " + c.with);
        if (c.done)
          fail(e, "offered after it ended");
        c.offered_to = who;
        break;
      case event_type::offer_declined:
      case event_type::offer_expired:
      case event_type::offer_cancelled:
        cancelled_ += e.type == event_type::offer_cancelled ? 1 : 0;
        expired_ += e.type == event_type::offer_expired ? 1 : 0;
        if (c.offered_to != who)
          fail(e, std::string{engine::to_string(e.type)} + " by " + who + " but offered to '" +
                    c.offered_to + "'");
        c.offered_to.clear();
        break;
      case event_type::connected:
        if (c.offered_to != who)
          fail(e, "connected with " + who + " but offered to '" + c.offered_to + "'");
        c.offered_to.clear();
        c.with = who;
        break;
      case event_type::completed:
        if (c.with.empty())
          fail(e, "completed without an agent");
        if (c.done)
          fail(e, "completed twice");
        c.with.clear();
        c.done = true;
        ++completed_;
        break;
      case event_type::abandoned:
      case event_type::failed:
        fail(e, "ended without being served");
        c.done = true;
        break;
      default: break;
    }
    cv_.notify_all();
  }

  bool wait_completed(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> guard{mutex_};
    return cv_.wait_for(guard, timeout, [&] { return completed_ >= n; });
  }

  void report(const std::string& violation) {
    std::lock_guard<std::mutex> guard{mutex_};
    violations_.push_back(violation);
  }

  std::vector<std::string> violations() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return violations_;
  }

  std::size_t offers() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return offers_;
  }

  std::size_t cancelled() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return cancelled_;
  }

  std::size_t expired() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return expired_;
  }

  /// Contacts that were seen but are not completed.
  std::vector<std::string> unfinished() const {
    std::lock_guard<std::mutex> guard{mutex_};
    std::vector<std::string> out;
    for (const auto& [id, c] : contacts_)
      if (!c.done)
        out.push_back(id + " (offered to '" + c.offered_to + "', with '" + c.with + "')");
    return out;
  }

 private:
  struct track {
    std::string offered_to;
    std::string with;
    bool done = false;
  };

  void fail(const event& e, const std::string& what) {
    violations_.push_back(e.contact + ": " + what);
  }

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, track> contacts_;
  std::vector<std::string> violations_;
  std::size_t offers_ = 0;
  std::size_t cancelled_ = 0;
  std::size_t expired_ = 0;
  std::size_t completed_ = 0;
};

/// The events one agent's thread acts on: its offers, their cancellations and its
/// logins, in the order the node published them.
class inbox {
 public:
  void push(const event& e) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      events_.push_back(e);
    }
    cv_.notify_one();
  }

  /// The next event, or nothing after `tick` (the thread then does its other work).
  std::optional<event> pop(std::chrono::milliseconds tick) {
    std::unique_lock<std::mutex> guard{mutex_};
    if (!cv_.wait_for(guard, tick, [&] { return !events_.empty(); }))
      return std::nullopt;
    auto e = std::move(events_.front());
    events_.pop_front();
    return e;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<event> events_;
};

/// Ids of every contact whose submission has started, for the logout barrier.
class id_book {
 public:
  void add(const std::string& id) {
    std::lock_guard<std::mutex> guard{mutex_};
    ids_.push_back(id);
  }
  std::vector<std::string> all() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return ids_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> ids_;
};

struct simulated_agent {
  std::string id;
  std::uint32_t capacity = 1;
  inbox box;
};

class no_double_offer : public node_fixture {
 protected:
  static constexpr int submitters = 4;
  static constexpr int per_submitter = 40;
  static constexpr int total = submitters * per_submitter;
  /// An agent logs out and in again after its 6th and 12th offer.
  static constexpr int logout_every = 6;
  static constexpr int logout_cycles = 2;
  static constexpr std::uint32_t capacities[] = {1, 2, 3, 1, 2, 3};

  void agent_loop(simulated_agent& me, unsigned seed);
  /// True when the agent logged in again.
  bool logout_cycle(simulated_agent& me, std::map<std::string, bool>& held);
  /// The first offer of every 4th contact is declined, by whoever gets it.
  bool first_decline_of(const std::string& contact);

  offer_ledger ledger_;
  id_book ids_;
  std::vector<std::unique_ptr<simulated_agent>> agents_;
  std::map<std::string, simulated_agent*> by_id_;  // read by the subscriber: the node's
                                                  // shutdown in TearDown precedes its end
  std::mutex declined_mutex_;
  std::set<std::string> declined_;
  std::atomic<int> declines_{0};
  std::atomic<int> cycles_{0};
  std::atomic<bool> stop_{false};
};

bool no_double_offer::first_decline_of(const std::string& contact) {
  auto n = std::stoi(contact.substr(contact.find('-') + 1));
  if (n % 4 != 0)
    return false;
  std::lock_guard<std::mutex> guard{declined_mutex_};
  return declined_.insert(contact).second;
}

/// Logs out (which cancels the agent's offers), waits until every session has
/// published what the node told it before the logout, then logs in again. After
/// that barrier every stale offer event is ahead of every fresh one in the inbox.
bool no_double_offer::logout_cycle(simulated_agent& me, std::map<std::string, bool>& held) {
  auto s = n().logout(t1, me.id);
  if (!s.ok()) {
    ledger_.report(me.id + ": logout failed: " + describe(s));
    return false;
  }
  ++cycles_;
  std::erase_if(held, [](const auto& kv) { return !kv.second; });
  // A session answers find_contact only after the messages the recommender sent
  // it before answering the logout: their events are then on their way to us.
  for (const auto& id : ids_.all())
    (void) n().find_contact(t1, id);
  s = n().login(t1, me.id);
  if (!s.ok())
    ledger_.report(me.id + ": login failed: " + describe(s));
  return s.ok();
}

void no_double_offer::agent_loop(simulated_agent& me, unsigned seed) {
  std::mt19937 rng{seed};
  if (auto s = n().login(t1, me.id); !s.ok()) {
    ledger_.report(me.id + ": login failed: " + describe(s));
    return;
  }
  std::map<std::string, bool> held;  // contact -> connected (else offered)
  std::deque<std::string> connected;
  // Offers published before our last logout may come until the agent_login event
  // of our last login: every one of them is ahead of it.
  int logins = 1;
  int logins_seen = 0;
  int cycles = 0;
  int handled = 0;
  auto complete_oldest = [&] {
    auto c = connected.front();
    connected.pop_front();
    auto s = n().complete(t1, me.id, c, resolved());
    if (!s.ok())
      ledger_.report(me.id + ": complete " + c + " failed: " + describe(s));
    held.erase(c);
  };
  while (!stop_.load()) {
    auto e = me.box.pop(std::chrono::milliseconds(20));
    if (!e) {
      while (!connected.empty())
        complete_oldest();
      continue;
    }
    if (e->type == event_type::agent_login) {
      ++logins_seen;
      continue;
    }
    bool stale = logins_seen < logins;
    if (e->type == event_type::offer_cancelled) {
      auto i = held.find(e->contact);
      if (i != held.end() && !i->second)
        held.erase(i);
      continue;
    }
    // An offer.
    if (held.size() >= me.capacity)
      ledger_.report(me.id + ": offered " + e->contact + " while holding " +
                     std::to_string(held.size()) + " of " + std::to_string(me.capacity));
    held[e->contact] = false;
    bool decline = first_decline_of(e->contact);
    auto s = decline ? n().decline(t1, me.id, e->contact, e->offer_id)
                     : n().accept(t1, me.id, e->contact, e->offer_id);
    if (s.ok() && decline) {
      ++declines_;
      held.erase(e->contact);
    } else if (s.ok()) {
      held[e->contact] = true;
      connected.push_back(e->contact);
    } else {
      held.erase(e->contact);
      // Offers published before our last logout were cancelled by it.
      bool stale_answer =
        stale && (s.code() == errc::not_offered || s.code() == errc::unknown_contact);
      if (!stale_answer)
        ledger_.report(me.id + ": " + (decline ? "decline " : "accept ") + e->contact +
                       " failed: " + describe(s));
    }
    if (!connected.empty() && rng() % 2 == 0)
      complete_oldest();
    if (++handled % logout_every == 0 && cycles < logout_cycles) {
      ++cycles;
      if (logout_cycle(me, held))
        ++logins;
    }
  }
  while (!connected.empty())
    complete_oldest();
}

TEST_F(no_double_offer, concurrent_submits_logouts_and_declines_never_double_offer_a_contact) {
  for (std::size_t i = 0; i < std::size(capacities); ++i) {
    auto a = std::make_unique<simulated_agent>();
    a->id = "n" + std::to_string(i + 1);
    a->capacity = capacities[i];
    ASSERT_TRUE(n().define_agent(make_agent(t1, a->id, a->capacity)).ok());
    by_id_[a->id] = a.get();
    agents_.push_back(std::move(a));
  }
  n().subscribe([this](const event& e) {
    ledger_.on_event(e);
    bool routed = e.type == event_type::offered || e.type == event_type::offer_cancelled ||
                  (e.type == event_type::agent_login && e.contact.empty());
    if (!routed)
      return;
    auto i = by_id_.find(agent_of(e));
    if (i != by_id_.end())
      i->second->box.push(e);
  });

  std::vector<std::thread> agent_threads;
  for (std::size_t i = 0; i < agents_.size(); ++i)
    agent_threads.emplace_back([this, i] { agent_loop(*agents_[i], 1000 + static_cast<unsigned>(i)); });
  std::atomic<int> acked{0};
  std::vector<std::thread> submit_threads;
  for (int t = 0; t < submitters; ++t)
    submit_threads.emplace_back([this, t, &acked] {
      for (int i = 0; i < per_submitter; ++i) {
        auto id = "s" + std::to_string(t) + "-" + std::to_string(i);
        ids_.add(id);
        auto ack = n().submit(make_contact(t1, id, "q1"));
        if (ack.ok())
          ++acked;
        else
          ledger_.report(id + ": submit failed: " + describe(ack));
      }
    });
  for (auto& th : submit_threads)
    th.join();
  bool all_done = ledger_.wait_completed(total, wait_bound);
  stop_ = true;
  for (auto& th : agent_threads)
    th.join();

  EXPECT_EQ(acked.load(), total);
  EXPECT_TRUE(all_done) << "contacts not completed within the bound";
  auto violations = ledger_.violations();
  EXPECT_EQ(violations.size(), 0u);
  for (std::size_t i = 0; i < violations.size() && i < 20; ++i)
    ADD_FAILURE() << violations[i];
  for (const auto& u : ledger_.unfinished())
    ADD_FAILURE() << "unfinished: " << u;
  // The run exercised what it is about.
  EXPECT_GT(declines_.load(), 0);
  EXPECT_GT(cycles_.load(), 0);
  EXPECT_EQ(ledger_.expired(), 0u) << "nobody lets an offer ring for 60 s";
  EXPECT_EQ(ledger_.offers(), static_cast<std::size_t>(total + declines_.load()) +
                                ledger_.cancelled() + ledger_.expired())
    << "every contact is offered once, plus once more per decline and cancelled offer";
  std::printf("[ info ] %d contacts, %zu offers, %d declines, %zu offers cancelled by %d logouts\n",
              total, ledger_.offers(), declines_.load(), ledger_.cancelled(), cycles_.load());

  auto s = n().stats(t1);
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s->waiting, 0u);
  EXPECT_EQ(s->offered, 0u);
  EXPECT_EQ(s->connected, 0u);
  EXPECT_EQ(s->routed, static_cast<std::uint64_t>(total));
  EXPECT_EQ(s->completed, static_cast<std::uint64_t>(total));
  EXPECT_EQ(s->abandoned, 0u);
  EXPECT_EQ(s->offers_expired, 0u);
  for (const auto& a : s->agents)
    EXPECT_EQ(a.load, 0u) << a.id;
}

}  // namespace
}  // namespace switchboard::testing
