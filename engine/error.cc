#include "engine/error.h"

#include <array>

namespace switchboard::engine {

namespace {

// Indexed by code. The names of storage's and actors' codes are here too: they reach
// clients through this one function, whichever layer raised them.
constexpr std::array<std::string_view, 26> names = {
  "none",             "invalid_argument",   "unknown_tenant",   "unknown_queue",
  "unknown_agent",    "unknown_contact",    "unknown_customer", "duplicate_id",
  "cross_tenant",     "invalid_proficiency", "invalid_capacity", "invalid_transition",
  "not_offered",      "no_capacity",        "queue_full",       "agent_offline",
  "storage_failure",  "database_locked",    "bad_data_dir",     "corrupt_record",
  "timeout",          "shutting_down",      "not_connected",    "unavailable",
  "stale_epoch",      "not_owner",
};
static_assert(names.size() == static_cast<std::size_t>(errc::not_owner) + 1,
              "every code has its name");

}  // namespace

std::string_view to_string(errc x) {
  auto i = static_cast<std::size_t>(x);
  return i < names.size() ? names[i] : "unknown_error";
}

}  // namespace switchboard::engine
