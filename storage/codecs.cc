#include "storage/codecs.h"

#include <climits>
#include <cstddef>
#include <utility>

#include "engine/constraints.h"
#include "engine/scoring.h"
#include "storage/errors.h"

namespace switchboard::storage {

using engine::errc;
using engine::make_error;
using engine::result;

// Proto enums are the engine value + 1; a schema change must come with the codecs.
static_assert(pb::Channel_MAX == static_cast<int>(engine::channel_count));
static_assert(pb::ContactState_MAX == static_cast<int>(engine::contact_state::failed) + 1);
static_assert(pb::AgentLevel_MAX == static_cast<int>(engine::agent_level::expert) + 1);
static_assert(pb::RoutingPolicy_MAX == static_cast<int>(engine::policy_kind::profile) + 1);

namespace {

engine::error corrupt(std::string message) {
  return make_error(errors::corrupt_record, std::move(message));
}

template <class Enum>
result<Enum> enum_from_proto(int v, int count, std::string_view type, std::string_view what) {
  if (v < 1 || v > count)
    return corrupt(std::string{what} + ": " + std::to_string(v) + " is not a valid " +
                   std::string{type});
  return static_cast<Enum>(v - 1);
}

template <class ProtoEnum, class Enum>
ProtoEnum enum_to_proto(Enum x) {
  return static_cast<ProtoEnum>(static_cast<int>(x) + 1);
}

// reject_reason has names but no parser; the names are its stored form.
result<engine::reject_reason> parse_reject_reason(const std::string& s, std::string_view what) {
  for (int i = 0; i <= UCHAR_MAX; ++i) {
    auto r = static_cast<engine::reject_reason>(i);
    auto name = engine::to_string(r);
    if (name == "invalid")
      break;
    if (name == s)
      return r;
  }
  return corrupt(std::string{what} + ": unknown reject reason '" + s + "'");
}

template <class Message>
bool parse(Message& m, std::string_view bytes) {
  return bytes.size() <= static_cast<std::size_t>(INT_MAX) &&
         m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

engine::error unparsable(std::string_view type, std::string_view bytes) {
  return corrupt("cannot parse " + std::string{type} + " record (" +
                 std::to_string(bytes.size()) + " bytes)");
}

template <class T, class Message, class... Extra>
result<T> decode_as(std::string_view type, std::string_view bytes, Extra&&... extra) {
  Message m;
  if (!parse(m, bytes))
    return unparsable(type, bytes);
  return from_proto(m, std::forward<Extra>(extra)...);
}

template <class Record>
std::string serialize(const Record& x) {
  std::string out;
  to_proto(x).SerializeToString(&out);
  return out;
}

std::vector<std::string> strings(const google::protobuf::RepeatedPtrField<std::string>& r) {
  return {r.begin(), r.end()};
}

void add_strings(google::protobuf::RepeatedPtrField<std::string>* out,
                 const std::vector<std::string>& in) {
  out->Reserve(static_cast<int>(in.size()));
  for (const auto& s : in)
    out->Add()->assign(s);
}

std::string scoped(const std::string& tenant, const std::string& id) {
  return tenant + "/" + id;
}

}  // namespace

// -- checks ---------------------------------------------------------------------

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;  // bounds of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0)
        lo = 0xa0;  // overlong
      else if (c == 0xed)
        hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0)
        lo = 0x90;  // overlong
      else if (c == 0xf4)
        hi = 0x8f;  // above U+10FFFF
    } else {
      return false;
    }
    if (n - i < len)
      return false;
    auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi)
      return false;
    for (std::size_t k = 2; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80)
        return false;
    i += len;
  }
  return true;
}

