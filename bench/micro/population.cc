#include "bench/micro/population.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace switchboard::bench::micro {

namespace {

std::string numbered(const char* prefix, std::uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%06llu", prefix, static_cast<unsigned long long>(i));
  return buf;
}

}  // namespace

std::string agent_id(std::size_t i) { return numbered("agent-", i); }
std::string queue_id(std::size_t i) { return numbered("q-", i); }
std::string skill_id(std::size_t i) { return numbered("skill-", i); }
std::string customer_id(std::size_t i) { return numbered("cust-", i); }
std::string contact_id(std::uint64_t i) { return numbered("c-", i); }

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "benchmark setup failed: %s\n", what);
    std::abort();
  }
}

engine::tenant_config make_tenant() {
  engine::tenant_config t;
  t.id = tenant_id;
  t.name = tenant_id;
  return t;
}

engine::queue_config make_queue(std::size_t i, engine::policy_kind policy) {
  engine::queue_config q;
  q.tenant = tenant_id;
  q.id = queue_id(i);
  q.name = q.id;
  q.skills.push_back({skill_id(i), 20});
  q.channel_mask = static_cast<std::uint8_t>(1u << engine::index(engine::channel::chat));
  q.policy = policy;
  return q;
}

engine::agent_profile make_agent(std::size_t i, std::size_t queues, std::size_t skills,
                                 std::uint32_t chat, std::mt19937_64& rng) {
  engine::agent_profile a;
  a.tenant = tenant_id;
  a.id = agent_id(i);
  a.name = a.id;
  std::uniform_int_distribution<std::size_t> pick(0, queues - 1);
  std::uniform_int_distribution<int> prof(10, 100);
  std::vector<std::size_t> chosen;
  while (chosen.size() < std::min(skills, queues)) {
    auto s = pick(rng);
    if (std::find(chosen.begin(), chosen.end(), s) == chosen.end())
      chosen.push_back(s);
  }
  for (auto s : chosen)
    a.skills.push_back({skill_id(s), prof(rng)});
  a.languages.push_back("en");
  if (i % 5 == 0)
    a.languages.push_back("fr");
  a.remote = i % 10 == 7;
  a.capacity[engine::index(engine::channel::chat)] = {chat, false};
  return a;
}

engine::customer_profile make_customer(std::size_t i, std::size_t agents, std::mt19937_64& rng) {
  engine::customer_profile c;
  c.tenant = tenant_id;
  c.id = customer_id(i);
  c.tier = static_cast<int>(rng() % 6);
  c.arpu = static_cast<double>(rng() % 300);
  c.segments.push_back(i % 3 == 0 ? "prepaid" : "postpaid");
  c.language = "en";
  if (i % 50 == 0 && agents > 0)
    c.account_manager = agent_id(rng() % agents);
  return c;
}

engine::contact make_contact(std::uint64_t seq, std::string queue, std::string customer,
                             engine::time_ms at) {
  engine::contact c;
  c.tenant = tenant_id;
  c.id = contact_id(seq);
  c.customer = std::move(customer);
  c.ch = engine::channel::chat;
  c.intent = "billing";
  c.language = "en";
  c.queue = std::move(queue);
  c.state = engine::contact_state::queued;
  c.created_at = at;
  c.enqueued_at = at;
  c.seq = seq;
  return c;
}

void populate(engine::routing_domain& d, const population_spec& spec) {
  std::mt19937_64 rng{spec.seed};
  for (std::size_t q = 0; q < spec.queues; ++q)
    check(d.upsert_queue(make_queue(q, spec.policy)).ok(), "upsert_queue");
  for (std::size_t a = 0; a < spec.agents; ++a)
    check(d.upsert_agent(make_agent(a, spec.queues, spec.skills_per_agent, spec.chat_capacity, rng))
            .ok(),
          "upsert_agent");
  for (std::size_t c = 0; c < spec.customers; ++c)
    check(d.upsert_customer(make_customer(c, spec.agents, rng)).ok(), "upsert_customer");
}

}  // namespace switchboard::bench::micro
