// Continuity at the edge: connections come and go, contacts go on. Gateways take
// a contact up again with its resume token, agents with `resume` (Welcome lists
// what they hold, with the conversation so far), both after a node restart too;
// chat lines are journaled before they are acknowledged and reach whichever
// connection holds the other side now; customers who never come back have left;
// ratings are the customer's; revoked tokens are refused.
#include <algorithm>
#include <atomic>
#include <set>

#include "net/auth.h"
#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

/// Long grace periods: nothing is released while a test reconnects.
class continuity_test : public edge_fixture {
 protected:
  void configure_node(node_options& o) override {
    o.agent_grace = 20s;
    o.customer_grace = 20s;
    o.restored_customers_absent = true;  // as `switchboard serve` runs the node
  }

  /// Opens `id` on `gw`, offers it to `agent_c` (the only agent logged in) and
  /// accepts; returns the contact's resume token.
  std::string connect(ws_client& gw, ws_client& agent_c, const std::string& id) {
    auto opened = gw.call(open_contact(id));
    EXPECT_TRUE(opened && opened->has_contact_opened()) << show(opened);
    if (!opened || !opened->has_contact_opened())
      return {};
    auto offer = agent_c.wait_for(offer_of(id));
    EXPECT_TRUE(offer.has_value()) << agent_c.error();
    if (!offer)
      return {};
    auto acc = agent_c.call(accept_offer(id, offer->offer().offer_id()));
    EXPECT_TRUE(acc && acc->has_ack()) << show(acc);
    EXPECT_TRUE(gw.wait_for(update_of(id, "connected")).has_value());
    return opened->contact_opened().resume_token();
  }

  /// Waits until the node counts `agent` as disconnected (its connection's close
  /// reached the node).
  bool node_sees_disconnected(const std::string& tenant, const std::string& agent) {
    return eventually([&] {
      auto a = n().find_agent(tenant, agent);
      return a.ok() && a->disconnected;
    });
  }

  /// How many pushed ChatLines of `contact` with `text` arrive on `c` within the
  /// quiet wait (consumes them).
  static int lines_with(ws_client& c, const std::string& contact, const std::string& text) {
    int n = 0;
    while (c.wait_for(
      [&](const pb::Envelope& e) {
        return e.has_chat_line() && e.chat_line().contact_id() == contact &&
               e.chat_line().text() == text;
      },
      quiet_wait))
      ++n;
    return n;
  }

  static std::vector<std::string> texts(const google::protobuf::RepeatedPtrField<pb::ChatLine>& ls) {
    std::vector<std::string> out;
    for (const auto& l : ls)
      out.push_back(l.text());
    return out;
  }
};

