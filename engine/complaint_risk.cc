#include "engine/complaint_risk.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace switchboard::engine {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& ch : out)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool self_service_failure(std::string_view step) {
  auto colon = step.find(':');
  if (colon == std::string_view::npos)
    return false;
  auto source = lower(step.substr(0, colon));
  while (!source.empty() && source.back() == ' ')
    source.pop_back();
  if (source != "bot" && source != "ivr" && source != "self_service" && source != "web" &&
      source != "app")
    return false;
  auto text = lower(step.substr(colon + 1));
  for (const char* word : {"fail", "unresolved", "no match", "escalat", "handed over"})
    if (text.find(word) != std::string::npos)
      return true;
  return false;
}

}  // namespace

risk_factors complaint_risk(const customer_profile* customer, const contact& c, time_ms now,
                            time_ms sl_threshold, time_ms repeat_window) {
  risk_factors r;
  for (const auto& step : c.journey) {
    if (step.rfind("transfer:", 0) == 0)
      ++r.transfers;
    else if (self_service_failure(step))
      ++r.self_service_failures;
  }
  if (customer != nullptr) {
    r.profile = std::clamp(customer->complaint_risk, 0.0, 1.0);
    for (const auto& h : customer->history) {
      if (h.complaint)
        ++r.prior_complaints;
      if (repeat_window > 0 && h.at <= now && now - h.at <= repeat_window) {
        ++r.repeats;
        if (!h.resolved)
          ++r.unresolved_repeats;
      }
    }
  }
  auto waited = now - c.enqueued_at;
  r.long_wait = c.enqueued_at > 0 && sl_threshold > 0 && waited > 2 * sl_threshold;
  double calm = (1.0 - r.profile) * std::pow(0.85, r.self_service_failures) *
                std::pow(0.85, r.transfers) * std::pow(0.8, r.repeats - r.unresolved_repeats) *
                std::pow(0.7, r.unresolved_repeats) * std::pow(0.7, r.prior_complaints) *
                (r.long_wait ? 0.9 : 1.0);
  r.risk = std::clamp(1.0 - calm, 0.0, 1.0);
  return r;
}

std::string describe(const risk_factors& r, time_ms repeat_window) {
  char head[16];
  std::snprintf(head, sizeof head, "%.2f", r.risk);
  std::string out = head;
  std::string sep = ": ";
  auto add = [&](int n, const char* one, const char* many) {
    if (n <= 0)
      return;
    out += sep + std::to_string(n) + " " + (n == 1 ? one : many);
    sep = ", ";
  };
  if (r.profile > 0) {
    char p[32];
    std::snprintf(p, sizeof p, "profile risk %.2f", r.profile);
    out += sep + p;
    sep = ", ";
  }
  add(r.self_service_failures, "failed self-service step", "failed self-service steps");
  add(r.transfers, "transfer", "transfers");
  auto hours = std::to_string(repeat_window / limits::hour_ms) + " h";
  add(r.repeats - r.unresolved_repeats, ("repeat within " + hours).c_str(),
      ("repeats within " + hours).c_str());
  add(r.unresolved_repeats, ("unresolved repeat within " + hours).c_str(),
      ("unresolved repeats within " + hours).c_str());
  add(r.prior_complaints, "earlier complaint", "earlier complaints");
  if (r.long_wait) {
    out += sep + "a long wait";
  }
  return out;
}

}  // namespace switchboard::engine
