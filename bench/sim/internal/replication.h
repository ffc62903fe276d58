#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bench/core/report.h"
#include "bench/sim/event_heap.h"
#include "bench/sim/internal/plan.h"
#include "bench/sim/random.h"
#include "engine/routing_domain.h"

namespace switchboard::bench::sim {

/// Each day's busyness factor (rates are multiplied by it) per contact type
/// (`[day][type]`): one Gamma(shape, 1/shape) draw per day, shared by the types
/// with the same `busyness_shape` (all of them when they have one shape); 1 for a
/// type whose shape is 0.
std::vector<std::vector<double>> busyness_factors(const scenario& s, rng& r);

/// One replication: a fresh routing domain, world and random streams. Used by one
/// thread, once (`run`); refers to the plan, which must outlive it.
class replication {
 public:
  /// `oracle`: the learned model starts with the agents' true rates (see
  /// `scenario::oracle`).
  /// `on_off_slice`: the live on/off comparison's slice (0: off).
  replication(const plan& p, engine::policy_kind policy, int index, std::uint64_t seed,
              const progress_tracker& progress, bool oracle = false, time_ms on_off_slice = 0)
      : p_(p), s_(*p.s), domain_(make_tenant(policy, on_off_slice)), policy_(policy),
        oracle_(oracle), progress_(progress) {
    out_.index = index;
    out_.seed = seed;
    std::uint64_t st = seed;
    arrivals_rng_ = sim::rng(sim::splitmix64(st));
    service_rng_ = sim::rng(sim::splitmix64(st));
    patience_rng_ = sim::rng(sim::splitmix64(st));
    outcome_rng_ = sim::rng(sim::splitmix64(st));
    setup_rng_ = sim::rng(sim::splitmix64(st));
  }

  engine::result<replication_result> run(extra_counts& extra);

 private:
  enum class phase : std::uint8_t { free, waiting, offered, connected, wrap_up };

  struct sim_contact {
    std::uint32_t gen = 0;
    std::uint32_t type = 0;
    std::uint32_t segment = 0;
    std::uint32_t customer = 0;
    std::uint32_t agent = 0;
    phase ph = phase::free;
    bool counted = false;  // arrived after the warmup
    bool other_queue = false;
    bool under_step = false;
    bool before_admission = false;
    bool offered_once = false;
    time_ms arrived = 0;
    time_ms accepted = 0;
    std::uint64_t offer_id = 0;
  };

  struct sim_agent {
    std::string id;
    std::uint32_t group = 0;
    const engine::agent_profile* profile = nullptr;
    const engine::agent_runtime* rt = nullptr;
    bool online = false;          // logged in by the staffing plan
    bool pending_logout = false;  // set away, logs out once free
    time_ms last = 0;
    double cur_occ = 0;
    bool cur_logged = false;
    double occ_area = 0;
    double staffed_area = 0;
    std::uint64_t served = 0;
  };

  engine::tenant_config make_tenant(engine::policy_kind policy, time_ms on_off_slice) const {
    engine::tenant_config t;
    t.id = std::string{tenant_id};
    t.name = "simulated tenant";
    t.default_policy = policy;
    t.experiment.slice = on_off_slice;
    t.fairness_bound = s_.fairness_bound;
    t.manager_wait = static_cast<time_ms>(s_.manager_wait_s * 1000.0);
    t.team_wait = static_cast<time_ms>(s_.team_wait_s * 1000.0);
    return t;
  }

  engine::status setup();
  /// The oracle's knowledge: each agent's cell of each (intent, segment) holds
  /// `oracle_contacts` outcomes at its group's true rates.
  void teach_true_rates();
  /// Counts the abandonment of `c` (if it counts), and whether it came after the
  /// service-level threshold.
  void count_abandoned(const sim_contact& c);
  engine::status fail(const engine::error& e, std::string_view what) {
    return engine::make_error(e.code, std::string{what} + ": " + e.message);
  }

  std::size_t period_at(double t_s) const {
    auto in_day = std::fmod(t_s, p_.day_s);
    auto it = std::upper_bound(p_.period_start_s.begin(), p_.period_start_s.end(), in_day);
    return static_cast<std::size_t>(it - p_.period_start_s.begin()) - 1;
  }
  std::size_t day_at(double t_s) const { return static_cast<std::size_t>(t_s / p_.day_s); }
  double now_s() const { return static_cast<double>(now_) / 1000.0; }

  void schedule(event_kind k, time_ms t, std::uint32_t idx, std::uint32_t gen = 0,
                std::uint64_t aux = 0) {
    event e;
    e.t = t;
    e.kind = k;
    e.idx = idx;
    e.gen = gen;
    e.aux = aux;
    heap_.push(e);
  }
  void schedule_next_arrival(std::uint32_t type, double from_s);
  void schedule_tick(time_ms d);
  std::uint32_t alloc_contact();
  void free_contact(std::uint32_t slot);
  std::uint32_t slot_of(const std::string& id) const;
  void touch(std::uint32_t a);
  void maybe_logout(std::uint32_t a);

  engine::status on_arrival(std::uint32_t type);
  engine::status on_accept(const event& e);
  engine::status on_expire(const event& e);
  engine::status on_handle_end(const event& e);
  engine::status on_wrap_end(const event& e);
  engine::status on_patience(const event& e);
  engine::status on_staffing(std::uint32_t period, std::uint32_t day);
  engine::status on_tick();
  engine::status complete(std::uint32_t slot);
  engine::status match();
  void sample();
  void finish(extra_counts& extra);

  const plan& p_;
  const scenario& s_;
  engine::routing_domain domain_;
  engine::policy_kind policy_;
  bool oracle_ = false;
  const progress_tracker& progress_;
  replication_result out_;
  extra_counts extra_;

  sim::rng arrivals_rng_, service_rng_, patience_rng_, outcome_rng_, setup_rng_;
  sim::event_heap heap_;
  time_ms now_ = 0;
  time_ms horizon_ms_ = 0;
  time_ms warmup_ms_ = 0;
  time_ms tick_at_ = -1;
  bool dirty_ = false;
  std::uint64_t seq_ = 0;

  std::vector<sim_contact> contacts_;
  std::vector<std::string> contact_ids_;  // "c<slot>", reused with the slot
  std::vector<std::uint32_t> free_slots_;
  std::vector<sim_agent> agents_;
  std::unordered_map<std::string, std::uint32_t> agent_index_;
  std::vector<std::vector<std::uint32_t>> group_agents_;
  std::vector<std::vector<std::string>> customer_ids_;       // [segment][i]
  std::vector<std::vector<std::uint32_t>> customer_manager_;  // agent index, VIP segments
  std::vector<std::vector<double>> busyness_;                // [day][type]
  std::vector<double> next_arrival_s_;

  // Statistics (contacts that arrived after the warmup).
  std::uint64_t arrivals_ = 0, served_ = 0, abandoned_ = 0, immediate_ = 0, within_ = 0;
  std::uint64_t abandoned_late_ = 0;  ///< abandoned after waiting longer than the threshold
  double wait_sum_s_ = 0;
  std::uint64_t resolved_ = 0, sales_ = 0, rated_ = 0;
  double csat_sum_ = 0;
  // Live totals for the time series.
  double live_occ_ = 0;
  double live_logged_ = 0;
};

}  // namespace switchboard::bench::sim
