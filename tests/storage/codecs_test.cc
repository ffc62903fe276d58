#include "storage/codecs.h"

#include <gtest/gtest.h>

#include "storage/errors.h"
#include "tests/storage/storage_fixture.h"

namespace switchboard::storage {
namespace {

using engine::errc;
using namespace storage::testing;

// -- round trips --------------------------------------------------------------

TEST(codecs, tenant_round_trips_every_field) {
  auto in = sample_tenant();
  auto out = decode_tenant(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->name, in.name);
  EXPECT_EQ(out->default_policy, engine::policy_kind::skills);
  EXPECT_EQ(out->ring_no_answer_limit, 4u);
  EXPECT_EQ(out->decline_cooldown, 12345);
  EXPECT_EQ(out->weights.skill, 1.25);
  EXPECT_EQ(out->weights.affinity, 2.5);
  EXPECT_EQ(out->weights.value, 0.75);
  EXPECT_EQ(out->weights.fairness, 0.125);
  EXPECT_EQ(out->weights.aging, 3.0);
}

TEST(codecs, tenant_without_weights_gets_the_engine_defaults) {
  pb::Tenant m;
  m.set_id("acme");
  m.set_default_policy(pb::ROUTING_POLICY_PROFILE);
  auto out = from_proto(m);
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->weights.affinity, engine::score_weights{}.affinity);
  EXPECT_EQ(out->default_policy, engine::policy_kind::profile);
}

TEST(codecs, tenant_round_trips_its_routing_settings) {
  auto in = sample_tenant();
  in.objective = {1.5, 2.0, 0.4, 0.2, 1.1, 2.5, 0.75};
  in.fairness_bound = 0.05;
  in.manager_wait = 45'000;
  in.team_wait = 0;
  in.min_level_by_tier[4] = engine::agent_level::senior;
  in.min_level_by_tier[5] = engine::agent_level::expert;
  in.complaint_alert = 0;
  in.repeat_window = 3'600'000;
  in.experiment = {1'800'000, engine::policy_kind::skills};
  auto out = decode_tenant(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->objective.resolution, 1.5);
  EXPECT_EQ(out->objective.sale, 2.0);
  EXPECT_EQ(out->objective.csat, 0.4);
  EXPECT_EQ(out->objective.handle_time, 0.2);
  EXPECT_EQ(out->objective.complaint, 1.1);
  EXPECT_EQ(out->objective.deescalation, 2.5);
  EXPECT_EQ(out->objective.purchase, 0.75);
  EXPECT_EQ(out->fairness_bound, 0.05);
  EXPECT_EQ(out->manager_wait, 45'000);
  EXPECT_EQ(out->team_wait, 0) << "0 is a value, not absent";
  EXPECT_EQ(out->min_level_by_tier, in.min_level_by_tier);
  EXPECT_EQ(out->complaint_alert, 0.0);
  EXPECT_EQ(out->repeat_window, 3'600'000);
  EXPECT_EQ(out->experiment.slice, 1'800'000);
  EXPECT_EQ(out->experiment.baseline, engine::policy_kind::skills);
}

TEST(codecs, routing_settings_left_out_keep_the_engine_defaults) {
  pb::Tenant m;
  m.set_id("acme");
  m.set_default_policy(pb::ROUTING_POLICY_PROFILE);
  m.mutable_objective()->set_sale(4);  // only one weight given
  auto out = from_proto(m);
  ASSERT_TRUE(out.ok()) << out.err().message;
  engine::tenant_config defaults;
  EXPECT_EQ(out->objective.sale, 4.0);
  EXPECT_EQ(out->objective.resolution, defaults.objective.resolution);
  EXPECT_EQ(out->objective.deescalation, defaults.objective.deescalation);
  EXPECT_EQ(out->fairness_bound, defaults.fairness_bound);
  EXPECT_EQ(out->manager_wait, defaults.manager_wait);
  EXPECT_EQ(out->complaint_alert, defaults.complaint_alert);
  EXPECT_EQ(out->repeat_window, defaults.repeat_window);
  EXPECT_EQ(out->experiment.slice, 0);
  for (auto l : out->min_level_by_tier)
    EXPECT_EQ(l, engine::agent_level::crowd);
  m.add_min_level_by_tier(pb::AGENT_LEVEL_EXPERT);
  for (int i = 0; i < 6; ++i)
    m.add_min_level_by_tier(pb::AGENT_LEVEL_UNSPECIFIED);
  auto too_many = from_proto(m);
  ASSERT_FALSE(too_many.ok()) << "seven tiers";
  EXPECT_NE(too_many.err().message.find("min_level_by_tier"), std::string::npos);
}

TEST(codecs, queue_agent_history_and_decision_keep_the_recommenders_fields) {
  auto q = sample_queue();
  q.min_level = engine::agent_level::senior;
  q.own_objective = true;
  q.objective.sale = 5;
  auto qo = from_proto(to_proto(q));
  ASSERT_TRUE(qo.ok()) << qo.err().message;
  EXPECT_EQ(qo->min_level, engine::agent_level::senior);
  EXPECT_TRUE(qo->own_objective);
  EXPECT_EQ(qo->objective.sale, 5.0);
  EXPECT_EQ(qo->objective.csat, engine::objective_weights{}.csat);
  auto plain = from_proto(to_proto(sample_queue()));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->own_objective);
  EXPECT_EQ(plain->min_level, engine::agent_level::crowd);

  engine::agent_profile a;
  a.tenant = "acme";
  a.id = "ann";
  a.capacity[engine::index(engine::channel::chat)] = {1, false};
  a.team = "gold-team";
  auto ao = from_proto(to_proto(a));
  ASSERT_TRUE(ao.ok()) << ao.err().message;
  EXPECT_EQ(ao->team, "gold-team");

  engine::customer_profile c;
  c.tenant = "acme";
  c.id = "cu";
  c.history.push_back({5, engine::channel::voice, "billing", "ann", false, true});
  auto co = from_proto(to_proto(c));
  ASSERT_TRUE(co.ok()) << co.err().message;
  ASSERT_EQ(co->history.size(), 1u);
  EXPECT_TRUE(co->history[0].complaint);

  engine::routing_decision d;
  d.contact = "c";
  d.queue = "q";
  d.agent = "ann";
  d.batch = true;
  auto dout = decode_decision(encode(d));
  ASSERT_TRUE(dout.ok()) << dout.err().message;
  EXPECT_TRUE(dout->batch);
  d.batch = false;
  EXPECT_FALSE(decode_decision(encode(d))->batch);
}

TEST(codecs, queue_round_trips_every_field_and_the_channel_mask) {
  auto in = sample_queue();
  auto m = to_proto(in);
  ASSERT_EQ(m.channels_size(), 3);
  EXPECT_EQ(m.channels(0), pb::CHANNEL_VOICE);
  EXPECT_EQ(m.channels(1), pb::CHANNEL_CHAT);
  EXPECT_EQ(m.channels(2), pb::CHANNEL_EMAIL);

  auto out = decode_queue(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->tenant, "acme");
  EXPECT_EQ(out->id, "billing");
  EXPECT_EQ(out->name, in.name);
  ASSERT_EQ(out->skills.size(), 2u);
  EXPECT_EQ(out->skills[1].skill, "french");
  EXPECT_EQ(out->skills[1].min_proficiency, 70);
  EXPECT_EQ(out->languages, in.languages);
  EXPECT_EQ(out->channel_mask, in.channel_mask);
  EXPECT_TRUE(out->accepts(engine::channel::chat));
  EXPECT_FALSE(out->accepts(engine::channel::video));
  EXPECT_TRUE(out->admit_crowd);
  EXPECT_EQ(out->priority, 7);
  EXPECT_EQ(out->sl_target, 0.9);
  EXPECT_EQ(out->sl_threshold, 30000);
  EXPECT_EQ(out->max_waiting, 250u);
  EXPECT_EQ(out->max_wait, 600000);
  ASSERT_EQ(out->overflow.size(), 2u);
  EXPECT_EQ(out->overflow[0].after, 60000);
  EXPECT_EQ(out->overflow[0].min_proficiency, 30);
  EXPECT_FALSE(out->overflow[0].admit_crowd);
  EXPECT_EQ(out->overflow[1].min_proficiency, -1);
  EXPECT_TRUE(out->overflow[1].admit_crowd);
  EXPECT_EQ(out->overflow[1].move_to_queue, "general");
  EXPECT_EQ(out->offer_timeout, 12000);
  EXPECT_EQ(out->policy, engine::policy_kind::longest_idle);
}

TEST(codecs, queue_accepting_every_channel_lists_all_seven) {
  auto in = sample_queue();
  in.channel_mask = 0x7f;
  EXPECT_EQ(to_proto(in).channels_size(), 7);
  auto out = decode_queue(encode(in));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->channel_mask, 0x7f);
}

