#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <random>
#include <vector>

#include "engine/agent.h"
#include "engine/complaint_risk.h"
#include "engine/constraints.h"
#include "engine/contact.h"
#include "engine/contact_queue.h"
#include "engine/experiment.h"
#include "engine/internal/learned_rates.h"
#include "engine/internal/string_map.h"
#include "engine/learned_stats.h"
#include "engine/profiles.h"
#include "engine/scoring.h"

namespace switchboard::engine {

/// One agent considered for a contact, with its score terms or why it was rejected.
struct candidate {
  std::string agent;
  score_terms terms;
  reject_reason rejected = reject_reason::none;
};

/// Why a contact went to an agent: the candidates considered and their terms.
struct routing_decision {
  std::string contact;
  std::string queue;
  std::string agent;
  policy_kind policy = policy_kind::profile;
  int step = -1;              ///< overflow step in force
  time_ms at = 0;
  std::uint32_t considered = 0;  ///< pairs evaluated
  bool agent_triggered = false;  ///< an agent freed up and picked among contacts
  /// Assigned in a batch: several contacts and agents at once, the pairs chosen
  /// together for the largest total (`assign_max`); `considered` is the batch's
  /// contacts x agents.
  bool batch = false;
  /// Best eligible candidates first (at most `max_recorded_candidates`), then a
  /// sample of rejected ones with their reasons.
  std::vector<candidate> candidates;
};

/// A contact reserved for one agent until accepted, declined or expired.
struct offer {
  std::string contact;
  std::string agent;
  std::string queue;
  std::uint64_t offer_id = 0;
  time_ms deadline = 0;
  routing_decision decision;
};

/// Where the domain holds a contact.
enum class contact_phase : std::uint8_t { waiting, offered, connected, wrap_up };

/// What `remove` undid: a waiting contact left the line, or an offer was cancelled.
struct removal {
  contact_phase phase = contact_phase::waiting;
  std::string agent;  ///< the agent whose offer was cancelled, if any
  std::uint64_t offer_id = 0;
};

/// An overflow move of a waiting contact to another queue (keeps its place in time).
struct queue_move {
  std::string contact;
  std::string from;
  std::string to;
};

/// What a `tick` changed.
struct tick_result {
  std::vector<queue_move> moves;
  std::vector<std::string> timed_out;  ///< waited past the queue's max wait; removed
};

/// What a logout released.
struct logout_result {
  std::vector<std::string> returned;   ///< offers cancelled, contacts back in line
  std::vector<std::string> connected;  ///< contacts still connected to the agent
};

/// What releasing a lost agent did (`release_agent`).
struct agent_release {
  std::vector<std::string> returned;  ///< offers cancelled, contacts back in line
  std::vector<std::string> requeued;  ///< were connected: back in line at their original place
  std::vector<std::string> wrap_up;   ///< in wrap-up: still held, for the caller to complete
  std::vector<std::string> failed;    ///< could not go back in line (place taken): removed
};

/// A read-only view of a customer profile as a completion left it. It shares the
/// profile with the routing_domain until the domain next changes that customer
/// (copy on write), so a completion copies the profile only if its caller does.
/// Reads like `std::optional<customer_profile>`. Confined to the domain's owner:
/// copy the profile (`customer_profile{*snapshot}`) to hand it to another thread.
class customer_snapshot {
 public:
  customer_snapshot() = default;
  explicit customer_snapshot(std::shared_ptr<const customer_profile> p) : p_(std::move(p)) {}

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  /// Precondition: `has_value()`.
  const customer_profile& operator*() const { return *p_; }
  /// Precondition: `has_value()`.
  const customer_profile* operator->() const { return p_.get(); }

