// Contact lifecycles through the real actors: CAF scheduler, RocksDB in a temp dir.
#include <algorithm>
#include <thread>

#include "storage/store.h"
#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

using node_lifecycle = node_fixture;

const queue_stats* queue_named(const tenant_stats& s, const std::string& id) {
  auto i = std::find_if(s.queues.begin(), s.queues.end(),
                        [&](const queue_stats& q) { return q.id == id; });
  return i == s.queues.end() ? nullptr : &*i;
}

const agent_stats* agent_named(const tenant_stats& s, const std::string& id) {
  auto i = std::find_if(s.agents.begin(), s.agents.end(),
                        [&](const agent_stats& a) { return a.id == id; });
  return i == s.agents.end() ? nullptr : &*i;
}

/// A finished contact is either gone already or seen in its final state.
void expect_finished(node& n, const std::string& contact, contact_state final_state) {
  auto c = n.find_contact("t1", contact);
  if (c.ok()) {
    EXPECT_EQ(c->state, final_state) << contact;
  } else {
    EXPECT_EQ(c.code(), errc::unknown_contact) << contact << ": " << describe(c);
  }
}

TEST_F(node_lifecycle, a_submitted_contact_is_offered_accepted_connected_and_completed) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  auto ack = submit("c1");
  EXPECT_EQ(ack.contact, "c1");
  EXPECT_GT(ack.seq, 0u);
  EXPECT_GT(ack.enqueued_at, 0);

  auto offer = offer_of("c1", "a1");
  EXPECT_GT(offer.offer_id, 0u);
  EXPECT_EQ(offer.queue, "q1");
  EXPECT_EQ(offer.state, contact_state::offered);
  // The deadline is the time of the offer plus the queue's offer timeout (60 s).
  EXPECT_GE(offer.deadline, ack.enqueued_at + 60000);
  EXPECT_LE(offer.deadline, offer.at + 60000);

  auto seen = n().find_contact(t1, "c1");
  ASSERT_TRUE(seen.ok()) << describe(seen);
  EXPECT_EQ(seen->state, contact_state::offered);
  EXPECT_EQ(seen->agent, "a1");
  EXPECT_EQ(seen->seq, ack.seq);
  EXPECT_EQ(seen->enqueued_at, ack.enqueued_at);
  EXPECT_EQ(seen->offers, 1u);

  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer.offer_id).ok());
  ASSERT_TRUE(saw(is(event_type::connected, "c1", "a1")));
  seen = n().find_contact(t1, "c1");
  ASSERT_TRUE(seen.ok()) << describe(seen);
  EXPECT_EQ(seen->state, contact_state::connected);
  EXPECT_EQ(seen->agent, "a1");

  auto mid = n().stats(t1);
  ASSERT_TRUE(mid.ok()) << describe(mid);
  EXPECT_EQ(mid->routed, 1u);
  EXPECT_EQ(mid->connected, 1u);
  EXPECT_EQ(mid->waiting, 0u);
  EXPECT_EQ(agent_named(*mid, "a1")->state, engine::agent_state::busy);

  ASSERT_TRUE(n().complete(t1, "a1", "c1", resolved()).ok());
  auto done = rec_.wait_event(is(event_type::completed, "c1"));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->state, contact_state::completed);
  EXPECT_EQ(done->agent, "a1");
  expect_finished(n(), "c1", contact_state::completed);

  auto end = n().stats(t1);
  ASSERT_TRUE(end.ok()) << describe(end);
  EXPECT_EQ(end->routed, 1u);
  EXPECT_EQ(end->completed, 1u);
  EXPECT_EQ(end->connected, 0u);
  EXPECT_EQ(end->abandoned, 0u);
  const auto* q1 = queue_named(*end, "q1");
  ASSERT_NE(q1, nullptr);
  EXPECT_EQ(q1->entered, 1u);
  EXPECT_EQ(q1->answered, 1u);
  EXPECT_EQ(q1->completed, 1u);
  EXPECT_EQ(agent_named(*end, "a1")->state, engine::agent_state::available);
}

