// Matching and scoring of routing_domain: match (agent- and contact-triggered
// decisions), offers, and the timed rules (overflow steps, max wait, decline marks).
// The state and bookkeeping are in routing_domain.cc.
#include <algorithm>

#include "engine/assignment.h"
#include "engine/overflow.h"
#include "engine/routing_domain.h"

namespace switchboard::engine {

// -- routing --------------------------------------------------------------------

routing_domain::pair_context routing_domain::context(const tracked_contact& t, time_ms now) {
  const auto* cust = find_customer(t.c.customer);
  // The segment score_pair rates the value term under.
  auto segment = !t.c.segment.empty() ? std::string_view{t.c.segment}
                 : cust != nullptr    ? cust->primary_segment()
                                      : std::string_view{"default"};
  auto segment_id = !t.c.segment.empty() ? t.segment_id : segments_.id(segment);
  const auto& qe = queues_[t.queue];
  auto policy = policy_of(qe, now);
  // The risk weighs only in the value term, which only `profile` ranks by.
  double risk = policy == policy_kind::profile
                  ? complaint_risk(cust, t.c, now, qe.config.sl_threshold, tenant_.repeat_window).risk
                  : -1.0;
  auto min_level = qe.config.min_level;
  slot only_agent = no_slot;
  std::string_view only_team;
  if (cust != nullptr) {
    auto tier_level = tenant_.min_level_by_tier[static_cast<std::size_t>(std::clamp(cust->tier, 0, max_tier))];
    min_level = std::max(min_level, tier_level);
    // A dedicated manager who is at work (logged in, not away, connected) and
    // works this queue holds the contact for `manager_wait`; then (or at once) the
    // manager's team, while one of it is logged in, for `team_wait`; then anyone
    // eligible.
    auto waited = now - t.c.enqueued_at;
    if (!cust->account_manager.empty() && waited < tenant_.manager_wait + tenant_.team_wait) {
      auto m = agent_by_id_.find(cust->account_manager);
      if (m != agent_by_id_.end()) {
        const auto& me = agents_[m->second];
        bool at_work = me.rt.logged_in && !me.rt.away && !me.rt.disconnected;
        if (waited < tenant_.manager_wait && at_work && qualifies(me.profile, qe.config))
          only_agent = m->second;
        else if (!me.profile.team.empty() && team_online_.count(me.profile.team) > 0)
          only_team = me.profile.team;
      }
    }
  }
  return pair_context{t,      queues_[t.queue].config, cust,      segment,    segment_id, now,
                      policy, risk,                    min_level, only_agent, only_team};
}

const objective_weights& routing_domain::objective_of(const queue_config& q) const {
  return q.own_objective ? q.objective : tenant_.objective;
}

reject_reason routing_domain::eligible(const pair_context& p, const step_view& step,
                                       slot a) const {
  const auto& e = agents_[a];
  auto r = check_eligibility(p.t.c, p.queue, step, e.profile, e.rt);
  if (r != reject_reason::none)
    return r;
  return gate(p, a);
}

reject_reason routing_domain::gate(const pair_context& p, slot a) const {
  const auto& e = agents_[a];
  // The customer's own dedicated manager is not held back by the level gate.
  bool manager = p.customer != nullptr && p.customer->account_manager == e.profile.id;
  if (e.profile.level < p.min_level && !manager)
    return reject_reason::level;
  if (p.only_agent != no_slot && a != p.only_agent)
    return reject_reason::reserved;
  if (!p.only_team.empty() && e.profile.team != p.only_team)
    return reject_reason::reserved;
  return reject_reason::none;
}

// What the queue's policy ranks by. Only `profile` ranks by the value term, the one
// that needs learned statistics: the others get it from `explain`, for the
// candidates a decision records. longest_idle ranks by idle time alone (the total
// score_pair gives it); a test checks that the recorded terms are score_pair's.
score_terms routing_domain::rank_terms(const pair_context& p, slot a, time_ms idle) const {
  if (p.policy == policy_kind::longest_idle) {
    score_terms terms;
    terms.total = static_cast<double>(idle) / 1000.0;
    return terms;
  }
  const auto& e = agents_[a];
  if (p.policy != policy_kind::profile)
    return score_pair(p.t.c, e.profile, e.rt,
                      score_inputs{p.queue, p.customer, no_learned_, tenant_.weights,
                                   objective_of(p.queue), p.now, nullptr, p.risk},
                      p.policy);
  return score_pair(p.t.c, e.profile, e.rt,
                    score_inputs{p.queue, p.customer, learned_, tenant_.weights,
                                 objective_of(p.queue), p.now, &drawn(p, a), p.risk},
                    p.policy);
}

// Every term of a pair, as score_pair computes them with the learned statistics
// (under longest_idle and skills too, for the candidates a decision records).
score_terms routing_domain::explain(const pair_context& p, slot a) {
  const auto& e = agents_[a];
  if (p.policy == policy_kind::profile)
    return rank_terms(p, a, e.rt.idle_ms(p.now));
  double risk = complaint_risk(p.customer, p.t.c, p.now, p.queue.sl_threshold,
                               tenant_.repeat_window)
                  .risk;
  auto terms = score_pair(p.t.c, e.profile, e.rt,
                          score_inputs{p.queue, p.customer, no_learned_, tenant_.weights,
                                       objective_of(p.queue), p.now, nullptr, risk},
                          p.policy);
  auto valued = score_pair(p.t.c, e.profile, e.rt,
                           score_inputs{p.queue, p.customer, learned_, tenant_.weights,
                                        objective_of(p.queue), p.now, &drawn(p, a), risk},
                           policy_kind::profile);
  terms.value = valued.value;
  return terms;
}

double routing_domain::mean_occupancy(time_ms now) {
  if (mean_occupancy_at_ >= 0 && now - mean_occupancy_at_ < 1000 && now >= mean_occupancy_at_)
    return mean_occupancy_;
  double sum = 0;
  std::size_t n = 0;
  for (const auto& e : agents_)
    if (e.rt.logged_in) {
      sum += recent_occupancy(e.rt, now);
      ++n;
    }
  mean_occupancy_ = n > 0 ? sum / static_cast<double>(n) : 0;
  mean_occupancy_at_ = now;
  return mean_occupancy_;
}

std::optional<outcome_estimate> routing_domain::drawn_for(std::string_view contact,
                                                          std::string_view agent, time_ms now) {
  auto c = by_contact_.find(contact);
  auto a = agent_by_id_.find(agent);
  if (c == by_contact_.end() || a == agent_by_id_.end())
    return std::nullopt;
  return drawn(context(contacts_[c->second], now), a->second);
}

const outcome_estimate& routing_domain::drawn(const pair_context& p, slot a) const {
  return draws_.get(a, p.t.intent_id, p.segment_id, [&] {
    return learned_.sample(agents_[a].profile.id, p.t.c.intent, p.segment, rng_);
  });
}

offer routing_domain::make_offer(slot h, slot a, routing_decision d, time_ms now) {
  auto& t = contacts_[h];
  auto& e = agents_[a];
  auto& q = queues_[t.queue];
  q.line.erase(t.c.key());
  ++q.offered;
  t.phase = contact_phase::offered;
  t.agent = a;
  hold(a, h);
  t.offer_id = ++next_offer_id_;
  t.c.agent = e.profile.id;
  ++t.c.offers;
  add_load(e.rt, t.c.ch, now);
  refresh_ready(a);
  offer o;
  o.contact = t.c.id;
  o.agent = e.profile.id;
  o.queue = q.config.id;
  o.offer_id = t.offer_id;
  o.deadline = now + q.config.offer_timeout;
  d.agent = e.profile.id;
  d.at = now;
  // Under the experiment, the outcome counts for the arm that made this offer.
  t.exp_slice = -1;
  if (experiment_.on() && q.config.policy == policy_kind::profile) {
    t.exp_slice = experiment_.slice_of(now);
    t.exp_treated = d.policy == policy_kind::profile;
  }
  o.decision = std::move(d);
  return o;
}

std::optional<offer> routing_domain::match_contact(slot h, time_ms now) {
  auto& t = contacts_[h];
  auto& q = queues_[t.queue];
  auto step = current_step(q.config, now - t.c.enqueued_at);
  auto p = context(t, now);
  // Candidates rank by `better`; exact ties (same total, same idle time) go to the
  // agent defined first, so the choice does not depend on the order of `ready`.
  auto ranks_before = [](const scored& x, const scored& y) {
    if (x.over_bound != y.over_bound)
      return !x.over_bound;
    if (better(x.terms, x.idle, y.terms, y.idle))
      return true;
    return !better(y.terms, y.idle, x.terms, x.idle) && x.agent < y.agent;
  };
  best_.clear();
  rejected_.clear();
  std::uint32_t considered = 0;
  // The fairness guard: under `profile`, agents well above the mean occupancy
  // rank after every agent within the bound.
  bool guarded = p.policy == policy_kind::profile && tenant_.fairness_bound > 0;
  double ceiling = guarded ? mean_occupancy(now) + tenant_.fairness_bound : 2.0;
  std::optional<scored> best_over;  // the best-scored agent over the bound
  for (auto a : q.ready) {
    auto& e = agents_[a];
    ++considered;
    auto r = eligible(p, step, a);
    if (r != reject_reason::none) {
      if (rejected_.size() < max_recorded_rejections)
        rejected_.emplace_back(a, r);
      continue;
    }
    auto idle = e.rt.idle_ms(now);
    scored c{a, rank_terms(p, a, idle), idle, false};
    // A customer's dedicated manager is never passed over for being busy.
    c.over_bound = guarded && recent_occupancy(e.rt, now) > ceiling &&
                   !(p.customer && p.customer->account_manager == e.profile.id);
    if (c.over_bound && (!best_over || better(c.terms, c.idle, best_over->terms, best_over->idle)))
      best_over = c;
    // Keep the best `max_recorded_candidates`, best first; the first is the winner.
    if (best_.size() == max_recorded_candidates && !ranks_before(c, best_.back()))
      continue;
    auto pos = std::find_if(best_.begin(), best_.end(),
                            [&](const scored& b) { return ranks_before(c, b); });
    best_.insert(pos, c);
    if (best_.size() > max_recorded_candidates)
      best_.pop_back();
  }
  if (best_.empty())
    return std::nullopt;
  // Counted when an agent over the bound would have won on its score.
  if (best_over && !best_.front().over_bound &&
      better(best_over->terms, best_over->idle, best_.front().terms, best_.front().idle))
    ++guarded_;
  routing_decision d;
  d.contact = t.c.id;
  d.queue = q.config.id;
  d.policy = p.policy;
  d.step = step.index;
  d.considered = considered;
  d.candidates.reserve(best_.size() + rejected_.size());
  bool ranked_by_value = p.policy == policy_kind::profile;
  for (const auto& b : best_)
    d.candidates.push_back(candidate{agents_[b.agent].profile.id,
                                     ranked_by_value ? b.terms : explain(p, b.agent),
                                     reject_reason::none});
  for (const auto& [a, r] : rejected_)
    d.candidates.push_back(candidate{agents_[a].profile.id, {}, r});
  return make_offer(h, best_.front().agent, std::move(d), now);
}

std::optional<offer> routing_domain::match_agent(slot a, time_ms now) {
  auto& e = agents_[a];
  if (!has_any_free_capacity(e.profile, e.rt))
    return std::nullopt;
  slot winner = no_slot;
  score_terms winner_terms;  // only `profile` lines compare them; see below for the others
  int winner_qprio = 0;
  bool winner_profile = false;
  policy_kind winner_policy = policy_kind::profile;
  std::uint32_t considered = 0;
  int winner_step = -1;
  // The fairness guard: an agent far above the mean occupancy leaves a `profile`
  // line's contact to another ready agent within the bound who can take it.
  // Looked at once, and only for a `profile` line's contact.
  double ceiling = 2.0;
  std::optional<bool> over_cache;
  auto over = [&] {
    if (!over_cache) {
      if (tenant_.fairness_bound > 0)
        ceiling = mean_occupancy(now) + tenant_.fairness_bound;
      over_cache = recent_occupancy(e.rt, now) > ceiling;
    }
    return *over_cache;
  };
  // A customer's dedicated manager is never passed over for being busy.
  auto manages = [&](const tracked_contact& t) {
    const auto* cust = find_customer(t.c.customer);
    return cust != nullptr && cust->account_manager == e.profile.id;
  };
  auto another_within = [&](const pair_context& p, const queue_entry& q, const step_view& step) {
    for (auto b : q.ready) {
      const auto& o = agents_[b];
      if (b != a && recent_occupancy(o.rt, now) <= ceiling &&
          eligible(p, step, b) == reject_reason::none)
        return true;
    }
    return false;
  };
  for (const auto& link : e.queues) {
    auto& q = queues_[link.q];
    if (q.line.empty())
      continue;
    auto policy = policy_of(q, now);
    bool profile = policy == policy_kind::profile;
    std::size_t looked = 0;
    q.line.for_each([&](const queue_key& key, contact_queue::handle h) {
      if (++looked > contact_window)
        return false;
      auto& t = contacts_[h];
      auto step = current_step(q.config, now - t.c.enqueued_at);
      ++considered;
      // The cheap checks first: most contacts of a line fail them or pass alike.
      if (check_eligibility(t.c, q.config, step, e.profile, e.rt) != reject_reason::none)
        return true;
      auto p = context(t, now);
      if (gate(p, a) != reject_reason::none)
        return true;
      if (profile && over() && another_within(p, q, step) && !manages(t))
        return true;  // its own match (it is new) or that agent's gives it to them
      score_terms terms;
      if (profile)
        terms = rank_terms(p, a, e.rt.idle_ms(now));
      bool take = false;
      if (winner == no_slot) {
        take = true;
      } else {
        const auto& w = contacts_[winner].c;
        if (q.config.priority != winner_qprio) {
          take = q.config.priority > winner_qprio;
        } else if (key.priority != w.priority) {
          take = key.priority > w.priority;
        } else if (profile && winner_profile) {
          take = terms.total > winner_terms.total;
        } else {
          take = key < w.key();
        }
      }
      if (take) {
        winner = h;
        winner_terms = terms;
        winner_qprio = q.config.priority;
        winner_profile = profile;
        winner_policy = policy;
        winner_step = step.index;
      }
      // In FIFO policies the first eligible contact of a line is its best.
      return profile;
    });
  }
  if (winner == no_slot)
    return std::nullopt;
  auto& t = contacts_[winner];
  routing_decision d;
  d.contact = t.c.id;
  d.queue = queues_[t.queue].config.id;
  d.policy = winner_policy;
  d.step = winner_step;
  d.considered = considered;
  d.agent_triggered = true;
  // Nothing changed since the scan, so the terms are the ones it would have computed.
  if (!winner_profile)
    winner_terms = explain(context(t, now), a);
  d.candidates.push_back(candidate{e.profile.id, winner_terms, reject_reason::none});
  return make_offer(winner, a, std::move(d), now);
}

void routing_domain::batch_match(std::vector<slot>& contacts, std::vector<slot>& agents,
                                 time_ms now, std::vector<offer>& out) {
  std::erase_if(contacts, [&](slot h) { return contacts_[h].phase != contact_phase::waiting; });
  std::erase_if(agents, [&](slot a) {
    return !has_any_free_capacity(agents_[a].profile, agents_[a].rt);
  });
  if (contacts.size() > batch_window)
    contacts.resize(batch_window);
  if (agents.size() > batch_window)
    agents.resize(batch_window);
  const auto rows = contacts.size();
  const auto cols = agents.size();
  if (rows < 2 || cols < 2)
    return;
  // Each pair is worth its `profile` total. Which contacts are served when agents
  // are short follows the lines' order of service: queue priority first, then the
  // contact's priority (offsets far above any total). An agent beyond the fairness
  // guard is worth less than any within it (but more than no pair at all).
  constexpr double queue_step = 1e6;
  constexpr double priority_step = 1e2;
  constexpr double over_bound = 50;
  bool guarded = tenant_.fairness_bound > 0;
  double ceiling = guarded ? mean_occupancy(now) + tenant_.fairness_bound : 2.0;
  batch_values_.assign(rows * cols, forbidden_pair);
  std::vector<pair_context> ctx;
  std::vector<int> steps;
  ctx.reserve(rows);
  steps.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& t = contacts_[contacts[i]];
    const auto& q = queues_[t.queue].config;
    auto step = current_step(q, now - t.c.enqueued_at);
    ctx.push_back(context(t, now));
    steps.push_back(step.index);
    const auto& p = ctx.back();
    double offset = queue_step * q.priority + priority_step * t.c.priority;
    for (std::size_t j = 0; j < cols; ++j) {
      auto a = agents[j];
      if (eligible(p, step, a) != reject_reason::none)
        continue;
      const auto& e = agents_[a];
      double v = offset + rank_terms(p, a, e.rt.idle_ms(now)).total;
      if (guarded && recent_occupancy(e.rt, now) > ceiling &&
          !(p.customer && p.customer->account_manager == e.profile.id))
        v -= over_bound;
      batch_values_[i * cols + j] = v;
    }
  }
  auto chosen = assign_max(batch_values_, rows, cols);
  if (!chosen || chosen->pairs < 2)
    return;  // one pair or none: the one-at-a-time matching does the same
  for (std::size_t i = 0; i < rows; ++i) {
    auto j = chosen->col_of_row[i];
    if (j < 0)
      continue;
    auto h = contacts[i];
    auto a = agents[static_cast<std::size_t>(j)];
    const auto& p = ctx[i];
    routing_decision d;
    d.contact = p.t.c.id;
    d.queue = p.queue.id;
    d.policy = p.policy;
    d.step = steps[i];
    d.considered = static_cast<std::uint32_t>(rows * cols);
    d.batch = true;
    d.candidates.push_back(
      candidate{agents_[a].profile.id, explain(p, a), reject_reason::none});
    out.push_back(make_offer(h, a, std::move(d), now));
    ++batch_offers_;
  }
}

