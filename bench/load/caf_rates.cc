#include "bench/load/caf_rates.h"

#include <caf/all.hpp>
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace switchboard::bench {

namespace {

using clock_type = std::chrono::steady_clock;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using go_atom = caf::atom_constant<caf::atom("go")>;

/// Answers every ping with a pong to the sender.
caf::behavior echo(caf::event_based_actor*) {
  return {[](ping_atom, std::uint64_t n) { return caf::make_message(ping_atom::value, n); }};
}

/// Bounces one message with an echo actor until `limit` round trips are done.
caf::behavior bouncer(caf::event_based_actor* self, caf::actor peer, std::uint64_t limit) {
  return {
    [=](go_atom) { self->send(peer, ping_atom::value, std::uint64_t{0}); },
    [=](ping_atom, std::uint64_t n) {
      if (n + 1 >= limit)
        self->quit();
      else
        self->send(peer, ping_atom::value, n + 1);
    },
  };
}

/// Sends one message to each worker per round and waits for all replies.
struct fan_state {
  std::vector<caf::actor> workers;
  std::uint64_t rounds_left = 0;
  std::size_t outstanding = 0;
};

caf::behavior fan_coordinator(caf::stateful_actor<fan_state>* self,
                              std::vector<caf::actor> workers, std::uint64_t rounds) {
  self->state.workers = std::move(workers);
  self->state.rounds_left = rounds;
  auto round = [self] {
    auto& st = self->state;
    st.outstanding = st.workers.size();
    for (const auto& w : st.workers)
      self->send(w, ping_atom::value, st.rounds_left);
  };
  return {
    [=](go_atom) { round(); },
    [=](ping_atom, std::uint64_t) {
      auto& st = self->state;
      if (--st.outstanding > 0)
        return;
      if (--st.rounds_left == 0) {
        for (const auto& w : st.workers)
          self->send_exit(w, caf::exit_reason::user_shutdown);
        self->quit();
        return;
      }
      round();
    },
  };
}

/// Wall seconds `run` takes (it spawns, starts and waits for its actors).
template <class F>
double timed(F run) {
  auto t0 = clock_type::now();
  run();
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double ping_pong(caf::actor_system& sys, std::size_t pairs, std::uint64_t round_trips) {
  return timed([&] {
    caf::scoped_actor self{sys};
    std::vector<caf::actor> bouncers;
    std::vector<caf::actor> echos;
    for (std::size_t i = 0; i < pairs; ++i) {
      echos.push_back(sys.spawn(echo));
      bouncers.push_back(sys.spawn(bouncer, echos.back(), round_trips));
      self->monitor(bouncers.back());
    }
    for (const auto& b : bouncers)
      self->send(b, go_atom::value);
    for (std::size_t i = 0; i < pairs; ++i)
      self->receive([](const caf::down_msg&) {});
    for (const auto& e : echos)
      self->send_exit(e, caf::exit_reason::user_shutdown);
  });
}

double fan_out(caf::actor_system& sys, std::size_t workers, std::uint64_t rounds) {
  std::vector<caf::actor> ws;
  for (std::size_t i = 0; i < workers; ++i)
    ws.push_back(sys.spawn(echo));
  return timed([&] {
    caf::scoped_actor self{sys};
    auto c = sys.spawn(fan_coordinator, ws, rounds);
    self->monitor(c);
    self->send(c, go_atom::value);
    self->receive([](const caf::down_msg&) {});
  });
}

/// Scales a calibration run's count so the measured run takes about `seconds`.
std::uint64_t scaled(std::uint64_t count, double took_s, double seconds) {
  double factor = took_s > 0 ? seconds / took_s : 10;
  return std::max<std::uint64_t>(count, static_cast<std::uint64_t>(count * std::min(factor, 1000.0)));
}

}  // namespace

caf_rates measure_caf_rates(std::size_t threads, double seconds) {
  // The same scheduler as the node's: one shared job queue, `threads` workers, one
  // per core by default.
  if (threads == 0)
    threads = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("sharing"));  // as the node's (actors/node.cc)
  cfg.set("scheduler.max-threads", threads);
  caf::actor_system sys{cfg};
  caf_rates r;
  r.pairs = threads;
  r.fan_out = 1000;
  // Calibrate with a short run, then measure one of about `seconds`.
  std::uint64_t trips = 20000;
  trips = scaled(trips, ping_pong(sys, r.pairs, trips), seconds);
  double t = ping_pong(sys, r.pairs, trips);
  r.ping_pong_messages = 2 * trips * r.pairs;
  r.ping_pong_per_s = t > 0 ? static_cast<double>(r.ping_pong_messages) / t : 0;
  std::uint64_t rounds = 20;
  rounds = scaled(rounds, fan_out(sys, r.fan_out, rounds), seconds);
  t = fan_out(sys, r.fan_out, rounds);
  r.fan_out_messages = 2 * rounds * r.fan_out;
  r.fan_out_per_s = t > 0 ? static_cast<double>(r.fan_out_messages) / t : 0;
  return r;
}

}  // namespace switchboard::bench