TEST_F(node_lifecycle, events_of_one_contact_arrive_in_lifecycle_order) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto offer = offer_of("c1", "a1");
  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer.offer_id).ok());
  ASSERT_TRUE(n().complete(t1, "a1", "c1", resolved()).ok());
  ASSERT_TRUE(saw(is(event_type::completed, "c1")));
  std::vector<event_type> types;
  for (const auto& e : rec_.events())
    if (e.contact == "c1")
      types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<event_type>{event_type::contact_created, event_type::queued,
                                            event_type::offered, event_type::connected,
                                            event_type::wrap_up, event_type::completed}));
}

TEST_F(node_lifecycle, a_declined_contact_keeps_its_place_and_goes_to_another_agent) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto first = offer_of("c1", "a1");
  submit("c2");
  submit("c3");
  ASSERT_TRUE(n().decline(t1, "a1", "c1", first.offer_id).ok());
  ASSERT_TRUE(saw(is(event_type::offer_declined, "c1", "a1")));
  // a1 is not offered c1 again right away: it gets the next contact in line.
  offer_of("c2", "a1");
  EXPECT_EQ(rec_.count(is(event_type::offered, "c1")), 1u);

  // c1 kept its place at the head of the line: the next agent gets it, not c3.
  ASSERT_TRUE(n().login(t1, "a2").ok());
  auto second = offer_of("c1", "a2");
  EXPECT_EQ(rec_.count(is(event_type::offered, "c3")), 0u);
  auto seen = n().find_contact(t1, "c1");
  ASSERT_TRUE(seen.ok()) << describe(seen);
  EXPECT_EQ(seen->agent, "a2");
  EXPECT_EQ(seen->offers, 2u);
  EXPECT_EQ(seen->last_declined_by, "a1");

  // Once someone else declined it, the first agent may have it again.
  ASSERT_TRUE(n().decline(t1, "a2", "c1", second.offer_id).ok());
  ASSERT_TRUE(saw(is(event_type::offer_declined, "c1", "a2")));
  offer_of("c3", "a2");
  ASSERT_TRUE(n().accept(t1, "a1", "c2").ok());
  ASSERT_TRUE(n().complete(t1, "a1", "c2", resolved()).ok());
  auto third = offer_of("c1", "a1", 2);
  EXPECT_GT(third.offer_id, second.offer_id);
  ASSERT_TRUE(n().accept(t1, "a1", "c1", third.offer_id).ok());
  ASSERT_TRUE(saw(is(event_type::connected, "c1", "a1")));
  EXPECT_EQ(rec_.count(is(event_type::offered, "c1")), 3u);
}

TEST_F(node_lifecycle, an_unanswered_offer_expires_and_repeated_expiries_set_the_agent_away) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  auto ack = submit("f1", "fast");
  submit("f2", "fast");
  auto first = offer_of("f1", "a1");
  EXPECT_GE(first.deadline, ack.enqueued_at + 300);
  EXPECT_LE(first.deadline, first.at + 300);
  ASSERT_TRUE(saw(is(event_type::offer_expired, "f1", "a1")));
  // One expiry is below the tenant's ring-no-answer limit (2): a1 still gets work.
  offer_of("f2", "a1");
  EXPECT_EQ(rec_.count(agent_event(event_type::agent_away, "a1")), 0u);
  ASSERT_TRUE(saw(is(event_type::offer_expired, "f2", "a1")));
  auto away = rec_.wait_event(agent_event(event_type::agent_away, "a1"));
  ASSERT_TRUE(away.has_value());
  EXPECT_EQ(away->detail, "ring_no_answer");

  auto s = n().stats(t1);
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(agent_named(*s, "a1")->state, engine::agent_state::away);
  EXPECT_EQ(s->offers_expired, 2u);
  EXPECT_EQ(s->waiting, 2u);
  EXPECT_EQ(s->offered, 0u);
  // An expired offer can no longer be accepted.
  EXPECT_EQ(n().accept(t1, "a1", "f1", first.offer_id).code(), errc::not_offered);

  // Both contacts are back in line, in their original order.
  ASSERT_TRUE(n().login(t1, "a2").ok());
  auto next = offer_of("f1", "a2");
  ASSERT_TRUE(n().accept(t1, "a2", "f1", next.offer_id).ok());
  EXPECT_EQ(rec_.count(is(event_type::offered, "f2", "a2")), 0u);
}

