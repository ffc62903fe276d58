#include "engine/error.h"

#include <gtest/gtest.h>

namespace switchboard::engine {
namespace {

TEST(error_codes, every_code_has_a_name_and_values_are_stable) {
  EXPECT_EQ(to_string(errc::none), "none");
  EXPECT_EQ(to_string(errc::invalid_transition), "invalid_transition");
  EXPECT_EQ(to_string(errc::not_connected), "not_connected");
  for (int i = 0; i <= static_cast<int>(errc::not_connected); ++i)
    EXPECT_NE(to_string(static_cast<errc>(i)), "unknown_error") << i;
  EXPECT_EQ(static_cast<int>(errc::cross_tenant), 8);
  EXPECT_EQ(static_cast<int>(errc::not_offered), 12);
  EXPECT_EQ(static_cast<int>(errc::queue_full), 14);
}

TEST(error_codes, result_and_status_carry_either_a_value_or_an_error) {
  result<int> good = 42;
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_EQ(good.code(), errc::none);
  result<int> bad = make_error(errc::unknown_agent, "agent 'x' is not known");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), errc::unknown_agent);
  EXPECT_EQ(bad.err().message, "agent 'x' is not known");
  status fine;
  EXPECT_TRUE(fine.ok());
  status failed = make_error(errc::queue_full);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), errc::queue_full);
}

}  // namespace
}  // namespace switchboard::engine