engine::status check_utf8(const google::protobuf::Message& m, std::string_view record) {
  using google::protobuf::FieldDescriptor;
  const auto* refl = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  auto bad = [&](const FieldDescriptor* f) {
    return make_error(errc::invalid_argument, std::string{record} + ": field " +
                                                f->full_name() + " is not valid UTF-8");
  };
  for (const auto* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      std::string scratch;
      if (f->is_repeated()) {
        for (int i = 0, n = refl->FieldSize(m, f); i < n; ++i)
          if (!valid_utf8(refl->GetRepeatedStringReference(m, f, i, &scratch)))
            return bad(f);
      } else if (!valid_utf8(refl->GetStringReference(m, f, &scratch))) {
        return bad(f);
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0, n = refl->FieldSize(m, f); i < n; ++i)
          if (auto s = check_utf8(refl->GetRepeatedMessage(m, f, i), record); !s)
            return s;
      } else if (auto s = check_utf8(refl->GetMessage(m, f), record); !s) {
        return s;
      }
    }
  }
  return {};
}

// -- enums ------------------------------------------------------------------

pb::Channel to_proto(engine::channel x) { return enum_to_proto<pb::Channel>(x); }
pb::ContactState to_proto(engine::contact_state x) {
  return enum_to_proto<pb::ContactState>(x);
}
pb::AgentLevel to_proto(engine::agent_level x) { return enum_to_proto<pb::AgentLevel>(x); }
pb::RoutingPolicy to_proto(engine::policy_kind x) {
  return enum_to_proto<pb::RoutingPolicy>(x);
}

result<engine::channel> channel_from_proto(int v, std::string_view what) {
  return enum_from_proto<engine::channel>(v, pb::Channel_MAX, "Channel", what);
}
result<engine::contact_state> state_from_proto(int v, std::string_view what) {
  return enum_from_proto<engine::contact_state>(v, pb::ContactState_MAX, "ContactState", what);
}
result<engine::agent_level> level_from_proto(int v, std::string_view what) {
  return enum_from_proto<engine::agent_level>(v, pb::AgentLevel_MAX, "AgentLevel", what);
}
/// An optional level: unspecified (0) is no gate (the lowest level, crowd).
result<engine::agent_level> gate_from_proto(int v, std::string_view what) {
  if (v == 0)
    return engine::agent_level::crowd;
  return level_from_proto(v, what);
}
result<engine::policy_kind> policy_from_proto(int v, std::string_view what) {
  return enum_from_proto<engine::policy_kind>(v, pb::RoutingPolicy_MAX, "RoutingPolicy", what);
}

// -- tenant -----------------------------------------------------------------

pb::ObjectiveWeights to_proto(const engine::objective_weights& x) {
  pb::ObjectiveWeights m;
  m.set_resolution(x.resolution);
  m.set_sale(x.sale);
  m.set_csat(x.csat);
  m.set_handle_time(x.handle_time);
  m.set_complaint(x.complaint);
  m.set_deescalation(x.deescalation);
  m.set_purchase(x.purchase);
  return m;
}

engine::objective_weights from_proto(const pb::ObjectiveWeights& m) {
  engine::objective_weights x;  // a weight left out keeps its default
  if (m.has_resolution())
    x.resolution = m.resolution();
  if (m.has_sale())
    x.sale = m.sale();
  if (m.has_csat())
    x.csat = m.csat();
  if (m.has_handle_time())
    x.handle_time = m.handle_time();
  if (m.has_complaint())
    x.complaint = m.complaint();
  if (m.has_deescalation())
    x.deescalation = m.deescalation();
  if (m.has_purchase())
    x.purchase = m.purchase();
  return x;
}

pb::Tenant to_proto(const engine::tenant_config& x) {
  pb::Tenant m;
  m.set_id(x.id);
  m.set_name(x.name);
  m.set_default_policy(to_proto(x.default_policy));
  m.set_ring_no_answer_limit(x.ring_no_answer_limit);
  m.set_decline_cooldown_ms(x.decline_cooldown);
  auto* w = m.mutable_weights();
  w->set_skill(x.weights.skill);
  w->set_affinity(x.weights.affinity);
  w->set_value(x.weights.value);
  w->set_fairness(x.weights.fairness);
  w->set_aging(x.weights.aging);
  *m.mutable_objective() = to_proto(x.objective);
  m.set_fairness_bound(x.fairness_bound);
  m.set_manager_wait_ms(x.manager_wait);
  m.set_team_wait_ms(x.team_wait);
  for (auto l : x.min_level_by_tier)
    m.add_min_level_by_tier(to_proto(l));
  m.set_complaint_alert(x.complaint_alert);
  m.set_repeat_window_ms(x.repeat_window);
  if (x.experiment.slice > 0) {
    m.mutable_experiment()->set_slice_ms(x.experiment.slice);
    m.mutable_experiment()->set_baseline(to_proto(x.experiment.baseline));
  }
  return m;
}

