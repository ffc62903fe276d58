#include "net/cluster/routes.h"

namespace switchboard::net::cluster {

std::optional<actors::route> membership_routes::route_for(const std::string& tenant) const {
  // The router asks by domain id: a split tenant's domains run as tenants of
  // their ids, and a tenant not split is one domain of its own id.
  auto d = m_.domain(tenant);
  if (!d)
    d = m_.domain_of_tenant(tenant);
  if (!d)
    return std::nullopt;
  actors::route r;
  r.domain = d->id;
  r.epoch = d->epoch;
  r.owner = d->owner;
  r.endpoint = m_.endpoint_of(d->owner);
  r.local = !d->owner.empty() && m_.owns(d->id, d->epoch);
  r.standby = d->standby;
  if (!r.standby.empty())
    r.standby_endpoint = m_.endpoint_of(r.standby);
  return r;
}

engine::status membership_routes::check(const std::string& domain, std::int64_t epoch) const {
  if (m_.owns(domain, epoch))
    return {};
  if (m_.owns(domain, 0))
    return engine::make_error(engine::errc::stale_epoch,
                              "domain " + domain + ": epoch " + std::to_string(epoch) +
                                " is not the current one");
  return engine::make_error(engine::errc::not_owner, "domain " + domain + " is not owned here");
}

std::vector<actors::peer> membership_routes::peers() const {
  auto v = m_.view();
  std::vector<actors::peer> out;
  for (const auto& mem : v.members)
    if (mem.name != v.self && !mem.cluster_endpoint.empty())
      out.push_back({mem.name, mem.cluster_endpoint});
  return out;
}

}  // namespace switchboard::net::cluster
