#include "engine/journal.h"

#include <gtest/gtest.h>

#include <set>

namespace switchboard::engine {
namespace {

constexpr event_type all_events[] = {
  event_type::contact_created, event_type::queued,          event_type::offered,
  event_type::offer_declined,  event_type::offer_expired,   event_type::offer_cancelled,
  event_type::connected,       event_type::wrap_up,         event_type::completed,
  event_type::abandoned,       event_type::transferred,     event_type::overflow_moved,
  event_type::failed,          event_type::requeued_on_recovery, event_type::agent_login,
  event_type::agent_logout,    event_type::agent_away,      event_type::agent_available,
};

TEST(journal_event_type, every_type_has_a_distinct_name_that_parses_back) {
  std::set<std::string_view> names;
  for (auto t : all_events) {
    auto name = to_string(t);
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name << " is used twice";
    EXPECT_EQ(parse_event_type(name), t);
  }
  EXPECT_FALSE(parse_event_type("no_such_event").has_value());
  EXPECT_EQ(to_string(static_cast<event_type>(0)), "unknown");
}

TEST(journal_event_type, stored_values_do_not_change) {
  EXPECT_EQ(static_cast<int>(event_type::contact_created), 1);
  EXPECT_EQ(static_cast<int>(event_type::offered), 3);
  EXPECT_EQ(static_cast<int>(event_type::completed), 9);
  EXPECT_EQ(static_cast<int>(event_type::overflow_moved), 12);
  EXPECT_EQ(static_cast<int>(event_type::requeued_on_recovery), 14);
  EXPECT_EQ(static_cast<int>(event_type::agent_login), 20);
  EXPECT_EQ(static_cast<int>(event_type::agent_available), 23);
}

}  // namespace
}  // namespace switchboard::engine
