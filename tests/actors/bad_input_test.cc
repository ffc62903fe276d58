// Bad input through the facade: every rejected call returns its typed error and
// leaves the node working and its statistics untouched.
#include <fstream>

#include "actors/errors.h"
#include "storage/errors.h"
#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

/// Tenant t1 of the fixture plus tenant t2 (queue "q2", agent b1 logged in), with
/// contact c1 of t1 offered to a1 and a2 logged in and busy with nothing.
class bad_input : public node_fixture {
 protected:
  void SetUp() override {
    node_fixture::SetUp();
    if (HasFatalFailure())
      return;
    ASSERT_TRUE(n().define_tenant(make_tenant("t2")).ok());
    ASSERT_TRUE(n().define_queue(make_queue("t2", "q2")).ok());
    ASSERT_TRUE(n().define_agent(make_agent("t2", "b1")).ok());
    ASSERT_TRUE(n().login("t2", "b1").ok());
    ASSERT_TRUE(n().login(t1, "a1").ok());
    submit("c1");
    offer_ = offer_of("c1", "a1");
    ASSERT_GT(offer_.offer_id, 0u);
    ASSERT_TRUE(n().login(t1, "a2").ok());
    auto s = n().stats(t1);
    ASSERT_TRUE(s.ok()) << describe(s);
    before_ = *s;
  }

  /// What the rejected calls must not have changed.
  void expect_stats_unchanged() {
    auto s = n().stats(t1);
    ASSERT_TRUE(s.ok()) << describe(s);
    EXPECT_EQ(s->waiting, before_.waiting);
    EXPECT_EQ(s->offered, before_.offered);
    EXPECT_EQ(s->connected, before_.connected);
    EXPECT_EQ(s->routed, before_.routed);
    EXPECT_EQ(s->completed, before_.completed);
    EXPECT_EQ(s->abandoned, before_.abandoned);
    EXPECT_EQ(s->offers_expired, before_.offers_expired);
    ASSERT_EQ(s->queues.size(), before_.queues.size());
    for (std::size_t i = 0; i < s->queues.size(); ++i) {
      EXPECT_EQ(s->queues[i].id, before_.queues[i].id);
      EXPECT_EQ(s->queues[i].entered, before_.queues[i].entered) << s->queues[i].id;
    }
    ASSERT_EQ(s->agents.size(), before_.agents.size());
    for (std::size_t i = 0; i < s->agents.size(); ++i) {
      EXPECT_EQ(s->agents[i].id, before_.agents[i].id);
      EXPECT_EQ(s->agents[i].state, before_.agents[i].state) << s->agents[i].id;
      EXPECT_EQ(s->agents[i].load, before_.agents[i].load) << s->agents[i].id;
    }
  }

  /// The node still serves a whole lifecycle: c1 is accepted and completed.
  void expect_node_still_works() {
    ASSERT_TRUE(n().accept(t1, "a1", "c1", offer_.offer_id).ok());
    ASSERT_TRUE(n().complete(t1, "a1", "c1", resolved()).ok());
    ASSERT_TRUE(saw(is(event_type::completed, "c1")));
    submit("after");
    auto o = rec_.wait_event(is(event_type::offered, "after"));
    ASSERT_TRUE(o.has_value());
    ASSERT_TRUE(n().accept(t1, o->agent, "after", o->offer_id).ok());
    ASSERT_TRUE(n().complete(t1, o->agent, "after", resolved()).ok());
    ASSERT_TRUE(saw(is(event_type::completed, "after")));
    auto s = n().stats(t1);
    ASSERT_TRUE(s.ok()) << describe(s);
    EXPECT_EQ(s->routed, before_.routed + 2);
    EXPECT_EQ(s->completed, before_.completed + 2);
  }

  event offer_;
  tenant_stats before_;
};

