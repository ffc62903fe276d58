// routing_domain: a seeded property test over random interleavings of every operation.
#include "engine/routing_domain.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/overflow.h"
#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::is_ok;
using testkit::observe;
using testkit::queue_builder;

// -- seeded property test ------------------------------------------------------------------

// Random interleavings of every operation, checked after each step against a
// model of what the domain must hold: each contact at most one offer at a time,
// no offer to an offline or away agent or to the agent that just declined, agent
// load equal to its reserved contacts and within capacity (exclusive voice alone),
// every waiting contact at its place by key, and no eligible pair left unmatched.
class routing_property {
 public:
  explicit routing_property(std::uint32_t seed) : rng_(seed), domain_(testkit::make_tenant()) {}

  void run(int steps) {
    setup();
    for (step_ = 0; step_ < steps; ++step_) {
      now_ += pick(0, 3'000);
      due_ticks();
      one_operation();
      if (::testing::Test::HasFatalFailure())
        return;
      take(domain_.match(now_));
      check_invariants();
      if (::testing::Test::HasFailure())
        return;
    }
  }

  int offers_made() const { return offers_; }
  int completed() const { return completed_; }

 private:
  enum class ph { waiting, offered, connected, wrap_up };
  struct model_contact {
    std::string queue;
    channel ch = channel::chat;
    std::string language;
    queue_key key;
    ph phase = ph::waiting;
    std::string agent;
    std::uint64_t offer_id = 0;
    std::string last_declined;
    time_ms declined_until = 0;  // when the domain's tick lets the mark lapse
  };
  struct model_agent {
    bool in = false;
    bool away = false;
    std::uint32_t rna = 0;
  };

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  template <class T>
  const T& pick_of(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(pick(0, static_cast<int>(v.size()) - 1))];
  }

