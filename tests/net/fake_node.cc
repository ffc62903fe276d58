#include "tests/net/fake_node.h"

#include <algorithm>

namespace switchboard::testing {

using engine::errc;
using engine::make_error;

namespace {

std::string join(std::initializer_list<std::string> words) {
  std::string line;
  for (const auto& w : words)
    line += (line.empty() ? "" : " ") + w;
  return line;
}

/// The entry of `m` under `id`, or `code` ("unknown customer 'x'").
template <class Map>
engine::result<typename Map::mapped_type> find_in(const Map& m, const std::string& id,
                                                  errc code, const std::string& what) {
  auto i = m.find(id);
  if (i == m.end())
    return make_error(code, "unknown " + what + " '" + id + "'");
  return i->second;
}

}  // namespace

// -- script and observation -----------------------------------------------------------

void fake_node::add_tenant(const std::string& tenant) {
  std::lock_guard<std::mutex> g{mutex_};
  tenants_[tenant];
}

void fake_node::add_contact(engine::contact c) {
  std::lock_guard<std::mutex> g{mutex_};
  if (c.state == engine::contact_state::created)
    c.state = engine::contact_state::queued;
  auto id = c.id;
  tenants_[c.tenant].contacts[id] = std::move(c);
}

void fake_node::add_decision(const std::string& tenant, engine::routing_decision d) {
  std::lock_guard<std::mutex> g{mutex_};
  auto id = d.contact;
  tenants_[tenant].decisions[id].push_back(std::move(d));
}

void fake_node::fail(const std::string& call, engine::error e) {
  std::lock_guard<std::mutex> g{mutex_};
  scripted_[call] = std::move(e);
}

void fake_node::set_position(std::int64_t p) {
  std::lock_guard<std::mutex> g{mutex_};
  position_ = p;
}

void fake_node::publish(const event& e) {
  std::vector<event_callback> subs;
  {
    std::lock_guard<std::mutex> g{mutex_};
    subs = subscribers_;
  }
  for (const auto& cb : subs)
    cb(e);
}

std::vector<std::string> fake_node::calls() const {
  std::lock_guard<std::mutex> g{mutex_};
  return calls_;
}

std::vector<std::string> fake_node::calls_starting(const std::string& prefix) const {
  std::vector<std::string> out;
  for (auto& c : calls())
    if (c.rfind(prefix, 0) == 0)
      out.push_back(std::move(c));
  return out;
}

bool fake_node::wait_for_call(const std::string& line, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> g{mutex_};
  return recorded_.wait_for(g, timeout, [&] {
    return std::find(calls_.begin(), calls_.end(), line) != calls_.end();
  });
}

std::size_t fake_node::subscribers() const {
  std::lock_guard<std::mutex> g{mutex_};
  return subscribers_.size();
}

// -- lookups under the mutex -------------------------------------------------------------

engine::result<fake_node::tenant_data*> fake_node::enter(const std::string& line,
                                                         const std::string& tenant) {
  calls_.push_back(line);
  recorded_.notify_all();
  if (auto s = scripted_.find(line.substr(0, line.find(' '))); s != scripted_.end())
    return s->second;
  auto t = tenants_.find(tenant);
  if (t == tenants_.end())
    return make_error(errc::unknown_tenant, "unknown tenant '" + tenant + "'");
  return &t->second;
}

engine::result<engine::contact*> fake_node::contact_of(tenant_data& t, const std::string& id) {
  auto c = t.contacts.find(id);
  if (c == t.contacts.end())
    return make_error(errc::unknown_contact, "unknown contact '" + id + "'");
  return &c->second;
}

engine::result<agent_info*> fake_node::agent_of(tenant_data& t, const std::string& id) {
  auto a = t.agents.find(id);
  if (a == t.agents.end())
    return make_error(errc::unknown_agent, "unknown agent '" + id + "'");
  return &a->second;
}

engine::result<agent_info*> fake_node::online(tenant_data& t, const std::string& id) {
  auto a = agent_of(t, id);
  if (a && (*a)->state == engine::agent_state::offline)
    return make_error(errc::agent_offline, "agent '" + id + "' is not logged in");
  return a;
}

engine::result<engine::contact*> fake_node::enter_contact(const std::string& line,
                                                          const std::string& tenant,
                                                          const std::string& contact) {
  auto t = enter(line, tenant);
  if (!t)
    return t.err();
  return contact_of(**t, contact);
}

// -- definitions ------------------------------------------------------------------------------

engine::status fake_node::define_queue(const engine::queue_config& q) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"define_queue", q.tenant, q.id}), q.tenant);
  if (!t)
    return t.err();
  (*t)->queues[q.id] = q;
  return {};
}

