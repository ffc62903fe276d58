#include "bench/scenario/internal/builtins.h"

// scale: many queues, skills and agents on chat; the load mode's scale run.
namespace switchboard::bench::builtin {
namespace {

scenario build_scale(scenario s, knobs& k) {
  auto agents = k.count("agents");
  auto queues = k.count("queues");
  auto per_agent = k.count("skills_per_agent");
  auto capacity = k.count("chat_capacity");
  auto live = k.count("live");
  double aht = k.number("aht_s");
  s.realtime.target_rate = k.number("target_rate");
  s.realtime.duration_s = k.number("duration_s");
  double sim_rate = k.number("sim_arrivals_per_hour");
  if (!k.err && queues > agents)
    k.err = bad_set("queues", std::to_string(queues),
                    "must be <= agents (" + std::to_string(agents) + "): one group per queue");
  if (!k.err && per_agent > queues)
    k.err = bad_set("skills_per_agent", std::to_string(per_agent),
                    "must be <= queues (" + std::to_string(queues) + ")");
  if (k.err)
    return s;
  s.realtime.max_live = live;
  s.sample_every_s = 300;
  s.policy = engine::policy_kind::skills;
  auto id = [](char prefix, std::uint32_t i) { return prefix + std::to_string(i); };
  for (std::uint32_t q = 0; q < queues; ++q) {
    s.queues.push_back(make_queue(id('q', q), {{id('s', q), 0}}, mask({engine::channel::chat}),
                                  s.sl_threshold_s, s.policy));
    s.types.push_back(make_type(id('t', q), "chat", id('q', q), engine::channel::chat, "",
                                {sim_rate / queues}, exponential(aht), {}));
    std::vector<engine::agent_skill> skills;
    for (std::uint32_t j = 0; j < per_agent; ++j)
      skills.push_back({id('s', (q + j) % queues), j == 0 ? 80 : 50});
    std::uint32_t n = agents / queues + (q < agents % queues ? 1 : 0);
    auto g = make_group(id('g', q), std::move(skills), {}, {n}, engine::agent_level::junior);
    g.capacity = {};
    g.capacity[engine::index(engine::channel::chat)] = {capacity, false};
    s.groups.push_back(std::move(g));
  }
  auto in_service = std::uint64_t{agents} * capacity;
  k.effective["in_service_max"] = std::to_string(in_service);
  k.effective["waiting_target"] = std::to_string(live > in_service ? live - in_service : 0);
  return s;
}

}  // namespace

builtin_def scale_builtin() {
  return {
    "scale",
    "many queues, skills and agents on chat with long handle times: the load mode's scale "
    "run (agents, queues, live contacts)",
    "Many queues each with its own skill, agents with a few skills each on chat, long handle "
    "times and no abandonment, so live contacts accumulate: the load mode's scale figures",
    {
      count_key("agents", "100000", "agents, spread evenly over one group per queue", 1,
                10'000'000),
      count_key("queues", "1000", "queues, each requiring its own skill", 1, 1'000'000),
      count_key("skills_per_agent", "3",
                "skills of each agent (its own queue's and the next ones)", 1, 1000),
      count_key("chat_capacity", "3", "concurrent chats per agent", 1,
                engine::max_channel_capacity),
      count_key("live", "1000000", "target of concurrent live contacts (realtime.max_live)", 0,
                0xffffffffu),
      number_key("aht_s", "3600",
                 "mean (exponential) handle time, seconds: long, so contacts accumulate", 0,
                 true),
      number_key("target_rate", "0",
                 "load/net: contacts per second offered (0: as fast as possible)"),
      number_key("duration_s", "60", "load/net: how long to offer load, seconds", 0, true),
      number_key("sim_arrivals_per_hour", "20000", "sim: total arrival rate over all queues"),
      number_key("hours", "1", "sim: length of a day, hours", 0, true, 24 * 366),
      count_key("replications", "1", "independent replications", 1, 100000),
    },
    build_scale};
}

}  // namespace switchboard::bench::builtin
