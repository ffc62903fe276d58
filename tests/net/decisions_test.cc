// GetDecision over a real WebSocket on loopback, against a real node: a
// supervisor reads why a contact went where it went; an agent reads only the
// decisions that offered the contact to it; nothing crosses tenants.
#include <algorithm>

#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

class decisions_test : public edge_fixture {
 protected:
  /// Opens `id`, offers it to a1 (alone), which declines once a2 is logged in:
  /// the decline matches the contact again at once, and a2 accepts.
  void declined_then_accepted(const std::string& id) {
    ASSERT_TRUE(gw_->call(open_contact(id))->has_contact_opened());
    auto first = a1_->wait_for(offer_of(id));
    ASSERT_TRUE(first.has_value()) << a1_->error();
    a2_ = agent("t1", "a2");
    pb::Envelope dec;
    dec.mutable_decline_offer()->set_contact_id(id);
    dec.mutable_decline_offer()->set_offer_id(first->offer().offer_id());
    ASSERT_TRUE(a1_->call(dec)->has_ack());
    auto second = a2_->wait_for(offer_of(id));
    ASSERT_TRUE(second.has_value()) << a2_->error();
    ASSERT_TRUE(a2_->call(accept_offer(id, second->offer().offer_id()))->has_ack());
  }

  void SetUp() override {
    edge_fixture::SetUp();
    a1_ = agent("t1", "a1");
    gw_ = gateway("t1");
  }

  // The clients close before the edge stops, as a test's local clients do: an edge
  // stopping under open connections waits for them.
  void TearDown() override {
    a1_.reset();
    a2_.reset();
    gw_.reset();
    edge_fixture::TearDown();
  }

  std::unique_ptr<ws_client> a1_;
  std::unique_ptr<ws_client> a2_;
  std::unique_ptr<ws_client> gw_;
};

const pb::Candidate* candidate_of(const pb::RoutingDecision& d, const std::string& agent) {
  auto i = std::find_if(d.candidates().begin(), d.candidates().end(),
                        [&](const pb::Candidate& c) { return c.agent() == agent; });
  return i == d.candidates().end() ? nullptr : &*i;
}

TEST_F(decisions_test, a_supervisor_reads_every_decision_of_a_contact_in_order) {
  ASSERT_NO_FATAL_FAILURE(declined_then_accepted("d1"));
  auto sup = supervisor("t1");
  auto r = sup->call(get_decision("d1"));
  ASSERT_TRUE(r && r->has_decisions()) << show(r);
  const auto& d = r->decisions();
  EXPECT_EQ(d.contact_id(), "d1");
  EXPECT_EQ(d.epoch(), 0);
  ASSERT_EQ(d.decisions_size(), 2);
  EXPECT_EQ(d.decisions(0).agent(), "a1");
  EXPECT_EQ(d.decisions(1).agent(), "a2");
  EXPECT_LE(d.decisions(0).at_ms(), d.decisions(1).at_ms());
  EXPECT_EQ(d.decisions(1).policy(), pb::ROUTING_POLICY_SKILLS);
  auto* chosen = candidate_of(d.decisions(1), "a2");
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->rejected(), "");
  auto* passed = candidate_of(d.decisions(1), "a1");
  ASSERT_NE(passed, nullptr) << "the decision names the agent passed over";
  EXPECT_EQ(passed->rejected(), "just_declined");

  auto last = sup->call(get_decision("d1", 1));
  ASSERT_TRUE(last && last->has_decisions()) << show(last);
  ASSERT_EQ(last->decisions().decisions_size(), 1);
  EXPECT_EQ(last->decisions().decisions(0).agent(), "a2");

  // The JSON mapping, as the pages speak it.
  auto json = supervisor("t1", ws_client::encoding::json);
  auto j = json->call(get_decision("d1"));
  ASSERT_TRUE(j && j->has_decisions()) << show(j);
  EXPECT_EQ(j->decisions().decisions_size(), 2);
}

TEST_F(decisions_test, unknown_foreign_and_malformed_ids_are_typed_errors) {
  ASSERT_NO_FATAL_FAILURE(declined_then_accepted("d2"));
  auto sup = supervisor("t1");
  EXPECT_TRUE(is_error(sup->call(get_decision("never-seen")), pb::UNKNOWN_CONTACT));
  EXPECT_TRUE(is_error(sup->call(get_decision("")), pb::INVALID_ARGUMENT));
  EXPECT_TRUE(is_error(sup->call(get_decision("a/b")), pb::INVALID_ARGUMENT));
  // Another tenant's supervisor: the contact does not exist for it.
  auto sup2 = supervisor("t2");
  EXPECT_TRUE(is_error(sup2->call(get_decision("d2")), pb::UNKNOWN_CONTACT));
  // A gateway may not ask.
  EXPECT_TRUE(is_error(gw_->call(get_decision("d2")), pb::PERMISSION_DENIED));
}

TEST_F(decisions_test, an_agent_reads_only_the_decisions_that_offered_it_the_contact) {
  ASSERT_NO_FATAL_FAILURE(declined_then_accepted("d3"));
  auto mine = a2_->call(get_decision("d3"));
  ASSERT_TRUE(mine && mine->has_decisions()) << show(mine);
  ASSERT_EQ(mine->decisions().decisions_size(), 1);
  EXPECT_EQ(mine->decisions().decisions(0).agent(), "a2");
  auto declined = a1_->call(get_decision("d3"));
  ASSERT_TRUE(declined && declined->has_decisions()) << show(declined);
  ASSERT_EQ(declined->decisions().decisions_size(), 1);
  EXPECT_EQ(declined->decisions().decisions(0).agent(), "a1");
  // Never offered to a3: as if it did not exist.
  auto a3 = agent("t1", "a3");
  EXPECT_TRUE(is_error(a3->call(get_decision("d3")), pb::UNKNOWN_CONTACT));
}

}  // namespace
}  // namespace switchboard::testing