std::vector<offer> routing_domain::match(time_ms now) {
  std::vector<offer> out;
  auto& agents = match_agents_;
  agents.swap(pending_agents_);
  pending_agents_.clear();
  std::sort(agents.begin(), agents.end());
  agents.erase(std::unique(agents.begin(), agents.end()), agents.end());
  // Longest-idle agents pick first.
  std::sort(agents.begin(), agents.end(), [&](slot x, slot y) {
    return agents_[x].rt.idle_ms(now) > agents_[y].rt.idle_ms(now);
  });
  // Several agents free at once (a shift starts, a burst ends): the contacts
  // waiting in their `profile` lines are assigned to them together first.
  if (agents.size() >= 2) {
    batch_agents_.assign(agents.begin(), agents.end());
    batch_contacts_.clear();
    for (auto a : batch_agents_)
      for (const auto& link : agents_[a].queues) {
        auto& q = queues_[link.q];
        if (q.line.empty() || policy_of(q, now) != policy_kind::profile)
          continue;
        std::size_t looked = 0;
        q.line.for_each([&](const queue_key&, contact_queue::handle h) {
          batch_contacts_.push_back(static_cast<slot>(h));
          return ++looked < contact_window;
        });
      }
    std::sort(batch_contacts_.begin(), batch_contacts_.end());
    batch_contacts_.erase(std::unique(batch_contacts_.begin(), batch_contacts_.end()),
                          batch_contacts_.end());
    // The longest waiting first when the window cuts.
    std::sort(batch_contacts_.begin(), batch_contacts_.end(),
              [&](slot x, slot y) { return contacts_[x].c.key() < contacts_[y].c.key(); });
    batch_match(batch_contacts_, batch_agents_, now, out);
  }
  for (auto a : agents)
    while (auto o = match_agent(a, now))
      out.push_back(std::move(*o));
  auto& pending = match_contacts_;
  pending.swap(pending_contacts_);
  pending_contacts_.clear();
  std::sort(pending.begin(), pending.end());
  pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
  // Only contacts still waiting, in line order across queues.
  std::erase_if(pending, [&](slot h) {
    return h >= contacts_.size() || contacts_[h].c.id.empty() ||
           contacts_[h].phase != contact_phase::waiting;
  });
  std::sort(pending.begin(), pending.end(), [&](slot x, slot y) {
    const auto& qx = queues_[contacts_[x].queue].config;
    const auto& qy = queues_[contacts_[y].queue].config;
    if (qx.priority != qy.priority)
      return qx.priority > qy.priority;
    return contacts_[x].c.key() < contacts_[y].c.key();
  });
  // Several contacts new at once (a burst, recovery after an outage) while agents
  // are free: the `profile` ones are assigned together first.
  if (pending.size() >= 2) {
    batch_contacts_.clear();
    batch_agents_.clear();
    for (auto h : pending) {
      const auto& q = queues_[contacts_[h].queue];
      if (q.ready.empty() || policy_of(q, now) != policy_kind::profile)
        continue;
      batch_contacts_.push_back(h);
    }
    if (batch_contacts_.size() >= 2) {
      std::vector<slot> lines;
      for (auto h : batch_contacts_)
        if (lines.empty() || lines.back() != contacts_[h].queue)
          lines.push_back(contacts_[h].queue);
      std::sort(lines.begin(), lines.end());
      lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
      for (auto q : lines)
        batch_agents_.insert(batch_agents_.end(), queues_[q].ready.begin(), queues_[q].ready.end());
      std::sort(batch_agents_.begin(), batch_agents_.end());
      batch_agents_.erase(std::unique(batch_agents_.begin(), batch_agents_.end()),
                          batch_agents_.end());
      batch_match(batch_contacts_, batch_agents_, now, out);
    }
  }
  for (auto h : pending)
    if (contacts_[h].phase == contact_phase::waiting)
      if (auto o = match_contact(h, now))
        out.push_back(std::move(*o));
  return out;
}

