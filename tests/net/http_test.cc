// HTTP on the edge's port: health, readiness, Prometheus metrics, the pages, and
// paths that try to leave the web directory.
#include <filesystem>

#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

using http_test = edge_fixture;

TEST_F(http_test, health_and_readiness) {
  auto h = http_get(port(), "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  auto r = http_get(port(), "/readyz");
  EXPECT_EQ(r.status, 200);
}

TEST_F(http_test, metrics_are_prometheus_text_with_the_edge_and_routing_series) {
  auto gw = gateway("t1");
  auto a1 = agent("t1", "a1");
  ASSERT_TRUE(gw->call(open_contact("m1"))->has_contact_opened());
  auto offer = a1->wait_for(offer_of("m1"));
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(a1->call(accept_offer("m1", offer->offer().offer_id()))->has_ack());
  ASSERT_TRUE(gw->wait_for(update_of("m1", "connected")).has_value());
  auto bad = client();
  ASSERT_TRUE(bad->send_raw("garbage", false));
  ASSERT_TRUE(is_error(bad->read(), pb::MALFORMED_FRAME));

  auto res = http_get(port(), "/metrics");
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.content_type.find("text/plain"), std::string::npos);
  const auto& m = res.body;
  EXPECT_EQ(metric_value(m, "switchboard_edge_connections{role=\"gateway\"}"), 1.0) << m;
  EXPECT_EQ(metric_value(m, "switchboard_edge_connections{role=\"agent\"}"), 1.0);
  EXPECT_EQ(metric_value(m, "switchboard_edge_connections{role=\"unauthenticated\"}"), 1.0);
  EXPECT_EQ(metric_value(m, "switchboard_routed_total{tenant=\"t1\"}"), 1.0);
  EXPECT_EQ(metric_value(m, "switchboard_contacts{tenant=\"t1\",state=\"connected\"}"), 1.0);
  EXPECT_EQ(metric_value(m, "switchboard_contacts{tenant=\"t2\",state=\"waiting\"}"), 0.0);
  EXPECT_TRUE(metric_value(m, "switchboard_offers_expired_total{tenant=\"t1\"}").has_value());
  EXPECT_EQ(metric_value(m, "switchboard_edge_frames_rejected_total{reason=\"malformed_frame\"}"),
            1.0);
  EXPECT_EQ(metric_value(m, "switchboard_routing_latency_seconds_count"), 1.0);
  EXPECT_EQ(metric_value(m, "switchboard_routing_latency_seconds_bucket{le=\"+Inf\"}"), 1.0);
  EXPECT_GE(metric_value(m, "switchboard_edge_frames_received_total").value_or(0), 5.0);
  EXPECT_GE(metric_value(m, "switchboard_edge_frames_sent_total").value_or(0), 6.0);
  EXPECT_NE(m.find("# TYPE switchboard_routing_latency_seconds histogram"), std::string::npos);
}

TEST_F(http_test, pages_and_assets_are_served_with_their_content_types) {
  struct page {
    const char* target;
    const char* body;
    const char* type;
  };
  for (const auto& p : {page{"/", "<html>index</html>", "text/html"},
                        page{"/agent", "<html>agent desktop</html>", "text/html"},
                        page{"/wallboard", "<html>wallboard</html>", "text/html"},
                        page{"/chat?x=1", "<html>chat</html>", "text/html"},
                        page{"/agent.html", "<html>agent desktop</html>", "text/html"},
                        page{"/assets/app.js", "console.log('hi');", "text/javascript"},
                        page{"/assets/style.css", "body{}", "text/css"}}) {
    auto r = http_get(port(), p.target);
    EXPECT_EQ(r.status, 200) << p.target;
    EXPECT_EQ(r.body, p.body) << p.target;
    EXPECT_EQ(r.content_type.rfind(p.type, 0), 0u) << p.target << ": " << r.content_type;
  }
}

TEST_F(http_test, paths_outside_the_web_directory_are_refused) {
  std::filesystem::create_symlink(dir_.sub("secret.txt"), web_dir_ + "/link.txt");
  for (const char* t : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt",
                        "/assets/%2E%2E/%2E%2E/secret.txt", "/assets%2f..%2f..%2fsecret.txt",
                        "/..%5csecret.txt", "//secret.txt", "/.hidden", "/link.txt",
                        "/nope.html", "/assets/", "/index.html%00.js", "secret.txt"}) {
    auto r = http_get(port(), t);
    EXPECT_TRUE(r.status == 404 || r.status == 400 || r.status == 0) << t << ": " << r.status;
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << t;
  }
  EXPECT_EQ(http_get(port(), "/ws").status, 404);  // not an upgrade
}

}  // namespace
}  // namespace switchboard::testing
