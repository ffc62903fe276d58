#pragma once

#include <string>

#include "engine/contact.h"
#include "engine/profiles.h"

/// A customer's complaint risk from the path that led to this contact: what the
/// profile says, raised by self-service that failed, transfers, repeat contacts,
/// earlier complaints and a long wait. Pure.
namespace switchboard::engine {

/// What raised a contact's complaint risk, and the risk itself (0..1).
struct risk_factors {
  double profile = 0;             ///< the profile's own `complaint_risk`
  int self_service_failures = 0;  ///< journey steps of bot/IVR/self-service that failed
  int transfers = 0;              ///< journey steps `transfer:...`
  int repeats = 0;                ///< earlier contacts within the repeat window
  int unresolved_repeats = 0;     ///< of which not resolved
  int prior_complaints = 0;       ///< earlier contacts that ended in a complaint
  bool long_wait = false;         ///< waiting more than twice the SL threshold
  double risk = 0;
};

/// Each factor leaves a share of the no-complaint chance: risk = 1 - (1 - profile)
/// x 0.85^failures x 0.85^transfers x 0.8^resolved repeats x 0.7^unresolved repeats
/// x 0.7^complaints (x 0.9 for a long wait). A journey step is a self-service
/// failure when its source (the text before ':') is bot, ivr, self_service, web or
/// app and it says fail, unresolved, no match, escalat or handed over
/// (case-insensitive). `customer` may be null.
risk_factors complaint_risk(const customer_profile* customer, const contact& c, time_ms now,
                            time_ms sl_threshold, time_ms repeat_window);

/// A contact that entered a line at a complaint risk of the tenant's
/// `complaint_alert` or more: the tenant's supervisors are told.
struct risk_alert {
  std::string contact;
  std::string customer;
  std::string queue;
  time_ms at = 0;
  double risk = 0;
  std::string reasons;  ///< `describe` of its factors
};

/// "0.74: 2 transfers, 1 unresolved repeat within 24 h, 1 earlier complaint".
std::string describe(const risk_factors& r, time_ms repeat_window);

}  // namespace switchboard::engine