TEST_F(node_lifecycle, logout_during_an_offer_returns_the_contact_to_line_for_another_agent) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto first = offer_of("c1", "a1");
  ASSERT_TRUE(n().logout(t1, "a1").ok());
  ASSERT_TRUE(saw(is(event_type::offer_cancelled, "c1", "a1")));
  ASSERT_TRUE(saw(agent_event(event_type::agent_logout, "a1")));
  auto seen = n().find_contact(t1, "c1");
  ASSERT_TRUE(seen.ok()) << describe(seen);
  EXPECT_EQ(seen->state, contact_state::queued);
  EXPECT_TRUE(seen->agent.empty());
  EXPECT_EQ(n().accept(t1, "a1", "c1", first.offer_id).code(), errc::agent_offline);

  ASSERT_TRUE(n().login(t1, "a2").ok());
  auto second = offer_of("c1", "a2");
  EXPECT_NE(second.offer_id, first.offer_id);
  ASSERT_TRUE(n().accept(t1, "a2", "c1", second.offer_id).ok());
  ASSERT_TRUE(n().complete(t1, "a2", "c1", resolved()).ok());
  ASSERT_TRUE(saw(is(event_type::completed, "c1")));
  EXPECT_EQ(rec_.count(is(event_type::offered, "c1")), 2u);
}

TEST_F(node_lifecycle, a_customer_leaving_while_waiting_abandons_the_contact) {
  submit("c1");
  ASSERT_TRUE(n().end_contact(t1, "c1", "hung_up").ok());
  auto e = rec_.wait_event(is(event_type::abandoned, "c1"));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->detail, "hung_up");
  EXPECT_EQ(e->state, contact_state::abandoned);
  expect_finished(n(), "c1", contact_state::abandoned);
  auto s = n().stats(t1);
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s->waiting, 0u);
  EXPECT_EQ(s->abandoned, 1u);
  EXPECT_EQ(s->completed, 0u);
}

TEST_F(node_lifecycle, a_customer_leaving_during_an_offer_frees_the_agent_for_the_next_contact) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto first = offer_of("c1", "a1");
  submit("c2");
  ASSERT_TRUE(n().end_contact(t1, "c1").ok());
  auto e = rec_.wait_event(is(event_type::abandoned, "c1"));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->detail, "customer_left");
  offer_of("c2", "a1");
  EXPECT_EQ(n().accept(t1, "a1", "c1", first.offer_id).code(), errc::unknown_contact);
}

TEST_F(node_lifecycle, a_customer_leaving_a_connected_contact_sends_it_to_wrap_up_then_it_completes) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  submit("c1");
  auto offer = offer_of("c1", "a1");
  ASSERT_TRUE(n().accept(t1, "a1", "c1", offer.offer_id).ok());
  ASSERT_TRUE(n().end_contact(t1, "c1").ok());
  ASSERT_TRUE(saw(is(event_type::wrap_up, "c1", "a1")));
  auto seen = n().find_contact(t1, "c1");
  ASSERT_TRUE(seen.ok()) << describe(seen);
  EXPECT_EQ(seen->state, contact_state::wrap_up);
  // Ending it again changes nothing.
  EXPECT_TRUE(n().end_contact(t1, "c1").ok());
  auto s = n().stats(t1);
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(agent_named(*s, "a1")->state, engine::agent_state::wrap_up);

  ASSERT_TRUE(n().complete(t1, "a1", "c1", resolved()).ok());
  ASSERT_TRUE(saw(is(event_type::completed, "c1")));
  EXPECT_EQ(rec_.count(is(event_type::wrap_up, "c1")), 1u);
  EXPECT_EQ(rec_.count(is(event_type::abandoned, "c1")), 0u);
  s = n().stats(t1);
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s->completed, 1u);
  EXPECT_EQ(s->abandoned, 0u);
}

