#include "engine/constraints.h"

#include <gtest/gtest.h>

#include "tests/engine/engine_fixture.h"

namespace switchboard::engine {
namespace {

using testkit::agent_builder;
using testkit::contact_builder;
using testkit::queue_builder;

// One eligible (contact, queue, agent) pair; each test breaks exactly one rule.
struct pair_under_test {
  contact c = contact_builder("c-1").language("en").at(0);
  queue_config q = queue_builder().skill("billing", 70);
  agent_profile a = agent_builder("a-1").skill("billing", 80).language("en").standard_capacity();
  agent_runtime rt = [] {
    agent_runtime r;
    r.logged_in = true;
    return r;
  }();
  step_view step = current_step(q, 0);

  reject_reason check() const { return check_eligibility(c, q, step, a, rt); }
};

TEST(eligibility, a_qualified_free_agent_of_the_same_tenant_is_eligible) {
  pair_under_test p;
  EXPECT_EQ(p.check(), reject_reason::none);
}

TEST(eligibility, agent_of_another_tenant_is_rejected_as_other_tenant) {
  pair_under_test p;
  p.a.tenant = testkit::other_tenant_id;
  EXPECT_EQ(p.check(), reject_reason::other_tenant);
}

TEST(eligibility, queue_of_another_tenant_is_rejected_as_other_tenant) {
  pair_under_test p;
  p.q.tenant = testkit::other_tenant_id;
  EXPECT_EQ(p.check(), reject_reason::other_tenant);
}

TEST(eligibility, tenant_is_checked_before_anything_else) {
  pair_under_test p;
  p.a.tenant = testkit::other_tenant_id;
  p.rt.logged_in = false;
  p.a.languages.clear();
  EXPECT_EQ(p.check(), reject_reason::other_tenant);
}

TEST(eligibility, offline_agent_is_rejected_as_unavailable) {
  pair_under_test p;
  p.rt.logged_in = false;
  EXPECT_EQ(p.check(), reject_reason::unavailable);
}

TEST(eligibility, away_agent_is_rejected_as_unavailable) {
  pair_under_test p;
  p.rt.away = true;
  EXPECT_EQ(p.check(), reject_reason::unavailable);
}

TEST(eligibility, agent_full_on_the_contact_channel_is_rejected_as_no_capacity) {
  pair_under_test p;
  p.rt.load[index(channel::chat)] = 3;
  EXPECT_EQ(p.check(), reject_reason::no_capacity);
}

TEST(eligibility, agent_on_exclusive_voice_has_no_capacity_for_chat) {
  pair_under_test p;
  p.rt.load[index(channel::voice)] = 1;
  EXPECT_EQ(p.check(), reject_reason::no_capacity);
}

TEST(eligibility, agent_on_chat_has_no_capacity_for_exclusive_voice) {
  pair_under_test p;
  p.c.ch = channel::voice;
  p.rt.load[index(channel::chat)] = 1;
  EXPECT_EQ(p.check(), reject_reason::no_capacity);
}

TEST(eligibility, agent_without_the_contact_channel_is_rejected_as_no_capacity) {
  pair_under_test p;
  p.c.ch = channel::sms;
  EXPECT_EQ(p.check(), reject_reason::no_capacity);
}

TEST(eligibility, agent_not_speaking_the_contact_language_is_rejected_as_language) {
  pair_under_test p;
  p.c.language = "de";
  EXPECT_EQ(p.check(), reject_reason::language);
}

TEST(eligibility, a_contact_without_language_takes_any_agent) {
  pair_under_test p;
  p.c.language.clear();
  p.a.languages.clear();
  EXPECT_EQ(p.check(), reject_reason::none);
}

TEST(eligibility, agent_lacking_a_required_skill_is_rejected_as_missing_skill) {
  pair_under_test p;
  p.q.skills.push_back({"legal", 10});
  EXPECT_EQ(p.check(), reject_reason::missing_skill);
}

TEST(eligibility, agent_below_the_minimum_proficiency_is_rejected_as_proficiency) {
  pair_under_test p;
  p.a.skills = {{"billing", 69}};
  EXPECT_EQ(p.check(), reject_reason::proficiency);
  p.a.skills = {{"billing", 70}};
  EXPECT_EQ(p.check(), reject_reason::none) << "the minimum itself is enough";
}

TEST(eligibility, an_overflow_step_lowers_the_minimum_proficiency) {
  pair_under_test p;
  p.q = queue_builder().skill("billing", 70).lower_to(30'000, 50);
  p.a.skills = {{"billing", 55}};
  p.step = current_step(p.q, 29'999);
  EXPECT_EQ(p.check(), reject_reason::proficiency);
  p.step = current_step(p.q, 30'000);
  EXPECT_EQ(p.check(), reject_reason::none);
}

TEST(eligibility, remote_crowd_agent_is_rejected_before_admit_crowd) {
  pair_under_test p;
  p.a.remote = true;
  p.a.level = agent_level::crowd;
  EXPECT_EQ(p.check(), reject_reason::crowd_not_admitted);
}

TEST(eligibility, remote_crowd_agent_is_eligible_once_the_crowd_is_admitted) {
  pair_under_test p;
  p.a.remote = true;
  p.q = queue_builder().skill("billing", 70).crowd_after(20'000);
  p.step = current_step(p.q, 19'999);
  EXPECT_EQ(p.check(), reject_reason::crowd_not_admitted);
  p.step = current_step(p.q, 20'000);
  EXPECT_EQ(p.check(), reject_reason::none);

  p.q = queue_builder().skill("billing", 70).admit_crowd();
  p.step = current_step(p.q, 0);
  EXPECT_EQ(p.check(), reject_reason::none) << "a queue may admit the crowd from the start";
}

TEST(eligibility, the_agent_that_just_declined_is_rejected_as_just_declined) {
  pair_under_test p;
  p.c.last_declined_by = p.a.id;
  EXPECT_EQ(p.check(), reject_reason::just_declined);
  p.c.last_declined_by = "someone-else";
  EXPECT_EQ(p.check(), reject_reason::none);
}

TEST(eligibility, effective_min_is_the_requirement_capped_by_the_step) {
  skill_requirement r{"billing", 70};
  step_view none;
  EXPECT_EQ(effective_min(r, none), 70);
  step_view lower;
  lower.min_proficiency_cap = 40;
  EXPECT_EQ(effective_min(r, lower), 40);
  step_view higher;
  higher.min_proficiency_cap = 90;
  EXPECT_EQ(effective_min(r, higher), 70) << "a step never raises a requirement";
  step_view zero;
  zero.min_proficiency_cap = 0;
  EXPECT_EQ(effective_min(r, zero), 0);
}

TEST(eligibility, reject_reasons_have_names) {
  EXPECT_EQ(to_string(reject_reason::none), "");
  EXPECT_EQ(to_string(reject_reason::other_tenant), "other_tenant");
  EXPECT_EQ(to_string(reject_reason::unavailable), "unavailable");
  EXPECT_EQ(to_string(reject_reason::no_capacity), "no_capacity");
  EXPECT_EQ(to_string(reject_reason::language), "language");
  EXPECT_EQ(to_string(reject_reason::missing_skill), "missing_skill");
  EXPECT_EQ(to_string(reject_reason::proficiency), "proficiency");
  EXPECT_EQ(to_string(reject_reason::crowd_not_admitted), "crowd_not_admitted");
  EXPECT_EQ(to_string(reject_reason::just_declined), "just_declined");
}

}  // namespace
}  // namespace switchboard::engine