engine::status fake_node::define_agent(const engine::agent_profile& a) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"define_agent", a.tenant, a.id}), a.tenant);
  if (!t)
    return t.err();
  (*t)->agents[a.id].profile = a;
  return {};
}

engine::status fake_node::upsert_customer(const engine::customer_profile& c) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"upsert_customer", c.tenant, c.id}), c.tenant);
  if (!t)
    return t.err();
  (*t)->customers[c.id] = c;
  return {};
}

// -- agents -------------------------------------------------------------------------------------

engine::status fake_node::login(const std::string& tenant, const std::string& agent) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"login", tenant, agent}), tenant);
  if (!t)
    return t.err();
  auto a = agent_of(**t, agent);
  if (!a)
    return a.err();
  if ((*a)->state == engine::agent_state::offline)
    (*a)->state = engine::agent_state::away;
  (*a)->disconnected = false;
  return {};
}

engine::status fake_node::logout(const std::string& tenant, const std::string& agent) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"logout", tenant, agent}), tenant);
  if (!t)
    return t.err();
  auto a = online(**t, agent);
  if (!a)
    return a.err();
  (*a)->state = engine::agent_state::offline;
  return {};
}

engine::status fake_node::set_away(const std::string& tenant, const std::string& agent,
                                   bool away) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"set_away", tenant, agent, away ? "1" : "0"}), tenant);
  if (!t)
    return t.err();
  auto a = online(**t, agent);
  if (!a)
    return a.err();
  (*a)->state = away ? engine::agent_state::away : engine::agent_state::available;
  return {};
}

engine::status fake_node::agent_disconnected(const std::string& tenant,
                                             const std::string& agent) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"agent_disconnected", tenant, agent}), tenant);
  if (!t)
    return t.err();
  auto a = online(**t, agent);
  if (!a)
    return a.err();
  (*a)->disconnected = true;
  return {};
}

engine::status fake_node::accept(const std::string& tenant, const std::string& agent,
                                 const std::string& contact, std::uint64_t offer_id) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"accept", tenant, agent, contact, std::to_string(offer_id)}),
                         tenant, contact);
  if (!c)
    return c.err();
  (*c)->state = engine::contact_state::connected;
  (*c)->agent = agent;
  return {};
}

engine::status fake_node::decline(const std::string& tenant, const std::string& agent,
                                  const std::string& contact, std::uint64_t offer_id) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"decline", tenant, agent, contact, std::to_string(offer_id)}),
                         tenant, contact);
  return c ? engine::status{} : engine::status{c.err()};
}

engine::status fake_node::wrap_up(const std::string& tenant, const std::string& agent,
                                  const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"wrap_up", tenant, agent, contact}), tenant, contact);
  if (!c)
    return c.err();
  (*c)->state = engine::contact_state::wrap_up;
  return {};
}

engine::status fake_node::complete(const std::string& tenant, const std::string& agent,
                                   const std::string& contact, const engine::outcome&) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"complete", tenant, agent, contact}), tenant, contact);
  if (!c)
    return c.err();
  (*c)->state = engine::contact_state::completed;
  return {};
}

engine::status fake_node::transfer(const std::string& tenant, const std::string& agent,
                                   const std::string& contact, const std::string& to_queue) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"transfer", tenant, agent, contact, to_queue}), tenant, contact);
  if (!c)
    return c.err();
  (*c)->state = engine::contact_state::queued;
  (*c)->queue = to_queue;
  (*c)->agent.clear();
  return {};
}

// -- contacts -----------------------------------------------------------------------------------

engine::result<contact_ack> fake_node::submit(engine::contact c) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"submit", c.tenant, c.id, c.queue}), c.tenant);
  if (!t)
    return t.err();
  if (!(*t)->queues.contains(c.queue))
    return make_error(errc::unknown_queue, "unknown queue '" + c.queue + "'");
  if ((*t)->contacts.contains(c.id))
    return make_error(errc::duplicate_id, "contact '" + c.id + "' is live");
  c.seq = ++seq_;
  c.enqueued_at = static_cast<engine::time_ms>(1000 * c.seq);
  c.state = engine::contact_state::queued;
  contact_ack ack{c.id, c.seq, c.enqueued_at};
  (*t)->contacts[c.id] = std::move(c);
  return ack;
}

