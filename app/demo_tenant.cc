#include "app/demo_tenant.h"

#include <random>

namespace switchboard::app {

namespace {

using namespace switchboard::engine;

std::uint8_t mask(std::initializer_list<channel> cs) {
  std::uint8_t m = 0;
  for (auto c : cs)
    m |= static_cast<std::uint8_t>(1u << index(c));
  return m;
}

queue_config make_queue(const std::string& id, std::vector<skill_requirement> skills,
                        policy_kind policy, int priority) {
  queue_config q;
  q.tenant = "demo";
  q.id = id;
  q.name = id;
  q.skills = std::move(skills);
  q.languages = {};
  q.channel_mask = mask({channel::voice, channel::chat, channel::app, channel::wechat,
                         channel::email, channel::sms, channel::video});
  q.priority = priority;
  q.sl_target = 0.8;
  q.sl_threshold = 5000;  // the demo runs in seconds, not minutes
  q.offer_timeout = 3000;
  q.policy = policy;
  return q;
}

}  // namespace

demo_tenant make_demo_tenant(std::uint64_t seed) {
  std::mt19937_64 rng{seed};
  demo_tenant d;
  d.tenant.id = "demo";
  d.tenant.name = "Demo Telecom";
  d.tenant.default_policy = policy_kind::profile;
  d.tenant.ring_no_answer_limit = 3;

  // The general queue takes overflow from the others.
  d.queues.push_back(make_queue("general", {{"general", 20}}, policy_kind::longest_idle, 0));
  auto billing = make_queue("billing", {{"billing", 50}}, policy_kind::skills, 1);
  billing.overflow = {{4000, 30, false, ""}, {8000, -1, true, ""}};
  auto sales = make_queue("sales", {{"sales", 60}}, policy_kind::profile, 2);
  sales.overflow = {{5000, 40, true, ""}};
  auto tech = make_queue("tech", {{"tech", 60}}, policy_kind::profile, 1);
  tech.overflow = {{4000, 40, false, ""}, {7000, -1, true, ""}, {12000, -1, false, "general"}};
  auto vip = make_queue("vip", {{"vip_care", 70}}, policy_kind::profile, 10);
  vip.overflow = {{6000, 50, false, ""}};
  d.queues.push_back(billing);
  d.queues.push_back(sales);
  d.queues.push_back(tech);
  d.queues.push_back(vip);
  // Chats started from the customer page: only agent-1, the person at the agent
  // desktop, has the skill, so the simulated agents never take them.
  auto web = make_queue("web", {{"web_chat", 10}}, policy_kind::profile, 5);
  web.offer_timeout = 30000;  // a person needs longer than the simulator
  d.queues.push_back(web);
  d.intents = {{"balance", "billing", 0.30}, {"buy_phone", "sales", 0.20},
               {"no_signal", "tech", 0.25},  {"roaming", "general", 0.10},
               {"vip_request", "vip", 0.15}};

  std::uniform_int_distribution<int> prof(40, 100);
  std::bernoulli_distribution coin(0.5);
  const char* skills[] = {"billing", "sales", "tech", "general"};
  for (int i = 0; i < 24; ++i) {
    agent_profile a;
    a.tenant = "demo";
    a.id = "agent-" + std::to_string(i + 1);
    a.name = "Agent " + std::to_string(i + 1);
    bool crowd = i >= 18;
    a.remote = crowd;
    a.level = crowd ? agent_level::crowd
                    : (i < 4 ? agent_level::expert : (i < 10 ? agent_level::senior : agent_level::junior));
    a.languages = {"en"};
    if (i % 3 == 0)
      a.languages.push_back("zh");
    a.skills.push_back({"general", prof(rng)});
    a.skills.push_back({skills[i % 3], prof(rng)});
    if (coin(rng))
      a.skills.push_back({skills[(i + 1) % 3], std::max(30, prof(rng) - 30)});
    if (a.level == agent_level::expert || a.level == agent_level::senior)
      a.skills.push_back({"vip_care", prof(rng)});
    if (i == 0) {
      // agent-1 is the person at the agent desktop: only the customer page's chats
      // reach them, never a simulated contact they could not talk to.
      a.skills = {{"web_chat", 80}};
    }
    a.capacity[index(channel::voice)] = {1, true};
    a.capacity[index(channel::chat)] = {crowd ? 2u : 3u, false};
    a.capacity[index(channel::app)] = {2, false};
    a.capacity[index(channel::wechat)] = {2, false};
    a.capacity[index(channel::email)] = {5, false};
    a.capacity[index(channel::sms)] = {3, false};
    d.agents.push_back(std::move(a));
  }

  std::uniform_real_distribution<double> arpu(5, 300);
  std::uniform_int_distribution<int> tier(0, 5);
  const char* segments[] = {"youth", "family", "business", "senior"};
  for (int i = 0; i < 300; ++i) {
    customer_profile c;
    c.tenant = "demo";
    c.id = "cust-" + std::to_string(i + 1);
    c.tier = tier(rng);
    c.arpu = arpu(rng);
    c.segments = {segments[i % 4]};
    c.language = i % 7 == 0 ? "zh" : "en";
    c.region = i % 2 == 0 ? "north" : "south";
    if (c.tier >= 5)
      c.account_manager = "agent-" + std::to_string(2 + i % 4);  // simulated, with vip_care
    c.complaint_risk = (i % 10) / 10.0;
    d.customers.push_back(std::move(c));
  }
  return d;
}

}  // namespace switchboard::app
