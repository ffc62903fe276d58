// Every registered message type survives a trip through CAF's binary serializer as
// a `caf::message`, the way it crosses nodes: by its registered name, every field.

#include <gtest/gtest.h>

#include <array>
#include <boost/pfr/core.hpp>
#include <caf/all.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "actors/system_config.h"

namespace switchboard::actors {
namespace {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_array : std::false_type {};
template <class T, std::size_t N>
struct is_array<std::array<T, N>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

/// Gives every field a value other than its default (a new one each), recursively,
/// so a field that does not travel shows as a difference. Actor handles stay null.
template <class T>
void fill(T& x, int& n) {
  if constexpr (std::is_same_v<T, bool>) {
    x = true;
  } else if constexpr (std::is_enum_v<T>) {
    x = static_cast<T>(1 + n++ % 2);
  } else if constexpr (std::is_arithmetic_v<T>) {
    x = static_cast<T>(++n);
  } else if constexpr (std::is_same_v<T, std::string>) {
    x = "s" + std::to_string(++n);
  } else if constexpr (is_vector<T>::value) {
    x.resize(2);
    for (auto& e : x)
      fill(e, n);
  } else if constexpr (is_array<T>::value) {
    for (auto& e : x)
      fill(e, n);
  } else if constexpr (is_optional<T>::value) {
    x.emplace();
    fill(*x, n);
  } else if constexpr (std::is_aggregate_v<T>) {
    boost::pfr::for_each_field(x, [&](auto& field) { fill(field, n); });
  }
}

/// Field by field, recursively; independent of `inspect`.
template <class T>
bool same(const T& a, const T& b) {
  if constexpr (is_vector<T>::value || is_array<T>::value) {
    if (a.size() != b.size())
      return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i]))
        return false;
    return true;
  } else if constexpr (is_optional<T>::value) {
    return a.has_value() == b.has_value() && (!a || same(*a, *b));
  } else if constexpr (std::is_aggregate_v<T>) {
    bool eq = true;
    std::apply(
      [&](const auto&... xs) {
        std::apply([&](const auto&... ys) { eq = (same(xs, ys) && ...); },
                   boost::pfr::structure_tie(b));
      },
      boost::pfr::structure_tie(a));
    return eq;
  } else {
    return a == b;
  }
}

struct config : caf::actor_system_config {
  config() {
    register_types(*this);
  }
};

template <class T>
void round_trip(caf::actor_system& sys) {
  SCOPED_TRACE(wire_name<T>::value);
  T x{};
  int n = 0;
  fill(x, n);
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto out = caf::make_message(x);
  ASSERT_FALSE(sink(out));
  caf::message in;
  caf::binary_deserializer source{sys, buf};
  ASSERT_FALSE(source(in));
  ASSERT_TRUE(in.match_elements<T>());
  EXPECT_TRUE(same(x, in.get_as<T>(0)));
  EXPECT_EQ(sys.types().portable_name(0, &typeid(T)), std::string{"sb."} + wire_name<T>::value);
}

template <class... Ts>
void round_trip_all(caf::actor_system& sys, type_list<Ts...>) {
  (round_trip<Ts>(sys), ...);
}

TEST(wire, every_registered_message_round_trips_by_its_name) {
  config cfg;
  caf::actor_system sys{cfg};
  round_trip_all(sys, wire_types{});
}

TEST(wire, a_customer_without_a_preferred_channel_stays_without_one) {
  config cfg;
  caf::actor_system sys{cfg};
  engine::customer_profile x;
  x.id = "c1";
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  ASSERT_FALSE(sink(x));
  engine::customer_profile y;
  y.preferred_channel = engine::channel::voice;
  caf::binary_deserializer source{sys, buf};
  ASSERT_FALSE(source(y));
  EXPECT_EQ(y.id, "c1");
  EXPECT_FALSE(y.preferred_channel.has_value());
}

TEST(wire, a_journal_event_without_an_outcome_or_a_decision_stays_without_them) {
  config cfg;
  caf::actor_system sys{cfg};
  engine::journal_event x;
  x.contact = "c1";
  x.type = engine::event_type::queued;
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  ASSERT_FALSE(sink(x));
  engine::journal_event y;
  y.result.emplace();
  y.decision.emplace();
  caf::binary_deserializer source{sys, buf};
  ASSERT_FALSE(source(y));
  EXPECT_EQ(y.contact, "c1");
  EXPECT_EQ(y.type, engine::event_type::queued);
  EXPECT_FALSE(y.result.has_value());
  EXPECT_FALSE(y.decision.has_value());
}

}  // namespace
}  // namespace switchboard::actors