TEST(codecs, queue_without_channels_decodes_to_an_empty_mask) {
  auto m = to_proto(sample_queue());
  m.clear_channels();
  auto out = from_proto(m);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->channel_mask, 0);
}

TEST(codecs, agent_round_trips_skills_and_per_channel_capacity) {
  auto in = sample_agent();
  auto out = decode_agent(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->tenant, "acme");
  EXPECT_EQ(out->id, "a1");
  EXPECT_EQ(out->name, "Ana");
  ASSERT_EQ(out->skills.size(), 2u);
  EXPECT_EQ(out->skills[0].name, "billing");
  EXPECT_EQ(out->skills[0].proficiency, 80);
  EXPECT_EQ(out->languages, in.languages);
  for (std::size_t i = 0; i < engine::channel_count; ++i) {
    EXPECT_EQ(out->capacity[i].max, in.capacity[i].max) << "channel " << i;
    EXPECT_EQ(out->capacity[i].exclusive, in.capacity[i].exclusive) << "channel " << i;
  }
  EXPECT_EQ(out->level, engine::agent_level::expert);
  EXPECT_TRUE(out->remote);
  EXPECT_EQ(out->tips, 12.5);
}

TEST(codecs, agent_capacity_lists_only_channels_with_capacity) {
  auto m = to_proto(sample_agent());
  ASSERT_EQ(m.capacity_size(), 3);
  EXPECT_EQ(m.capacity(0).channel(), pb::CHANNEL_VOICE);
  EXPECT_TRUE(m.capacity(0).exclusive());
  EXPECT_EQ(m.capacity(1).channel(), pb::CHANNEL_CHAT);
  EXPECT_EQ(m.capacity(1).max(), 3u);
  EXPECT_EQ(m.capacity(2).channel(), pb::CHANNEL_EMAIL);
}