TEST_F(continuity_test, a_gateway_that_reconnects_resumes_the_chat_both_ways) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  auto token = connect(*gw, *a1, "c1");
  ASSERT_FALSE(token.empty());
  ASSERT_TRUE(gw->call(customer_message("c1", "my bill is wrong"))->has_ack());
  ASSERT_TRUE(a1->wait_for(chat_of("c1", "customer")).has_value());

  gw->drop();
  ASSERT_TRUE(connections_reach(net::client_role::gateway, 0));
  // Acknowledged while nobody holds the customer's side: it is in the transcript.
  auto r = a1->call(agent_message("c1", "let me check", "a-1"));
  ASSERT_TRUE(r && r->has_ack()) << show(r);

  auto gw2 = gateway("t1");
  // Forged, another contact's, and an agent token: all refused.
  EXPECT_TRUE(is_error(gw2->call(resume_contact("c1", "AAAA")), pb::UNAUTHENTICATED));
  EXPECT_TRUE(is_error(gw2->call(resume_contact("c1", edge().mint_agent_token("t1", "a1", 1h))),
                       pb::UNAUTHENTICATED));
  EXPECT_TRUE(is_error(gw2->call(resume_contact("nope", token)), pb::UNAUTHENTICATED));
  // The token is the tenant's: a t2 gateway cannot use it.
  auto other = gateway("t2");
  EXPECT_TRUE(is_error(other->call(resume_contact("c1", token)), pb::UNAUTHENTICATED));

  auto resumed = gw2->call(resume_contact("c1", token));
  ASSERT_TRUE(resumed && resumed->has_resumed_contact()) << show(resumed);
  const auto& rc = resumed->resumed_contact();
  EXPECT_EQ(rc.contact_id(), "c1");
  EXPECT_EQ(rc.state(), pb::CONTACT_STATE_CONNECTED);
  EXPECT_EQ(rc.agent(), "a1");
  EXPECT_EQ(rc.agent_name(), "agent a1");
  EXPECT_EQ(rc.queue(), "q1");
  EXPECT_EQ(rc.position(), -1);
  EXPECT_EQ(texts(rc.transcript()), (std::vector<std::string>{"my bill is wrong", "let me check"}));
  ASSERT_EQ(rc.transcript_size(), 2);
  EXPECT_EQ(rc.transcript(1).from(), "agent");
  // The line of the transcript is not pushed again.
  EXPECT_EQ(lines_with(*gw2, "c1", "let me check"), 0);

  ASSERT_TRUE(gw2->call(customer_message("c1", "thanks"))->has_ack());
  auto in = a1->wait_for(chat_of("c1", "customer"));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->chat_line().text(), "thanks");
  ASSERT_TRUE(a1->call(agent_message("c1", "fixed"))->has_ack());
  auto out = gw2->wait_for(chat_of("c1", "agent"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->chat_line().text(), "fixed");
  // Updates follow the contact to the new connection.
  ASSERT_TRUE(a1->call(wrap_up("c1", false))->has_ack());
  EXPECT_TRUE(gw2->wait_for(update_of("c1", "wrap_up")).has_value());
  ASSERT_TRUE(a1->call(wrap_up("c1", true))->has_ack());
  EXPECT_TRUE(gw2->wait_for(update_of("c1", "completed")).has_value());
  // Ended: nothing to resume.
  EXPECT_TRUE(is_error(gw2->call(resume_contact("c1", token)), pb::UNKNOWN_CONTACT));
  EXPECT_EQ(rec_.count(is(event_type::message, "c1")), 4u);
}

TEST_F(continuity_test, an_agent_resuming_mid_chat_gets_its_contacts_and_a_line_sent_meanwhile_once) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_FALSE(connect(*gw, *a1, "c2").empty());
  ASSERT_TRUE(a1->call(agent_message("c2", "hello Ada"))->has_ack());
  ASSERT_TRUE(gw->wait_for(chat_of("c2", "agent")).has_value());

  a1->drop();
  ASSERT_TRUE(node_sees_disconnected("t1", "a1"));
  // Sent while the agent reconnects, twice with the same client id (a lost ack).
  ASSERT_TRUE(gw->call(customer_message("c2", "are you there?", "m-7"))->has_ack());
  ASSERT_TRUE(gw->call(customer_message("c2", "are you there?", "m-7"))->has_ack());
  // Meanwhile a new contact is not offered to the disconnected agent.
  ASSERT_TRUE(gw->call(open_contact("c2b"))->has_contact_opened());
  EXPECT_FALSE(rec_.wait_event(is(event_type::offered, "c2b"), 1, quiet_wait).has_value());

  auto back = client();
  auto w = back->hello_agent(edge().mint_agent_token("t1", "a1", 1h), "t1", true);
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  EXPECT_TRUE(w->welcome().resumed());
  ASSERT_EQ(w->welcome().contacts_size(), 1) << show(w);
  const auto& held = w->welcome().contacts(0);
  EXPECT_EQ(held.contact_id(), "c2");
  EXPECT_EQ(held.state(), pb::CONTACT_STATE_CONNECTED);
  EXPECT_EQ(held.agent(), "a1");
  EXPECT_EQ(held.channel(), pb::CHANNEL_CHAT);
  EXPECT_EQ(held.intent(), "billing");
  EXPECT_EQ(held.customer().id(), "cust-1");
  EXPECT_EQ(held.customer().tier(), 3);
  ASSERT_EQ(held.journey_size(), 1);
  EXPECT_EQ(held.journey(0), "bot:faq");
  bool has_order = false;
  for (const auto& a : held.attached())
    has_order = has_order || (a.key() == "order" && a.value() == "A-1001");
  EXPECT_TRUE(has_order);
  EXPECT_EQ(texts(held.transcript()), (std::vector<std::string>{"hello Ada", "are you there?"}));
  // Exactly once: in the transcript, not pushed as well.
  EXPECT_EQ(lines_with(*back, "c2", "are you there?"), 0);
  // Back, it takes new work again (c2b was waiting).
  EXPECT_TRUE(back->wait_for(offer_of("c2b")).has_value());

  ASSERT_TRUE(back->call(agent_message("c2", "yes, here"))->has_ack());
  auto out = gw->wait_for(chat_of("c2", "agent"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->chat_line().text(), "yes, here");
  ASSERT_TRUE(gw->call(customer_message("c2", "great"))->has_ack());
  auto in = back->wait_for(chat_of("c2", "customer"));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->chat_line().text(), "great");
  EXPECT_EQ(rec_.count(is(event_type::message, "c2")), 4u);
}