 private:
  std::shared_ptr<const customer_profile> p_;
};

/// What a completion produced, for persistence.
struct completion {
  learned_record learned;
  customer_snapshot customer;  ///< updated profile, when known
};

struct queue_snapshot {
  std::string id;
  std::size_t waiting = 0;
  std::size_t offered = 0;
  time_ms oldest_enqueued_at = -1;  ///< -1 when nobody waits
  std::size_t agents_ready = 0;     ///< logged in with free capacity, qualified
  std::size_t agents_staffed = 0;   ///< logged in and qualified
};

struct agent_snapshot {
  std::string id;
  agent_state state = agent_state::offline;
  std::uint32_t load = 0;
  double occupancy = 0;
};

/// The routing state of one tenant: its queues' waiting lines, its agents'
/// capacity, customers and learned statistics, and the matching between them.
/// Pure logic in caller-supplied time; confined to one owner (the tenant's
/// recommender actor, or the simulator). A contact is never offered to two agents:
/// an offer moves it out of the line until accepted, declined or expired.
class routing_domain {
 public:
  /// Eligible candidates recorded per decision. Default: 8.
  /// Outcomes of the tenant after which every Thompson draw is made again (the
  /// priors they lean on, cohorts' and the tenant's rates, have moved). Default: 256.
  static constexpr std::uint64_t redraw_every = 256;
  static constexpr std::size_t max_recorded_candidates = 8;
  /// Rejected candidates recorded per decision. Default: 8.
  static constexpr std::size_t max_recorded_rejections = 8;
  /// Waiting contacts per queue a freed agent looks at (in line order). Default: 64.
  static constexpr std::size_t contact_window = 64;
  /// The most contacts, and the most agents, one batch assignment takes. Default: 256.
  static constexpr std::size_t batch_window = 256;
  /// Alerts kept until `take_alerts` (the oldest are dropped beyond). Default: 1000.
  static constexpr std::size_t max_pending_alerts = 1000;

  explicit routing_domain(tenant_config tenant);

  const tenant_config& tenant() const { return tenant_; }
  [[nodiscard]] status set_tenant(tenant_config t);

  // -- definitions ----------------------------------------------------------

  [[nodiscard]] status upsert_queue(queue_config q);
  /// Replaces the profile, keeping the runtime state (login, load).
  [[nodiscard]] status upsert_agent(agent_profile p);
  [[nodiscard]] status upsert_customer(customer_profile c);
  void restore_learned(const learned_record& r);
  /// A customer's rating of a contact that completed already: its CSAT counts for
  /// the agent under the (intent, segment) the completion recorded; the tip goes
  /// to the agent's profile. The cell, for persistence.
  learned_record rate_completed(std::string_view agent, std::string_view intent,
                                std::string_view segment, int csat, double tip);

  const queue_config* find_queue(std::string_view id) const;
  const agent_profile* find_agent(std::string_view id) const;
  const agent_runtime* find_runtime(std::string_view id) const;
  const customer_profile* find_customer(std::string_view id) const;
  const learned_stats& learned() const { return learned_; }
  /// Offers the fairness guard gave another agent than the best-scored one, since
  /// the domain started.
  std::uint64_t guarded_offers() const { return guarded_; }
  /// The outcome draw (Thompson sampling) the `profile` policy values the pair of
  /// waiting contact `contact` and agent `agent` by now: what an offer's recorded
  /// value term was computed from. nullopt: unknown contact or agent.
  std::optional<outcome_estimate> drawn_for(std::string_view contact, std::string_view agent,
                                            time_ms now);
  /// The complaint risk of a tracked contact's path now; nullopt: unknown contact.
  std::optional<risk_factors> risk_of(std::string_view contact, time_ms now) const;
  /// Alerts raised since the last call (contacts enqueued at a complaint risk of
  /// the tenant's `complaint_alert` or more), oldest first.
  std::vector<risk_alert> take_alerts();
  /// The live on/off comparison (tenant `experiment`); empty when it is off.
  const experiment& live_experiment() const { return experiment_; }
  /// The policy that routes `queue`'s contacts at `now`: its own, or under the
  /// experiment the arm of the current slice. nullopt: unknown queue.
  std::optional<policy_kind> policy_at(std::string_view queue, time_ms now) const;
  /// Offers made by batch assignment since the domain started.
  std::uint64_t batch_offers() const { return batch_offers_; }

  // -- agents ---------------------------------------------------------------

