// Matching and scoring of routing_domain: match (agent- and contact-triggered
// decisions), offers, and the timed rules (overflow steps, max wait, decline marks).
// The state and bookkeeping are in routing_domain.cc.
#include <algorithm>

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
  return pair_context{t, queues_[t.queue].config, cust, segment, segment_id, now};
}

// What the queue's policy ranks by. Only `profile` ranks by the value term, the one
// that needs learned statistics: the others get it from `explain`, for the
// candidates a decision records. longest_idle ranks by idle time alone (the total
// score_pair gives it); a test checks that the recorded terms are score_pair's.
score_terms routing_domain::rank_terms(const pair_context& p, slot a, time_ms idle) const {
  if (p.queue.policy == policy_kind::longest_idle) {
    score_terms terms;
    terms.total = static_cast<double>(idle) / 1000.0;
    return terms;
  }
  const auto& e = agents_[a];
  if (p.queue.policy != policy_kind::profile)
    return score_pair(p.t.c, e.profile, e.rt,
                      score_inputs{p.queue, p.customer, no_learned_, tenant_.weights,
                                   tenant_.objective, p.now, nullptr},
                      p.queue.policy);
  return score_pair(p.t.c, e.profile, e.rt,
                    score_inputs{p.queue, p.customer, learned_, tenant_.weights,
                                 tenant_.objective, p.now, &drawn(p, a)},
                    p.queue.policy);
}

// Every term of a pair, as score_pair computes them with the learned statistics
// (under longest_idle and skills too, for the candidates a decision records).
score_terms routing_domain::explain(const pair_context& p, slot a) {
  const auto& e = agents_[a];
  if (p.queue.policy == policy_kind::profile)
    return rank_terms(p, a, e.rt.idle_ms(p.now));
  auto terms = score_pair(p.t.c, e.profile, e.rt,
                          score_inputs{p.queue, p.customer, no_learned_, tenant_.weights,
                                       tenant_.objective, p.now, nullptr},
                          p.queue.policy);
  auto valued = score_pair(p.t.c, e.profile, e.rt,
                           score_inputs{p.queue, p.customer, learned_, tenant_.weights,
                                        tenant_.objective, p.now, &drawn(p, a)},
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
  bool guarded = q.config.policy == policy_kind::profile && tenant_.fairness_bound > 0;
  double ceiling = guarded ? mean_occupancy(now) + tenant_.fairness_bound : 2.0;
  std::optional<scored> best_over;  // the best-scored agent over the bound
  for (auto a : q.ready) {
    auto& e = agents_[a];
    ++considered;
    auto r = check_eligibility(t.c, q.config, step, e.profile, e.rt);
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
  d.policy = q.config.policy;
  d.step = step.index;
  d.considered = considered;
  d.candidates.reserve(best_.size() + rejected_.size());
  bool ranked_by_value = q.config.policy == policy_kind::profile;
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
  auto another_within = [&](const tracked_contact& t, const queue_entry& q,
                            const step_view& step) {
    for (auto b : q.ready) {
      const auto& o = agents_[b];
      if (b != a && recent_occupancy(o.rt, now) <= ceiling &&
          check_eligibility(t.c, q.config, step, o.profile, o.rt) == reject_reason::none)
        return true;
    }
    return false;
  };
  for (const auto& link : e.queues) {
    auto& q = queues_[link.q];
    if (q.line.empty())
      continue;
    bool profile = q.config.policy == policy_kind::profile;
    std::size_t looked = 0;
    q.line.for_each([&](const queue_key& key, contact_queue::handle h) {
      if (++looked > contact_window)
        return false;
      auto& t = contacts_[h];
      auto step = current_step(q.config, now - t.c.enqueued_at);
      ++considered;
      if (check_eligibility(t.c, q.config, step, e.profile, e.rt) != reject_reason::none)
        return true;
      if (profile && over() && another_within(t, q, step) && !manages(t))
        return true;  // its own match (it is new) or that agent's gives it to them
      score_terms terms;
      if (profile)
        terms = rank_terms(context(t, now), a, e.rt.idle_ms(now));
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
  d.policy = queues_[t.queue].config.policy;
  d.step = winner_step;
  d.considered = considered;
  d.agent_triggered = true;
  // Nothing changed since the scan, so the terms are the ones it would have computed.
  if (!winner_profile)
    winner_terms = explain(context(t, now), a);
  d.candidates.push_back(candidate{e.profile.id, winner_terms, reject_reason::none});
  return make_offer(winner, a, std::move(d), now);
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
  for (auto h : pending)
    if (contacts_[h].phase == contact_phase::waiting)
      if (auto o = match_contact(h, now))
        out.push_back(std::move(*o));
  return out;
}

void routing_domain::schedule_due(slot h) {
  auto& t = contacts_[h];
  const auto& cfg = queues_[t.queue].config;
  time_ms next = -1;
  if (auto after = next_step_after(cfg, t.step); after >= 0)
    next = t.c.enqueued_at + after;
  if (cfg.max_wait > 0 && (next < 0 || t.c.enqueued_at + cfg.max_wait < next))
    next = t.c.enqueued_at + cfg.max_wait;
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
