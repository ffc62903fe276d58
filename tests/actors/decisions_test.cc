// node::decisions: a contact's routing decisions read back from the journal of a
// real node (RocksDB in a temp dir), in order, and never across tenants.
#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

using decisions_test = node_fixture;

const engine::candidate* candidate_of(const engine::routing_decision& d, const std::string& a) {
  for (const auto& c : d.candidates)
    if (c.agent == a)
      return &c;
  return nullptr;
}

TEST_F(decisions_test, a_declined_then_accepted_contact_has_both_decisions_in_order) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  ASSERT_TRUE(n().login(t1, "a2").ok());
  ASSERT_TRUE(n().set_away(t1, "a2", true).ok());
  submit("c1");
  auto first = offer_of("c1", "a1");
  ASSERT_TRUE(n().set_away(t1, "a2", false).ok());
  // The decline puts c1 back in line and matches it at once (a decision the
  // contact triggers, with every candidate): a1 just declined it, so a2 gets it.
  ASSERT_TRUE(n().decline(t1, "a1", "c1", first.offer_id).ok());
  auto second = offer_of("c1", "a2");
  ASSERT_TRUE(n().accept(t1, "a2", "c1", second.offer_id).ok());

  auto d = n().decisions(t1, "c1", 10);
  ASSERT_TRUE(d.ok()) << describe(d);
  EXPECT_EQ(d->contact, "c1");
  EXPECT_EQ(d->epoch, 0) << "a node alone has no cluster epoch";
  ASSERT_EQ(d->decisions.size(), 2u);
  const auto& to_a1 = d->decisions[0];
  const auto& to_a2 = d->decisions[1];
  EXPECT_EQ(to_a1.agent, "a1");
  EXPECT_EQ(to_a2.agent, "a2");
  EXPECT_LE(to_a1.at, to_a2.at);
  // What was journaled is what the offers carried.
  EXPECT_EQ(to_a1.at, first.decision.at);
  EXPECT_EQ(to_a2.at, second.decision.at);
  EXPECT_EQ(to_a2.policy, engine::policy_kind::skills);
  EXPECT_EQ(to_a2.queue, "q1");
  auto* chosen = candidate_of(to_a2, "a2");
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->rejected, engine::reject_reason::none);
  EXPECT_EQ(chosen->terms.total, second.decision.candidates.front().terms.total);
  // The second decision says why a1, free again, was passed over.
  auto* passed = candidate_of(to_a2, "a1");
  ASSERT_NE(passed, nullptr);
  EXPECT_EQ(passed->rejected, engine::reject_reason::just_declined);

  auto last = n().decisions(t1, "c1", 1);
  ASSERT_TRUE(last.ok()) << describe(last);
  ASSERT_EQ(last->decisions.size(), 1u);
  EXPECT_EQ(last->decisions[0].agent, "a2") << "the limit keeps the most recent";
}

TEST_F(decisions_test, a_contact_never_offered_has_none_and_an_unknown_one_is_a_typed_error) {
  submit("waiting");
  auto d = n().decisions(t1, "waiting", 10);
  ASSERT_TRUE(d.ok()) << describe(d);
  EXPECT_TRUE(d->decisions.empty());

  auto none = n().decisions(t1, "never-seen", 10);
  EXPECT_EQ(none.code(), errc::unknown_contact);
  EXPECT_NE(none.err().message.find("never-seen"), std::string::npos) << none.err().message;
  EXPECT_EQ(n().decisions("no-tenant", "waiting", 10).code(), errc::unknown_tenant);
}

TEST_F(decisions_test, another_tenants_contact_is_never_visible) {
  ASSERT_TRUE(n().define_tenant(make_tenant("t2")).ok());
  ASSERT_TRUE(n().define_queue(make_queue("t2", "q2")).ok());
  ASSERT_TRUE(n().define_agent(make_agent("t2", "b1")).ok());
  ASSERT_TRUE(n().login("t2", "b1").ok());
  ASSERT_TRUE(n().submit(make_contact("t2", "c2", "q2")).ok());
  offer_of("c2", "b1");

  auto own = n().decisions("t2", "c2", 10);
  ASSERT_TRUE(own.ok()) << describe(own);
  EXPECT_EQ(own->decisions.size(), 1u);
  EXPECT_EQ(n().decisions(t1, "c2", 10).code(), errc::unknown_contact);
}

}  // namespace
}  // namespace switchboard::testing