  void setup() {
    queue_config vip = queue_builder("vip").skill("sales", 40).policy(policy_kind::skills)
                         .priority(5).max_waiting(15);
    vip.channel_mask =
      static_cast<std::uint8_t>((1u << index(channel::voice)) | (1u << index(channel::chat)));
    std::vector<queue_config> queues{
      queue_builder("sales").skill("sales", 60).policy(policy_kind::profile).lower_to(20'000, 30)
        .crowd_after(40'000).move_after(80'000, "general").max_waiting(20),
      queue_builder("general").max_wait(300'000).max_waiting(25), vip};
    for (auto& q : queues) {
      queue_ids_.push_back(q.id);
      ASSERT_TRUE(is_ok(domain_.upsert_queue(q)));
    }
    std::vector<agent_profile> agents{
      agent_builder("a0").standard_capacity().skill("sales", 90).language("en"),
      agent_builder("a1").standard_capacity().skill("sales", 50).language("en").language("fr"),
      agent_builder("a2").capacity(channel::chat, 3).skill("sales", 70).language("fr"),
      agent_builder("a3").no_capacity().capacity(channel::voice, 1, true).skill("sales", 65)
        .language("en"),
      agent_builder("a4").no_capacity().capacity(channel::email, 5).skill("sales", 20)
        .language("en"),
      agent_builder("a5").capacity(channel::chat, 2).skill("sales", 80).language("en").remote(),
      agent_builder("a6").capacity(channel::email, 2).language("en"),
      agent_builder("a7").standard_capacity().skill("sales", 100).language("de"),
    };
    for (auto& a : agents) {
      agent_ids_.push_back(a.id);
      profiles_[a.id] = a;
      ASSERT_TRUE(is_ok(domain_.upsert_agent(a)));
      agents_[a.id];
    }
  }

  // What the owner actor does on its timer: tick while a deadline is due.
  void due_ticks() {
    for (int guard = 0; guard < 4; ++guard) {
      auto due = domain_.next_deadline();
      if (due < 0 || due > now_)
        return;
      auto r = domain_.tick(now_);
      for (auto& [id, c] : contacts_)
        if (!c.last_declined.empty() && c.declined_until <= now_)
          c.last_declined.clear();
      for (const auto& m : r.moves) {
        auto i = contacts_.find(m.contact);
        ASSERT_NE(i, contacts_.end()) << m.contact;
        EXPECT_EQ(i->second.phase, ph::waiting) << m.contact << " moved while not waiting";
        EXPECT_EQ(i->second.queue, m.from);
        i->second.queue = m.to;
      }
      for (const auto& id : r.timed_out) {
        auto i = contacts_.find(id);
        ASSERT_NE(i, contacts_.end()) << id;
        EXPECT_EQ(i->second.phase, ph::waiting) << id << " timed out while not waiting";
        contacts_.erase(i);
      }
    }
  }

  std::vector<std::string> in_phase(ph p) const {
    std::vector<std::string> out;
    for (const auto& [id, c] : contacts_)
      if (c.phase == p)
        out.push_back(id);
    return out;
  }

  std::size_t waiting_in(const std::string& queue) const {
    std::size_t n = 0;
    for (const auto& [id, c] : contacts_)
      n += c.phase == ph::waiting && c.queue == queue;
    return n;
  }

  void one_operation() {
    int op = pick(0, 99);
    if (op < 25)
      return op_enqueue();
    if (op < 32)
      return op_login();
    if (op < 35)
      return op_logout();
    if (op < 38)
      return op_away();
    if (op < 47)
      return op_release(false);
    if (op < 56)
      return op_release(true);
    if (op < 70)
      return op_accept();
    if (op < 75)
      return op_wrap_up();
    if (op < 87)
      return op_complete();
    if (op < 90)
      return op_remove();
    if (op < 93)
      return op_transfer();
    return op_bogus();
  }

  void op_enqueue() {
    static const std::vector<channel> channels{channel::voice, channel::chat, channel::chat,
                                               channel::email};
    static const std::vector<std::string> languages{"", "en", "en", "fr", "de"};
    model_contact m;
    m.queue = pick_of(queue_ids_);
    m.ch = pick_of(channels);
    m.language = pick_of(languages);
    auto id = "c" + std::to_string(next_contact_++);
    auto c = contact_builder(id).queue(m.queue).on(m.ch).language(m.language)
               .priority(pick(0, 3) == 0 ? 1 : 0).at(now_).seq(++seq_).build();
    m.key = c.key();
    const auto* q = domain_.find_queue(m.queue);
    auto st = domain_.enqueue(c, now_);
    if (!q->accepts(m.ch)) {
      EXPECT_EQ(st.code(), errc::invalid_argument);
    } else if (q->max_waiting > 0 && waiting_in(m.queue) >= q->max_waiting) {
      EXPECT_EQ(st.code(), errc::queue_full);
    } else {
      EXPECT_TRUE(is_ok(st)) << id;
      contacts_[id] = m;
    }
  }

  void op_login() {
    const auto& a = pick_of(agent_ids_);
    EXPECT_TRUE(is_ok(domain_.login(a, now_)));
    auto& m = agents_[a];
    if (!m.in) {
      m.in = true;
      m.away = false;
      m.rna = 0;
    }
  }

  void op_logout() {
    const auto& a = pick_of(agent_ids_);
    auto r = domain_.logout(a, now_);
    ASSERT_TRUE(is_ok(r));
    std::set<std::string> offered, with_agent;
    for (const auto& [id, c] : contacts_) {
      if (c.agent != a)
        continue;
      (c.phase == ph::offered ? offered : with_agent).insert(id);
    }
    EXPECT_EQ(std::set<std::string>(r->returned.begin(), r->returned.end()), offered);
    EXPECT_EQ(std::set<std::string>(r->connected.begin(), r->connected.end()), with_agent);
    for (const auto& id : offered)
      back_in_line(contacts_[id]);
    agents_[a].in = false;
    agents_[a].away = false;
  }

  void op_away() {
    const auto& a = pick_of(agent_ids_);
    bool away = pick(0, 1) == 0;
    auto st = domain_.set_away(a, away, now_);
    auto& m = agents_[a];
    if (!m.in) {
      EXPECT_EQ(st.code(), errc::agent_offline);
      return;
    }
    EXPECT_TRUE(is_ok(st));
    m.away = away;
    if (!away)
      m.rna = 0;
  }

  void back_in_line(model_contact& c) {
    c.last_declined = c.agent;
    c.declined_until = now_ + domain_.tenant().decline_cooldown;
    c.phase = ph::waiting;
    c.agent.clear();
    c.offer_id = 0;
  }

  void op_release(bool expire) {
    auto offered = in_phase(ph::offered);
    if (offered.empty())
      return;
    const auto& id = pick_of(offered);
    auto& c = contacts_[id];
    auto agent = c.agent;
    if (expire) {
      auto r = domain_.expire(id, agent, c.offer_id, now_);
      ASSERT_TRUE(is_ok(r));
      auto& m = agents_[agent];
      bool expect_away = ++m.rna >= domain_.tenant().ring_no_answer_limit;
      EXPECT_EQ(*r, expect_away);
      if (expect_away)
        m.away = true;
    } else {
      ASSERT_TRUE(is_ok(domain_.decline(id, agent, c.offer_id, now_)));
    }
    back_in_line(c);
  }

  void op_accept() {
    auto offered = in_phase(ph::offered);
    if (offered.empty())
      return;
    const auto& id = pick_of(offered);
    auto& c = contacts_[id];
    ASSERT_TRUE(is_ok(domain_.accept(id, c.agent, c.offer_id, now_)));
    c.phase = ph::connected;
    c.last_declined.clear();
    agents_[c.agent].rna = 0;
  }

  void op_wrap_up() {
    auto connected = in_phase(ph::connected);
    if (connected.empty())
      return;
    const auto& id = pick_of(connected);
    auto& c = contacts_[id];
    ASSERT_TRUE(is_ok(domain_.wrap_up(id, c.agent, now_)));
    c.phase = ph::wrap_up;
  }

  void op_complete() {
    auto serving = in_phase(ph::connected);
    auto wrapping = in_phase(ph::wrap_up);
    serving.insert(serving.end(), wrapping.begin(), wrapping.end());
    if (serving.empty())
      return;
    const auto& id = pick_of(serving);
    outcome o;
    o.resolved = pick(0, 1) == 0;
    auto r = domain_.complete(id, contacts_[id].agent, o, pick(1'000, 60'000), now_);
    ASSERT_TRUE(is_ok(r));
    contacts_.erase(id);
    ++completed_;
  }

  void op_remove() {
    if (contacts_.empty())
      return;
    auto it = contacts_.begin();
    std::advance(it, pick(0, static_cast<int>(contacts_.size()) - 1));
    auto id = it->first;
    auto r = domain_.remove(id, now_);
    if (it->second.phase == ph::connected || it->second.phase == ph::wrap_up) {
      EXPECT_EQ(r.code(), errc::invalid_transition);
      return;
    }
    ASSERT_TRUE(is_ok(r));
    if (it->second.phase == ph::offered) {
      EXPECT_EQ(r->agent, it->second.agent);
      EXPECT_EQ(r->offer_id, it->second.offer_id);
    }
    contacts_.erase(it);
  }

  void op_transfer() {
    auto connected = in_phase(ph::connected);
    if (connected.empty())
      return;
    const auto& id = pick_of(connected);
    auto& c = contacts_[id];
    const auto& to = pick_of(queue_ids_);
    queue_key key{0, now_, ++seq_};
    auto st = domain_.transfer(id, c.agent, to, key, now_);
    if (!domain_.find_queue(to)->accepts(c.ch)) {
      EXPECT_EQ(st.code(), errc::invalid_argument);
      return;
    }
    ASSERT_TRUE(is_ok(st));
    c.queue = to;
    c.key = key;
    c.phase = ph::waiting;
    c.agent.clear();
  }

  // A wrong call: must be refused with a typed error and change nothing.
  void op_bogus() {
    if (contacts_.empty())
      return;
    auto it = contacts_.begin();
    std::advance(it, pick(0, static_cast<int>(contacts_.size()) - 1));
    const auto& [id, c] = *it;
    std::vector<std::string> ids;
    for (const auto& [k, v] : contacts_)
      ids.push_back(k);
    auto before = observe(domain_, ids);
    const auto& other = pick_of(agent_ids_);
    switch (pick(0, 3)) {
      case 0: {
        auto st = domain_.accept(id, other, c.offer_id + 1'000'000, now_);
        EXPECT_EQ(st.code(), errc::not_offered);
        break;
      }
      case 1: {
        auto st = domain_.complete(id, other + "x", {}, 1, now_);
        EXPECT_EQ(st.code(), errc::not_connected);
        break;
      }
      case 2: {
        auto dup = contact_builder(id).queue(c.queue).at(now_).seq(++seq_).build();
        EXPECT_EQ(domain_.enqueue(dup, now_).code(), errc::duplicate_id);
        break;
      }
      default: {
        auto st = domain_.upsert_agent(agent_builder(other).skill("sales", 101));
        EXPECT_EQ(st.code(), errc::invalid_proficiency);
        break;
      }
    }
    EXPECT_EQ(observe(domain_, ids), before) << "a rejected call changed the domain";
  }

  void take(const std::vector<offer>& offers) {
    for (const auto& o : offers) {
      ++offers_;
      auto i = contacts_.find(o.contact);
      ASSERT_NE(i, contacts_.end()) << "offer of unknown contact " << o.contact;
      auto& c = i->second;
      ASSERT_EQ(c.phase, ph::waiting)
        << "double offer: " << o.contact << " offered to " << o.agent << " while with " << c.agent;
      const auto& m = agents_[o.agent];
      EXPECT_TRUE(m.in && !m.away) << "offer to " << o.agent << " who is offline or away";
      EXPECT_NE(o.agent, c.last_declined) << o.contact << " offered again to the agent that declined it";
      EXPECT_EQ(o.queue, c.queue);
      c.phase = ph::offered;
      c.agent = o.agent;
      c.offer_id = o.offer_id;
    }
  }

  void check_invariants() {
    SCOPED_TRACE("step " + std::to_string(step_) + " at " + std::to_string(now_));
    // Agents: load equals reserved contacts per channel, within capacity.
    for (const auto& a : agent_ids_) {
      const auto* rt = domain_.find_runtime(a);
      ASSERT_NE(rt, nullptr);
      const auto& p = profiles_[a];
      std::array<std::uint32_t, channel_count> expected{};
      std::uint32_t wraps = 0;
      for (const auto& [id, c] : contacts_)
        if (c.phase != ph::waiting && c.agent == a) {
          ++expected[index(c.ch)];
          wraps += c.phase == ph::wrap_up;
        }
      EXPECT_EQ(rt->load, expected) << a;
      EXPECT_EQ(rt->wrap_count, wraps) << a;
      EXPECT_EQ(rt->logged_in, agents_[a].in) << a;
      EXPECT_EQ(rt->away, agents_[a].away) << a;
      EXPECT_EQ(rt->expired_in_row, agents_[a].rna) << a;
      for (std::size_t ch = 0; ch < channel_count; ++ch) {
        EXPECT_LE(rt->load[ch], p.capacity[ch].max) << a << " over capacity on "
                                                     << to_string(static_cast<channel>(ch));
        if (p.capacity[ch].exclusive && rt->load[ch] > 0) {
          EXPECT_EQ(rt->total_load(), rt->load[ch]) << a << " has work beside exclusive voice";
        }
      }
    }
    // Contacts: phase and place in line.
    std::size_t waiting = 0;
    for (const auto& [id, c] : contacts_) {
      auto phase = domain_.phase(id);
      ASSERT_TRUE(phase.has_value()) << id;
      EXPECT_EQ(static_cast<int>(*phase), static_cast<int>(c.phase)) << id;
      if (c.phase != ph::waiting) {
        EXPECT_EQ(domain_.position(id), -1) << id;
        continue;
      }
      ++waiting;
      std::int64_t ahead = 0;
      for (const auto& [other_id, o] : contacts_)
        ahead += o.phase == ph::waiting && o.queue == c.queue && o.key < c.key;
      EXPECT_EQ(domain_.position(id), ahead) << id << " is not at its place";
    }
    EXPECT_EQ(domain_.tracked(), contacts_.size());
    EXPECT_EQ(domain_.waiting(), waiting);
    for (const auto& q : domain_.queues()) {
      std::size_t offered = 0;
      for (const auto& [id, c] : contacts_)
        offered += c.phase == ph::offered && c.queue == q.id;
      EXPECT_EQ(q.waiting, waiting_in(q.id)) << q.id;
      EXPECT_EQ(q.offered, offered) << q.id;
    }
    check_nothing_left_unmatched();
  }

  // After match(), no waiting contact is eligible for any agent (while every line
  // fits in the window a freed agent looks at).
  void check_nothing_left_unmatched() {
    for (const auto& q : domain_.queues())
      if (q.waiting > routing_domain::contact_window)
        return;
    for (const auto& [id, c] : contacts_) {
      if (c.phase != ph::waiting)
        continue;
      const auto* q = domain_.find_queue(c.queue);
      auto probe = contact_builder(id).queue(c.queue).on(c.ch).language(c.language)
                     .at(c.key.enqueued_at).build();
      probe.last_declined_by = c.last_declined;
      auto step = current_step(*q, now_ - c.key.enqueued_at);
      for (const auto& a : agent_ids_) {
        auto r = check_eligibility(probe, *q, step, *domain_.find_agent(a), *domain_.find_runtime(a));
        EXPECT_NE(r, reject_reason::none) << id << " in " << c.queue << " was left waiting while "
                                          << a << " could take it";
      }
    }
  }

  std::mt19937 rng_;
  routing_domain domain_;
  time_ms now_ = 1'000;
  int step_ = 0;
  std::uint64_t seq_ = 0;
  int next_contact_ = 0;
  int offers_ = 0;
  int completed_ = 0;
  std::vector<std::string> queue_ids_;
  std::vector<std::string> agent_ids_;
  std::map<std::string, agent_profile> profiles_;
  std::map<std::string, model_agent> agents_;
  std::map<std::string, model_contact> contacts_;
};

TEST(routing_property, random_interleavings_keep_one_offer_per_contact_and_agents_within_capacity) {
  for (std::uint32_t seed : {1u, 7u, 20240611u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    routing_property p(seed);
    p.run(3'000);
    if (::testing::Test::HasFailure())
      return;
    // The run must have exercised routing, not just rejected everything.
    EXPECT_GT(p.offers_made(), 500);
    EXPECT_GT(p.completed(), 100);
  }
}

}  // namespace
}  // namespace switchboard::engine
