#include "net/metrics.h"

#include <cstdio>

#include "net/codec.h"

namespace switchboard::net {

namespace {

void line(std::string& out, const char* fmt, auto... xs) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, fmt, xs...);
  if (n > 0)
    out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

/// Label values are ids (printable ASCII) but escape anyway: `\`, `"`, newline.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void help(std::string& out, const char* name, const char* type, const char* text) {
  line(out, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

}  // namespace

std::string_view to_string(client_role r) {
  switch (r) {
    case client_role::unauthenticated: return "unauthenticated";
    case client_role::gateway: return "gateway";
    case client_role::agent: return "agent";
    case client_role::supervisor: return "supervisor";
  }
  return "unknown";
}

void edge_metrics::rejected(pb::ErrorCode reason) {
  auto i = static_cast<std::size_t>(reason) - 100;
  if (static_cast<int>(reason) >= 100 && i < code_slots)
    rejected_[i].fetch_add(1, std::memory_order_relaxed);
}

void edge_metrics::request_failed(pb::ErrorCode code) {
  auto i = static_cast<std::size_t>(code);
  if (i < code_slots)
    failed_[i].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t edge_metrics::rejected_count(pb::ErrorCode reason) const {
  auto i = static_cast<std::size_t>(reason) - 100;
  return static_cast<int>(reason) >= 100 && i < code_slots ? rejected_[i].load() : 0;
}

void edge_metrics::routing_latency(std::chrono::microseconds d) {
  auto us = std::max<std::int64_t>(0, d.count());
  std::lock_guard<std::mutex> g{latency_mutex_};
  std::size_t b = 0;
  while (b < latency_bounds_us.size() && us > latency_bounds_us[b])
    ++b;
  ++latency_buckets_[b];
  ++latency_count_;
  latency_sum_s_ += static_cast<double>(us) / 1e6;
}

std::string edge_metrics::render(const std::vector<tenant_stats>& tenants) const {
  std::string out;
  out.reserve(4096);
  help(out, "switchboard_contacts", "gauge", "Live contacts by tenant and state.");
  for (const auto& t : tenants) {
    auto tl = label(t.tenant);
    line(out, "switchboard_contacts{tenant=\"%s\",state=\"waiting\"} %llu\n", tl.c_str(),
         static_cast<unsigned long long>(t.waiting));
    line(out, "switchboard_contacts{tenant=\"%s\",state=\"offered\"} %llu\n", tl.c_str(),
         static_cast<unsigned long long>(t.offered));
    line(out, "switchboard_contacts{tenant=\"%s\",state=\"connected\"} %llu\n", tl.c_str(),
         static_cast<unsigned long long>(t.connected));
  }
  struct counter {
    const char* name;
    const char* text;
    std::uint64_t tenant_stats::*field;
  };
  static constexpr counter counters[] = {
    {"switchboard_routed_total", "Offers accepted since the node started.", &tenant_stats::routed},
    {"switchboard_completed_total", "Contacts completed.", &tenant_stats::completed},
    {"switchboard_abandoned_total", "Contacts abandoned.", &tenant_stats::abandoned},
    {"switchboard_offers_expired_total", "Offers that rang out.", &tenant_stats::offers_expired},
    {"switchboard_complaint_alerts_total",
     "Contacts that entered a line at the tenant's complaint-alert risk or more.",
     &tenant_stats::alerts_raised},
    {"switchboard_batch_offers_total", "Offers made by batch assignment.",
     &tenant_stats::batch_offers},
    {"switchboard_guarded_offers_total",
     "Offers the fairness guard gave another agent than the best-scored one.",
     &tenant_stats::guarded_offers},
  };
  for (const auto& c : counters) {
    help(out, c.name, "counter", c.text);
    for (const auto& t : tenants)
      line(out, "%s{tenant=\"%s\"} %llu\n", c.name, label(t.tenant).c_str(),
           static_cast<unsigned long long>(t.*(c.field)));
  }
  help(out, "switchboard_service_level", "gauge", "Service level over all queues (0..1).");
  for (const auto& t : tenants)
    line(out, "switchboard_service_level{tenant=\"%s\"} %.6f\n", label(t.tenant).c_str(),
         t.service_level);
  // The live on/off comparison: each arm's resolution rate and outcomes, and the
  // uplift with its 95% interval once each arm has two slices.
  help(out, "switchboard_policy_resolution_rate", "gauge",
       "Resolution rate of the outcomes routed by each arm of the live on/off comparison.");
  for (const auto& t : tenants)
    for (const auto& e : t.experiments)
      for (int arm = 0; arm < 2; ++arm)
        line(out, "switchboard_policy_resolution_rate{tenant=\"%s\",queue=\"%s\",policy=\"%s\"} %.6f\n",
             label(t.tenant).c_str(), label(e.queue).c_str(),
             std::string{engine::to_string(arm == 1 ? engine::policy_kind::profile : e.baseline)}.c_str(),
             e.resolution[static_cast<std::size_t>(arm)]);
  help(out, "switchboard_policy_outcomes", "gauge",
       "Outcomes counted for each arm of the live on/off comparison.");
  for (const auto& t : tenants)
    for (const auto& e : t.experiments)
      for (int arm = 0; arm < 2; ++arm)
        line(out, "switchboard_policy_outcomes{tenant=\"%s\",queue=\"%s\",policy=\"%s\"} %llu\n",
             label(t.tenant).c_str(), label(e.queue).c_str(),
             std::string{engine::to_string(arm == 1 ? engine::policy_kind::profile : e.baseline)}.c_str(),
             static_cast<unsigned long long>(e.contacts[static_cast<std::size_t>(arm)]));
  help(out, "switchboard_policy_uplift", "gauge",
       "Resolution uplift of profile over the baseline (0..1) and its 95% interval (bound=low|high).");
  for (const auto& t : tenants)
    for (const auto& e : t.experiments) {
      if (!e.enough)
        continue;
      auto tl = label(t.tenant);
      auto ql = label(e.queue);
      line(out, "switchboard_policy_uplift{tenant=\"%s\",queue=\"%s\",bound=\"estimate\"} %.6f\n",
           tl.c_str(), ql.c_str(), e.uplift);
      line(out, "switchboard_policy_uplift{tenant=\"%s\",queue=\"%s\",bound=\"low\"} %.6f\n",
           tl.c_str(), ql.c_str(), e.low);
      line(out, "switchboard_policy_uplift{tenant=\"%s\",queue=\"%s\",bound=\"high\"} %.6f\n",
           tl.c_str(), ql.c_str(), e.high);
    }
  {
    std::lock_guard<std::mutex> g{latency_mutex_};
    help(out, "switchboard_routing_latency_seconds", "histogram",
         "Time from a contact's queued (or requeued) event to its offer, as the edge sees the events.");
    std::uint64_t cum = 0;
    for (std::size_t b = 0; b < latency_bounds_us.size(); ++b) {
      cum += latency_buckets_[b];
      line(out, "switchboard_routing_latency_seconds_bucket{le=\"%g\"} %llu\n",
           static_cast<double>(latency_bounds_us[b]) / 1e6, static_cast<unsigned long long>(cum));
    }
    cum += latency_buckets_.back();
    line(out, "switchboard_routing_latency_seconds_bucket{le=\"+Inf\"} %llu\n",
         static_cast<unsigned long long>(cum));
    line(out, "switchboard_routing_latency_seconds_sum %.6f\n", latency_sum_s_);
    line(out, "switchboard_routing_latency_seconds_count %llu\n",
         static_cast<unsigned long long>(latency_count_));
  }
  help(out, "switchboard_edge_connections", "gauge", "Open WebSocket connections by role.");
  for (std::size_t r = 0; r < client_role_count; ++r)
    line(out, "switchboard_edge_connections{role=\"%s\"} %lld\n",
         std::string{to_string(static_cast<client_role>(r))}.c_str(),
         static_cast<long long>(connections_[r].load()));
  help(out, "switchboard_edge_frames_received_total", "counter", "WebSocket frames received.");
  line(out, "switchboard_edge_frames_received_total %llu\n",
       static_cast<unsigned long long>(frames_received_.load()));
  help(out, "switchboard_edge_frames_sent_total", "counter", "WebSocket frames sent.");
  line(out, "switchboard_edge_frames_sent_total %llu\n",
       static_cast<unsigned long long>(frames_sent_.load()));
  help(out, "switchboard_edge_frames_rejected_total", "counter",
       "Frames and connections refused by the edge, by reason.");
  for (int code = 100; code < 100 + static_cast<int>(code_slots); ++code) {
    if (!pb::ErrorCode_IsValid(code))
      continue;
    line(out, "switchboard_edge_frames_rejected_total{reason=\"%s\"} %llu\n",
         code_label(static_cast<pb::ErrorCode>(code)).c_str(),
         static_cast<unsigned long long>(rejected_[static_cast<std::size_t>(code - 100)].load()));
  }
  help(out, "switchboard_edge_request_errors_total", "counter",
       "Requests the node refused, by error code.");
  for (int code = 1; code < 100; ++code) {
    if (!pb::ErrorCode_IsValid(code))
      continue;
    auto n = failed_[static_cast<std::size_t>(code)].load();
    if (n > 0)
      line(out, "switchboard_edge_request_errors_total{code=\"%s\"} %llu\n",
           code_label(static_cast<pb::ErrorCode>(code)).c_str(), static_cast<unsigned long long>(n));
  }
  help(out, "switchboard_edge_http_requests_total", "counter", "HTTP requests served.");
  line(out, "switchboard_edge_http_requests_total %llu\n",
       static_cast<unsigned long long>(http_requests_.load()));
  return out;
}

}  // namespace switchboard::net
