#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/core/report.h"
#include "bench/modes.h"
#include "bench/net/ws_client.h"
#include "bench/scenario/scenario.h"
#include "bench/sim/random.h"

/// The net bench mode's run, shared by its files (bench/net only): setup.cc
/// (definitions and connections), gateways.cc (the customers' side), agents.cc (the
/// agents' side), net.cc (load, drain, settings, run_net) and report.cc.
namespace switchboard::bench::net_mode {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using engine::errc;

inline constexpr double inf = std::numeric_limits<double>::infinity();
/// Default tenant when neither `?tenant=` nor `--set tenant=` names one.
inline constexpr const char* default_tenant = "bench";
/// Default cap on simulated agent connections.
inline constexpr std::uint32_t default_max_agents = 2000;
/// Hard cap on contacts alive at once, whatever the settings (memory bound).
inline constexpr std::uint32_t hard_live_cap = 200000;
/// Messages a gateway sends per contact (open, customer message, end) and the
/// per-connection rate the auto gateway count aims under (half the node's default 50/s).
inline constexpr double gateway_frames_per_contact = 3;
inline constexpr double gateway_frames_per_s = 25;

inline double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

inline clock_type::duration wall(double s) {
  return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
}

/// errc::invalid_argument "FIELD: WHY".
inline engine::error bad(const std::string& field, const std::string& why) {
  return engine::make_error(errc::invalid_argument, field + ": " + why);
}

/// A node the run connects to: its URL as given, parsed, and resolved.
struct node_address {
  std::string text;
  ws::ws_url url;
  boost::asio::ip::tcp::endpoint endpoint;
};

/// What run_net derives from the scenario before it connects.
struct net_settings {
  ws::ws_url url;
  boost::asio::ip::tcp::endpoint endpoint;
  /// Where agents connect, agent i to `agent_nodes[i % size]` (`--set agent_urls=`, a
  /// comma list; the nodes of one cluster). Default: `url` alone. Supervisors and
  /// gateways always use `url`.
  std::vector<node_address> agent_nodes;
  bool agent_urls_set = false;  ///< agent_nodes came from `agent_urls`, not `url`
  std::string tenant;
  double rate = 0;           ///< contacts/s; 0: closed loop, as fast as possible
  double duration_s = 10;    ///< load window, wall seconds
  /// Scenario seconds -> wall seconds for handle, patience, wrap-up and accept delay:
  /// the scenario's own arrival rate over `rate`, so the offered load in Erlangs and
  /// thus the queueing regime stay the scenario's. 0 in closed-loop mode (no holding).
  double time_scale = 1;
  std::uint32_t gateways = 0;
  std::uint32_t max_agents = default_max_agents;
  std::uint32_t max_live = 0;
  double drain_s = 10;
  double sample_every_s = 1;
};

/// A simulated agent: its definition, its connection and what it did.
struct sim_agent {
  std::string id;
  std::size_t group = 0;
  std::string token;
  std::shared_ptr<ws::connection> conn;
  bool ready = false;  ///< logged in and availability set
  int load = 0;        ///< contacts accepted and not yet completed
  int offered = 0;     ///< offers received and not yet answered
  std::uint32_t capacity = 0;  ///< the most contacts it takes (largest channel capacity)
  clock_type::time_point busy_since;
  double busy_s = 0;
  double busy_in_window_s = 0;  ///< busy_s when the load window closed
  std::uint64_t served = 0;
  /// A delayed accept or wrap-up, per contact; `fire` runs it now (drain).
  struct pending_action {
    std::shared_ptr<asio::steady_timer> timer;
    std::function<void()> fire;
  };
  std::unordered_map<std::string, pending_action> timers;
};

/// A contact opened by a simulated gateway, until it completes or is abandoned.
struct live_contact {
  std::string id;
  std::size_t type = 0;
  std::size_t segment = 0;
  std::size_t gateway = 0;
  clock_type::time_point opened_at;  ///< when the OpenContact was sent
  bool opened = false;               ///< ContactOpened came back
  bool offered = false;              ///< first offer reached an agent
  bool connected = false;
  bool ended = false;                ///< EndContact sent
  bool found_all_busy = false;       ///< no simulated agent had room when it was opened
  double handle_s = 0;               ///< wall seconds of conversation
  std::string agent;
  std::shared_ptr<asio::steady_timer> timer;  ///< patience, then handle time
};

/// One run of the net mode. Confined to the calling thread (which runs the io_context).
class net_run {
 public:
  net_run(const scenario& s, net_settings cfg, const progress_fn& progress)
    : s_(s), cfg_(std::move(cfg)), progress_(progress), work_(asio::make_work_guard(ioc_)),
      rng_(s.seed), arrival_timer_(ioc_), sample_timer_(ioc_),
      time_to_offer_by_node_us_(cfg_.agent_nodes.size()) {}

