#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/agent.h"
#include "engine/constraints.h"
#include "engine/contact.h"
#include "engine/error.h"
#include "engine/profiles.h"
#include "engine/routing_domain.h"
#include "engine/types.h"

// GoogleTest printers, found by argument-dependent lookup, so that a failed
// EXPECT_EQ names the enum values instead of printing raw bytes.
namespace switchboard::engine {

inline void PrintTo(errc x, std::ostream* os) { *os << "errc::" << to_string(x); }
inline void PrintTo(contact_state x, std::ostream* os) { *os << to_string(x); }
inline void PrintTo(agent_state x, std::ostream* os) { *os << to_string(x); }
inline void PrintTo(channel x, std::ostream* os) { *os << to_string(x); }
inline void PrintTo(policy_kind x, std::ostream* os) { *os << to_string(x); }
inline void PrintTo(reject_reason x, std::ostream* os) {
  *os << (x == reject_reason::none ? std::string_view{"none"} : to_string(x));
}
inline void PrintTo(contact_phase x, std::ostream* os) {
  switch (x) {
    case contact_phase::waiting: *os << "waiting"; return;
    case contact_phase::offered: *os << "offered"; return;
    case contact_phase::connected: *os << "connected"; return;
    case contact_phase::wrap_up: *os << "wrap_up"; return;
  }
  *os << "invalid";
}

}  // namespace switchboard::engine

/// Builders and a routing-domain fixture shared by the engine tests. Every builder
/// starts from tenant `acme` and explicit, documented defaults; times are always
/// given by the test (no clock is read).
namespace switchboard::engine::testkit {

inline const std::string tenant_id = "acme";
inline const std::string other_tenant_id = "globex";
inline const std::string default_queue = "support";

/// Tenant `id` with the given ring-no-answer limit and default weights.
inline tenant_config make_tenant(std::string id = tenant_id, std::uint32_t ring_no_answer_limit = 3) {
  tenant_config t;
  t.id = std::move(id);
  t.name = t.id;
  t.ring_no_answer_limit = ring_no_answer_limit;
  return t;
}

/// What every record builder has: `tenant`, and `build()` or a conversion for the
/// record built so far (`v_`).
template <class Derived, class T>
class record_builder {
 public:
  Derived& tenant(std::string t) {
    v_.tenant = std::move(t);
    return static_cast<Derived&>(*this);
  }
  T build() const { return v_; }
  operator T() const { return v_; }

