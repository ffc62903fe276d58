// One replication of the simulated world: setup, the event handlers and the event
// loop. Statistics (occupancy integration, samples, the result) are in
// replication_stats.cc.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "bench/sim/internal/replication.h"

namespace switchboard::bench::sim {

void replication::count_abandoned(const sim_contact& c) {
  if (!c.counted)
    return;
  ++abandoned_;
  if (static_cast<double>(now_ - c.arrived) > s_.sl_threshold_s * 1000.0)
    ++abandoned_late_;
}

engine::status replication::setup() {
  for (const auto& q : p_.queues) {
    auto cfg = q.config;
    cfg.policy = policy_;
    if (auto st = domain_.upsert_queue(std::move(cfg)); !st)
      return fail(st.err(), "queues[" + q.config.id + "]");
  }
  group_agents_.resize(s_.groups.size());
  for (std::size_t g = 0; g < s_.groups.size(); ++g) {
    const auto& grp = s_.groups[g];
    for (std::uint32_t i = 0; i < grp.max_staff(); ++i) {
      auto a = grp.profile(std::string{tenant_id}, grp.name + "-" + std::to_string(i));
      if (auto st = domain_.upsert_agent(a); !st)
        return fail(st.err(), "groups[" + grp.name + "]");
      sim_agent sa;
      sa.id = a.id;
      sa.group = static_cast<std::uint32_t>(g);
      auto index = static_cast<std::uint32_t>(agents_.size());
      agent_index_.emplace(sa.id, index);
      group_agents_[g].push_back(index);
      agents_.push_back(std::move(sa));
    }
  }
  // The domain keeps its agents in a vector that no longer grows: pointers are stable.
  for (auto& a : agents_) {
    a.profile = domain_.find_agent(a.id);
    a.rt = domain_.find_runtime(a.id);
  }
  customer_ids_.resize(s_.segments.size());
  customer_manager_.resize(s_.segments.size());
  for (std::size_t k = 0; k < s_.segments.size(); ++k) {
    const auto& seg = s_.segments[k];
    auto mg = p_.manager_group[k];
    for (std::uint32_t i = 0; i < seg.customers; ++i) {
      engine::customer_profile c;
      c.tenant = std::string{tenant_id};
      c.id = "u" + std::to_string(k) + "-" + std::to_string(i);
      c.tier = seg.tier;
      c.arpu = seg.arpu;
      c.segments = {seg.name};
      if (mg >= 0) {
        const auto& pool = group_agents_[static_cast<std::size_t>(mg)];
        auto a = pool[setup_rng_.below(static_cast<std::uint32_t>(pool.size()))];
        c.account_manager = agents_[a].id;
        customer_manager_[k].push_back(a);
      }
      customer_ids_[k].push_back(c.id);
      if (auto st = domain_.upsert_customer(std::move(c)); !st)
        return fail(st.err(), "segments[" + seg.name + "]");
    }
  }
  busyness_ = busyness_factors(s_, arrivals_rng_);
  if (oracle_)
    teach_true_rates();
  return {};
}

/// So many outcomes per cell that the model's estimates are the true rates and its
/// Thompson draws hardly move (posterior sd ~0.0015 at p = 0.5).
constexpr std::uint64_t oracle_contacts = 100000;

void replication::teach_true_rates() {
  for (const auto& ag : agents_)
    for (std::size_t j = 0; j < s_.types.size(); ++j)
      for (std::size_t k = 0; k < s_.segments.size(); ++k) {
        const auto& truth = p_.outcome[ag.group][j][k];
        const auto n = oracle_contacts;
        const auto dn = static_cast<double>(n);
        engine::learned_record r;
        r.agent = ag.id;
        r.intent = s_.types[j].intent;
        r.segment = s_.segments[k].name;
        r.stats.handled = n;
        r.stats.resolved = static_cast<std::uint64_t>(std::llround(dn * truth.resolve));
        r.stats.sales = static_cast<std::uint64_t>(std::llround(dn * truth.sale));
        r.stats.csat_sum = dn * truth.csat_mean;
        r.stats.csat_count = n;
        // Handle times are the type's, whoever serves (the simulator's truth).
        r.stats.handle_ms_sum = dn * 1000.0 * p_.types[j].handle.front().mean();
        // Two types of one intent share the cell: the first one's truth stands.
        if (domain_.learned().find(r.agent, r.intent, r.segment) != nullptr)
          continue;
        domain_.restore_learned(r);
      }
}

std::vector<std::vector<double>> busyness_factors(const scenario& s, rng& r) {
  std::vector<std::vector<double>> out(static_cast<std::size_t>(s.days),
                                       std::vector<double>(s.types.size(), 1.0));
  for (auto& day : out) {
    // A busy day is busy for every contact type: one draw per day, shared by the
    // types with the same shape (by every type when they have one shape).
    std::vector<std::pair<double, double>> drawn;  // shape -> the day's factor
    for (std::size_t j = 0; j < s.types.size(); ++j) {
      auto shape = s.types[j].busyness_shape;
      if (shape <= 0)
        continue;
      auto i = std::find_if(drawn.begin(), drawn.end(), [&](const auto& d) { return d.first == shape; });
      if (i == drawn.end())
        i = drawn.insert(drawn.end(), {shape, r.gamma(shape) / shape});
      day[j] = i->second;
    }
  }
  return out;
}

void replication::schedule_next_arrival(std::uint32_t type, double from_s) {
  // Piecewise-constant rates: draw at the current rate; when the draw crosses a
  // period boundary, restart at the boundary (exact, by memorylessness).
  const auto& tp = p_.types[type];
  double t = from_s;
  while (t < p_.horizon_s) {
    auto day = day_at(t);
    auto per = period_at(t);
    auto boundary = static_cast<double>(day) * p_.day_s + p_.period_start_s[per] +
                    s_.periods[per].duration_s;
    auto rate = tp.rate_per_s[per] * busyness_[std::min(day, busyness_.size() - 1)][type];
    if (rate > 0) {
      auto next = t + arrivals_rng_.exp1() / rate;
      if (next < boundary) {
        if (next < p_.horizon_s) {
          next_arrival_s_[type] = next;
          schedule(event_kind::arrival, to_ms(next), type);
        }
        return;
      }
    }
    t = boundary;
  }
}

void replication::schedule_tick(time_ms d) {
  if (d < 0)
    return;
  d = std::max(d, now_);
  if (tick_at_ < 0 || d < tick_at_) {
    tick_at_ = d;
    schedule(event_kind::tick, d, 0);
  }
}

std::uint32_t replication::alloc_contact() {
  if (!free_slots_.empty()) {
    auto slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  auto slot = static_cast<std::uint32_t>(contacts_.size());
  contacts_.emplace_back();
  contact_ids_.push_back("c" + std::to_string(slot));
  return slot;
}

void replication::free_contact(std::uint32_t slot) {
  auto& c = contacts_[slot];
  c.ph = phase::free;
  ++c.gen;
  free_slots_.push_back(slot);
}

std::uint32_t replication::slot_of(const std::string& id) const {
  std::uint32_t slot = 0;
  std::from_chars(id.data() + 1, id.data() + id.size(), slot);
  return slot;
}

void replication::maybe_logout(std::uint32_t a) {
  auto& ag = agents_[a];
  if (!ag.pending_logout || ag.rt->total_load() != 0)
    return;
  if (domain_.logout(ag.id, now_)) {
    ag.pending_logout = false;
    ag.online = false;
    touch(a);
    dirty_ = true;
  }
}

engine::status replication::match() {
  dirty_ = false;
  auto offers = domain_.match(now_);
  for (auto& o : offers) {
    ++extra_.offers;
    auto slot = slot_of(o.contact);
    auto it = agent_index_.find(o.agent);
    if (slot >= contacts_.size() || contacts_[slot].ph != phase::waiting ||
        it == agent_index_.end())
      return engine::make_error(engine::errc::invalid_transition,
                                "engine offered " + o.contact + " to " + o.agent +
                                  ", which the simulator does not hold waiting");
    auto a = it->second;
    auto& c = contacts_[slot];
    c.ph = phase::offered;
    c.agent = a;
    c.offer_id = o.offer_id;
    if (!c.offered_once) {
      c.offered_once = true;
      if (c.counted && now_ == c.arrived)
        ++immediate_;
    }
    const auto& tp = p_.types[c.type];
    c.other_queue = o.queue != tp.tmpl.queue;
    c.under_step = o.decision.step >= 0;
    c.before_admission = false;
    if (s_.groups[agents_[a].group].crowd) {
      auto q = std::find_if(p_.queues.begin(), p_.queues.end(),
                            [&](const plan::queue_plan& x) { return x.config.id == o.queue; });
      c.before_admission = q == p_.queues.end() || q->crowd_admission < 0 ||
                           now_ - c.arrived < q->crowd_admission;
    }
    touch(a);
    auto delay = to_ms(s_.groups[agents_[a].group].accept_delay_s);
    if (now_ + delay >= o.deadline)
      schedule(event_kind::expire, o.deadline, slot, c.gen, o.offer_id);
    else
      schedule(event_kind::accept, now_ + delay, slot, c.gen, o.offer_id);
  }
  return {};
}

engine::status replication::on_arrival(std::uint32_t type) {
  schedule_next_arrival(type, next_arrival_s_[type]);
  const auto& tp = p_.types[type];
  ++extra_.contacts;
  auto slot = alloc_contact();
  auto& c = contacts_[slot];
  c.type = type;
  auto u = arrivals_rng_.uniform();
  c.segment = static_cast<std::uint32_t>(
    std::lower_bound(tp.segment_cdf.begin(), tp.segment_cdf.end(), u) - tp.segment_cdf.begin());
  c.segment = std::min<std::uint32_t>(c.segment, static_cast<std::uint32_t>(s_.segments.size() - 1));
  c.customer = arrivals_rng_.below(static_cast<std::uint32_t>(customer_ids_[c.segment].size()));
  c.arrived = now_;
  c.counted = now_ >= warmup_ms_;
  c.offered_once = false;
  c.ph = phase::waiting;
  if (c.counted)
    ++arrivals_;

  engine::contact ec = tp.tmpl;
  ec.id = contact_ids_[slot];
  ec.customer = customer_ids_[c.segment][c.customer];
  ec.segment = s_.segments[c.segment].name;
  ec.created_at = now_;
  ec.enqueued_at = now_;
  ec.seq = ++seq_;
  if (auto st = domain_.enqueue(std::move(ec), now_); !st) {
    if (st.code() != engine::errc::queue_full)
      return fail(st.err(), "enqueue");
    ++extra_.blocked;
    count_abandoned(c);  // refused on arrival: at 0 s
    free_contact(slot);
    return {};
  }
  auto per = period_at(now_s());
  const auto& pat = tp.patience[per];
  if (pat.active())
    schedule(event_kind::patience, now_ + to_ms(pat.draw(patience_rng_)), slot, c.gen);
  const auto& q = p_.queues[tp.queue];
  if (q.first_deadline >= 0)
    schedule_tick(now_ + q.first_deadline);
  dirty_ = true;
  return {};
}

engine::status replication::on_accept(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::offered || c.offer_id != e.aux)
    return {};  // the customer left while it rang
  auto& ag = agents_[c.agent];
  if (auto st = domain_.accept(contact_ids_[e.idx], ag.id, c.offer_id, now_); !st)
    return fail(st.err(), "accept");
  c.ph = phase::connected;
  c.accepted = now_;
  if (c.counted) {
    ++served_;
    auto wait = now_ - c.arrived;
    wait_sum_s_ += static_cast<double>(wait) / 1000.0;
    if (static_cast<double>(wait) <= s_.sl_threshold_s * 1000.0)
      ++within_;
    ++ag.served;
    if (c.other_queue)
      ++extra_.served_in_other_queue;
    if (c.under_step)
      ++extra_.served_under_step;
    if (s_.groups[ag.group].crowd) {
      ++extra_.crowd_served;
      if (c.before_admission)
        ++extra_.crowd_before_admission;
    }
    if (p_.manager_group[c.segment] >= 0) {
      ++extra_.manager_contacts;
      if (customer_manager_[c.segment][c.customer] == c.agent)
        ++extra_.manager_reached;
    }
  }
  auto per = period_at(now_s());
  auto handle = to_ms(p_.types[c.type].handle[per].draw(service_rng_));
  schedule(event_kind::handle_end, now_ + handle, e.idx, c.gen);
  return {};
}

engine::status replication::on_expire(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::offered || c.offer_id != e.aux)
    return {};
  auto a = c.agent;
  auto away = domain_.expire(contact_ids_[e.idx], agents_[a].id, c.offer_id, now_);
  if (!away)
    return fail(away.err(), "expire");
  ++extra_.expired_offers;
  c.ph = phase::waiting;
  touch(a);
  if (*away)
    schedule(event_kind::back, now_ + away_pause_ms, a);
  maybe_logout(a);
  schedule_tick(domain_.next_deadline());
  dirty_ = true;
  return {};
}

