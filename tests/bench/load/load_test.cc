// The load mode end to end: a real node in a temp dir, real actors and journal, the
// driver's non-blocking calls and simulated agents. Checks what it counts, not speed.
#include <gtest/gtest.h>

#include "bench/modes.h"
#include "bench/scenario/scenario.h"

namespace switchboard::bench {
namespace {

scenario small_mmn(const std::map<std::string, std::string>& generic) {
  auto s = make_builtin("mmn", {{"agents", "4"}, {"aht_s", "20"}, {"arrivals_per_hour", "360"}});
  EXPECT_TRUE(s.ok()) << (s ? "" : s.err().message);
  auto st = apply_set(*s, generic);
  EXPECT_TRUE(st.ok()) << (st ? "" : st.err().message);
  return *s;
}

double figure(const run_report& r, const std::string& key) {
  auto i = r.figures.find(key);
  EXPECT_NE(i, r.figures.end()) << "no figure " << key;
  return i == r.figures.end() ? -1 : i->second;
}

TEST(load_mode, closed_loop_completes_contacts_and_measures_the_node_and_caf) {
  auto s = small_mmn({{"duration_s", "1.5"}, {"caf_seconds", "0.2"}, {"durability", "no_sync"}});
  double last_done = -1;
  auto r = run_load(s, [&](double done, double total) {
    EXPECT_GE(done, last_done);
    EXPECT_LE(done, total);
    last_done = done;
  });
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->mode, "load");
  ASSERT_EQ(r->replications.size(), 1u);
  const auto& rep = r->replications.front();
  EXPECT_GT(rep.served, 0u);
  EXPECT_GT(figure(*r, "contacts_completed"), 0);
  EXPECT_GT(figure(*r, "lifecycles_per_s"), 0);
  // Closed loop with instant agents: everything submitted finishes in the drain.
  EXPECT_EQ(figure(*r, "contacts_unfinished"), 0);
  EXPECT_EQ(figure(*r, "contacts_completed") + figure(*r, "contacts_rejected"),
            figure(*r, "contacts_submitted"));
  EXPECT_EQ(figure(*r, "call_errors"), 0);
  EXPECT_EQ(figure(*r, "contacts_rejected"), 0);
  // At most 2 x capacity (4 agents x 1 voice call) in flight.
  EXPECT_LE(figure(*r, "peak_live_contacts"), 8);
  EXPECT_GT(figure(*r, "caf_ping_pong_msgs_per_s"), 0);
  EXPECT_GT(figure(*r, "caf_fan_out_msgs_per_s"), 0);
  EXPECT_GT(figure(*r, "journal_events_per_s"), 0);
  EXPECT_GT(figure(*r, "data_dir_bytes"), 0);
  ASSERT_TRUE(r->latency.has_value());
  EXPECT_EQ(r->latency->samples, static_cast<std::uint64_t>(figure(*r, "contacts_routed")));
  EXPECT_GT(r->latency->p50_us, 0);
  EXPECT_LE(r->latency->p50_us, r->latency->p99_us);
  // Outcomes drawn from the group's true rates (mmn's default: resolve 0.7, csat 4).
  EXPECT_GT(rep.resolution_rate, 0.3);
  EXPECT_LT(rep.resolution_rate, 1.0);
  EXPECT_GE(rep.csat_mean, 1.0);
  EXPECT_LE(rep.csat_mean, 5.0);
  EXPECT_FALSE(to_text(*r).empty());
}

TEST(load_mode, a_multiskill_center_with_overflow_moves_runs) {
  // Its queues name overflow targets defined after them: the mode defines targets first.
  auto s = make_builtin("multiskill", {});
  ASSERT_TRUE(s.ok()) << s.err().message;
  ASSERT_TRUE(apply_set(*s, {{"duration_s", "1"}, {"caf_seconds", "0"}, {"durability", "no_sync"}}).ok());
  auto r = run_load(*s, nullptr);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_GT(figure(*r, "contacts_completed"), 0);
  EXPECT_EQ(figure(*r, "call_errors"), 0);
}

TEST(load_mode, open_loop_with_scaled_time_abandons_impatient_customers) {
  // 4 agents, 20 s handle time scaled by 0.01 (0.2 s), 300 contacts/s offered: far
  // over capacity (about 20/s), so the line grows and customers with 1 s patience
  // (0.01 s wall) give up.
  auto s = small_mmn({{"duration_s", "1.5"}, {"caf_seconds", "0"}, {"target_rate", "300"},
                      {"time_scale", "0.01"}, {"durability", "no_sync"}});
  s.types.front().patience = {duration_dist::kind::exponential, {1.0}, 1.0};
  auto r = run_load(s, nullptr);
  ASSERT_TRUE(r.ok()) << r.err().message;
  const auto& rep = r->replications.front();
  EXPECT_GT(rep.arrivals, 100u);
  EXPECT_GT(rep.served, 0u);
  EXPECT_GT(rep.abandoned, 0u);
  EXPECT_GT(rep.abandon_rate, 0.5);
  EXPECT_EQ(figure(*r, "call_errors"), 0);
  EXPECT_EQ(r->figures.count("caf_ping_pong_msgs_per_s"), 0u);
}

TEST(load_mode, bad_settings_are_typed_errors) {
  auto s = small_mmn({{"journal", "false"}});
  auto r = run_load(s, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), engine::errc::invalid_argument);
  EXPECT_NE(r.err().message.find("journal"), std::string::npos) << r.err().message;

  auto t = make_builtin("mmn", {});
  ASSERT_TRUE(t.ok());
  auto st = apply_set(*t, {{"durability", "sometimes"}});
  if (st.ok()) {
    r = run_load(*t, nullptr);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("durability"), std::string::npos) << r.err().message;
  } else {
    EXPECT_NE(st.err().message.find("durability"), std::string::npos) << st.err().message;
  }
}

}  // namespace
}  // namespace switchboard::bench