TEST_F(continuity_test, after_a_node_restart_agent_and_customer_resume_and_chat_works) {
  std::string token;
  auto agent_token = edge().mint_agent_token("t1", "a1", 1h);
  {
    auto a1 = agent("t1", "a1");
    auto gw = gateway("t1");
    token = connect(*gw, *a1, "c3");
    ASSERT_FALSE(token.empty());
    ASSERT_TRUE(gw->call(customer_message("c3", "before the restart"))->has_ack());
    ASSERT_TRUE(a1->call(agent_message("c3", "noted"))->has_ack());
    restart_node();
  }
  if (HasFatalFailure())
    return;
  auto c = n().find_contact("t1", "c3");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->state, contact_state::connected);

  auto a1 = client();
  auto w = a1->hello_agent(agent_token, "t1", true);
  ASSERT_TRUE(w && w->has_welcome()) << show(w);
  ASSERT_EQ(w->welcome().contacts_size(), 1) << show(w);
  EXPECT_EQ(w->welcome().contacts(0).contact_id(), "c3");
  EXPECT_EQ(texts(w->welcome().contacts(0).transcript()),
            (std::vector<std::string>{"before the restart", "noted"}));

  auto gw = gateway("t1");
  auto resumed = gw->call(resume_contact("c3", token));
  ASSERT_TRUE(resumed && resumed->has_resumed_contact()) << show(resumed);
  EXPECT_EQ(resumed->resumed_contact().state(), pb::CONTACT_STATE_CONNECTED);
  EXPECT_EQ(resumed->resumed_contact().agent(), "a1");
  EXPECT_EQ(resumed->resumed_contact().transcript_size(), 2);

  ASSERT_TRUE(gw->call(customer_message("c3", "after"))->has_ack());
  auto in = a1->wait_for(chat_of("c3", "customer"));
  ASSERT_TRUE(in.has_value()) << a1->error();
  EXPECT_EQ(in->chat_line().text(), "after");
  ASSERT_TRUE(a1->call(agent_message("c3", "welcome back"))->has_ack());
  auto out = gw->wait_for(chat_of("c3", "agent"));
  ASSERT_TRUE(out.has_value()) << gw->error();
  EXPECT_EQ(out->chat_line().text(), "welcome back");
  ASSERT_TRUE(a1->call(wrap_up("c3", true))->has_ack());
  EXPECT_TRUE(gw->wait_for(update_of("c3", "completed")).has_value());
}

/// Short customer grace: a customer whose connection is gone has left soon.
class customer_leaves_test : public edge_fixture {
 protected:
  void configure_node(node_options& o) override {
    o.agent_grace = 20s;
    o.customer_grace = 300ms;
  }
};