 protected:
  T v_;
};

/// Builds a queue_config. Defaults: tenant acme, no skills, every channel, policy
/// longest_idle (FIFO, so tests about order are not perturbed by scores), no
/// overflow, no limits, offer timeout 15 s.
class queue_builder : public record_builder<queue_builder, queue_config> {
 public:
  explicit queue_builder(std::string id = default_queue) {
    v_.tenant = tenant_id;
    v_.id = std::move(id);
    v_.name = v_.id;
    v_.policy = policy_kind::longest_idle;
  }
  queue_builder& skill(std::string name, int min_proficiency) {
    v_.skills.push_back({std::move(name), min_proficiency});
    return *this;
  }
  queue_builder& language(std::string l) { v_.languages.push_back(std::move(l)); return *this; }
  queue_builder& only(channel c) {
    v_.channel_mask = static_cast<std::uint8_t>(1u << index(c));
    return *this;
  }
  queue_builder& policy(policy_kind p) { v_.policy = p; return *this; }
  queue_builder& priority(int p) { v_.priority = p; return *this; }
  queue_builder& admit_crowd(bool b = true) { v_.admit_crowd = b; return *this; }
  queue_builder& max_waiting(std::uint32_t n) { v_.max_waiting = n; return *this; }
  queue_builder& max_wait(time_ms t) { v_.max_wait = t; return *this; }
  queue_builder& offer_timeout(time_ms t) { v_.offer_timeout = t; return *this; }
  queue_builder& sl_threshold(time_ms t) { v_.sl_threshold = t; return *this; }
  queue_builder& min_level(agent_level l) { v_.min_level = l; return *this; }
  /// Overflow step lowering every required proficiency to `min` after `after` ms.
  queue_builder& lower_to(time_ms after, int min) {
    overflow_step s;
    s.after = after;
    s.min_proficiency = min;
    v_.overflow.push_back(std::move(s));
    return *this;
  }
  /// Overflow step admitting the crowd pool after `after` ms.
  queue_builder& crowd_after(time_ms after) {
    overflow_step s;
    s.after = after;
    s.admit_crowd = true;
    v_.overflow.push_back(std::move(s));
    return *this;
  }
  /// Overflow step moving the contact to `queue` after `after` ms.
  queue_builder& move_after(time_ms after, std::string queue) {
    overflow_step s;
    s.after = after;
    s.move_to_queue = std::move(queue);
    v_.overflow.push_back(std::move(s));
    return *this;
  }
};

/// Builds an agent_profile. Defaults: tenant acme, junior, not remote, no skills,
/// no languages, and capacity for exactly one chat (so each agent takes one
/// contact unless the test gives it more).
class agent_builder : public record_builder<agent_builder, agent_profile> {
 public:
  explicit agent_builder(std::string id) {
    v_.tenant = tenant_id;
    v_.id = std::move(id);
    v_.name = v_.id;
    v_.capacity[index(channel::chat)] = {1, false};
  }
  agent_builder& skill(std::string name, int proficiency) {
    v_.skills.push_back({std::move(name), proficiency});
    return *this;
  }
  agent_builder& language(std::string l) { v_.languages.push_back(std::move(l)); return *this; }
  /// Sets the capacity of one channel, leaving the others.
  agent_builder& capacity(channel c, std::uint32_t max, bool exclusive = false) {
    v_.capacity[index(c)] = {max, exclusive};
    return *this;
  }
  /// Clears every channel's capacity.
  agent_builder& no_capacity() {
    v_.capacity = {};
    return *this;
  }
  /// The example: voice 1 (exclusive), chat 3, email 5.
  agent_builder& standard_capacity() {
    no_capacity();
    capacity(channel::voice, 1, true);
    capacity(channel::chat, 3);
    capacity(channel::email, 5);
    return *this;
  }
  agent_builder& level(agent_level l) { v_.level = l; return *this; }
  agent_builder& remote(bool r = true) { v_.remote = r; return *this; }
  agent_builder& team(std::string t) { v_.team = std::move(t); return *this; }
};

/// Builds a contact ready for `routing_domain::enqueue`. Defaults: tenant acme,
/// queue `support`, chat, priority 0, state queued, enqueued (and created) at 0,
/// seq 0 (the domain fixture numbers contacts that leave it at 0).
class contact_builder : public record_builder<contact_builder, contact> {
 public:
  explicit contact_builder(std::string id) {
    v_.tenant = tenant_id;
    v_.id = std::move(id);
    v_.queue = default_queue;
    v_.state = contact_state::queued;
  }
  contact_builder& queue(std::string q) { v_.queue = std::move(q); return *this; }
  contact_builder& on(channel ch) { v_.ch = ch; return *this; }
  contact_builder& at(time_ms t) {
    v_.created_at = t;
    v_.enqueued_at = t;
    return *this;
  }
  contact_builder& seq(std::uint64_t s) { v_.seq = s; return *this; }
  contact_builder& priority(int p) { v_.priority = p; return *this; }
  contact_builder& language(std::string l) { v_.language = std::move(l); return *this; }
  contact_builder& intent(std::string i) { v_.intent = std::move(i); return *this; }
  contact_builder& customer(std::string c) { v_.customer = std::move(c); return *this; }
  contact_builder& segment(std::string s) { v_.segment = std::move(s); return *this; }
  contact_builder& state(contact_state s) { v_.state = s; return *this; }
  contact_builder& step(std::string s) { v_.journey.push_back(std::move(s)); return *this; }
  /// For `restore_connected`: connected with `agent`.
  contact_builder& agent_connected_to(std::string agent) {
    v_.agent = std::move(agent);
    v_.state = contact_state::connected;
    return *this;
  }
};

/// Builds a customer_profile of tenant acme; tier 0, no ARPU, no affinity.
class customer_builder : public record_builder<customer_builder, customer_profile> {
 public:
  explicit customer_builder(std::string id) {
    v_.tenant = tenant_id;
    v_.id = std::move(id);
  }
  customer_builder& tier(int t) { v_.tier = t; return *this; }
  customer_builder& arpu(double a) { v_.arpu = a; return *this; }
  customer_builder& segment(std::string s) { v_.segments.push_back(std::move(s)); return *this; }
  customer_builder& account_manager(std::string a) { v_.account_manager = std::move(a); return *this; }
  customer_builder& last_agent(std::string a) { v_.last_agent = std::move(a); return *this; }
  customer_builder& complaint_risk(double r) { v_.complaint_risk = r; return *this; }
  customer_builder& purchase_intent(std::string p) {
    v_.purchase_intents.push_back(std::move(p));
    return *this;
  }
  /// An earlier contact at `at`, resolved or not, with a complaint or not.
  customer_builder& contacted(time_ms at, bool resolved, bool complaint = false) {
    v_.history.push_back(history_item{at, channel::chat, "billing", "someone", resolved, complaint});
    return *this;
  }
};

/// Success, or a failure naming the error code and message.
inline ::testing::AssertionResult is_ok(const status& s) {
  if (s.ok())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "errc::" << to_string(s.code()) << ": " << s.err().message;
}

template <class T>
::testing::AssertionResult is_ok(const result<T>& r) {
  if (r.ok())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "errc::" << to_string(r.code()) << ": " << r.err().message;
}

/// The offer for `contact` among `offers`, or null.
inline const offer* offer_for(const std::vector<offer>& offers, std::string_view contact) {
  auto i = std::find_if(offers.begin(), offers.end(),
                        [&](const offer& o) { return o.contact == contact; });
  return i == offers.end() ? nullptr : &*i;
}

/// The agent `contact` is offered to among `offers`, or "(not offered)".
inline std::string offered_to(const std::vector<offer>& offers, std::string_view contact) {
  const auto* o = offer_for(offers, contact);
  return o == nullptr ? std::string{"(not offered)"} : o->agent;
}

/// A printable summary of everything a caller can observe of a domain: queue and
/// agent snapshots, agent runtimes, and the phase and place of the given contacts.
/// Two equal summaries mean an operation changed nothing visible.
inline std::string observe(const routing_domain& d, const std::vector<std::string>& contacts) {
  std::ostringstream os;
  for (const auto& q : d.queues())
    os << "queue " << q.id << " waiting=" << q.waiting << " offered=" << q.offered
       << " oldest=" << q.oldest_enqueued_at << " ready=" << q.agents_ready
       << " staffed=" << q.agents_staffed << '\n';
  for (const auto& a : d.agents()) {
    os << "agent " << a.id << ' ' << to_string(a.state) << " load=" << a.load;
    if (const auto* rt = d.find_runtime(a.id)) {
      os << " in=" << rt->logged_in << " away=" << rt->away << " wrap=" << rt->wrap_count
         << " idle_since=" << rt->idle_since << " assigned=" << rt->last_assigned
         << " rna=" << rt->expired_in_row << " per_channel=";
      for (auto l : rt->load)
        os << l << ',';
    }
    if (const auto* p = d.find_agent(a.id))
      os << " skills=" << p->skills.size() << " tips=" << p->tips;
    os << '\n';
  }
  for (const auto& c : contacts) {
    os << "contact " << c;
    if (auto ph = d.phase(c)) {
      os << " phase=";
      PrintTo(*ph, &os);
    } else {
      os << " untracked";
    }
    os << " position=" << d.position(c) << '\n';
  }
  os << "waiting=" << d.waiting() << " tracked=" << d.tracked() << '\n';
  return os.str();
}

/// A routing domain of tenant acme (ring-no-answer limit 3) with helpers that fail
/// the current test when a setup step is rejected.
class domain_fixture : public ::testing::Test {
 protected:
  void add_queue(queue_config q) {
    auto id = q.id;
    EXPECT_TRUE(is_ok(domain_.upsert_queue(std::move(q)))) << "queue " << id;
  }
  void add_agent(agent_profile a) {
    auto id = a.id;
    EXPECT_TRUE(is_ok(domain_.upsert_agent(std::move(a)))) << "agent " << id;
  }
  void add_customer(customer_profile c) {
    auto id = c.id;
    EXPECT_TRUE(is_ok(domain_.upsert_customer(std::move(c)))) << "customer " << id;
  }
  void login(std::string_view agent, time_ms now) {
    EXPECT_TRUE(is_ok(domain_.login(agent, now))) << "login " << agent;
  }
  /// Enqueues `c` at its own enqueue time, numbering it when its seq is 0.
  void enqueue(contact c) {
    if (c.seq == 0)
      c.seq = ++next_seq_;
    auto id = c.id;
    auto at = c.enqueued_at;
    EXPECT_TRUE(is_ok(domain_.enqueue(std::move(c), at))) << "enqueue " << id;
  }
  /// Accepts `o` at `now`.
  void accept(const offer& o, time_ms now) {
    EXPECT_TRUE(is_ok(domain_.accept(o.contact, o.agent, o.offer_id, now)))
      << "accept " << o.contact << " by " << o.agent;
  }
  std::vector<offer> match(time_ms now) { return domain_.match(now); }
  std::uint64_t next_seq() { return ++next_seq_; }
  agent_state state_of(std::string_view agent) const {
    const auto* rt = domain_.find_runtime(agent);
    return rt == nullptr ? agent_state::offline : rt->state();
  }
  std::uint32_t load_of(std::string_view agent) const {
    const auto* rt = domain_.find_runtime(agent);
    return rt == nullptr ? 0 : rt->total_load();
  }

  routing_domain domain_{make_tenant()};

 private:
  std::uint64_t next_seq_ = 0;
};

}  // namespace switchboard::engine::testkit