TEST_F(bad_input, unknown_tenants_are_reported_as_unknown_tenant) {
  EXPECT_EQ(n().login("nope", "a1").code(), errc::unknown_tenant);
  EXPECT_EQ(n().logout("nope", "a1").code(), errc::unknown_tenant);
  EXPECT_EQ(n().set_away("nope", "a1", true).code(), errc::unknown_tenant);
  EXPECT_EQ(n().accept("nope", "a1", "c1").code(), errc::unknown_tenant);
  EXPECT_EQ(n().complete("nope", "a1", "c1", resolved()).code(), errc::unknown_tenant);
  EXPECT_EQ(n().submit(make_contact("nope", "x1", "q1")).code(), errc::unknown_tenant);
  EXPECT_EQ(n().end_contact("nope", "c1").code(), errc::unknown_tenant);
  EXPECT_EQ(n().find_contact("nope", "c1").code(), errc::unknown_tenant);
  EXPECT_EQ(n().stats("nope").code(), errc::unknown_tenant);
  EXPECT_EQ(n().define_queue(make_queue("nope", "q9")).code(), errc::unknown_tenant);
  EXPECT_EQ(n().define_agent(make_agent("nope", "a9")).code(), errc::unknown_tenant);
  engine::customer_profile cust;
  cust.tenant = "nope";
  cust.id = "cust-1";
  EXPECT_EQ(n().upsert_customer(cust).code(), errc::unknown_tenant);
  expect_stats_unchanged();
  expect_node_still_works();
}

TEST_F(bad_input, unknown_queues_agents_and_contacts_get_their_own_codes) {
  EXPECT_EQ(n().submit(make_contact(t1, "x1", "no-such-queue")).code(), errc::unknown_queue);
  EXPECT_EQ(n().login(t1, "ghost").code(), errc::unknown_agent);
  EXPECT_EQ(n().logout(t1, "ghost").code(), errc::unknown_agent);
  EXPECT_EQ(n().set_away(t1, "ghost", true).code(), errc::unknown_agent);
  EXPECT_EQ(n().set_away(t1, "a3", true).code(), errc::agent_offline);
  // A rejected presence change is neither journaled nor published: the registry's
  // next agent event (a3's login) is the first one about ghost or a3.
  ASSERT_TRUE(n().login(t1, "a3").ok());
  ASSERT_TRUE(saw(agent_event(event_type::agent_login, "a3")));
  EXPECT_EQ(rec_.count(agent_event(event_type::agent_away, "ghost")), 0u);
  EXPECT_EQ(rec_.count(agent_event(event_type::agent_away, "a3")), 0u);
  ASSERT_TRUE(n().logout(t1, "a3").ok());
  // Offers are answered by logged-in agents only.
  EXPECT_EQ(n().accept(t1, "ghost", "c1").code(), errc::agent_offline);
  EXPECT_EQ(n().accept(t1, "a3", "c1").code(), errc::agent_offline);
  EXPECT_EQ(n().accept(t1, "a1", "no-such-contact").code(), errc::unknown_contact);
  EXPECT_EQ(n().decline(t1, "a1", "no-such-contact").code(), errc::unknown_contact);
  EXPECT_EQ(n().wrap_up(t1, "a1", "no-such-contact").code(), errc::unknown_contact);
  EXPECT_EQ(n().complete(t1, "a1", "no-such-contact", resolved()).code(), errc::unknown_contact);
  EXPECT_EQ(n().end_contact(t1, "no-such-contact").code(), errc::unknown_contact);
  EXPECT_EQ(n().find_contact(t1, "no-such-contact").code(), errc::unknown_contact);
  engine::queue_config q = make_queue(t1, "spill");
  q.overflow.push_back({1000, -1, false, "no-such-queue"});
  EXPECT_EQ(n().define_queue(q).code(), errc::unknown_queue);
  EXPECT_EQ(n().submit(make_contact(t1, "x2", "spill")).code(), errc::unknown_queue);
  expect_stats_unchanged();
  expect_node_still_works();
}