TEST_F(customer_leaves_test, a_customer_who_never_comes_back_has_left) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("c4"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("c4"));
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(a1->call(accept_offer("c4", offer->offer().offer_id()))->has_ack());
  ASSERT_TRUE(gw->wait_for(update_of("c4", "connected")).has_value());
  // The agent goes away, so the next contact waits.
  pb::Envelope away;
  away.mutable_set_availability()->set_available(false);
  ASSERT_TRUE(a1->call(away)->has_ack());
  ASSERT_TRUE(gw->call(open_contact("c5"))->has_contact_opened());
  ASSERT_TRUE(gw->wait_for(update_of("c5", "queued")).has_value());

  gw->drop();
  // With an agent: wrap-up, and the agent reads why.
  auto left = a1->wait_for([](const pb::Envelope& e) {
    return e.has_agent_update() && e.agent_update().contact_id() == "c4" &&
           e.agent_update().event() == "customer_left";
  });
  ASSERT_TRUE(left.has_value()) << a1->error();
  EXPECT_EQ(left->agent_update().state(), pb::CONTACT_STATE_WRAP_UP);
  EXPECT_EQ(left->agent_update().detail(), "customer_left");
  // Waiting: abandoned.
  auto gone = rec_.wait_event(is(event_type::abandoned, "c5"));
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->detail, "customer_left");
  auto c4 = n().find_contact("t1", "c4");
  ASSERT_TRUE(c4.ok());
  EXPECT_EQ(c4->state, contact_state::wrap_up);
  ASSERT_TRUE(a1->call(wrap_up("c4", true))->has_ack());
  EXPECT_TRUE(rec_.wait_event(is(event_type::completed, "c4")).has_value());
}

/// A grace period a busy machine reconnects within.
class customer_returns_test : public edge_fixture {
 protected:
  void configure_node(node_options& o) override {
    o.agent_grace = 20s;
    o.customer_grace = 1500ms;
  }
};

TEST_F(customer_returns_test, a_customer_back_within_the_grace_period_has_not_left) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  auto opened = gw->call(open_contact("c6"));
  ASSERT_TRUE(opened && opened->has_contact_opened());
  auto offer = a1->wait_for(offer_of("c6"));
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(a1->call(accept_offer("c6", offer->offer().offer_id()))->has_ack());
  gw->drop();
  auto gw2 = gateway("t1");
  auto r = gw2->call(resume_contact("c6", opened->contact_opened().resume_token()));
  ASSERT_TRUE(r && r->has_resumed_contact()) << show(r);
  // Longer than a grace period after the resume, it is still connected.
  EXPECT_FALSE(rec_.wait_event(is(event_type::wrap_up, "c6"), 1, 2s).has_value());
  EXPECT_EQ(n().find_contact("t1", "c6")->state, contact_state::connected);
}

TEST_F(continuity_test, a_rating_after_completion_is_kept_and_the_agent_cannot_rate) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_FALSE(connect(*gw, *a1, "c7").empty());
  // The agent's outcome says CSAT 5 and a tip: both ignored.
  auto wu = wrap_up("c7", true);
  wu.mutable_wrap_up()->mutable_outcome()->set_tip(50);
  ASSERT_TRUE(a1->call(wu)->has_ack());
  ASSERT_TRUE(gw->wait_for(update_of("c7", "completed")).has_value());
  auto before = a1->call(agent_stats_request());
  ASSERT_TRUE(before && before->has_agent_stats()) << show(before);
  EXPECT_DOUBLE_EQ(before->agent_stats().tips(), 0.0);
  EXPECT_DOUBLE_EQ(before->agent_stats().csat_average(), 0.0);

  // The customer rates afterwards, within the window: kept (journaled `rated`).
  EXPECT_TRUE(is_error(gw->call(rate_contact("c7", 6)), pb::INVALID_ARGUMENT));
  auto r = gw->call(rate_contact("c7", 2, 3.5));
  ASSERT_TRUE(r && r->has_ack()) << show(r);
  auto rated = rec_.wait_event(is(event_type::rated, "c7"));
  ASSERT_TRUE(rated.has_value());
  EXPECT_EQ(rated->detail, "csat=2");
  auto after = a1->call(agent_stats_request());
  ASSERT_TRUE(after && after->has_agent_stats());
  EXPECT_DOUBLE_EQ(after->agent_stats().tips(), 3.5);
  // Once.
  EXPECT_TRUE(gw->call(rate_contact("c7", 5))->has_error());
  EXPECT_EQ(rec_.count(is(event_type::rated, "c7")), 1u);
  // An agent may not rate.
  EXPECT_TRUE(is_error(a1->call(rate_contact("c7", 5)), pb::PERMISSION_DENIED));
  // A contact that never was.
  EXPECT_TRUE(is_error(gw->call(rate_contact("nope", 5)), pb::UNKNOWN_CONTACT));
}