result<engine::tenant_config> from_proto(const pb::Tenant& m) {
  engine::tenant_config x;
  x.id = m.id();
  x.name = m.name();
  auto policy = policy_from_proto(m.default_policy(), "tenant " + m.id() + ": default_policy");
  if (!policy)
    return policy.err();
  x.default_policy = *policy;
  x.ring_no_answer_limit = m.ring_no_answer_limit();
  x.decline_cooldown = m.decline_cooldown_ms();
  // Absent weights (an edge client may omit them) keep the engine defaults.
  if (m.has_weights()) {
    const auto& w = m.weights();
    x.weights = {w.skill(), w.affinity(), w.value(), w.fairness(), w.aging()};
  }
  if (m.has_objective())
    x.objective = from_proto(m.objective());
  if (m.has_fairness_bound())
    x.fairness_bound = m.fairness_bound();
  if (m.has_manager_wait_ms())
    x.manager_wait = m.manager_wait_ms();
  if (m.has_team_wait_ms())
    x.team_wait = m.team_wait_ms();
  const auto what = "tenant " + m.id();
  if (m.min_level_by_tier_size() > static_cast<int>(x.min_level_by_tier.size()))
    return corrupt(what + ": min_level_by_tier has more than " +
                   std::to_string(x.min_level_by_tier.size()) + " tiers");
  for (int i = 0; i < m.min_level_by_tier_size(); ++i) {
    auto l = gate_from_proto(m.min_level_by_tier(i), what + ": min_level_by_tier");
    if (!l)
      return l.err();
    x.min_level_by_tier[static_cast<std::size_t>(i)] = *l;
  }
  if (m.has_complaint_alert())
    x.complaint_alert = m.complaint_alert();
  if (m.has_repeat_window_ms())
    x.repeat_window = m.repeat_window_ms();
  if (m.has_experiment() && m.experiment().slice_ms() != 0) {
    x.experiment.slice = m.experiment().slice_ms();
    if (m.experiment().baseline() != 0) {
      auto b = policy_from_proto(m.experiment().baseline(), what + ": experiment baseline");
      if (!b)
        return b.err();
      x.experiment.baseline = *b;
    }
  }
  return x;
}

// -- queue ------------------------------------------------------------------

pb::Queue to_proto(const engine::queue_config& x) {
  pb::Queue m;
  m.set_tenant(x.tenant);
  m.set_id(x.id);
  m.set_name(x.name);
  for (const auto& s : x.skills) {
    auto* r = m.add_skills();
    r->set_skill(s.skill);
    r->set_min_proficiency(s.min_proficiency);
  }
  add_strings(m.mutable_languages(), x.languages);
  for (std::size_t i = 0; i < engine::channel_count; ++i)
    if ((x.channel_mask >> i) & 1u)
      m.add_channels(to_proto(static_cast<engine::channel>(i)));
  m.set_admit_crowd(x.admit_crowd);
  m.set_priority(x.priority);
  m.set_service_level_target(x.sl_target);
  m.set_service_level_threshold_ms(x.sl_threshold);
  m.set_max_waiting(x.max_waiting);
  m.set_max_wait_ms(x.max_wait);
  for (const auto& s : x.overflow) {
    auto* o = m.add_overflow();
    o->set_after_ms(s.after);
    o->set_min_proficiency(s.min_proficiency);
    o->set_admit_crowd(s.admit_crowd);
    o->set_move_to_queue(s.move_to_queue);
  }
  m.set_offer_timeout_ms(x.offer_timeout);
  m.set_policy(to_proto(x.policy));
  if (x.min_level != engine::agent_level::crowd)
    m.set_min_level(to_proto(x.min_level));
  if (x.own_objective)
    *m.mutable_objective() = to_proto(x.objective);
  return m;
}

