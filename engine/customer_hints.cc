#include "engine/customer_hints.h"

namespace switchboard::engine {

namespace {

template <class T>
void set_if(T& field, const T& hint, bool given, bool& changed) {
  if (given && !(field == hint)) {
    field = hint;
    changed = true;
  }
}

}  // namespace

bool apply_hints(customer_profile& p, const customer_profile& h) {
  bool changed = false;
  set_if(p.tier, h.tier, h.tier != 0, changed);
  set_if(p.arpu, h.arpu, h.arpu != 0, changed);
  set_if(p.segments, h.segments, !h.segments.empty(), changed);
  set_if(p.language, h.language, !h.language.empty(), changed);
  set_if(p.region, h.region, !h.region.empty(), changed);
  set_if(p.account_manager, h.account_manager, !h.account_manager.empty(), changed);
  set_if(p.complaint_risk, h.complaint_risk, h.complaint_risk != 0, changed);
  set_if(p.purchase_intents, h.purchase_intents, !h.purchase_intents.empty(), changed);
  return changed;
}

}  // namespace switchboard::engine
