#include "engine/contact.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <tuple>
#include <vector>

#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using cs = contact_state;
using testkit::contact_builder;
using testkit::is_ok;

constexpr std::array<cs, 9> all_states{cs::created,   cs::queued,    cs::offered,
                                       cs::connected, cs::wrap_up,   cs::completed,
                                       cs::abandoned, cs::transferred, cs::failed};

// The lifecycle as the issue states it: new -> queued -> offered -> connected ->
// wrap_up -> completed, an offer that is declined or expires goes back to queued,
// a transfer starts a new leg in a queue, a connected contact whose agent is lost
// (it never came back within its grace period) goes back to queued at its place,
// and abandoned / transferred / failed exits.
bool documented(cs from, cs to) {
  switch (from) {
    case cs::created: return to == cs::queued || to == cs::abandoned || to == cs::failed;
    case cs::queued:
      return to == cs::offered || to == cs::abandoned || to == cs::transferred ||
             to == cs::failed;
    case cs::offered:
      return to == cs::connected || to == cs::queued || to == cs::abandoned || to == cs::failed;
    case cs::connected:
      return to == cs::wrap_up || to == cs::transferred || to == cs::queued || to == cs::failed;
    case cs::wrap_up: return to == cs::completed || to == cs::failed;
    case cs::transferred: return to == cs::queued || to == cs::abandoned || to == cs::failed;
    case cs::completed:
    case cs::abandoned:
    case cs::failed: return false;
  }
  return false;
}