result<engine::queue_config> from_proto(const pb::Queue& m) {
  const auto name = "queue " + scoped(m.tenant(), m.id());
  engine::queue_config x;
  x.tenant = m.tenant();
  x.id = m.id();
  x.name = m.name();
  x.skills.reserve(static_cast<std::size_t>(m.skills_size()));
  for (const auto& s : m.skills())
    x.skills.push_back({s.skill(), s.min_proficiency()});
  x.languages = strings(m.languages());
  // Faithful to the message: no channels means a mask of 0 (engine::validate
  // rejects that), not "all channels".
  x.channel_mask = 0;
  for (int c : m.channels()) {
    auto ch = channel_from_proto(c, name + ": channels");
    if (!ch)
      return ch.err();
    x.channel_mask = static_cast<std::uint8_t>(x.channel_mask | (1u << engine::index(*ch)));
  }
  x.admit_crowd = m.admit_crowd();
  x.priority = m.priority();
  x.sl_target = m.service_level_target();
  x.sl_threshold = m.service_level_threshold_ms();
  x.max_waiting = m.max_waiting();
  x.max_wait = m.max_wait_ms();
  x.overflow.reserve(static_cast<std::size_t>(m.overflow_size()));
  for (const auto& s : m.overflow())
    x.overflow.push_back({s.after_ms(), s.min_proficiency(), s.admit_crowd(), s.move_to_queue()});
  x.offer_timeout = m.offer_timeout_ms();
  auto policy = policy_from_proto(m.policy(), name + ": policy");
  if (!policy)
    return policy.err();
  x.policy = *policy;
  auto min_level = gate_from_proto(m.min_level(), name + ": min_level");
  if (!min_level)
    return min_level.err();
  x.min_level = *min_level;
  if (m.has_objective()) {
    x.own_objective = true;
    x.objective = from_proto(m.objective());
  }
  return x;
}

// -- agent ------------------------------------------------------------------

pb::AgentProfile to_proto(const engine::agent_profile& x) {
  pb::AgentProfile m;
  m.set_tenant(x.tenant);
  m.set_id(x.id);
  m.set_name(x.name);
  for (const auto& s : x.skills) {
    auto* k = m.add_skills();
    k->set_name(s.name);
    k->set_proficiency(s.proficiency);
  }
  add_strings(m.mutable_languages(), x.languages);
  for (std::size_t i = 0; i < engine::channel_count; ++i) {
    const auto& c = x.capacity[i];
    if (c.max == 0)
      continue;
    auto* cc = m.add_capacity();
    cc->set_channel(to_proto(static_cast<engine::channel>(i)));
    cc->set_max(c.max);
    cc->set_exclusive(c.exclusive);
  }
  m.set_level(to_proto(x.level));
  m.set_remote(x.remote);
  m.set_tips(x.tips);
  m.set_team(x.team);
  return m;
}

result<engine::agent_profile> from_proto(const pb::AgentProfile& m) {
  const auto name = "agent " + scoped(m.tenant(), m.id());
  engine::agent_profile x;
  x.tenant = m.tenant();
  x.id = m.id();
  x.name = m.name();
  x.skills.reserve(static_cast<std::size_t>(m.skills_size()));
  for (const auto& s : m.skills())
    x.skills.push_back({s.name(), s.proficiency()});
  x.languages = strings(m.languages());
  std::array<bool, engine::channel_count> seen{};
  for (const auto& c : m.capacity()) {
    auto ch = channel_from_proto(c.channel(), name + ": capacity channel");
    if (!ch)
      return ch.err();
    auto i = engine::index(*ch);
    if (seen[i])
      return corrupt(name + ": capacity of channel " + std::string{engine::to_string(*ch)} +
                     " listed twice");
    seen[i] = true;
    x.capacity[i] = {c.max(), c.exclusive()};
  }
  x.team = m.team();
  auto level = level_from_proto(m.level(), name + ": level");
  if (!level)
    return level.err();
  x.level = *level;
  x.remote = m.remote();
  x.tips = m.tips();
  return x;
}

// -- customer ---------------------------------------------------------------