engine::status replication::on_handle_end(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::connected)
    return {};
  auto per = period_at(now_s());
  const auto& wrap = p_.types[c.type].wrap[per];
  if (wrap.active() && wrap.mean() > 0) {
    if (auto st = domain_.wrap_up(contact_ids_[e.idx], agents_[c.agent].id, now_); !st)
      return fail(st.err(), "wrap_up");
    c.ph = phase::wrap_up;
    schedule(event_kind::wrap_end, now_ + to_ms(wrap.draw(service_rng_)), e.idx, c.gen);
    return {};
  }
  return complete(e.idx);
}

engine::status replication::on_wrap_end(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || c.ph != phase::wrap_up)
    return {};
  return complete(e.idx);
}

engine::status replication::complete(std::uint32_t slot) {
  auto& c = contacts_[slot];
  auto a = c.agent;
  auto& ag = agents_[a];
  const auto& truth = p_.outcome[ag.group][c.type][c.segment];
  engine::outcome o;
  o.resolved = outcome_rng_.bernoulli(truth.resolve);
  o.sale = outcome_rng_.bernoulli(truth.sale);
  o.csat = static_cast<int>(
    std::clamp(std::lround(truth.csat_mean + 0.8 * outcome_rng_.normal()), 1L, 5L));
  auto handle_ms = now_ - c.accepted;
  auto done = domain_.complete(contact_ids_[slot], ag.id, o, handle_ms, now_);
  if (!done)
    return fail(done.err(), "complete");
  if (c.counted) {
    resolved_ += o.resolved ? 1 : 0;
    sales_ += o.sale ? 1 : 0;
    ++rated_;
    csat_sum_ += o.csat;
  }
  free_contact(slot);
  touch(a);
  maybe_logout(a);
  dirty_ = true;
  return {};
}