TEST(codecs, customer_round_trips_history_and_preferred_channel) {
  auto in = sample_customer();
  auto out = decode_customer(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->tenant, "acme");
  EXPECT_EQ(out->id, "cust1");
  EXPECT_EQ(out->tier, 4);
  EXPECT_EQ(out->arpu, 89.5);
  EXPECT_EQ(out->segments, in.segments);
  EXPECT_EQ(out->language, "fr");
  EXPECT_EQ(out->region, "eu-west");
  EXPECT_EQ(out->account_manager, "a1");
  EXPECT_EQ(out->last_agent, "a2");
  ASSERT_EQ(out->history.size(), 2u);
  EXPECT_EQ(out->history[1].at, 2000);
  EXPECT_EQ(out->history[1].ch, engine::channel::wechat);
  EXPECT_EQ(out->history[1].intent, "upgrade");
  EXPECT_EQ(out->history[1].agent, "a1");
  EXPECT_TRUE(out->history[0].resolved);
  EXPECT_FALSE(out->history[1].resolved);
  EXPECT_EQ(out->complaint_risk, 0.25);
  EXPECT_EQ(out->churn_risk, 0.5);
  EXPECT_EQ(out->purchase_intents, in.purchase_intents);
  EXPECT_EQ(out->preferred_channel, engine::channel::app);
}

TEST(codecs, customer_without_preferred_channel_comes_back_without_one) {
  auto in = sample_customer();
  in.preferred_channel.reset();
  EXPECT_EQ(to_proto(in).preferred_channel(), pb::CHANNEL_UNSPECIFIED);
  auto out = decode_customer(encode(in));
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->preferred_channel.has_value());
}

TEST(codecs, voice_as_preferred_channel_is_not_confused_with_none) {
  auto in = sample_customer();
  in.preferred_channel = engine::channel::voice;
  auto out = decode_customer(encode(in));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->preferred_channel, engine::channel::voice);
}