TEST_F(node_lifecycle, a_submit_is_answered_even_when_the_customer_leaves_before_its_commit) {
  // The creation is published before it is committed: a customer leaving right
  // then ends the session while the submitter still waits for its answer.
  constexpr int rounds = 20;
  auto id = [](int i) { return "gone-" + std::to_string(i); };
  std::thread leaver{[&] {
    for (int i = 0; i < rounds; ++i)
      if (rec_.wait_event(is(event_type::queued, id(i))))
        (void) n().end_contact(t1, id(i));
  }};
  for (int i = 0; i < rounds; ++i) {
    auto ack = n().submit(make_contact(t1, id(i), "q1"));
    EXPECT_TRUE(ack.ok()) << id(i) << ": " << describe(ack);
  }
  leaver.join();
  for (int i = 0; i < rounds; ++i)
    EXPECT_TRUE(saw(is(event_type::abandoned, id(i)))) << id(i);
}

TEST_F(node_lifecycle, the_journal_holds_every_state_change_of_a_contact_in_order) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  ASSERT_TRUE(n().login(t1, "a2").ok());
  auto ack = submit("c1");
  // Whoever got it first declines; the other one serves it.
  auto first = rec_.wait_event(is(event_type::offered, "c1"));
  ASSERT_TRUE(first.has_value());
  auto decliner = first->agent;
  auto server = decliner == "a1" ? "a2" : "a1";
  ASSERT_TRUE(n().decline(t1, decliner, "c1", first->offer_id).ok());
  auto second = offer_of("c1", server);
  ASSERT_TRUE(n().accept(t1, server, "c1", second.offer_id).ok());
  ASSERT_TRUE(n().wrap_up(t1, server, "c1").ok());
  auto o = resolved();
  o.notes = "refund issued";
  ASSERT_TRUE(n().complete(t1, server, "c1", o).ok());
  ASSERT_TRUE(saw(is(event_type::completed, "c1")));
  node_->shutdown();
  node_.reset();

  storage::store_options so;
  so.data_dir = dir_.sub("db");
  so.create_if_missing = false;
  auto st = storage::store::open(so);
  ASSERT_TRUE(st.ok()) << describe(st);
  auto journal = (*st)->journal_for_contact(t1, "c1");
  ASSERT_TRUE(journal.ok()) << describe(journal);
  struct step {
    event_type type;
    contact_state from;
    contact_state to;
    std::string agent;
  };
  using cs = contact_state;
  std::vector<step> want{
    {event_type::contact_created, cs::created, cs::created, ""},
    {event_type::queued, cs::created, cs::queued, ""},
    {event_type::offered, cs::queued, cs::offered, decliner},
    {event_type::offer_declined, cs::offered, cs::queued, ""},
    {event_type::offered, cs::queued, cs::offered, server},
    {event_type::connected, cs::offered, cs::connected, server},
    {event_type::wrap_up, cs::connected, cs::wrap_up, server},
    {event_type::completed, cs::wrap_up, cs::completed, server},
  };
  std::string types;
  for (const auto& e : *journal)
    types += std::string{engine::to_string(e.type)} + " ";
  ASSERT_EQ(journal->size(), want.size()) << "journal: " << types;
  std::uint64_t last_seq = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& e = (*journal)[i];
    SCOPED_TRACE("journal event " + std::to_string(i) + " " + std::string{engine::to_string(e.type)});
    EXPECT_EQ(e.type, want[i].type);
    EXPECT_EQ(e.from, want[i].from);
    EXPECT_EQ(e.to, want[i].to);
    EXPECT_EQ(e.tenant, t1);
    EXPECT_EQ(e.contact, "c1");
    EXPECT_EQ(e.queue, "q1");
    if (!want[i].agent.empty()) {
      EXPECT_EQ(e.agent, want[i].agent);
    }
    EXPECT_GT(e.seq, last_seq);
    last_seq = e.seq;
    EXPECT_GE(e.at, ack.enqueued_at);
  }
  EXPECT_EQ((*journal)[3].agent, decliner) << "the declined event names the agent whose offer ended";
  EXPECT_TRUE((*journal)[2].decision.has_value());
  ASSERT_TRUE(journal->back().result.has_value());
  EXPECT_EQ(journal->back().result->notes, "refund issued");

  // The contact is no longer live.
  auto snap = (*st)->load();
  ASSERT_TRUE(snap.ok()) << describe(snap);
  EXPECT_TRUE(snap->live.empty());
}

}  // namespace
}  // namespace switchboard::testing
