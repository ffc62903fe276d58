#include "bench/core/json_writer.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace switchboard::bench {
namespace {

namespace pb = google::protobuf;

/// `text` parsed by protobuf's JSON parser (an independent, strict reader).
pb::Struct parse(const std::string& text) {
  pb::Struct s;
  auto st = pb::util::JsonStringToMessage(text, &s);
  EXPECT_TRUE(st.ok()) << st.ToString() << " in " << text;
  return s;
}

TEST(json_writer, numbers_that_are_not_finite_are_written_as_null) {
  json_writer w;
  w.object([&] {
    w.field("nan", std::numeric_limits<double>::quiet_NaN());
    w.field("inf", std::numeric_limits<double>::infinity());
    w.field("minus_inf", -std::numeric_limits<double>::infinity());
    w.field("half", 0.5);
  });
  auto text = w.take();
  EXPECT_EQ(text, R"({"nan":null,"inf":null,"minus_inf":null,"half":0.5})");
  auto s = parse(text);
  EXPECT_EQ(s.fields().at("nan").kind_case(), pb::Value::kNullValue);
  EXPECT_EQ(s.fields().at("half").number_value(), 0.5);
}

TEST(json_writer, strings_are_escaped_and_invalid_utf8_is_replaced) {
  json_writer w;
  std::string nasty = "quote\" back\\ nl\n tab\t bell\x07 del\x7f caf\xC3\xA9 bad\xFF end";
  w.object([&] { w.field(nasty, nasty); });
  auto text = w.take();
  EXPECT_NE(text.find(R"(quote\" back\\ nl\n tab\t bell\u0007 del\u007f)"), std::string::npos)
    << text;
  auto s = parse(text);
  ASSERT_EQ(s.fields().size(), 1u);
  const auto& [key, value] = *s.fields().begin();
  EXPECT_EQ(key, value.string_value());
  // Valid UTF-8 passes through; the stray 0xFF byte becomes U+FFFD.
  EXPECT_NE(key.find("caf\xC3\xA9"), std::string::npos);
  EXPECT_NE(key.find("bad\xEF\xBF\xBD end"), std::string::npos);
}

TEST(json_writer, nests_arrays_maps_and_exact_integers) {
  json_writer w;
  std::vector<std::string> names{"a", "b"};
  std::map<std::string, std::uint64_t> counts{{"waiting", 3}, {"connected", 0}};
  w.object([&] {
    w.values("names", names);
    w.map("counts", counts);
    w.field("big", std::uint64_t{18446744073709551615ULL});
    w.field("negative", std::int64_t{-7});
    w.field("yes", true);
    w.objects("rows", names, [&](const std::string& n) { w.field("name", n); });
    w.key("nothing");
    w.null();
  });
  auto text = w.take();
  EXPECT_NE(text.find(R"("big":18446744073709551615)"), std::string::npos) << text;
  auto s = parse(text);
  EXPECT_EQ(s.fields().at("names").list_value().values(1).string_value(), "b");
  EXPECT_EQ(s.fields().at("counts").struct_value().fields().at("waiting").number_value(), 3);
  EXPECT_EQ(s.fields().at("negative").number_value(), -7);
  EXPECT_TRUE(s.fields().at("yes").bool_value());
  EXPECT_EQ(s.fields().at("rows").list_value().values(0).struct_value().fields().at("name")
              .string_value(),
            "a");
  EXPECT_EQ(s.fields().at("nothing").kind_case(), pb::Value::kNullValue);
}

}  // namespace
}  // namespace switchboard::bench