contact sample(cs state) {
  auto c = contact_builder("c-1").customer("cust-1").intent("billing").language("en")
             .priority(3).at(1'000).seq(7).segment("gold").build();
  c.attached = {{"order", "42"}};
  c.journey = {"ivr:menu"};
  c.agent = "a-1";
  c.last_declined_by = "a-2";
  c.offers = 2;
  c.state = state;
  return c;
}

// Every field of a contact, so "unchanged" means unchanged.
auto fields(const contact& c) {
  return std::tie(c.tenant, c.id, c.customer, c.ch, c.intent, c.language, c.priority, c.queue,
                  c.attached, c.journey, c.state, c.created_at, c.enqueued_at, c.seq, c.agent,
                  c.last_declined_by, c.offers, c.segment);
}

TEST(contact_state_machine, happy_path_runs_from_new_to_completed) {
  auto c = contact_builder("c-1").state(cs::created).build();
  for (auto to : {cs::queued, cs::offered, cs::connected, cs::wrap_up, cs::completed}) {
    ASSERT_TRUE(is_ok(transition(c, to))) << "to " << to_string(to);
    EXPECT_EQ(c.state, to);
  }
  EXPECT_TRUE(is_terminal(c.state));
}

TEST(contact_state_machine, every_pair_of_states_is_allowed_exactly_when_documented) {
  for (auto from : all_states)
    for (auto to : all_states) {
      SCOPED_TRACE(std::string{to_string(from)} + " -> " + std::string{to_string(to)});
      EXPECT_EQ(can_transition(from, to), documented(from, to));
      auto c = sample(from);
      const auto before = c;
      auto st = transition(c, to);
      if (documented(from, to)) {
        EXPECT_TRUE(is_ok(st));
        EXPECT_EQ(c.state, to);
      } else {
        EXPECT_EQ(st.code(), errc::invalid_transition);
        EXPECT_FALSE(st.err().message.empty());
        EXPECT_TRUE(fields(c) == fields(before)) << "a rejected transition changed the contact";
      }
    }
}

TEST(contact_state_machine, no_state_transitions_to_itself) {
  for (auto s : all_states) {
    auto c = sample(s);
    EXPECT_EQ(transition(c, s).code(), errc::invalid_transition) << to_string(s);
    EXPECT_EQ(c.state, s);
  }
}

TEST(contact_state_machine, completed_abandoned_and_failed_are_terminal) {
  for (auto s : all_states) {
    bool terminal = s == cs::completed || s == cs::abandoned || s == cs::failed;
    EXPECT_EQ(is_terminal(s), terminal) << to_string(s);
    if (!terminal)
      continue;
    for (auto to : all_states)
      EXPECT_FALSE(can_transition(s, to)) << to_string(s) << " -> " << to_string(to);
  }
}

TEST(contact_state_machine, declined_or_expired_offer_goes_back_to_queued) {
  auto c = sample(cs::offered);
  ASSERT_TRUE(is_ok(transition(c, cs::queued)));
  EXPECT_EQ(c.state, cs::queued);
  ASSERT_TRUE(is_ok(transition(c, cs::offered)));
  EXPECT_EQ(c.state, cs::offered);
}

TEST(contact_state_machine, transferred_contact_starts_a_new_leg_in_a_queue) {
  auto c = sample(cs::connected);
  ASSERT_TRUE(is_ok(transition(c, cs::transferred)));
  ASSERT_TRUE(is_ok(transition(c, cs::queued)));
  EXPECT_EQ(c.state, cs::queued);
}

TEST(contact_state_machine, a_connected_contact_cannot_skip_wrap_up_or_be_abandoned) {
  auto c = sample(cs::connected);
  EXPECT_EQ(transition(c, cs::completed).code(), errc::invalid_transition);
  EXPECT_EQ(transition(c, cs::abandoned).code(), errc::invalid_transition);
  EXPECT_EQ(transition(c, cs::offered).code(), errc::invalid_transition);
  EXPECT_EQ(c.state, cs::connected);
  // Its agent lost: back in line (the only way back from connected).
  EXPECT_TRUE(transition(c, cs::queued).ok());
}

TEST(contact_state_names, new_is_the_name_of_created_and_names_round_trip) {
  EXPECT_EQ(to_string(cs::created), "new");
  for (auto s : all_states)
    EXPECT_EQ(parse_contact_state(to_string(s)), s);
  EXPECT_FALSE(parse_contact_state("created").has_value());
  EXPECT_FALSE(parse_contact_state("").has_value());
}

// -- queue key -------------------------------------------------------------------

TEST(queue_key, higher_priority_comes_first_whatever_the_enqueue_time) {
  queue_key urgent{5, 9'000, 9};
  queue_key normal{0, 1'000, 1};
  EXPECT_TRUE(urgent < normal);
  EXPECT_FALSE(normal < urgent);
}

TEST(queue_key, same_priority_orders_by_enqueue_time_then_seq) {
  queue_key early{0, 1'000, 5};
  queue_key late{0, 2'000, 1};
  EXPECT_TRUE(early < late);
  queue_key first{0, 1'000, 1};
  queue_key second{0, 1'000, 2};
  EXPECT_TRUE(first < second);
  EXPECT_FALSE(second < first);
  EXPECT_FALSE(first < first);
  EXPECT_EQ(first, (queue_key{0, 1'000, 1}));
}

TEST(queue_key, negative_priority_goes_behind_normal_priority) {
  EXPECT_TRUE((queue_key{0, 5'000, 2}) < (queue_key{-1, 1'000, 1}));
}

TEST(contact, key_is_made_of_priority_enqueue_time_and_seq) {
  auto c = contact_builder("c-1").priority(4).at(1'234).seq(99).build();
  EXPECT_EQ(c.key(), (queue_key{4, 1'234, 99}));
}

// -- validation of new contacts ------------------------------------------------------

contact fresh() {
  return contact_builder("c-1").customer("cust-1").state(cs::created).build();
}

TEST(validate_new_contact, accepts_a_well_formed_contact) {
  EXPECT_TRUE(is_ok(validate_new_contact(fresh())));
  auto anonymous = fresh();
  anonymous.customer.clear();
  EXPECT_TRUE(is_ok(validate_new_contact(anonymous)));
}

TEST(validate_new_contact, rejects_invalid_ids) {
  const std::vector<std::string> invalid{"", "a/b", "has space", std::string(129, 'x'), "tab\t"};
  for (const auto& bad : invalid) {
    auto c = fresh();
    c.id = bad;
    EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument) << "id '" << bad << "'";
    c = fresh();
    c.tenant = bad;
    EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument) << "tenant '" << bad << "'";
    c = fresh();
    c.queue = bad;
    EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument) << "queue '" << bad << "'";
    if (!bad.empty()) {
      c = fresh();
      c.customer = bad;
      EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument) << "customer '" << bad << "'";
    }
  }
  auto longest = fresh();
  longest.id = std::string(128, 'x');
  EXPECT_TRUE(is_ok(validate_new_contact(longest)));
}

TEST(validate_new_contact, priority_must_be_within_plus_minus_1000) {
  for (int p : {-1000, 0, 1000}) {
    auto c = fresh();
    c.priority = p;
    EXPECT_TRUE(is_ok(validate_new_contact(c))) << p;
  }
  for (int p : {-1001, 1001}) {
    auto c = fresh();
    c.priority = p;
    EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument) << p;
  }
}

TEST(validate_new_contact, limits_attached_data_in_items_and_bytes) {
  auto c = fresh();
  c.attached.assign(64, {"k", "v"});
  EXPECT_TRUE(is_ok(validate_new_contact(c)));
  c.attached.emplace_back("k", "v");
  EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument);

  c = fresh();
  c.attached = {{"blob", std::string(16 * 1024 - 4, 'x')}};
  EXPECT_TRUE(is_ok(validate_new_contact(c)));
  c.attached = {{"blob", std::string(16 * 1024 - 3, 'x')}};
  EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument);

  // The journey counts against the same budget.
  c = fresh();
  c.attached = {{"blob", std::string(16 * 1024 - 4, 'x')}};
  c.journey = {"x"};
  EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument);
}

TEST(validate_new_contact, a_new_contact_must_start_in_state_new) {
  auto c = fresh();
  c.state = cs::queued;
  EXPECT_EQ(validate_new_contact(c).code(), errc::invalid_argument);
}

}  // namespace
}  // namespace switchboard::engine