TEST(codecs, contact_round_trips_every_field) {
  auto in = sample_contact("acme", "c1", 77);
  auto out = decode_contact(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->tenant, "acme");
  EXPECT_EQ(out->id, "c1");
  EXPECT_EQ(out->customer, "cust1");
  EXPECT_EQ(out->ch, engine::channel::sms);
  EXPECT_EQ(out->intent, "billing");
  EXPECT_EQ(out->language, "fr");
  EXPECT_EQ(out->priority, 3);
  EXPECT_EQ(out->queue, "billing");
  EXPECT_EQ(out->attached, in.attached);
  EXPECT_EQ(out->journey, in.journey);
  EXPECT_EQ(out->state, engine::contact_state::offered);
  EXPECT_EQ(out->created_at, 1000);
  EXPECT_EQ(out->enqueued_at, 1500);
  EXPECT_EQ(out->seq, 77u);
  EXPECT_EQ(out->agent, "a1");
  EXPECT_EQ(out->last_declined_by, "a3");
  EXPECT_EQ(out->offers, 2u);
  EXPECT_EQ(out->segment, "gold");
}

TEST(codecs, outcome_round_trips_every_field) {
  auto in = sample_outcome();
  auto out = decode_outcome(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_TRUE(out->resolved);
  EXPECT_TRUE(out->sale);
  EXPECT_EQ(out->sale_amount, 49.99);
  EXPECT_EQ(out->csat, 5);
  EXPECT_TRUE(out->complaint);
  EXPECT_EQ(out->disposition, "upsell");
  EXPECT_EQ(out->notes, in.notes);
  EXPECT_EQ(out->tip, 2.5);
}

TEST(codecs, decision_round_trips_candidates_and_reject_reasons) {
  auto in = sample_decision();
  auto m = to_proto(in);
  EXPECT_EQ(m.candidates(0).rejected(), "");
  EXPECT_EQ(m.candidates(1).rejected(), "just_declined");

  auto out = decode_decision(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->contact, "c1");
  EXPECT_EQ(out->queue, "billing");
  EXPECT_EQ(out->agent, "a1");
  EXPECT_EQ(out->policy, engine::policy_kind::profile);
  EXPECT_EQ(out->step, 1);
  EXPECT_EQ(out->at, 1600);
  EXPECT_EQ(out->considered, 12u);
  ASSERT_EQ(out->candidates.size(), 2u);
  const auto& best = out->candidates[0];
  EXPECT_EQ(best.agent, "a1");
  EXPECT_EQ(best.rejected, engine::reject_reason::none);
  EXPECT_EQ(best.terms.skill, 0.8);
  EXPECT_EQ(best.terms.affinity, 1.0);
  EXPECT_EQ(best.terms.value, 0.5);
  EXPECT_EQ(best.terms.fairness, 0.25);
  EXPECT_EQ(best.terms.aging, 0.125);
  EXPECT_EQ(best.terms.total, 2.675);
  EXPECT_EQ(out->candidates[1].rejected, engine::reject_reason::just_declined);
}

TEST(codecs, every_reject_reason_round_trips_by_name) {
  for (auto r : {engine::reject_reason::none, engine::reject_reason::other_tenant,
                 engine::reject_reason::unavailable, engine::reject_reason::no_capacity,
                 engine::reject_reason::language, engine::reject_reason::missing_skill,
                 engine::reject_reason::proficiency, engine::reject_reason::crowd_not_admitted,
                 engine::reject_reason::just_declined}) {
    auto d = sample_decision();
    d.candidates[1].rejected = r;
    auto out = decode_decision(encode(d));
    ASSERT_TRUE(out.ok()) << out.err().message;
    EXPECT_EQ(out->candidates[1].rejected, r) << engine::to_string(r);
  }
}

TEST(codecs, decision_keeps_whether_an_agent_triggered_it) {
  auto in = sample_decision();
  in.agent_triggered = true;
  auto out = decode_decision(encode(in));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->agent_triggered);
}

