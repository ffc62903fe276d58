#include "actors/node_api.h"

#include "engine/customer_hints.h"

namespace switchboard {

// The default: three calls (the local node and the cluster's router make it one).
engine::result<contact_ack> node_api::open_contact(engine::contact c,
                                                   const engine::customer_profile& hints) {
  if (c.customer.empty())
    return submit(std::move(c));
  auto known = find_customer(c.tenant, c.customer);
  if (!known && known.code() != engine::errc::unknown_customer)
    return known.err();
  engine::customer_profile p;
  if (known) {
    p = *known;
  } else {
    p.tenant = c.tenant;
    p.id = c.customer;
  }
  bool changed = engine::apply_hints(p, hints) || !known;
  if (changed)
    if (auto s = upsert_customer(p); !s)
      return s.err();
  c.segment = std::string{p.primary_segment()};
  return submit(std::move(c));
}

}  // namespace switchboard
