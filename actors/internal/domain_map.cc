#include "actors/internal/domain_map.h"

#include <algorithm>

namespace switchboard::actors::cluster_detail {

namespace {

bool lists(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

domain_map::domain_map(std::map<std::string, std::vector<tenant_domain>> splits)
    : splits_(std::move(splits)) {
  for (auto i = splits_.begin(); i != splits_.end();) {
    if (i->second.empty()) {
      i = splits_.erase(i);
      continue;
    }
    for (const auto& d : i->second)
      tenant_of_[d.id] = i->first;
    ++i;
  }
}

const std::vector<tenant_domain>* domain_map::split(const std::string& tenant) const {
  auto i = splits_.find(tenant);
  return i == splits_.end() ? nullptr : &i->second;
}

std::optional<std::string> domain_map::tenant_of(const std::string& domain) const {
  auto i = tenant_of_.find(domain);
  if (i == tenant_of_.end())
    return std::nullopt;
  return i->second;
}

std::string domain_map::queue_domain(const std::string& tenant, const std::string& queue) const {
  const auto* s = split(tenant);
  if (!s)
    return tenant;
  for (const auto& d : *s)
    if (lists(d.queues, queue))
      return d.id;
  return s->front().id;
}

engine::result<std::string> domain_map::skills_domain(const engine::agent_profile& a) const {
  const auto* s = split(a.tenant);
  if (!s)
    return a.tenant;
  const tenant_domain* found = nullptr;
  std::string by;
  for (const auto& sk : a.skills)
    for (const auto& d : *s) {
      if (!lists(d.skills, sk.name))
        continue;
      if (found && found != &d)
        return engine::make_error(engine::errc::invalid_argument,
                                  "agent " + a.id + ": skill " + by + " is domain " + found->id +
                                    "'s and skill " + sk.name + " is domain " + d.id +
                                    "'s; an agent works in one domain of a split tenant");
      found = &d;
      by = sk.name;
    }
  return found ? found->id : s->front().id;
}

engine::status domain_map::check_queue(const std::string& domain,
                                       const engine::queue_config& q) const {
  const auto* s = split(q.tenant);
  if (!s)
    return {};
  for (const auto& req : q.skills)
    for (const auto& d : *s)
      if (d.id != domain && lists(d.skills, req.skill))
        return engine::make_error(engine::errc::invalid_argument,
                                  "queue " + q.id + " is routed by domain " + domain +
                                    " but requires skill " + req.skill + ", whose agents work in "
                                    "domain " + d.id + ": none could serve it");
  for (const auto& step : q.overflow)
    if (!step.move_to_queue.empty() && queue_domain(q.tenant, step.move_to_queue) != domain)
      return engine::make_error(engine::errc::invalid_argument,
                                "queue " + q.id + " (domain " + domain + ") overflows to queue " +
                                  step.move_to_queue + " of domain " +
                                  queue_domain(q.tenant, step.move_to_queue) +
                                  "; a contact moves only within its domain");
  return {};
}

engine::result<std::string> domain_map::find(std::map<key, std::string>& cache,
                                             const std::string& tenant, const std::string& id,
                                             engine::errc not_found, const probe& knows) {
  const auto* s = split(tenant);
  if (!s)
    return tenant;
  {
    std::lock_guard<std::mutex> g{mutex_};
    if (auto i = cache.find({tenant, id}); i != cache.end())
      return i->second;
  }
  std::optional<engine::error> other;
  for (const auto& d : *s) {
    auto st = knows(d.id);
    if (st.ok()) {
      std::lock_guard<std::mutex> g{mutex_};
      if (cache.size() >= max_cached)
        cache.clear();
      cache[{tenant, id}] = d.id;
      return d.id;
    }
    if (st.code() != not_found && !other)
      other = st.err();
  }
  if (other)
    return *other;
  return s->front().id;
}

engine::result<std::string> domain_map::agent_domain(const std::string& tenant,
                                                     const std::string& agent,
                                                     const probe& knows) {
  return find(agents_, tenant, agent, engine::errc::unknown_agent, knows);
}

engine::result<std::string> domain_map::contact_domain(const std::string& tenant,
                                                       const std::string& contact,
                                                       const probe& knows) {
  return find(contacts_, tenant, contact, engine::errc::unknown_contact, knows);
}

void domain_map::note_agent(const std::string& tenant, const std::string& agent,
                            const std::string& domain) {
  if (!split(tenant))
    return;
  std::lock_guard<std::mutex> g{mutex_};
  if (agents_.size() >= max_cached)
    agents_.clear();
  agents_[{tenant, agent}] = domain;
}

void domain_map::note_contact(const std::string& tenant, const std::string& contact,
                              const std::string& domain) {
  if (!split(tenant))
    return;
  std::lock_guard<std::mutex> g{mutex_};
  if (contacts_.size() >= max_cached)
    contacts_.clear();
  contacts_[{tenant, contact}] = domain;
}

void domain_map::forget_contact(const std::string& tenant, const std::string& contact) {
  std::lock_guard<std::mutex> g{mutex_};
  contacts_.erase({tenant, contact});
}

}  // namespace switchboard::actors::cluster_detail