TEST(codecs, journal_event_round_trips_with_outcome_and_decision) {
  auto in = sample_event("acme", "c1", 5000, engine::event_type::completed);
  in.seq = 99;
  in.from = engine::contact_state::wrap_up;
  in.to = engine::contact_state::completed;
  in.result = sample_outcome();
  in.decision = sample_decision();
  EXPECT_EQ(to_proto(in).type(), "completed");

  auto out = decode_journal_event(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->seq, 99u);
  EXPECT_EQ(out->at, 5000);
  EXPECT_EQ(out->tenant, "acme");
  EXPECT_EQ(out->contact, "c1");
  EXPECT_EQ(out->type, engine::event_type::completed);
  EXPECT_EQ(out->from, engine::contact_state::wrap_up);
  EXPECT_EQ(out->to, engine::contact_state::completed);
  EXPECT_EQ(out->queue, "billing");
  EXPECT_EQ(out->agent, "a1");
  EXPECT_EQ(out->detail, "at 5000");
  ASSERT_TRUE(out->result.has_value());
  EXPECT_EQ(out->result->csat, 5);
  EXPECT_EQ(out->result->disposition, "upsell");
  ASSERT_TRUE(out->decision.has_value());
  EXPECT_EQ(out->decision->candidates.size(), 2u);
  EXPECT_EQ(out->decision->agent, "a1");
}

TEST(codecs, journal_event_without_outcome_or_decision_has_neither) {
  auto in = sample_event("acme", "", 10, engine::event_type::agent_login);
  auto out = decode_journal_event(encode(in));
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_FALSE(out->result.has_value());
  EXPECT_FALSE(out->decision.has_value());
  EXPECT_EQ(out->type, engine::event_type::agent_login);
  EXPECT_TRUE(out->contact.empty());
}

TEST(codecs, journal_event_with_an_all_default_outcome_keeps_it) {
  auto in = sample_event("acme", "c1", 10, engine::event_type::abandoned);
  in.result = engine::outcome{};
  auto out = decode_journal_event(encode(in));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->result.has_value());
  EXPECT_FALSE(out->decision.has_value());
}

TEST(codecs, every_event_type_round_trips_by_name) {
  for (int i = 1; i <= 23; ++i) {
    auto t = static_cast<engine::event_type>(i);
    if (!engine::parse_event_type(engine::to_string(t)))
      continue;  // not a defined value
    auto in = sample_event("acme", "c1", 1, t);
    auto out = decode_journal_event(encode(in));
    ASSERT_TRUE(out.ok()) << out.err().message;
    EXPECT_EQ(out->type, t) << engine::to_string(t);
  }
}

TEST(codecs, learned_record_takes_its_agent_from_the_caller) {
  auto in = sample_learned("a7", "billing", "gold");
  auto out = decode_learned(encode(in), "a7");
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(out->agent, "a7");
  EXPECT_EQ(out->intent, "billing");
  EXPECT_EQ(out->segment, "gold");
  EXPECT_EQ(out->stats.handled, 10u);
  EXPECT_EQ(out->stats.resolved, 7u);
  EXPECT_EQ(out->stats.sales, 2u);
  EXPECT_EQ(out->stats.csat_sum, 41.0);
  EXPECT_EQ(out->stats.csat_count, 9u);
  EXPECT_EQ(out->stats.handle_ms_sum, 1234567.5);
  EXPECT_EQ(out->stats.complaints, 3u);
  EXPECT_EQ(out->stats.sale_amount_sum, 99.5);
}

// -- enums --------------------------------------------------------------------

