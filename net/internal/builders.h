#pragma once

#include "actors/event.h"
#include "actors/stats.h"
#include "proto/edge.pb.h"

/// Protocol messages built from the node's plain types.
namespace switchboard::net::internal {

/// Per queue: waiting, longest and estimated wait, service level, abandonment;
/// per agent: state, load, occupancy; tenant totals.
pb::StatsUpdate stats_update(const tenant_stats& s, engine::time_ms at);

/// Level, tips, learned totals (handled, resolved, CSAT average), state and load.
pb::AgentStats agent_stats(const agent_info& a);

/// The update of a contact event as its gateway sees it; `position` -1 and no
/// estimated wait (the caller adds them while queued).
pb::ContactUpdate contact_update(const event& e);

/// An envelope carrying a push (no request id).
template <class F>
pb::Envelope push_envelope(F&& fill) {
  pb::Envelope e;
  fill(e);
  return e;
}

}  // namespace switchboard::net::internal