engine::status replication::on_patience(const event& e) {
  auto& c = contacts_[e.idx];
  if (c.gen != e.gen || (c.ph != phase::waiting && c.ph != phase::offered))
    return {};
  auto was_offered = c.ph == phase::offered;
  auto r = domain_.remove(contact_ids_[e.idx], now_);
  if (!r)
    return fail(r.err(), "remove");
  count_abandoned(c);
  auto a = c.agent;
  free_contact(e.idx);
  if (was_offered) {
    touch(a);
    maybe_logout(a);
  }
  dirty_ = true;
  return {};
}

engine::status replication::on_staffing(std::uint32_t period, std::uint32_t day) {
  for (std::size_t g = 0; g < s_.groups.size(); ++g) {
    const auto& pool = group_agents_[g];
    auto target = std::min<std::size_t>(s_.groups[g].staff_for(period), pool.size());
    std::size_t active = 0;
    for (auto a : pool)
      if (agents_[a].online && !agents_[a].pending_logout)
        ++active;
    // More agents: first keep those about to leave, then log in the others.
    for (auto a : pool) {
      if (active >= target)
        break;
      auto& ag = agents_[a];
      if (ag.online && ag.pending_logout) {
        ag.pending_logout = false;
        if (auto st = domain_.set_away(ag.id, false, now_); !st)
          return fail(st.err(), "set_away");
        ++active;
      }
    }
    for (auto a : pool) {
      if (active >= target)
        break;
      auto& ag = agents_[a];
      if (!ag.online) {
        if (auto st = domain_.login(ag.id, now_); !st)
          return fail(st.err(), "login");
        ag.online = true;
        touch(a);
        ++active;
      }
    }
    // Fewer agents: idle ones leave now, busy ones when they finish.
    for (auto it = pool.rbegin(); it != pool.rend() && active > target; ++it) {
      auto& ag = agents_[*it];
      if (ag.online && !ag.pending_logout && ag.rt->total_load() == 0) {
        if (auto r = domain_.logout(ag.id, now_); !r)
          return fail(r.err(), "logout");
        ag.online = false;
        touch(*it);
        --active;
      }
    }
    for (auto it = pool.rbegin(); it != pool.rend() && active > target; ++it) {
      auto& ag = agents_[*it];
      if (ag.online && !ag.pending_logout) {
        if (auto st = domain_.set_away(ag.id, true, now_); !st)
          return fail(st.err(), "set_away");
        ag.pending_logout = true;
        --active;
      }
    }
  }
  dirty_ = true;
  auto next_period = static_cast<std::uint32_t>((period + 1) % s_.periods.size());
  if (next_period == 0)
    ++day;
  auto next = static_cast<double>(day) * p_.day_s + p_.period_start_s[next_period];
  if (next < p_.horizon_s)
    schedule(event_kind::staffing, to_ms(next), next_period, day);
  return {};
}

