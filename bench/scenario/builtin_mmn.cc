#include "bench/scenario/internal/builtins.h"

// mmn: M/M/n (Erlang C) or M/M/n+M (Erlang A), the scenario checked against theory.
namespace switchboard::bench::builtin {
namespace {

scenario build_mmn(scenario s, knobs& k) {
  double rate = k.number("arrivals_per_hour");
  double aht = k.number("aht_s");
  auto agents = k.count("agents");
  double patience = k.number("patience_s");
  s.warmup_s = k.number("warmup_s");
  s.types.push_back(make_type("call", "support", "q", engine::channel::voice, "", {rate},
                              exponential(aht), exponential_or_none(patience)));
  s.groups.push_back(make_group("agents", {{"support", 50}}, {}, {agents},
                                engine::agent_level::junior));
  s.queues.push_back(make_queue("q", {{"support", 0}}, mask({engine::channel::voice}),
                                s.sl_threshold_s, s.policy));
  k.effective["model"] = "mmn";
  k.effective["offered_erlangs"] = format_number(rate * aht / 3600);
  return s;
}

}  // namespace

builtin_def mmn_builtin() {
  return {"mmn",
          "M/M/n and M/M/n+M: one skill, one queue, one voice group; checked against Erlang C/A",
          "M/M/n (Erlang C) or M/M/n+M (Erlang A): one skill, one queue, one group of "
          "identical voice agents",
          with_run_keys(
            {
              number_key("arrivals_per_hour", "720", "Poisson arrival rate"),
              number_key("aht_s", "240", "mean (exponential) handle time, seconds", 0, true),
              count_key("agents", "55", "agents staffed all day", 1, 10'000'000),
              number_key("patience_s", "0",
                         "mean (exponential) patience, seconds; 0: customers never abandon "
                         "(Erlang C), > 0: Erlang A"),
              number_key("hours", "8", "length of a day, hours", 0, true, 24 * 366),
              number_key("warmup_s", "600",
                         "start of each replication excluded from statistics, seconds"),
            },
            "10", "independent replications",
            policy_key("longest_idle", "routing policy (longest_idle, skills, profile)")),
          build_mmn};
}

}  // namespace switchboard::bench::builtin