  ~net_run() { shutdown(); }

  engine::result<run_report> run();

 private:
  // -- phases
  engine::status define_everything();
  engine::status connect_agents();
  engine::status connect_gateways();
  void offer_load();
  void drain();
  /// No contact live and no agent request or delayed action outstanding.
  bool settled() const;
  void shutdown();
  run_report make_report();

  // -- helpers
  /// Runs the io_context until `done()` or `deadline`; returns done().
  bool run_until(const std::function<bool()>& done, clock_type::time_point deadline);
  pb::Hello hello(pb::Role role, const std::string& token = {}) const;
  engine::result<std::shared_ptr<ws::connection>> open_supervisor();
  double sample(const duration_dist& d, double none_value);
  std::size_t pick(const std::vector<double>& weights);

  // -- gateway side
  void schedule_arrivals();
  void open_contact();
  void on_gateway_push(const pb::Envelope& e);
  void contact_connected(live_contact& c, const std::string& agent);
  void end_contact(live_contact& c, const std::string& reason);
  void finish(const std::string& id, bool abandoned);

  // -- agent side
  void on_agent_push(std::size_t a, const pb::Envelope& e);
  void accept(std::size_t a, const std::string& contact, std::uint64_t offer_id);
  void wrap_up(std::size_t a, const std::string& contact);
  /// Runs `fire` after `delay_s` unless the contact's offer goes away first.
  void delay_action(std::size_t a, const std::string& contact, double delay_s,
                    std::function<void()> fire);
  void set_load(sim_agent& ag, int delta);
  void take_sample();

  const scenario& s_;
  net_settings cfg_;
  const progress_fn& progress_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  ws::client_counters counters_;
  sim::rng rng_;
  std::string run_id_;

  std::vector<sim_agent> agents_;
  std::unordered_map<std::string, std::size_t> agent_index_;
  std::vector<std::uint32_t> group_staff_;  ///< agents per group actually defined
  std::vector<std::shared_ptr<ws::connection>> gateways_;
  std::unordered_map<std::string, live_contact> live_;
  std::vector<double> type_weights_;
  std::vector<double> segment_weights_;
  std::uint32_t total_capacity_ = 0;

  // -- load state
  clock_type::time_point t0_;
  clock_type::time_point next_arrival_;
  bool arriving_ = false;
  bool forced_ = false;
  bool shut_ = false;  ///< the drain ran out: end and complete everything at once
  std::uint64_t next_contact_ = 0;
  std::size_t next_gateway_ = 0;
  asio::steady_timer arrival_timer_;
  asio::steady_timer sample_timer_;

  // -- measurements
  std::uint64_t attempted_ = 0;      ///< OpenContact sent
  std::uint64_t opened_ = 0;         ///< ContactOpened
  std::uint64_t open_failed_ = 0;    ///< OpenContact answered with an Error
  std::uint64_t skipped_ = 0;        ///< arrivals dropped by max_live
  std::uint64_t routed_ = 0;         ///< first offers seen by agents
  std::uint64_t served_ = 0;         ///< connected (gateway view)
  std::uint64_t served_in_sl_ = 0;
  std::uint64_t abandoned_ = 0;
  std::uint64_t completed_ = 0;      ///< WrapUp with outcome acknowledged
  std::uint64_t unfinished_ = 0;     ///< still live after the drain
  std::uint64_t opened_in_window_ = 0, routed_in_window_ = 0, completed_in_window_ = 0;
  std::uint64_t chat_to_agents_ = 0;
  std::uint64_t chat_to_customers_ = 0;
  std::uint64_t resolved_ = 0, sales_ = 0, rated_ = 0;
  double csat_sum_ = 0;
  double wait_sum_s_ = 0;  ///< wall seconds, answered contacts
  /// Answered contacts that found every simulated agent busy when they were opened
  /// (the client's view of "had to wait"; skills and languages are not considered).
  std::uint64_t waited_ = 0;
  std::vector<double> time_to_offer_us_;
  /// From sending OpenContact to its ContactOpened: the acknowledgement of a
  /// durable contact (with `replicated` durability in a cluster, after the standby).
  std::vector<double> open_ack_us_;
  /// The same samples by the node the agent was connected to (cfg_.agent_nodes).
  std::vector<std::vector<double>> time_to_offer_by_node_us_;
  std::vector<series_point> series_;
  double load_wall_s_ = 0, drain_wall_s_ = 0;
  double load_average_ = -1;
  std::string metrics_before_, metrics_after_;
  std::vector<std::string> notes_;
};

/// Everything run_net checks and derives before touching the network.
engine::result<net_settings> settle(const scenario& s);

}  // namespace switchboard::bench::net_mode