time_ms routing_domain::hold_ends(const tracked_contact& t) const {
  if (t.hold_stage == 0)
    return t.c.enqueued_at + tenant_.manager_wait;
  if (t.hold_stage == 1)
    return t.c.enqueued_at + tenant_.manager_wait + tenant_.team_wait;
  return -1;
}

void routing_domain::schedule_due(slot h) {
  auto& t = contacts_[h];
  const auto& cfg = queues_[t.queue].config;
  time_ms next = -1;
  if (auto after = next_step_after(cfg, t.step); after >= 0)
    next = t.c.enqueued_at + after;
  if (cfg.max_wait > 0 && (next < 0 || t.c.enqueued_at + cfg.max_wait < next))
    next = t.c.enqueued_at + cfg.max_wait;
  if (auto end = hold_ends(t); end >= 0 && (next < 0 || end < next))
    next = end;
  t.due_at = next;
  if (next >= 0)
    due_.push({next, h});
}

void routing_domain::apply_due(slot h, time_ms now, tick_result& out) {
  auto& t = contacts_[h];
  auto qs = t.queue;
  auto& q = queues_[qs];
  auto waited = now - t.c.enqueued_at;
  if (q.config.max_wait > 0 && waited >= q.config.max_wait) {
    q.line.erase(t.c.key());
    out.timed_out.push_back(t.c.id);
    release(h);
    return;
  }
  // The hold for the customer's manager (then its team) ends: others may take it.
  while (t.hold_stage < 2 && hold_ends(t) <= now) {
    ++t.hold_stage;
    mark_contact(h);
  }
  auto step = current_step(q.config, waited);
  if (step.index != t.step) {
    t.step = step.index;
    mark_contact(h);
    if (!step.move_to_queue.empty()) {
      auto to = queue_slot(step.move_to_queue);
      bool been =
        std::find(t.moved_through.begin(), t.moved_through.end(), to) != t.moved_through.end();
      if (to != no_slot && to != qs && !been) {
        q.line.erase(t.c.key());
        out.moves.push_back({t.c.id, q.config.id, queues_[to].config.id});
        t.moved_through.push_back(qs);
        t.queue = to;
        t.c.queue = queues_[to].config.id;
        t.c.journey.push_back("overflow:" + q.config.id + "->" + t.c.queue);
        // No step of the new queue has been applied yet. Its steps count from the
        // original waiting time, so some may be due already: schedule_due files
        // them at once and this same tick applies them.
        t.step = -1;
        queues_[to].line.push(t.c.key(), h);
      }
    }
  }
  schedule_due(h);
}