  [[nodiscard]] status login(std::string_view agent, time_ms now);
  /// Logs out: cancels the agent's offers (contacts return to their place).
  [[nodiscard]] result<logout_result> logout(std::string_view agent, time_ms now);
  /// Away stops new offers; back from away resets the ring-no-answer counter.
  [[nodiscard]] status set_away(std::string_view agent, bool away, time_ms now);
  /// The agent's connection dropped (`connected` false) or came back: while
  /// disconnected it gets no new offers and keeps the work it holds. Login also
  /// clears it. Errors: unknown_agent.
  [[nodiscard]] status set_connected(std::string_view agent, bool connected, time_ms now);
  /// The agent is gone for good (its grace period ran out, or it never came back
  /// after a restart): logs it out, its offers return to their places, its
  /// connected contacts go back in line at their original place (`c.key()`), and
  /// its contacts in wrap-up stay held for the caller to complete.
  [[nodiscard]] result<agent_release> release_agent(std::string_view agent, time_ms now);
  /// The contacts an agent holds (offered, connected, wrap-up), in slot order.
  std::vector<const contact*> held_by(std::string_view agent) const;

  // -- contacts -------------------------------------------------------------

  /// Puts a contact in line at `c.key()`; `c.state` must be queued. Checks tenant,
  /// queue, channel, duplicates and the queue's max waiting.
  [[nodiscard]] status enqueue(contact c, time_ms now);
  /// Recovery: a contact connected with `c.agent` before a restart keeps its load.
  [[nodiscard]] status restore_connected(contact c);
  /// The customer left: removes a waiting contact or cancels its offer.
  [[nodiscard]] result<removal> remove(std::string_view contact, time_ms now);
  /// 0-based place in line, or -1 when not waiting.
  std::int64_t position(std::string_view contact) const;
  std::optional<contact_phase> phase(std::string_view contact) const;
  /// The agent a contact is offered to or connected with; empty when none.
  std::string_view agent_of(std::string_view contact) const;
  /// The domain's copy of a tracked contact (no attached data), or null.
  const contact* find_contact(std::string_view contact) const;

  // -- routing --------------------------------------------------------------

  /// Pairs waiting contacts with free agent capacity, for everything that changed
  /// since the last call. Each returned offer has reserved the agent's capacity.
  std::vector<offer> match(time_ms now);
  /// Offer ids are issued after `base`: an owner restarted after a crash passes a
  /// value that ids issued before the crash cannot reach (e.g. derived from time).
  void set_offer_id_base(std::uint64_t base) { next_offer_id_ = std::max(next_offer_id_, base); }
  /// Applies overflow steps, max-wait limits and lapsed decline marks due by `now`.
  tick_result tick(time_ms now);
  /// Time of the next overflow step, max-wait limit or lapse of a decline mark, or
  /// -1 when nothing is due. Read off two heaps (amortised O(log n): entries of
  /// contacts rescheduled or gone are dropped on the way). It may name a time
  /// earlier than the real next deadline (a lapsing decline mark of a contact since
  /// offered), never a later one; a `tick` at that time simply finds nothing.
  time_ms next_deadline() const;

  // -- offers and service ---------------------------------------------------

  [[nodiscard]] status accept(std::string_view contact, std::string_view agent,
                              std::uint64_t offer_id, time_ms now);
  /// The contact returns to its original place; the agent is not offered it again
  /// right away.
  [[nodiscard]] status decline(std::string_view contact, std::string_view agent,
                               std::uint64_t offer_id, time_ms now);
  /// As decline; after `ring_no_answer_limit` expiries in a row the agent is set
  /// away. The value says whether that happened.
  [[nodiscard]] result<bool> expire(std::string_view contact, std::string_view agent,
                                    std::uint64_t offer_id, time_ms now);
  [[nodiscard]] status wrap_up(std::string_view contact, std::string_view agent, time_ms now);
  /// Frees the agent's capacity and learns from the outcome.
  [[nodiscard]] result<completion> complete(std::string_view contact, std::string_view agent,
                                            const outcome& o, time_ms handle_ms, time_ms now);
  /// A connected contact goes back in line in another queue with a new key.
  [[nodiscard]] status transfer(std::string_view contact, std::string_view agent,
                                std::string_view to_queue, queue_key new_key, time_ms now);

  // -- views ----------------------------------------------------------------

  std::vector<queue_snapshot> queues() const;
  std::vector<agent_snapshot> agents() const;
  std::size_t waiting() const;
  std::size_t tracked() const { return by_contact_.size(); }

 private:
  using slot = std::uint32_t;
  static constexpr slot no_slot = ~slot{0};

