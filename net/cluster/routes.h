#pragma once

#include <memory>

#include "actors/cluster.h"
#include "net/cluster/membership.h"

namespace switchboard::net::cluster {

/// The membership's view as the router reads it (actors/cluster.h): a tenant's
/// route is its domain's owner and epoch as last read from etcd, local only while
/// this node holds that domain under a lease it renewed in time.
class membership_routes final : public actors::ownership_view {
 public:
  /// `m` must outlive this.
  explicit membership_routes(const membership& m) : m_(m) {}

  std::optional<actors::route> route_for(const std::string& tenant) const override;
  engine::status check(const std::string& domain, std::int64_t epoch) const override;
  std::vector<actors::peer> peers() const override;

 private:
  const membership& m_;
};

}  // namespace switchboard::net::cluster