pb::CustomerProfile to_proto(const engine::customer_profile& x) {
  pb::CustomerProfile m;
  m.set_tenant(x.tenant);
  m.set_id(x.id);
  m.set_tier(x.tier);
  m.set_arpu(x.arpu);
  add_strings(m.mutable_segments(), x.segments);
  m.set_language(x.language);
  m.set_region(x.region);
  m.set_account_manager(x.account_manager);
  m.set_last_agent(x.last_agent);
  for (const auto& h : x.history) {
    auto* i = m.add_history();
    i->set_at_ms(h.at);
    i->set_channel(to_proto(h.ch));
    i->set_intent(h.intent);
    i->set_agent(h.agent);
    i->set_resolved(h.resolved);
    i->set_complaint(h.complaint);
  }
  m.set_complaint_risk(x.complaint_risk);
  m.set_churn_risk(x.churn_risk);
  add_strings(m.mutable_purchase_intents(), x.purchase_intents);
  m.set_preferred_channel(x.preferred_channel ? to_proto(*x.preferred_channel)
                                              : pb::CHANNEL_UNSPECIFIED);
  return m;
}

result<engine::customer_profile> from_proto(const pb::CustomerProfile& m) {
  const auto name = "customer " + scoped(m.tenant(), m.id());
  engine::customer_profile x;
  x.tenant = m.tenant();
  x.id = m.id();
  x.tier = m.tier();
  x.arpu = m.arpu();
  x.segments = strings(m.segments());
  x.language = m.language();
  x.region = m.region();
  x.account_manager = m.account_manager();
  x.last_agent = m.last_agent();
  x.history.reserve(static_cast<std::size_t>(m.history_size()));
  for (const auto& h : m.history()) {
    auto ch = channel_from_proto(h.channel(), name + ": history channel");
    if (!ch)
      return ch.err();
    x.history.push_back({h.at_ms(), *ch, h.intent(), h.agent(), h.resolved(), h.complaint()});
  }
  x.complaint_risk = m.complaint_risk();
  x.churn_risk = m.churn_risk();
  x.purchase_intents = strings(m.purchase_intents());
  if (m.preferred_channel() != pb::CHANNEL_UNSPECIFIED) {
    auto ch = channel_from_proto(m.preferred_channel(), name + ": preferred_channel");
    if (!ch)
      return ch.err();
    x.preferred_channel = *ch;
  }
  return x;
}

// -- contact ----------------------------------------------------------------

pb::Contact to_proto(const engine::contact& x) {
  pb::Contact m;
  m.set_tenant(x.tenant);
  m.set_id(x.id);
  m.set_customer(x.customer);
  m.set_channel(to_proto(x.ch));
  m.set_intent(x.intent);
  m.set_language(x.language);
  m.set_priority(x.priority);
  m.set_queue(x.queue);
  for (const auto& [k, v] : x.attached) {
    auto* a = m.add_attached();
    a->set_key(k);
    a->set_value(v);
  }
  add_strings(m.mutable_journey(), x.journey);
  m.set_state(to_proto(x.state));
  m.set_created_ms(x.created_at);
  m.set_enqueued_ms(x.enqueued_at);
  m.set_seq(x.seq);
  m.set_agent(x.agent);
  m.set_last_declined_by(x.last_declined_by);
  m.set_offers(x.offers);
  m.set_segment(x.segment);
  return m;
}

result<engine::contact> from_proto(const pb::Contact& m) {
  const auto name = "contact " + scoped(m.tenant(), m.id());
  engine::contact x;
  x.tenant = m.tenant();
  x.id = m.id();
  x.customer = m.customer();
  auto ch = channel_from_proto(m.channel(), name + ": channel");
  if (!ch)
    return ch.err();
  x.ch = *ch;
  x.intent = m.intent();
  x.language = m.language();
  x.priority = m.priority();
  x.queue = m.queue();
  x.attached.reserve(static_cast<std::size_t>(m.attached_size()));
  for (const auto& a : m.attached())
    x.attached.emplace_back(a.key(), a.value());
  x.journey = strings(m.journey());
  auto state = state_from_proto(m.state(), name + ": state");
  if (!state)
    return state.err();
  x.state = *state;
  x.created_at = m.created_ms();
  x.enqueued_at = m.enqueued_ms();
  x.seq = m.seq();
  x.agent = m.agent();
  x.last_declined_by = m.last_declined_by();
  x.offers = m.offers();
  x.segment = m.segment();
  return x;
}