tick_result routing_domain::tick(time_ms now) {
  tick_result out;
  while (!cooldowns_.empty() && cooldowns_.top().until <= now) {
    auto cd = cooldowns_.top();
    cooldowns_.pop();
    auto& t = contacts_[cd.h];
    // Only if the slot still holds the contact whose offer was declined.
    if (!t.c.id.empty() && t.offer_id == cd.offer_id && !t.c.last_declined_by.empty()) {
      t.c.last_declined_by.clear();
      if (t.phase == contact_phase::waiting)
        mark_contact(cd.h);
    }
  }
  // Each live entry either ends its contact's wait, advances its step (its next
  // one is later than now) or moves it to a queue it has not been in: the loop
  // ends after at most (steps + queues) rounds per due contact.
  while (!due_.empty() && due_.top().at <= now) {
    auto e = due_.top();
    due_.pop();
    if (live(e))
      apply_due(e.h, now, out);  // else stale: released, offered or rescheduled since
  }
  return out;
}

bool routing_domain::live(const due_entry& e) const {
  const auto& t = contacts_[e.h];
  return !t.c.id.empty() && t.phase == contact_phase::waiting && t.due_at == e.at;
}

time_ms routing_domain::next_deadline() const {
  while (!due_.empty() && !live(due_.top()))
    due_.pop();
  time_ms next = -1;
  if (!cooldowns_.empty())
    next = cooldowns_.top().until;
  if (!due_.empty() && (next < 0 || due_.top().at < next))
    next = due_.top().at;
  return next;
}


}  // namespace switchboard::engine