TEST_F(bad_input, references_across_tenants_do_not_resolve) {
  // An agent of t2 cannot touch a contact of t1, under either tenant's name.
  EXPECT_EQ(n().accept("t2", "b1", "c1", offer_.offer_id).code(), errc::unknown_contact);
  EXPECT_EQ(n().decline("t2", "b1", "c1").code(), errc::unknown_contact);
  EXPECT_EQ(n().complete("t2", "b1", "c1", resolved()).code(), errc::unknown_contact);
  EXPECT_EQ(n().end_contact("t2", "c1").code(), errc::unknown_contact);
  EXPECT_EQ(n().find_contact("t2", "c1").code(), errc::unknown_contact);
  EXPECT_EQ(n().accept(t1, "b1", "c1", offer_.offer_id).code(), errc::agent_offline);
  EXPECT_EQ(n().login(t1, "b1").code(), errc::unknown_agent);
  // t1 cannot use t2's queue, nor overflow into it.
  EXPECT_EQ(n().submit(make_contact(t1, "x1", "q2")).code(), errc::unknown_queue);
  engine::queue_config spill = make_queue(t1, "spill");
  spill.overflow.push_back({1000, -1, false, "q2"});
  EXPECT_EQ(n().define_queue(spill).code(), errc::unknown_queue);
  // A queue defined under t2 with t1's queue id is t2's own queue: q1 of t1 is untouched.
  ASSERT_TRUE(n().define_queue(make_queue("t2", "q1", 300)).ok());
  auto t2 = n().stats("t2");
  ASSERT_TRUE(t2.ok()) << describe(t2);
  EXPECT_EQ(t2->queues.size(), 2u);
  // A contact id is scoped by tenant too: t2 may use "c1" while t1's c1 is live.
  auto b = n().submit(make_contact("t2", "c1", "q2"));
  ASSERT_TRUE(b.ok()) << describe(b);
  auto offered = offer_of("c1", "b1");
  EXPECT_EQ(offered.tenant, "t2");
  ASSERT_TRUE(n().accept("t2", "b1", "c1", offered.offer_id).ok());
  auto mine = n().find_contact(t1, "c1");
  ASSERT_TRUE(mine.ok()) << describe(mine);
  EXPECT_EQ(mine->state, contact_state::offered);
  EXPECT_EQ(mine->agent, "a1");
  expect_stats_unchanged();
  expect_node_still_works();
}

TEST_F(bad_input, invalid_agent_profiles_are_rejected_with_their_reason) {
  auto a = make_agent(t1, "a9", 1, {"billing"});
  a.skills[0].proficiency = 150;
  EXPECT_EQ(n().define_agent(a).code(), errc::invalid_proficiency);
  a.skills[0].proficiency = -1;
  EXPECT_EQ(n().define_agent(a).code(), errc::invalid_proficiency);
  a = make_agent(t1, "a9", 1000);
  EXPECT_EQ(n().define_agent(a).code(), errc::invalid_capacity);
  a = make_agent(t1, "a9", 0);
  a.capacity[engine::index(channel::voice)] = {2, true};
  EXPECT_EQ(n().define_agent(a).code(), errc::invalid_capacity) << "exclusive with capacity 2";
  a = make_agent(t1, "a9", 0);
  EXPECT_EQ(n().define_agent(a).code(), errc::invalid_capacity) << "no capacity at all";
  a = make_agent(t1, "bad/id");
  EXPECT_EQ(n().define_agent(a).code(), errc::invalid_argument);
  auto q = make_queue(t1, "q9", 60000, "billing");
  q.skills[0].min_proficiency = 101;
  EXPECT_EQ(n().define_queue(q).code(), errc::invalid_proficiency);
  q = make_queue(t1, "q9", 0);
  EXPECT_EQ(n().define_queue(q).code(), errc::invalid_argument) << "offer timeout 0";
  auto t = make_tenant("t9", 0);
  EXPECT_EQ(n().define_tenant(t).code(), errc::invalid_argument) << "ring-no-answer limit 0";
  EXPECT_EQ(n().login(t1, "a9").code(), errc::unknown_agent) << "a rejected agent is not defined";
  EXPECT_EQ(n().stats("t9").code(), errc::unknown_tenant) << "a rejected tenant is not defined";
  expect_stats_unchanged();
  expect_node_still_works();
}