// -- outcome ----------------------------------------------------------------

pb::Outcome to_proto(const engine::outcome& x) {
  pb::Outcome m;
  m.set_resolved(x.resolved);
  m.set_sale(x.sale);
  m.set_sale_amount(x.sale_amount);
  m.set_csat(x.csat);
  m.set_complaint(x.complaint);
  m.set_disposition(x.disposition);
  m.set_notes(x.notes);
  m.set_tip(x.tip);
  return m;
}

result<engine::outcome> from_proto(const pb::Outcome& m) {
  engine::outcome x;
  x.resolved = m.resolved();
  x.sale = m.sale();
  x.sale_amount = m.sale_amount();
  x.csat = m.csat();
  x.complaint = m.complaint();
  x.disposition = m.disposition();
  x.notes = m.notes();
  x.tip = m.tip();
  return x;
}

// -- routing decision -------------------------------------------------------

pb::RoutingDecision to_proto(const engine::routing_decision& x) {
  pb::RoutingDecision m;
  m.set_contact(x.contact);
  m.set_queue(x.queue);
  m.set_agent(x.agent);
  m.set_policy(to_proto(x.policy));
  m.set_overflow_step(x.step);
  for (const auto& c : x.candidates) {
    auto* k = m.add_candidates();
    k->set_agent(c.agent);
    auto* t = k->mutable_terms();
    t->set_skill(c.terms.skill);
    t->set_affinity(c.terms.affinity);
    t->set_value(c.terms.value);
    t->set_fairness(c.terms.fairness);
    t->set_aging(c.terms.aging);
    t->set_total(c.terms.total);
    // reject_reason::none is the empty name: "eligible".
    k->set_rejected(std::string{engine::to_string(c.rejected)});
  }
  m.set_at_ms(x.at);
  m.set_considered(x.considered);
  m.set_agent_triggered(x.agent_triggered);
  m.set_batch(x.batch);
  return m;
}

result<engine::routing_decision> from_proto(const pb::RoutingDecision& m) {
  const auto name = "decision for contact " + m.contact();
  engine::routing_decision x;
  x.contact = m.contact();
  x.queue = m.queue();
  x.agent = m.agent();
  auto policy = policy_from_proto(m.policy(), name + ": policy");
  if (!policy)
    return policy.err();
  x.policy = *policy;
  x.step = m.overflow_step();
  x.at = m.at_ms();
  x.considered = m.considered();
  x.agent_triggered = m.agent_triggered();
  x.batch = m.batch();
  x.candidates.reserve(static_cast<std::size_t>(m.candidates_size()));
  for (const auto& c : m.candidates()) {
    engine::candidate k;
    k.agent = c.agent();
    const auto& t = c.terms();
    k.terms = {t.skill(), t.affinity(), t.value(), t.fairness(), t.aging(), t.total()};
    auto reason = parse_reject_reason(c.rejected(), name + ": candidate " + c.agent());
    if (!reason)
      return reason.err();
    k.rejected = *reason;
    x.candidates.push_back(std::move(k));
  }
  return x;
}

// -- journal event ----------------------------------------------------------

pb::JournalEvent to_proto(const engine::journal_event& x) {
  pb::JournalEvent m;
  m.set_seq(x.seq);
  m.set_at_ms(x.at);
  m.set_tenant(x.tenant);
  m.set_contact(x.contact);
  m.set_type(std::string{engine::to_string(x.type)});
  m.set_from(to_proto(x.from));
  m.set_to(to_proto(x.to));
  m.set_queue(x.queue);
  m.set_agent(x.agent);
  if (x.result)
    *m.mutable_outcome() = to_proto(*x.result);
  if (x.decision)
    *m.mutable_decision() = to_proto(*x.decision);
  m.set_detail(x.detail);
  return m;
}