TEST_F(continuity_test, end_contact_with_a_csat_rates_the_contact) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_FALSE(connect(*gw, *a1, "c8").empty());
  ASSERT_TRUE(gw->call(end_contact("c8", 4))->has_ack());
  auto rated = rec_.wait_event(is(event_type::rated, "c8"));
  ASSERT_TRUE(rated.has_value());
  EXPECT_TRUE(a1->wait_for([](const pb::Envelope& e) {
                  return e.has_agent_update() && e.agent_update().event() == "customer_left";
                }).has_value());
  ASSERT_TRUE(a1->call(wrap_up("c8", true))->has_ack());
  EXPECT_TRUE(gw->wait_for(update_of("c8", "completed")).has_value());
  auto st = a1->call(agent_stats_request());
  ASSERT_TRUE(st && st->has_agent_stats());
  EXPECT_DOUBLE_EQ(st->agent_stats().csat_average(), 4.0);  // the customer's, not the agent's 5
}

TEST_F(continuity_test, a_supervisor_reads_the_transcript_of_an_ended_contact) {
  auto a1 = agent("t1", "a1");
  auto gw = gateway("t1");
  ASSERT_FALSE(connect(*gw, *a1, "c9").empty());
  ASSERT_TRUE(gw->call(customer_message("c9", "first"))->has_ack());
  ASSERT_TRUE(a1->call(agent_message("c9", "second"))->has_ack());
  ASSERT_TRUE(gw->call(customer_message("c9", "third"))->has_ack());
  ASSERT_TRUE(a1->call(wrap_up("c9", true))->has_ack());
  ASSERT_TRUE(gw->wait_for(update_of("c9", "completed")).has_value());

  auto sup = supervisor("t1");
  auto t = sup->call(get_transcript("c9"));
  ASSERT_TRUE(t && t->has_transcript()) << show(t);
  EXPECT_EQ(t->transcript().contact_id(), "c9");
  EXPECT_EQ(texts(t->transcript().lines()), (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_EQ(t->transcript().lines(1).from(), "agent");
  for (const auto& l : t->transcript().lines())
    EXPECT_GT(l.at_ms(), 0);
  // Supervisors only; another tenant's contact is unknown.
  EXPECT_TRUE(is_error(gw->call(get_transcript("c9")), pb::PERMISSION_DENIED));
  auto sup2 = supervisor("t2");
  EXPECT_TRUE(is_error(sup2->call(get_transcript("c9")), pb::UNKNOWN_CONTACT));
  EXPECT_TRUE(is_error(sup->call(get_transcript("never")), pb::UNKNOWN_CONTACT));
}

/// A node that dropped tenant t2 from its config (its key is gone), with the same
/// token secret: tokens minted before stop working at once.
class revocation_test : public edge_fixture {
 protected:
  void configure(net::edge_options& o) override { o.tenants = {{"t1", t1_key}}; }
};

TEST_F(revocation_test, tokens_of_a_removed_tenant_or_agent_are_refused) {
  net::token_signer signer{token_secret};
  auto expires = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch() + 1h)
                   .count();
  auto refused = [&](const std::string& tenant, const std::string& agent, const std::string& why) {
    auto c = client();
    auto w = c->hello_agent(signer.mint({tenant, agent, expires}), tenant);
    EXPECT_TRUE(is_error(w, pb::UNAUTHENTICATED)) << show(w);
    if (w && w->has_error()) {
      EXPECT_NE(w->error().message().find(why), std::string::npos) << w->error().message();
    }
    EXPECT_NE(c->wait_closed(), -1);
  };
  refused("t2", "a1", "tenant removed");   // defined in the node, no longer configured
  refused("t1", "ghost", "agent removed");  // validly signed, but not defined
  refused("t9", "a1", "tenant removed");
  // The same signer's token for a defined agent of a configured tenant works.
  auto ok = client();
  auto w = ok->hello_agent(signer.mint({"t1", "a1", expires}), "t1");
  EXPECT_TRUE(w && w->has_welcome()) << show(w);
}

/// Many agents, half of them dropping at once while contacts keep arriving.
class storm_test : public edge_fixture {
 protected:
  void configure_node(node_options& o) override { o.agent_grace = 30s; }
};

TEST_F(storm_test, no_offer_goes_to_a_dropped_agent_and_the_others_serve_the_contacts) {
  constexpr int agents = 40, dropping = 20, contacts = 20;
  auto name = [](int i) { return "s" + std::to_string(100 + i); };
  for (int i = 0; i < agents; ++i) {
    auto p = make_agent("t1", name(i), 2);
    p.languages = {"en"};
    ASSERT_TRUE(n().define_agent(p).ok());
  }
  // The fixture's agents stay logged out; the storm's take every contact.
  std::vector<std::unique_ptr<ws_client>> desks;
  for (int i = 0; i < agents; ++i)
    desks.push_back(agent("t1", name(i)));
  std::set<std::string> dropped;
  for (int i = 0; i < dropping; ++i)
    dropped.insert(name(i));

  // Shared with the node's callback, which outlives this test body.
  struct tally {
    std::set<std::string> dropped;
    std::atomic<bool> counting{false};
    std::atomic<int> to_dropped{0};
    std::atomic<int> total{0};
  };
  auto t = std::make_shared<tally>();
  t->dropped = dropped;
  n().subscribe([t](const event& e) {
    if (e.type != event_type::offered || !t->counting.load())
      return;
    ++t->total;
    if (t->dropped.count(e.agent) > 0)
      ++t->to_dropped;
  });

  auto gw = gateway("t1");
  // Contacts arrive before, during and after the drop.
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(gw->call(open_contact("pre" + std::to_string(i)))->has_contact_opened());
  for (int i = 0; i < dropping; ++i)
    desks[i]->drop();
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(gw->call(open_contact("mid" + std::to_string(i)))->has_contact_opened());
  // From the moment the node knows every drop, no offer may go to them.
  for (int i = 0; i < dropping; ++i)
    ASSERT_TRUE(eventually([&] {
      auto a = n().find_agent("t1", name(i));
      return a.ok() && a->disconnected;
    })) << name(i);
  t->counting = true;
  std::vector<std::string> ids;
  for (int i = 0; i < contacts; ++i) {
    ids.push_back("storm" + std::to_string(i));
    ASSERT_TRUE(gw->call(open_contact(ids.back()))->has_contact_opened());
  }
  // The connected agents accept what they are offered until every storm contact
  // is connected (bounded).
  std::set<std::string> served;
  auto deadline = std::chrono::steady_clock::now() + net_wait;
  while (served.size() < ids.size() && std::chrono::steady_clock::now() < deadline) {
    for (int i = dropping; i < agents; ++i) {
      auto o = desks[i]->wait_for([](const pb::Envelope& e) { return e.has_offer(); }, 10ms);
      if (!o)
        continue;
      auto r = desks[i]->call(accept_offer(o->offer().contact_id(), o->offer().offer_id()));
      ASSERT_TRUE(r && r->has_ack()) << show(r);
      const auto& id = o->offer().contact_id();
      if (std::find(ids.begin(), ids.end(), id) != ids.end())
        served.insert(id);
    }
  }
  t->counting = false;
  EXPECT_EQ(served.size(), ids.size());
  for (const auto& id : ids) {
    auto c = n().find_contact("t1", id);
    ASSERT_TRUE(c.ok()) << id;
    EXPECT_EQ(c->state, contact_state::connected) << id;
    EXPECT_EQ(dropped.count(c->agent), 0u) << id << " is with " << c->agent;
  }
  EXPECT_GE(t->total.load(), contacts);
  EXPECT_EQ(t->to_dropped.load(), 0);

  // They come back and take work again.
  for (int i = 0; i < dropping; ++i) {
    auto c = client();
    auto w = c->hello_agent(edge().mint_agent_token("t1", name(i), 1h), "t1", true);
    ASSERT_TRUE(w && w->has_welcome()) << show(w);
    desks[i] = std::move(c);
  }
  ASSERT_TRUE(gw->call(open_contact("after"))->has_contact_opened());
  EXPECT_TRUE(rec_.wait_event(is(event_type::offered, "after")).has_value());
}

}  // namespace
}  // namespace switchboard::testing