TEST_F(bad_input, invalid_and_duplicate_contacts_are_rejected) {
  auto c = make_contact(t1, "", "q1");
  EXPECT_EQ(n().submit(c).code(), errc::invalid_argument) << "empty id";
  c.id = "a/b";
  EXPECT_EQ(n().submit(c).code(), errc::invalid_argument) << "id with '/'";
  c.id = std::string(129, 'x');
  EXPECT_EQ(n().submit(c).code(), errc::invalid_argument) << "id over 128 characters";
  c.id = "x1";
  c.priority = 5000;
  EXPECT_EQ(n().submit(c).code(), errc::invalid_argument) << "priority out of range";
  c.priority = 0;
  c.state = contact_state::connected;
  EXPECT_EQ(n().submit(c).code(), errc::invalid_argument) << "a new contact starts in state new";
  EXPECT_EQ(n().submit(make_contact(t1, "c1", "q1")).code(), errc::duplicate_id);
  EXPECT_EQ(n().submit(make_contact(t1, "c1", "fast")).code(), errc::duplicate_id);
  // The live contact is untouched by the rejected duplicate.
  auto seen = n().find_contact(t1, "c1");
  ASSERT_TRUE(seen.ok()) << describe(seen);
  EXPECT_EQ(seen->queue, "q1");
  EXPECT_EQ(seen->state, contact_state::offered);
  expect_stats_unchanged();
  expect_node_still_works();
}

TEST_F(bad_input, a_contact_the_queue_refuses_can_be_submitted_again_once_corrected) {
  auto chat_only = make_queue(t1, "chat-only");
  chat_only.channel_mask = 1u << engine::index(channel::chat);
  ASSERT_TRUE(n().define_queue(chat_only).ok());
  for (int i = 0; i < 20; ++i) {
    auto id = "v" + std::to_string(i);
    auto c = make_contact(t1, id, "chat-only");
    c.ch = channel::voice;
    EXPECT_EQ(n().submit(c).code(), errc::invalid_argument) << id;
    c.ch = channel::chat;
    c.queue = "fast";
    auto again = n().submit(c);
    EXPECT_TRUE(again.ok()) << id << ": " << describe(again);
    ASSERT_TRUE(n().end_contact(t1, id).ok());
  }
}

TEST_F(bad_input, an_id_that_ended_is_not_opened_again) {
  // A gateway retrying an open whose answer was lost (its node died) after the
  // contact was served meanwhile gets DUPLICATE_ID, not a second contact.
  ASSERT_TRUE(n().submit(make_contact(t1, "once", "fast")).ok());
  ASSERT_TRUE(n().end_contact(t1, "once").ok());
  for (int i = 0; i < 50 && n().find_contact(t1, "once").ok(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(n().find_contact(t1, "once").code(), errc::unknown_contact) << "it is not live any more";
  auto again = n().submit(make_contact(t1, "once", "fast"));
  EXPECT_EQ(again.code(), errc::duplicate_id) << describe(again);
}

TEST_F(bad_input, answers_from_an_agent_without_the_offer_are_not_offered) {
  EXPECT_EQ(n().accept(t1, "a2", "c1").code(), errc::not_offered);
  EXPECT_EQ(n().decline(t1, "a2", "c1").code(), errc::not_offered);
  EXPECT_EQ(n().accept(t1, "a1", "c1", offer_.offer_id + 1000).code(), errc::not_offered)
    << "a stale or foreign offer id";
  EXPECT_EQ(n().decline(t1, "a1", "c1", offer_.offer_id + 1000).code(), errc::not_offered);
  // Serving a contact that is only offered is not allowed either.
  EXPECT_EQ(n().complete(t1, "a1", "c1", resolved()).code(), errc::not_connected);
  EXPECT_EQ(n().wrap_up(t1, "a1", "c1").code(), errc::not_connected);
  EXPECT_EQ(n().complete(t1, "a2", "c1", resolved()).code(), errc::not_connected);
  // A waiting contact is offered to nobody.
  ASSERT_TRUE(n().login(t1, "a3").ok());
  ASSERT_TRUE(n().set_away(t1, "a2", true).ok());
  ASSERT_TRUE(n().set_away(t1, "a3", true).ok());
  submit("w1");
  EXPECT_EQ(n().accept(t1, "a2", "w1").code(), errc::not_offered);
  auto s = n().stats(t1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->routed, before_.routed);
  EXPECT_EQ(s->waiting, before_.waiting + 1);
  ASSERT_TRUE(n().set_away(t1, "a2", false).ok());
  ASSERT_TRUE(n().set_away(t1, "a3", false).ok());
  auto w1 = rec_.wait_event(is(event_type::offered, "w1"));
  ASSERT_TRUE(w1.has_value());
  ASSERT_TRUE(n().accept(t1, w1->agent, "w1", w1->offer_id).ok());
  // Completion by an agent other than the one serving it.
  EXPECT_EQ(n().complete(t1, "a1", "w1", resolved()).code(), errc::not_connected);
  engine::outcome bad;
  bad.csat = 9;
  EXPECT_EQ(n().complete(t1, w1->agent, "w1", bad).code(), errc::invalid_argument);
  ASSERT_TRUE(n().complete(t1, w1->agent, "w1", resolved()).ok());
  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer_.offer_id).ok());
  EXPECT_EQ(n().accept(t1, "a1", "c1", offer_.offer_id).code(), errc::not_offered)
    << "accepted twice";
  EXPECT_EQ(n().decline(t1, "a1", "c1", offer_.offer_id).code(), errc::not_offered)
    << "declined after accepting";
  ASSERT_TRUE(n().complete(t1, "a1", "c1", resolved()).ok());
  EXPECT_EQ(n().complete(t1, "a1", "c1", resolved()).code(), errc::unknown_contact)
    << "completed twice";
}

