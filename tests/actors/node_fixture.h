#pragma once

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "tests/testkit/temp_dir.h"
#include "actors/node.h"

/// Shared parts of the actor-level tests: a temp dir, a node opened on it with a
/// small tenant, and an event recorder with bounded, condition-variable waits.
namespace switchboard::testing {

using engine::channel;
using engine::contact_state;
using engine::errc;
using engine::event_type;

/// Upper bound of every wait: a failure bound, never a synchronisation device.
inline constexpr std::chrono::milliseconds wait_bound{20000};

using testkit::temp_dir;

/// Collects every event a node publishes (node::subscribe). The callback runs on
/// the node's event thread; tests read through `wait_for` and friends. Must
/// outlive the node it is attached to.
class event_recorder {
 public:
  using match = std::function<bool(const event&)>;

  void attach(node& n) {
    n.subscribe([this](const event& e) { push(e); });
  }

  void push(const event& e) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      events_.push_back(e);
    }
    cv_.notify_all();
  }

  /// Waits until `pred(all events so far)` holds; false when `timeout` passed first.
  template <class Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds timeout = wait_bound) {
    std::unique_lock<std::mutex> guard{mutex_};
    return cv_.wait_for(guard, timeout, [&] { return pred(events_); });
  }

  /// The `nth` (1-based) event matching `m`, once it arrived.
  std::optional<event> wait_event(const match& m, std::size_t nth = 1,
                                  std::chrono::milliseconds timeout = wait_bound) {
    std::optional<event> out;
    wait_for(
      [&](const std::vector<event>& es) {
        std::size_t seen = 0;
        for (const auto& e : es)
          if (m(e) && ++seen == nth) {
            out = e;
            return true;
          }
        return false;
      },
      timeout);
    return out;
  }

  std::size_t count(const match& m) const {
    std::lock_guard<std::mutex> guard{mutex_};
    std::size_t n = 0;
    for (const auto& e : events_)
      n += m(e) ? 1 : 0;
    return n;
  }

  std::vector<event> events() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<event> events_;
};

// -- event matchers ---------------------------------------------------------------

/// The agent an event is about: offers and connections name it in `agent`; the
/// contact's return to line (declined, expired, cancelled) in `detail`.
inline std::string agent_of(const event& e) {
  return e.agent;
}

inline event_recorder::match is(event_type t, std::string contact) {
  return [t, c = std::move(contact)](const event& e) { return e.type == t && e.contact == c; };
}

inline event_recorder::match is(event_type t, std::string contact, std::string agent) {
  return [t, c = std::move(contact), a = std::move(agent)](const event& e) {
    return e.type == t && e.contact == c && agent_of(e) == a;
  };
}

inline event_recorder::match agent_event(event_type t, std::string agent) {
  return [t, a = std::move(agent)](const event& e) {
    return e.type == t && e.contact.empty() && e.agent == a;
  };
}

// -- definitions --------------------------------------------------------------------

inline engine::tenant_config make_tenant(const std::string& id, std::uint32_t ring_limit = 2) {
  engine::tenant_config t;
  t.id = id;
  t.name = "tenant " + id;
  t.ring_no_answer_limit = ring_limit;
  return t;
}

/// A FIFO queue (skills policy: first eligible contact in line) requiring `skill`
/// when it is not empty.
inline engine::queue_config make_queue(const std::string& tenant, const std::string& id,
                                       engine::time_ms offer_timeout = 60000,
                                       const std::string& skill = {}) {
  engine::queue_config q;
  q.tenant = tenant;
  q.id = id;
  q.name = "queue " + id;
  q.policy = engine::policy_kind::skills;
  q.offer_timeout = offer_timeout;
  if (!skill.empty())
    q.skills.push_back({skill, 0});
  return q;
}

/// An agent taking up to `chat` chats at once, with the given skills (proficiency 50).
inline engine::agent_profile make_agent(const std::string& tenant, const std::string& id,
                                        std::uint32_t chat = 1,
                                        std::vector<std::string> skills = {}) {
  engine::agent_profile a;
  a.tenant = tenant;
  a.id = id;
  a.name = "agent " + id;
  for (auto& s : skills)
    a.skills.push_back({std::move(s), 50});
  a.capacity[engine::index(channel::chat)] = {chat, false};
  return a;
}

inline engine::contact make_contact(const std::string& tenant, const std::string& id,
                                    const std::string& queue, int priority = 0) {
  engine::contact c;
  c.tenant = tenant;
  c.id = id;
  c.queue = queue;
  c.ch = channel::chat;
  c.intent = "billing";
  c.priority = priority;
  return c;
}

inline engine::outcome resolved() {
  engine::outcome o;
  o.resolved = true;
  o.csat = 5;
  o.disposition = "resolved";
  return o;
}

/// Human-readable status for assertion messages.
template <class R>
std::string describe(const R& r) {
  if (r.ok())
    return "ok";
  return std::string{engine::to_string(r.code())} + ": " + r.err().message;
}

inline node_options options_for(const std::string& dir,
                                storage::durability d = storage::durability::no_sync) {
  node_options o;
  o.data_dir = dir;
  o.durability = d;
  o.threads = 2;
  return o;
}

/// A node on a temp dir with tenant "t1": FIFO queues "q1" (60 s offer timeout) and
/// "fast" (300 ms offer timeout), agents a1, a2, a3 taking one chat at a time, and
/// a recorder of every event. Nobody is logged in.
class node_fixture : public ::testing::Test {
 protected:
  static constexpr const char* t1 = "t1";

  void SetUp() override {
    auto n = node::open(options_for(dir_.sub("db")));
    ASSERT_TRUE(n.ok()) << describe(n);
    node_ = std::move(*n);
    rec_.attach(*node_);
    ASSERT_TRUE(node_->define_tenant(make_tenant(t1)).ok());
    ASSERT_TRUE(node_->define_queue(make_queue(t1, "q1")).ok());
    ASSERT_TRUE(node_->define_queue(make_queue(t1, "fast", 300)).ok());
    for (const char* a : {"a1", "a2", "a3"})
      ASSERT_TRUE(node_->define_agent(make_agent(t1, a)).ok());
  }

  void TearDown() override {
    if (node_)
      node_->shutdown();
    node_.reset();
  }

  node& n() { return *node_; }

  /// Submits a chat contact of t1 and expects it to be acknowledged.
  contact_ack submit(const std::string& id, const std::string& queue = "q1") {
    auto ack = node_->submit(make_contact(t1, id, queue));
    EXPECT_TRUE(ack.ok()) << id << ": " << describe(ack);
    return ack.ok() ? *ack : contact_ack{};
  }

  /// The `nth` offer of `contact` to `agent`, once published.
  event offer_of(const std::string& contact, const std::string& agent, std::size_t nth = 1) {
    auto e = rec_.wait_event(is(event_type::offered, contact, agent), nth);
    EXPECT_TRUE(e.has_value()) << "no offer #" << nth << " of " << contact << " to " << agent;
    return e.value_or(event{});
  }

  bool saw(const event_recorder::match& m, std::size_t nth = 1) {
    return rec_.wait_event(m, nth).has_value();
  }

  temp_dir dir_;
  event_recorder rec_;  // declared before node_: outlives it
  std::unique_ptr<node> node_;
};

}  // namespace switchboard::testing