TEST(codecs, engine_enums_map_to_proto_values_plus_one) {
  for (int i = 0; i < static_cast<int>(engine::channel_count); ++i) {
    auto c = static_cast<engine::channel>(i);
    EXPECT_EQ(static_cast<int>(to_proto(c)), i + 1);
    auto back = channel_from_proto(to_proto(c), "test");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, c);
  }
  EXPECT_EQ(to_proto(engine::channel::voice), pb::CHANNEL_VOICE);
  EXPECT_EQ(to_proto(engine::channel::email), pb::CHANNEL_EMAIL);
  EXPECT_EQ(to_proto(engine::contact_state::created), pb::CONTACT_STATE_NEW);
  EXPECT_EQ(to_proto(engine::contact_state::failed), pb::CONTACT_STATE_FAILED);
  EXPECT_EQ(to_proto(engine::agent_level::crowd), pb::AGENT_LEVEL_CROWD);
  EXPECT_EQ(to_proto(engine::agent_level::expert), pb::AGENT_LEVEL_EXPERT);
  EXPECT_EQ(to_proto(engine::policy_kind::longest_idle), pb::ROUTING_POLICY_LONGEST_IDLE);
  EXPECT_EQ(to_proto(engine::policy_kind::profile), pb::ROUTING_POLICY_PROFILE);
  for (int v = 1; v <= pb::ContactState_MAX; ++v) {
    auto s = state_from_proto(v, "test");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(static_cast<int>(to_proto(*s)), v);
  }
  for (int v = 1; v <= pb::AgentLevel_MAX; ++v)
    EXPECT_EQ(static_cast<int>(to_proto(*level_from_proto(v, "test"))), v);
  for (int v = 1; v <= pb::RoutingPolicy_MAX; ++v)
    EXPECT_EQ(static_cast<int>(to_proto(*policy_from_proto(v, "test"))), v);
}

TEST(codecs, unspecified_and_unknown_enum_values_are_corrupt_records) {
  for (int v : {0, -1, 8, 1000}) {
    EXPECT_EQ(channel_from_proto(v, "x").code(), errors::corrupt_record) << v;
  }
  EXPECT_EQ(state_from_proto(0, "x").code(), errors::corrupt_record);
  EXPECT_EQ(state_from_proto(10, "x").code(), errors::corrupt_record);
  EXPECT_EQ(level_from_proto(0, "x").code(), errors::corrupt_record);
  EXPECT_EQ(level_from_proto(5, "x").code(), errors::corrupt_record);
  EXPECT_EQ(policy_from_proto(0, "x").code(), errors::corrupt_record);
  EXPECT_EQ(policy_from_proto(4, "x").code(), errors::corrupt_record);
}