engine::status replication::on_tick() {
  tick_at_ = -1;
  time_ms d = -1;
  // A move can make steps of the new queue due at once: apply them in the same instant.
  for (int round = 0; round < 16; ++round) {
    auto r = domain_.tick(now_);
    for (const auto& m : r.moves) {
      auto slot = slot_of(m.contact);
      if (contacts_[slot].counted)
        ++extra_.overflow_moves;
    }
    for (const auto& id : r.timed_out) {
      auto slot = slot_of(id);
      if (contacts_[slot].counted)
        ++extra_.timed_out;
      count_abandoned(contacts_[slot]);
      free_contact(slot);
    }
    if (!r.moves.empty() || !r.timed_out.empty())
      dirty_ = true;
    d = domain_.next_deadline();
    if (d < 0 || d > now_)
      break;
  }
  if (d >= 0)
    schedule_tick(std::max(d, now_ + 1));
  return {};
}

engine::result<replication_result> replication::run(extra_counts& extra) {
  auto wall0 = std::chrono::steady_clock::now();
  auto cpu0 = thread_cpu_s();
  if (auto st = setup(); !st)
    return st.err();
  horizon_ms_ = to_ms(p_.horizon_s);
  warmup_ms_ = to_ms(s_.warmup_s);
  next_arrival_s_.assign(s_.types.size(), 0);
  // Staffing for the first period, then the arrival streams and the samples.
  if (auto st = on_staffing(0, 0); !st)
    return st.err();
  for (std::uint32_t j = 0; j < s_.types.size(); ++j)
    schedule_next_arrival(j, 0);
  auto sample_ms = to_ms(p_.sample_every_s);
  schedule(event_kind::sample, sample_ms, 0);
  if (auto st = match(); !st)
    return st.err();

  std::uint64_t events = 0;
  while (!heap_.empty()) {
    if (heap_.top().t > horizon_ms_)
      break;
    auto e = heap_.pop();
    now_ = e.t;
    ++events;
    engine::status st;
    switch (e.kind) {
      case event_kind::arrival: st = on_arrival(e.idx); break;
      case event_kind::accept: st = on_accept(e); break;
      case event_kind::expire: st = on_expire(e); break;
      case event_kind::handle_end: st = on_handle_end(e); break;
      case event_kind::wrap_end: st = on_wrap_end(e); break;
      case event_kind::patience: st = on_patience(e); break;
      case event_kind::staffing: st = on_staffing(e.idx, e.gen); break;
      case event_kind::back: {
        auto& ag = agents_[e.idx];
        if (ag.online && !ag.pending_logout && ag.rt->away) {
          st = domain_.set_away(ag.id, false, now_);
          dirty_ = true;
        }
        break;
      }
      case event_kind::tick:
        if (e.t == tick_at_)
          st = on_tick();
        break;
      case event_kind::sample:
        sample();
        schedule(event_kind::sample, now_ + sample_ms, 0);
        break;
    }
    if (!st)
      return st.err();
    if (dirty_)
      if (auto m = match(); !m)
        return m.err();
    if (events % progress_every == 0)
      progress_.report(now_s());
  }
  extra_.events = events;
  finish(extra);
  out_.cpu_s = thread_cpu_s() - cpu0;
  out_.wall_s =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return std::move(out_);
}

}  // namespace switchboard::bench::sim
