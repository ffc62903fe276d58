#pragma once

#include "engine/profiles.h"

namespace switchboard::engine {

/// Merges what a gateway says about a customer when it opens a contact into the
/// profile the node holds. `hints` is a profile whose set fields (non-zero,
/// non-empty) are the hints: tier, ARPU, segments, language, region, account
/// manager, complaint risk, purchase intents. Each one set replaces the stored
/// value; the rest (history, last agent, churn risk, preferred channel) stays the
/// node's. Returns whether `p` changed, so an unchanged profile is not written
/// again.
bool apply_hints(customer_profile& p, const customer_profile& hints);

}  // namespace switchboard::engine
