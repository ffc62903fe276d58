// write_batch: what one commit writes (storage/store.h), and how it is combined,
// counted and split by tenant.
#include <algorithm>
#include <iterator>

#include "storage/store.h"

namespace switchboard::storage {

bool write_batch::empty() const { return size() == 0; }

std::size_t write_batch::size() const {
  return tenants.size() + queues.size() + agents.size() + customers.size() +
         live_puts.size() + live_deletes.size() + events.size() + learned.size();
}

namespace {

template <class T>
void move_append(std::vector<T>& to, std::vector<T>& from) {
  if (to.empty()) {
    to = std::move(from);
  } else {
    // Geometric growth: a batch is appended to many times before it is committed,
    // and an exact reserve each time would copy it over and over (quadratic).
    auto need = to.size() + from.size();
    if (need > to.capacity())
      to.reserve(std::max(need, 2 * to.capacity()));
    std::move(from.begin(), from.end(), std::back_inserter(to));
  }
  from.clear();
}

}  // namespace

void write_batch::append(write_batch&& other) {
  move_append(tenants, other.tenants);
  move_append(queues, other.queues);
  move_append(agents, other.agents);
  move_append(customers, other.customers);
  move_append(live_puts, other.live_puts);
  move_append(live_deletes, other.live_deletes);
  move_append(events, other.events);
  move_append(learned, other.learned);
}

namespace {

/// Calls `f(tenant, field, record)` for every record of `b`, field by field in
/// declaration order: the one list of which field holds a tenant's records where.
template <class F>
void each_record(const write_batch& b, F&& f) {
  for (const auto& t : b.tenants)
    f(t.id, &write_batch::tenants, t);
  for (const auto& q : b.queues)
    f(q.tenant, &write_batch::queues, q);
  for (const auto& a : b.agents)
    f(a.tenant, &write_batch::agents, a);
  for (const auto& c : b.customers)
    f(c.tenant, &write_batch::customers, c);
  for (const auto& c : b.live_puts)
    f(c.tenant, &write_batch::live_puts, c);
  for (const auto& d : b.live_deletes)
    f(d.first, &write_batch::live_deletes, d);
  for (const auto& e : b.events)
    f(e.tenant, &write_batch::events, e);
  for (const auto& l : b.learned)
    f(l.tenant, &write_batch::learned, l);
}

}  // namespace

std::map<std::string, write_batch> write_batch::split_by_tenant() const {
  std::map<std::string, write_batch> out;
  each_record(*this, [&](const std::string& tenant, auto field, const auto& record) {
    (out[tenant].*field).push_back(record);
  });
  return out;
}

std::set<std::string> write_batch::tenant_ids() const {
  std::set<std::string> out;
  each_record(*this, [&](const std::string& tenant, auto, const auto&) { out.insert(tenant); });
  return out;
}

}  // namespace switchboard::storage