TEST(codecs, records_with_unspecified_enums_do_not_decode) {
  auto contact = to_proto(sample_contact());
  contact.set_channel(pb::CHANNEL_UNSPECIFIED);
  auto c = from_proto(contact);
  EXPECT_EQ(c.code(), errors::corrupt_record);
  EXPECT_NE(c.err().message.find("acme/c1"), std::string::npos) << c.err().message;

  contact = to_proto(sample_contact());
  contact.set_state(pb::CONTACT_STATE_UNSPECIFIED);
  EXPECT_EQ(from_proto(contact).code(), errors::corrupt_record);

  auto tenant = to_proto(sample_tenant());
  tenant.set_default_policy(pb::ROUTING_POLICY_UNSPECIFIED);
  EXPECT_EQ(from_proto(tenant).code(), errors::corrupt_record);

  auto queue = to_proto(sample_queue());
  queue.add_channels(static_cast<pb::Channel>(42));
  EXPECT_EQ(from_proto(queue).code(), errors::corrupt_record);

  auto agent = to_proto(sample_agent());
  agent.set_level(pb::AGENT_LEVEL_UNSPECIFIED);
  EXPECT_EQ(from_proto(agent).code(), errors::corrupt_record);

  agent = to_proto(sample_agent());
  agent.mutable_capacity(0)->set_channel(pb::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(from_proto(agent).code(), errors::corrupt_record);

  auto customer = to_proto(sample_customer());
  customer.mutable_history(0)->set_channel(pb::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(from_proto(customer).code(), errors::corrupt_record);

  customer = to_proto(sample_customer());
  customer.set_preferred_channel(static_cast<pb::Channel>(9));
  EXPECT_EQ(from_proto(customer).code(), errors::corrupt_record);

  auto decision = to_proto(sample_decision());
  decision.set_policy(pb::ROUTING_POLICY_UNSPECIFIED);
  EXPECT_EQ(from_proto(decision).code(), errors::corrupt_record);

  auto event = to_proto(sample_event("acme", "c1", 1));
  event.set_to(pb::CONTACT_STATE_UNSPECIFIED);
  EXPECT_EQ(from_proto(event).code(), errors::corrupt_record);

  event = to_proto(sample_event("acme", "c1", 1));
  event.mutable_decision()->set_policy(static_cast<pb::RoutingPolicy>(7));
  EXPECT_EQ(from_proto(event).code(), errors::corrupt_record);
}

TEST(codecs, unknown_event_type_is_a_corrupt_record) {
  auto m = to_proto(sample_event("acme", "c1", 1));
  m.set_type("teleported");
  auto out = from_proto(m);
  EXPECT_EQ(out.code(), errors::corrupt_record);
  EXPECT_NE(out.err().message.find("teleported"), std::string::npos);
}

TEST(codecs, unknown_reject_reason_is_a_corrupt_record) {
  auto m = to_proto(sample_decision());
  m.mutable_candidates(1)->set_rejected("too_tired");
  EXPECT_EQ(from_proto(m).code(), errors::corrupt_record);
}

TEST(codecs, capacity_listed_twice_for_a_channel_is_a_corrupt_record) {
  auto m = to_proto(sample_agent());
  *m.add_capacity() = m.capacity(1);
  EXPECT_EQ(from_proto(m).code(), errors::corrupt_record);
}

// -- bytes --------------------------------------------------------------------

TEST(codecs, unparsable_bytes_are_corrupt_records_naming_the_record) {
  // Field 1, length-delimited, claims 5 bytes but 2 follow.
  const std::string truncated("\x0a\x05" "ab", 4);
  // A varint that never ends.
  const std::string endless(11, '\xff');
  for (const auto& bytes : {truncated, endless}) {
    auto t = decode_tenant(bytes);
    EXPECT_EQ(t.code(), errors::corrupt_record);
    if (!t.ok()) {
      EXPECT_NE(t.err().message.find("Tenant"), std::string::npos) << t.err().message;
    }
    EXPECT_EQ(decode_queue(bytes).code(), errors::corrupt_record);
    EXPECT_EQ(decode_agent(bytes).code(), errors::corrupt_record);
    EXPECT_EQ(decode_customer(bytes).code(), errors::corrupt_record);
    auto c = decode_contact(bytes);
    EXPECT_EQ(c.code(), errors::corrupt_record);
    if (!c.ok()) {
      EXPECT_NE(c.err().message.find("Contact"), std::string::npos) << c.err().message;
    }
    EXPECT_EQ(decode_outcome(bytes).code(), errors::corrupt_record);
    EXPECT_EQ(decode_decision(bytes).code(), errors::corrupt_record);
    EXPECT_EQ(decode_journal_event(bytes).code(), errors::corrupt_record);
    EXPECT_EQ(decode_learned(bytes, "a1").code(), errors::corrupt_record);
  }
}

TEST(codecs, empty_bytes_are_not_a_contact_because_its_enums_are_unspecified) {
  EXPECT_EQ(decode_contact("").code(), errors::corrupt_record);
  EXPECT_EQ(decode_journal_event("").code(), errors::corrupt_record);
}

TEST(codecs, invalid_utf8_is_caught_before_it_is_stored) {
  auto c = sample_contact();
  c.intent = "bill\xff" "ing";
  auto s = check_utf8(to_proto(c), "contact acme/c1");
  EXPECT_EQ(s.code(), errc::invalid_argument);
  EXPECT_NE(s.err().message.find("intent"), std::string::npos) << s.err().message;

  auto e = sample_event("acme", "c1", 1);
  e.decision = sample_decision();
  e.decision->candidates[0].agent = "\xc0\xaf";  // overlong '/'
  EXPECT_EQ(check_utf8(to_proto(e), "event").code(), errc::invalid_argument);

  auto q = sample_queue();
  q.languages.push_back("\xed\xa0\x80");  // a surrogate
  EXPECT_EQ(check_utf8(to_proto(q), "queue").code(), errc::invalid_argument);

  EXPECT_TRUE(check_utf8(to_proto(sample_customer()), "customer").ok());
}

TEST(codecs, valid_utf8_accepts_multibyte_text_and_rejects_malformed_sequences) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("ça marche, 你好, \xf0\x9f\x98\x80"));
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_FALSE(valid_utf8("\x80"));
  EXPECT_FALSE(valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xe4\xbd"));          // truncated
  EXPECT_FALSE(valid_utf8("\xc1\xbf"));          // overlong
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(valid_utf8("\xed\xb0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xe4\x41\xa0"));      // bad continuation
}

}  // namespace
}  // namespace switchboard::storage