TEST_F(bad_input, a_finished_contact_is_unknown_not_a_failure) {
  // Right after completion the session may still be ending: the answer is either
  // its final state or unknown_contact, never an internal error.
  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer_.offer_id).ok());
  ASSERT_TRUE(n().complete(t1, "a1", "c1", resolved()).ok());
  for (int i = 0; i < 30; ++i) {
    auto id = "f" + std::to_string(i);
    submit(id);
    auto o = rec_.wait_event(is(event_type::offered, id));
    ASSERT_TRUE(o.has_value()) << id;
    ASSERT_TRUE(n().accept(t1, o->agent, id, o->offer_id).ok());
    ASSERT_TRUE(n().complete(t1, o->agent, id, resolved()).ok());
    auto seen = n().find_contact(t1, id);
    if (seen.ok()) {
      EXPECT_EQ(seen->state, contact_state::completed) << id;
    } else {
      EXPECT_EQ(seen.code(), errc::unknown_contact) << id << ": " << describe(seen);
    }
  }
}

// -- opening a node ---------------------------------------------------------------------

TEST(node_open, a_data_dir_that_is_a_regular_file_is_a_bad_data_dir) {
  temp_dir dir;
  auto file = dir.sub("not-a-dir");
  std::ofstream{file} << "hello";
  auto n = node::open(options_for(file));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.code(), storage::errors::bad_data_dir) << describe(n);
}

TEST(node_open, an_empty_data_dir_is_an_invalid_argument) {
  auto n = node::open(options_for(""));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.code(), errc::invalid_argument);
}

TEST(node_open, a_data_dir_held_by_an_open_node_is_locked) {
  temp_dir dir;
  auto first = node::open(options_for(dir.sub("db")));
  ASSERT_TRUE(first.ok()) << describe(first);
  auto second = node::open(options_for(dir.sub("db")));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.code(), storage::errors::database_locked) << describe(second);
  // The first node is not disturbed, and the dir opens again once it is closed.
  ASSERT_TRUE((*first)->define_tenant(make_tenant("t1")).ok());
  (*first)->shutdown();
  EXPECT_EQ((*first)->define_tenant(make_tenant("t2")).code(), actors::errors::shutting_down);
  first->reset();
  auto third = node::open(options_for(dir.sub("db")));
  ASSERT_TRUE(third.ok()) << describe(third);
  EXPECT_EQ((*third)->recovered().tenants, 1u);
}

}  // namespace
}  // namespace switchboard::testing
