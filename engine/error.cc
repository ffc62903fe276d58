#include "engine/error.h"

namespace switchboard::engine {

std::string_view to_string(errc x) {
  switch (x) {
    case errc::none: return "none";
    case errc::invalid_argument: return "invalid_argument";
    case errc::unknown_tenant: return "unknown_tenant";
    case errc::unknown_queue: return "unknown_queue";
    case errc::unknown_agent: return "unknown_agent";
    case errc::unknown_contact: return "unknown_contact";
    case errc::unknown_customer: return "unknown_customer";
    case errc::duplicate_id: return "duplicate_id";
    case errc::cross_tenant: return "cross_tenant";
    case errc::invalid_proficiency: return "invalid_proficiency";
    case errc::invalid_capacity: return "invalid_capacity";
    case errc::invalid_transition: return "invalid_transition";
    case errc::not_offered: return "not_offered";
    case errc::no_capacity: return "no_capacity";
    case errc::queue_full: return "queue_full";
    case errc::agent_offline: return "agent_offline";
    case errc::storage_failure: return "storage_failure";
    case errc::database_locked: return "database_locked";
    case errc::bad_data_dir: return "bad_data_dir";
    case errc::corrupt_record: return "corrupt_record";
    case errc::timeout: return "timeout";
    case errc::shutting_down: return "shutting_down";
    case errc::not_connected: return "not_connected";
    case errc::unavailable: return "unavailable";
    case errc::stale_epoch: return "stale_epoch";
    case errc::not_owner: return "not_owner";
  }
  return "unknown_error";
}

}  // namespace switchboard::engine