engine::status fake_node::end_contact(const std::string& tenant, const std::string& contact,
                                      const std::string& reason) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"end_contact", tenant, contact, reason}), tenant, contact);
  if (!c)
    return c.err();
  (*c)->state = (*c)->agent.empty() ? engine::contact_state::abandoned
                                    : engine::contact_state::wrap_up;
  return {};
}

engine::status fake_node::customer_disconnected(const std::string& tenant,
                                                const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"customer_disconnected", tenant, contact}), tenant, contact);
  return c ? engine::status{} : engine::status{c.err()};
}

engine::status fake_node::customer_reconnected(const std::string& tenant,
                                               const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"customer_reconnected", tenant, contact}), tenant, contact);
  return c ? engine::status{} : engine::status{c.err()};
}

engine::status fake_node::post_message(const std::string& tenant, const std::string& contact,
                                       const std::string& agent, const std::string& text,
                                       const std::string& client_id) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"post_message", tenant, contact, agent, text, client_id}), tenant);
  if (!t)
    return t.err();
  if (auto c = contact_of(**t, contact); !c)
    return c.err();
  (*t)->lines[contact].push_back({static_cast<engine::time_ms>(calls_.size()), agent, text});
  return {};
}

engine::result<std::vector<chat_line>> fake_node::transcript(const std::string& tenant,
                                                             const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"transcript", tenant, contact}), tenant);
  if (!t)
    return t.err();
  auto l = (*t)->lines.find(contact);
  if (l == (*t)->lines.end())
    return make_error(errc::unknown_contact, "nothing journaled for contact '" + contact + "'");
  return l->second;
}

engine::result<contact_decisions> fake_node::decisions(const std::string& tenant,
                                                       const std::string& contact,
                                                       std::uint32_t limit) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"decisions", tenant, contact, std::to_string(limit)}), tenant);
  if (!t)
    return t.err();
  auto d = (*t)->decisions.find(contact);
  if (d == (*t)->decisions.end()) {
    if (auto c = contact_of(**t, contact); !c)
      return c.err();
    return contact_decisions{contact, {}, 0};
  }
  contact_decisions out{contact, d->second, 0};
  out.keep_last(limit);
  return out;
}

engine::status fake_node::rate(const std::string& tenant, const std::string& contact, int csat,
                               double tip) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"rate", tenant, contact, std::to_string(csat),
                               std::to_string(static_cast<int>(tip))}),
                         tenant, contact);
  if (!c)
    return c.err();
  if (csat < 1 || csat > 5)
    return make_error(errc::invalid_argument, "csat must be 1..5");
  return {};
}

// -- lookups ------------------------------------------------------------------------------------

engine::result<engine::contact> fake_node::find_contact(const std::string& tenant,
                                                        const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  auto c = enter_contact(join({"find_contact", tenant, contact}), tenant, contact);
  if (!c)
    return c.err();
  return **c;
}

engine::result<agent_info> fake_node::find_agent(const std::string& tenant,
                                                 const std::string& agent) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"find_agent", tenant, agent}), tenant);
  if (!t)
    return t.err();
  auto a = agent_of(**t, agent);
  if (!a)
    return a.err();
  return **a;
}

engine::result<engine::customer_profile> fake_node::find_customer(const std::string& tenant,
                                                                  const std::string& customer) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"find_customer", tenant, customer}), tenant);
  if (!t)
    return t.err();
  return find_in((*t)->customers, customer, errc::unknown_customer, "customer");
}

engine::result<engine::queue_config> fake_node::find_queue(const std::string& tenant,
                                                           const std::string& queue) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"find_queue", tenant, queue}), tenant);
  if (!t)
    return t.err();
  return find_in((*t)->queues, queue, errc::unknown_queue, "queue");
}

engine::result<std::int64_t> fake_node::position(const std::string& tenant,
                                                 const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"position", tenant, contact}), tenant);
  if (!t)
    return t.err();
  auto c = contact_of(**t, contact);
  bool waiting = c && (*c)->state == engine::contact_state::queued;
  return waiting ? position_ : std::int64_t{-1};
}

engine::result<tenant_stats> fake_node::stats(const std::string& tenant) {
  std::lock_guard<std::mutex> g{mutex_};
  auto t = enter(join({"stats", tenant}), tenant);
  if (!t)
    return t.err();
  tenant_stats s;
  s.tenant = tenant;
  for (const auto& [id, c] : (*t)->contacts)
    s.waiting += c.state == engine::contact_state::queued ? 1 : 0;
  return s;
}

void fake_node::subscribe(event_callback cb) {
  std::lock_guard<std::mutex> g{mutex_};
  subscribers_.push_back(std::move(cb));
}

}  // namespace switchboard::testing