  struct queue_entry {
    queue_config config;
    contact_queue line;
    // Qualified agents with some free capacity, dense for a cache-friendly scan;
    // an agent's place here is in its `queue_link::ready_at` (swap-remove).
    std::vector<slot> ready;
    std::size_t staffed = 0;
    std::size_t offered = 0;
  };

  /// A queue whose skills an agent has (any level), and the agent's index in that
  /// queue's `ready` list (no_slot when not there).
  struct queue_link {
    slot q = no_slot;
    slot ready_at = no_slot;
  };

  struct agent_entry {
    agent_profile profile;
    agent_runtime rt;
    std::vector<queue_link> queues;  // higher-priority queues first, then by slot
    std::vector<slot> held;          // contacts offered to, connected with or in wrap-up
    bool live = false;
  };

  struct tracked_contact {
    contact c;
    slot queue = no_slot;
    slot agent = no_slot;
    contact_phase phase = contact_phase::waiting;
    std::uint64_t offer_id = 0;
    time_ms connected_at = 0;
    int step = -1;
    time_ms due_at = -1;              // its live entry in due_, or -1: none
    std::vector<slot> moved_through;  // queues left by overflow moves
    // Interned `c.intent` and `c.segment` (interner::none when the contact has no
    // segment of its own), keys of the memoized learned rates.
    std::uint32_t intent_id = internal::interner::none;
    std::uint32_t segment_id = internal::interner::none;
    // The experiment's slice and arm of its current offer (slice -1: none).
    std::int64_t exp_slice = -1;
    bool exp_treated = false;
    // The hold for the customer's dedicated manager: 0 manager (until
    // manager_wait), 1 its team (until manager_wait + team_wait), 2 over.
    std::uint8_t hold_stage = 2;
  };

  /// One scored or rejected candidate of a contact-triggered decision, before its
  /// agent id is copied into the decision (only the recorded ones are).
  struct scored {
    slot agent;
    score_terms terms;
    time_ms idle;
    bool over_bound = false;  ///< beyond the fairness guard: ranks after the others
  };
  /// The mean recent occupancy of the logged-in agents, recomputed at most once a
  /// second of the domain's time.
  double mean_occupancy(time_ms now);

  result<slot> agent_slot(std::string_view id) const;
  slot queue_slot(std::string_view id) const;
  bool qualifies(const agent_profile& a, const queue_config& q) const;
  void reindex_agent(slot a);
  void relink_queue(slot a, slot q);
  void sort_links(agent_entry& e);
  void set_ready(slot a, queue_link& link, bool ready);
  void refresh_ready(slot a);
  void hold(slot a, slot h);
  void unhold(slot a, slot h);
  void mark_agent(slot a);
  void mark_contact(slot h);
  result<slot> offered_to(std::string_view contact, std::string_view agent,
                          std::uint64_t offer_id);
  void return_to_line(slot h, slot a, time_ms now);
  void release(slot h);
  offer make_offer(slot h, slot a, routing_decision d, time_ms now);
  std::optional<offer> match_agent(slot a, time_ms now);
  std::optional<offer> match_contact(slot h, time_ms now);
  void intern(tracked_contact& t);

  /// What the pairs of one decision share: the contact, its queue, its customer
  /// and the segment its value term is rated under (as `score_pair` picks it), the
  /// policy routing it now, its complaint risk (under `profile`; else negative),
  /// the least agent level it needs and whom it is held for (its manager, or the
  /// manager's team).
  struct pair_context {
    const tracked_contact& t;
    const queue_config& queue;
    const customer_profile* customer;
    std::string_view segment;
    std::uint32_t segment_id;
    time_ms now;
    policy_kind policy;
    double risk;
    agent_level min_level;
    slot only_agent;
    std::string_view only_team;
  };
  pair_context context(const tracked_contact& t, time_ms now);
  /// check_eligibility, then `gate`.
  reject_reason eligible(const pair_context& p, const step_view& step, slot a) const;
  /// The level gate and the manager's hold alone.
  reject_reason gate(const pair_context& p, slot a) const;
  /// When contact `h`'s hold for its manager (or team) next ends; -1: no hold.
  time_ms hold_ends(const tracked_contact& t) const;
  policy_kind policy_of(const queue_entry& q, time_ms now) const;
  /// The queue's own objective, or the tenant's.
  const objective_weights& objective_of(const queue_config& q) const;
  /// Batch assignment of `contacts` (waiting, in lines routed by `profile`) to
  /// `agents` (with free capacity): the pairs that are worth the most together.
  void batch_match(std::vector<slot>& contacts, std::vector<slot>& agents, time_ms now,
                   std::vector<offer>& out);
  void count_team(const std::string& team, int delta);
  void raise_alert(slot h, time_ms now);
  /// `idle`: the agent's idle time at `p.now`.
  score_terms rank_terms(const pair_context& p, slot a, time_ms idle) const;
  score_terms explain(const pair_context& p, slot a);
  /// The (agent, contact's intent and segment) outcome draw the value term uses.
  const outcome_estimate& drawn(const pair_context& p, slot a) const;

