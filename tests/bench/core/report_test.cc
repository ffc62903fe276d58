#include "bench/core/report.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace switchboard::bench {
namespace {

namespace pb = google::protobuf;

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

/// A report with every part filled: three replications with series and groups,
/// theory rows, two policies, figures, a latency histogram and notes.
run_report full_report() {
  run_report r;
  r.scenario = "call_center_48";
  r.mode = "sim";
  r.seed = 18446744073709551615ull;
  r.build_type = "Debug";
  r.cores = 2;
  r.parameters = {{"agents", "52"}, {"aht_s", "240"}};
  r.sl_threshold_s = 20;
  r.sample_every_s = 60;
  const double sls[] = {0.8, 0.9, 1.0};
  for (int i = 0; i < 3; ++i) {
    replication_result rep;
    rep.index = i;
    rep.seed = 100 + static_cast<std::uint64_t>(i);
    rep.arrivals = 1000 + 10 * static_cast<std::uint64_t>(i);
    rep.served = 900 + 10 * static_cast<std::uint64_t>(i);
    rep.abandoned = 100;
    rep.service_level = sls[i];
    rep.asa_s = 10 + i;
    rep.p_wait = 0.4;
    rep.abandon_rate = 0.1;
    rep.occupancy = 0.9;
    rep.fairness_spread = 0.02 * (i + 1);
    rep.resolution_rate = 0.7;
    rep.sale_rate = 0.05;
    rep.csat_mean = 4.2;
    rep.groups = {{"billing", 0.91, 0.03, 500}, {"sales", 0.85, 0.05, 400}};
    for (int k = 0; k <= 60; ++k) {
      rep.series.push_back({60.0 * k, static_cast<double>((k * 7 + i) % 13),
                            0.8 + 0.001 * k, 0.9});
    }
    r.replications.push_back(rep);
  }
  r.theory = {{"p_wait", "Erlang C", 0.466, {0.47, 0.01, 3}, (0.47 - 0.466) / 0.466},
              {"service_level", "Erlang C", 0.666, {0.9, 0.24, 3}, 0.35}};
  r.policies = {{"fifo", {{"service_level", {0.8, 0.02, 3}}, {"asa_s", {12, 1, 3}}}},
                {"skills", {{"service_level", {0.85, 0.01, 3}}, {"asa_s", {9, 0.5, 3}}}}};
  r.figures = {{"routed_per_s", 12345.5}, {"rss_bytes", 1e9}};
  latency_histogram h;
  h.upper_us = {1, 10, 100, std::numeric_limits<double>::infinity()};
  h.counts = {1, 5, 3, 1};
  h.p50_us = 8;
  h.p99_us = 90;
  h.p999_us = 200;
  h.max_us = 250;
  h.samples = 10;
  r.latency = h;
  r.notes = {"virtual time; exponential handle times"};
  r.cpu_s = 1.5;
  r.wall_s = 2.5;
  summarize(r);
  return r;
}

pb::Struct parse(const std::string& json) {
  pb::Struct s;
  const auto status = pb::util::JsonStringToMessage(json, &s);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return s;
}

TEST(report, summarize_computes_student_t_intervals) {
  const run_report r = full_report();
  const metric_ci sl = r.summary.at("service_level");
  EXPECT_EQ(sl.n, 3);
  EXPECT_NEAR(sl.mean, 0.9, 1e-12);
  EXPECT_NEAR(sl.half_width, 4.303 * 0.1 / std::sqrt(3.0), 1e-12);  // s = 0.1, t(2)
  const metric_ci asa = r.summary.at("asa_s");
  EXPECT_NEAR(asa.mean, 11, 1e-12);
  EXPECT_NEAR(asa.half_width, 4.303 * 1 / std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(r.summary.at("arrivals").mean, 1010, 1e-9);
  EXPECT_NEAR(r.summary.at("served").mean, 910, 1e-9);
  EXPECT_EQ(r.summary.at("abandoned").half_width, 0);
  for (const char* key : {"service_level", "asa_s", "p_wait", "abandon_rate", "occupancy",
                          "fairness_spread", "served", "abandoned", "arrivals",
                          "resolution_rate", "sale_rate", "csat_mean"}) {
    EXPECT_EQ(r.summary.count(key), 1u) << key;
  }
  run_report empty;
  summarize(empty);
  EXPECT_TRUE(empty.summary.empty());
}

TEST(report, json_parses_and_carries_the_values) {
  run_report r = full_report();
  r.scenario = "quote\" back\\slash\nnew\tline \x01 ctl <b> é";
  r.figures["not_a_number"] = std::numeric_limits<double>::quiet_NaN();
  r.figures["forever"] = std::numeric_limits<double>::infinity();
  const pb::Struct s = parse(to_json(r));
  const auto& f = s.fields();
  EXPECT_EQ(f.at("scenario").string_value(), r.scenario);
  EXPECT_EQ(f.at("mode").string_value(), "sim");
  EXPECT_EQ(f.at("build_type").string_value(), "Debug");
  EXPECT_EQ(f.at("cores").number_value(), 2);
  EXPECT_EQ(f.at("seed").number_value(), 18446744073709551615.0);
  EXPECT_EQ(f.at("parameters").struct_value().fields().at("agents").string_value(), "52");
  const auto& sl = f.at("summary").struct_value().fields().at("service_level").struct_value();
  EXPECT_NEAR(sl.fields().at("mean").number_value(), 0.9, 1e-15);
  EXPECT_EQ(sl.fields().at("n").number_value(), 3);
  const auto& figs = f.at("figures").struct_value().fields();
  EXPECT_EQ(figs.at("routed_per_s").number_value(), 12345.5);
  EXPECT_TRUE(figs.at("not_a_number").has_null_value());
  EXPECT_TRUE(figs.at("forever").has_null_value());
  const auto& lat = f.at("latency").struct_value().fields();
  EXPECT_EQ(lat.at("upper_us").list_value().values_size(), 4);
  EXPECT_TRUE(lat.at("upper_us").list_value().values(3).has_null_value());
  EXPECT_EQ(lat.at("counts").list_value().values(1).number_value(), 5);
  EXPECT_EQ(lat.at("p999_us").number_value(), 200);
  const auto& reps = f.at("replications").list_value();
  ASSERT_EQ(reps.values_size(), 3);
  const auto& rep1 = reps.values(1).struct_value().fields();
  EXPECT_EQ(rep1.at("seed").number_value(), 101);
  EXPECT_EQ(rep1.at("service_level").number_value(), 0.9);
  EXPECT_EQ(rep1.at("groups").list_value().values_size(), 2);
  EXPECT_EQ(rep1.at("series").list_value().values_size(), 61);
  const auto& th = f.at("theory").list_value().values(0).struct_value().fields();
  EXPECT_EQ(th.at("model").string_value(), "Erlang C");
  EXPECT_EQ(th.at("simulated").struct_value().fields().at("mean").number_value(), 0.47);
  const auto& pol = f.at("policies").list_value().values(1).struct_value().fields();
  EXPECT_EQ(pol.at("policy").string_value(), "skills");
  EXPECT_EQ(f.at("notes").list_value().values(0).string_value(), r.notes[0]);
  EXPECT_EQ(f.at("wall_s").number_value(), 2.5);
}

TEST(report, json_replaces_invalid_utf8) {
  run_report r;
  r.scenario = std::string("ok \xff bad \xc3 cut");
  r.notes = {"\xed\xa0\x80 surrogate", "\xf0\x9f\x93\x9e phone"};
  const pb::Struct s = parse(to_json(r));
  EXPECT_EQ(s.fields().at("scenario").string_value(), "ok \uFFFD bad \uFFFD cut");
  EXPECT_EQ(s.fields().at("notes").list_value().values(0).string_value(),
            "\uFFFD\uFFFD\uFFFD surrogate");
  EXPECT_EQ(s.fields().at("notes").list_value().values(1).string_value(), "\U0001F4DE phone");
}

TEST(report, json_numbers_round_trip_exactly) {
  run_report r;
  r.figures["third"] = 1.0 / 3.0;
  r.figures["tiny"] = 5e-324;
  r.figures["huge"] = 1.7976931348623157e308;
  const pb::Struct s = parse(to_json(r));
  const auto& figs = s.fields().at("figures").struct_value().fields();
  EXPECT_EQ(figs.at("third").number_value(), 1.0 / 3.0);
  EXPECT_EQ(figs.at("huge").number_value(), 1.7976931348623157e308);
  EXPECT_TRUE(s.fields().at("latency").has_null_value());
  EXPECT_EQ(s.fields().at("replications").list_value().values_size(), 0);
}

TEST(report, html_is_self_contained_and_draws_every_chart) {
  run_report r = full_report();
  r.scenario = "<script>alert('x')</script>";
  r.parameters["url"] = "a&b \"quoted\"";
  const std::string html = to_html(r);
  // Two time series + group occupancy + one chart per policy metric (2) + latency.
  EXPECT_EQ(count(html, "<svg"), 6u);
  EXPECT_EQ(count(html, "</svg>"), 6u);
  EXPECT_NE(html.find("Contacts waiting"), std::string::npos);
  EXPECT_NE(html.find("Service level (cumulative)"), std::string::npos);
  EXPECT_NE(html.find("Occupancy per agent group"), std::string::npos);
  EXPECT_NE(html.find("Latency histogram"), std::string::npos);
  EXPECT_NE(html.find("Theory vs simulation"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find(" href="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b &quot;quoted&quot;"), std::string::npos);
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(report, html_without_data_has_no_charts) {
  run_report r;
  r.scenario = "bare";
  r.mode = "load";
  r.figures["routed_per_s"] = 1000;
  const std::string html = to_html(r);
  EXPECT_EQ(count(html, "<svg"), 0u);
  EXPECT_NE(html.find("routed_per_s"), std::string::npos);
}

TEST(report, text_shows_every_section) {
  const run_report r = full_report();
  const std::string t = to_text(r);
  for (const char* s : {"call_center_48", "sim", "Debug", "2 cores", "Parameters", "Summary",
                        "service_level", "90% ± 25%", "Replications", "Agent groups",
                        "Theory vs simulation", "Erlang C", "Policy comparison", "skills",
                        "Figures", "routed_per_s", "Latency", "p99.9 200 us", "Notes",
                        "virtual time", "wall 2.5 s, cpu 1.5 s"}) {
    EXPECT_NE(t.find(s), std::string::npos) << s << "\n" << t;
  }
}

}  // namespace
}  // namespace switchboard::bench
