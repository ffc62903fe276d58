#include "engine/contact.h"

#include "engine/profiles.h"

namespace switchboard::engine {

namespace {

using cs = contact_state;

constexpr std::uint16_t bit(cs s) {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(s));
}

// Allowed successors of each state, as bit sets.
constexpr std::uint16_t successors(cs from) {
  switch (from) {
    case cs::created: return bit(cs::queued) | bit(cs::abandoned) | bit(cs::failed);
    case cs::queued:
      return bit(cs::offered) | bit(cs::abandoned) | bit(cs::failed) | bit(cs::transferred);
    case cs::offered:
      return bit(cs::connected) | bit(cs::queued) | bit(cs::abandoned) | bit(cs::failed);
    // Back to queued only when its agent is lost (the grace period ran out).
    case cs::connected:
      return bit(cs::wrap_up) | bit(cs::transferred) | bit(cs::queued) | bit(cs::failed);
    case cs::wrap_up: return bit(cs::completed) | bit(cs::failed);
    // A transfer leaves one leg and starts a new one in another queue.
    case cs::transferred: return bit(cs::queued) | bit(cs::abandoned) | bit(cs::failed);
    case cs::completed:
    case cs::abandoned:
    case cs::failed: return 0;
  }
  return 0;
}

constexpr std::size_t max_attached = 64;
constexpr std::size_t max_attached_bytes = 16 * 1024;

}  // namespace

bool can_transition(contact_state from, contact_state to) {
  return (successors(from) & bit(to)) != 0;
}

bool is_terminal(contact_state s) {
  return s == cs::completed || s == cs::abandoned || s == cs::failed;
}

status transition(contact& c, contact_state to) {
  if (!can_transition(c.state, to))
    return make_error(errc::invalid_transition,
                      "contact " + c.id + ": " + std::string{to_string(c.state)} + " -> " +
                        std::string{to_string(to)} + " is not allowed");
  c.state = to;
  return {};
}

status validate_new_contact(const contact& c) {
  if (!valid_id(c.tenant))
    return make_error(errc::invalid_argument, "contact: invalid tenant id");
  if (!valid_id(c.id))
    return make_error(errc::invalid_argument, "contact: invalid contact id '" + c.id + "'");
  if (!c.customer.empty() && !valid_id(c.customer))
    return make_error(errc::invalid_argument, "contact " + c.id + ": invalid customer id");
  if (!valid_id(c.queue))
    return make_error(errc::invalid_argument, "contact " + c.id + ": invalid queue id");
  if (c.priority < -1000 || c.priority > 1000)
    return make_error(errc::invalid_argument, "contact " + c.id + ": priority must be -1000..1000");
  if (c.attached.size() > max_attached)
    return make_error(errc::invalid_argument, "contact " + c.id + ": too many attached items");
  std::size_t bytes = 0;
  for (const auto& [k, v] : c.attached)
    bytes += k.size() + v.size();
  for (const auto& j : c.journey)
    bytes += j.size();
  if (bytes > max_attached_bytes)
    return make_error(errc::invalid_argument, "contact " + c.id + ": attached data over 16 KiB");
  if (c.state != contact_state::created)
    return make_error(errc::invalid_argument, "contact " + c.id + ": a new contact starts in state new");
  return {};
}

}  // namespace switchboard::engine