  tenant_config tenant_;
  std::vector<queue_entry> queues_;
  internal::string_map<slot> queue_by_id_;
  std::vector<agent_entry> agents_;
  internal::string_map<slot> agent_by_id_;
  std::vector<tracked_contact> contacts_;
  std::vector<slot> free_contacts_;
  internal::string_map<slot> by_contact_;
  // Shared with the completions that returned them (copy on write, see complete()).
  internal::string_map<std::shared_ptr<customer_profile>> customers_;
  learned_stats learned_;
  // Always empty: what score_pair gets under policies that do not rank by the value
  // term (its lookups then find nothing at once); `explain` fills the term in from
  // `draws_` for the recorded candidates.
  learned_stats no_learned_;
  internal::interner intents_;
  internal::interner segments_;
  // Thompson draws of learned_ by agent slot and ids, kept until the agent's cell
  // changes or `redraw_every` outcomes of the tenant passed (internal/learned_rates.h);
  // a memo, so filled in by const ranking.
  mutable internal::estimate_cache draws_;
  mutable std::mt19937_64 rng_{0x5b0a7d};  // the draws' generator: runs are repeatable
  std::uint64_t outcomes_since_redraw_ = 0;
  double mean_occupancy_ = 0;
  time_ms mean_occupancy_at_ = -1;
  std::uint64_t guarded_ = 0;  ///< offers the fairness guard moved to another agent
  std::uint64_t batch_offers_ = 0;
  internal::string_map<std::uint32_t> team_online_;  ///< logged-in agents per team
  std::vector<risk_alert> alerts_;
  experiment experiment_;
  std::vector<slot> batch_contacts_;
  std::vector<slot> batch_agents_;
  std::vector<double> batch_values_;
  std::vector<slot> pending_agents_;
  std::vector<slot> pending_contacts_;
  // Reused by match() so that a call allocates only for what it returns.
  std::vector<slot> match_agents_;
  std::vector<slot> match_contacts_;
  std::vector<scored> best_;
  std::vector<std::pair<slot, reject_reason>> rejected_;
  std::uint64_t next_offer_id_ = 0;

  /// When a contact's "just declined" mark lapses (tenant decline_cooldown).
  struct cooldown {
    time_ms until;
    slot h;
    std::uint64_t offer_id;  // the offer that was declined: identifies the mark
    bool operator>(const cooldown& o) const { return until > o.until; }
  };
  std::priority_queue<cooldown, std::vector<cooldown>, std::greater<>> cooldowns_;

  /// When a waiting contact's next overflow step or max-wait limit falls due. An
  /// entry is live while its contact waits and `due_at` still equals `at`; the
  /// others are dropped when they reach the top. So a tick touches only the
  /// contacts that are due, not every waiting contact.
  struct due_entry {
    time_ms at;
    slot h;
    bool operator>(const due_entry& o) const { return at > o.at; }
  };
  /// Mutable: `next_deadline` drops stale entries from the top (no visible change).
  mutable std::priority_queue<due_entry, std::vector<due_entry>, std::greater<>> due_;
  bool live(const due_entry& e) const;
  /// (Re)computes contact `h`'s next deadline in its queue and files it in due_.
  void schedule_due(slot h);
  /// Applies what is due for waiting contact `h` at `now`: its max-wait limit or
  /// its current overflow step (and a move it names).
  void apply_due(slot h, time_ms now, tick_result& out);
};

}  // namespace switchboard::engine
