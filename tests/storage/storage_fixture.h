#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

#include "tests/testkit/temp_dir.h"
#include "engine/contact.h"
#include "engine/journal.h"
#include "engine/learned_stats.h"
#include "engine/profiles.h"
#include "engine/routing_domain.h"

/// Shared helpers of the storage tests: a temporary directory and sample records
/// with every field set to a non-default value.
namespace switchboard::storage::testing {

using testkit::temp_dir;

inline engine::tenant_config sample_tenant(std::string id = "acme") {
  engine::tenant_config t;
  t.id = std::move(id);
  t.name = "Acme Telecom";
  t.default_policy = engine::policy_kind::skills;
  t.ring_no_answer_limit = 4;
  t.decline_cooldown = 12345;
  t.weights = {1.25, 2.5, 0.75, 0.125, 3.0};
  return t;
}

inline engine::queue_config sample_queue(std::string tenant = "acme", std::string id = "billing") {
  engine::queue_config q;
  q.tenant = std::move(tenant);
  q.id = std::move(id);
  q.name = "Billing questions";
  q.skills = {{"billing", 40}, {"french", 70}};
  q.languages = {"fr", "en"};
  q.channel_mask = 0b1000101;  // voice, chat, email
  q.admit_crowd = true;
  q.priority = 7;
  q.sl_target = 0.9;
  q.sl_threshold = 30000;
  q.max_waiting = 250;
  q.max_wait = 600000;
  q.overflow = {{60000, 30, false, ""}, {120000, -1, true, "general"}};
  q.offer_timeout = 12000;
  q.policy = engine::policy_kind::longest_idle;
  return q;
}

inline engine::agent_profile sample_agent(std::string tenant = "acme", std::string id = "a1") {
  engine::agent_profile a;
  a.tenant = std::move(tenant);
  a.id = std::move(id);
  a.name = "Ana";
  a.skills = {{"billing", 80}, {"french", 95}};
  a.languages = {"fr", "pt"};
  a.capacity[engine::index(engine::channel::voice)] = {1, true};
  a.capacity[engine::index(engine::channel::chat)] = {3, false};
  a.capacity[engine::index(engine::channel::email)] = {5, false};
  a.level = engine::agent_level::expert;
  a.remote = true;
  a.tips = 12.5;
  return a;
}

inline engine::customer_profile sample_customer(std::string tenant = "acme",
                                                std::string id = "cust1") {
  engine::customer_profile c;
  c.tenant = std::move(tenant);
  c.id = std::move(id);
  c.tier = 4;
  c.arpu = 89.5;
  c.segments = {"gold", "family"};
  c.language = "fr";
  c.region = "eu-west";
  c.account_manager = "a1";
  c.last_agent = "a2";
  c.history = {{1000, engine::channel::voice, "billing", "a2", true},
               {2000, engine::channel::wechat, "upgrade", "a1", false}};
  c.complaint_risk = 0.25;
  c.churn_risk = 0.5;
  c.purchase_intents = {"fiber", "tv"};
  c.preferred_channel = engine::channel::app;
  return c;
}

inline engine::contact sample_contact(std::string tenant = "acme", std::string id = "c1",
                                      std::uint64_t seq = 1) {
  engine::contact c;
  c.tenant = std::move(tenant);
  c.id = std::move(id);
  c.customer = "cust1";
  c.ch = engine::channel::sms;
  c.intent = "billing";
  c.language = "fr";
  c.priority = 3;
  c.queue = "billing";
  c.attached = {{"order", "42"}, {"ivr", "1-3"}};
  c.journey = {"ivr:menu", "queue:billing"};
  c.state = engine::contact_state::offered;
  c.created_at = 1000;
  c.enqueued_at = 1500;
  c.seq = seq;
  c.agent = "a1";
  c.last_declined_by = "a3";
  c.offers = 2;
  c.segment = "gold";
  return c;
}

inline engine::outcome sample_outcome() {
  engine::outcome o;
  o.resolved = true;
  o.sale = true;
  o.sale_amount = 49.99;
  o.csat = 5;
  o.complaint = true;
  o.disposition = "upsell";
  o.notes = "customer happy, ça marche";
  o.tip = 2.5;
  return o;
}

inline engine::routing_decision sample_decision() {
  engine::routing_decision d;
  d.contact = "c1";
  d.queue = "billing";
  d.agent = "a1";
  d.policy = engine::policy_kind::profile;
  d.step = 1;
  d.at = 1600;
  d.considered = 12;
  engine::candidate best;
  best.agent = "a1";
  best.terms = {0.8, 1.0, 0.5, 0.25, 0.125, 2.675};
  engine::candidate rejected;
  rejected.agent = "a3";
  rejected.rejected = engine::reject_reason::just_declined;
  d.candidates = {best, rejected};
  return d;
}

inline engine::journal_event sample_event(std::string tenant, std::string contact,
                                          engine::time_ms at,
                                          engine::event_type type = engine::event_type::queued) {
  engine::journal_event e;
  e.at = at;
  e.tenant = std::move(tenant);
  e.contact = std::move(contact);
  e.type = type;
  e.from = engine::contact_state::created;
  e.to = engine::contact_state::queued;
  e.queue = "billing";
  e.agent = "a1";
  e.detail = "at " + std::to_string(at);
  return e;
}

inline engine::learned_record sample_learned(std::string agent = "a1",
                                             std::string intent = "billing",
                                             std::string segment = "gold") {
  engine::learned_record r;
  r.agent = std::move(agent);
  r.intent = std::move(intent);
  r.segment = std::move(segment);
  r.stats = {10, 7, 2, 41.0, 9, 1234567.5, 3, 99.5};
  return r;
}

}  // namespace switchboard::storage::testing