result<engine::journal_event> from_proto(const pb::JournalEvent& m) {
  const auto name = "journal event " + std::to_string(m.seq());
  engine::journal_event x;
  x.seq = m.seq();
  x.at = m.at_ms();
  x.tenant = m.tenant();
  x.contact = m.contact();
  auto type = engine::parse_event_type(m.type());
  if (!type)
    return corrupt(name + ": unknown event type '" + m.type() + "'");
  x.type = *type;
  auto from = state_from_proto(m.from(), name + ": from");
  if (!from)
    return from.err();
  x.from = *from;
  auto to = state_from_proto(m.to(), name + ": to");
  if (!to)
    return to.err();
  x.to = *to;
  x.queue = m.queue();
  x.agent = m.agent();
  if (m.has_outcome()) {
    auto o = from_proto(m.outcome());
    if (!o)
      return o.err();
    x.result = std::move(*o);
  }
  if (m.has_decision()) {
    auto d = from_proto(m.decision());
    if (!d)
      return d.err();
    x.decision = std::move(*d);
  }
  x.detail = m.detail();
  return x;
}

// -- learned ----------------------------------------------------------------

pb::OutcomeStats to_proto(const engine::learned_record& x) {
  pb::OutcomeStats m;
  m.set_intent(x.intent);
  m.set_segment(x.segment);
  m.set_handled(x.stats.handled);
  m.set_resolved(x.stats.resolved);
  m.set_sales(x.stats.sales);
  m.set_csat_sum(x.stats.csat_sum);
  m.set_csat_count(x.stats.csat_count);
  m.set_handle_ms_sum(x.stats.handle_ms_sum);
  m.set_complaints(x.stats.complaints);
  m.set_sale_amount_sum(x.stats.sale_amount_sum);
  return m;
}

result<engine::learned_record> from_proto(const pb::OutcomeStats& m, std::string agent) {
  engine::learned_record x;
  x.agent = std::move(agent);
  x.intent = m.intent();
  x.segment = m.segment();
  x.stats = {m.handled(),    m.resolved(),      m.sales(),
             m.csat_sum(),   m.csat_count(),    m.handle_ms_sum(),
             m.complaints(), m.sale_amount_sum()};
  return x;
}

// -- bytes ------------------------------------------------------------------

std::string encode(const engine::tenant_config& x) { return serialize(x); }
std::string encode(const engine::queue_config& x) { return serialize(x); }
std::string encode(const engine::agent_profile& x) { return serialize(x); }
std::string encode(const engine::customer_profile& x) { return serialize(x); }
std::string encode(const engine::contact& x) { return serialize(x); }
std::string encode(const engine::outcome& x) { return serialize(x); }
std::string encode(const engine::routing_decision& x) { return serialize(x); }
std::string encode(const engine::journal_event& x) { return serialize(x); }
std::string encode(const engine::learned_record& x) { return serialize(x); }

result<engine::tenant_config> decode_tenant(std::string_view bytes) {
  return decode_as<engine::tenant_config, pb::Tenant>("Tenant", bytes);
}
result<engine::queue_config> decode_queue(std::string_view bytes) {
  return decode_as<engine::queue_config, pb::Queue>("Queue", bytes);
}
result<engine::agent_profile> decode_agent(std::string_view bytes) {
  return decode_as<engine::agent_profile, pb::AgentProfile>("AgentProfile", bytes);
}
result<engine::customer_profile> decode_customer(std::string_view bytes) {
  return decode_as<engine::customer_profile, pb::CustomerProfile>("CustomerProfile", bytes);
}
result<engine::contact> decode_contact(std::string_view bytes) {
  return decode_as<engine::contact, pb::Contact>("Contact", bytes);
}
result<engine::outcome> decode_outcome(std::string_view bytes) {
  return decode_as<engine::outcome, pb::Outcome>("Outcome", bytes);
}
result<engine::routing_decision> decode_decision(std::string_view bytes) {
  return decode_as<engine::routing_decision, pb::RoutingDecision>("RoutingDecision", bytes);
}
result<engine::journal_event> decode_journal_event(std::string_view bytes) {
  return decode_as<engine::journal_event, pb::JournalEvent>("JournalEvent", bytes);
}
result<engine::learned_record> decode_learned(std::string_view bytes, std::string agent) {
  return decode_as<engine::learned_record, pb::OutcomeStats>("OutcomeStats", bytes,
                                                             std::move(agent));
}

}  // namespace switchboard::storage
