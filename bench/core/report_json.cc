#include <optional>
#include <string>
#include <string_view>

#include "bench/core/json_writer.h"
#include "bench/core/report.h"

// The report as JSON: keys mirror the structs of report.h field by field, written
// by bench/core/json_writer.h (NaN and infinities become null).
namespace switchboard::bench {
namespace {

void write_ci(json_writer& w, const metric_ci& ci) {
  w.object([&] {
    w.field("mean", ci.mean);
    w.field("half_width", ci.half_width);
    w.field("n", ci.n);
  });
}

void write_ci_map(json_writer& w, std::string_view k, const std::map<std::string, metric_ci>& m) {
  w.key(k);
  w.object([&] {
    for (const auto& [name, ci] : m) {
      w.key(name);
      write_ci(w, ci);
    }
  });
}

void write_replication(json_writer& w, const replication_result& r) {
  w.object([&] {
    w.field("index", r.index);
    w.field("seed", r.seed);
    w.field("arrivals", r.arrivals);
    w.field("served", r.served);
    w.field("abandoned", r.abandoned);
    if (r.abandoned_after_threshold)
      w.field("abandoned_after_threshold", *r.abandoned_after_threshold);
    w.field("service_level", r.service_level);
    w.field("asa_s", r.asa_s);
    w.field("p_wait", r.p_wait);
    w.field("abandon_rate", r.abandon_rate);
    w.field("occupancy", r.occupancy);
    w.field("fairness_spread", r.fairness_spread);
    w.field("resolution_rate", r.resolution_rate);
    w.field("sale_rate", r.sale_rate);
    w.field("csat_mean", r.csat_mean);
    w.objects("groups", r.groups, [&](const group_result& g) {
      w.field("group", g.group);
      w.field("occupancy", g.occupancy);
      w.field("occupancy_spread", g.occupancy_spread);
      w.field("served", g.served);
    });
    w.objects("series", r.series, [&](const series_point& p) {
      w.field("t_s", p.t_s);
      w.field("waiting", p.waiting);
      w.field("service_level", p.service_level);
      w.field("occupancy", p.occupancy);
    });
    w.field("cpu_s", r.cpu_s);
    w.field("wall_s", r.wall_s);
  });
}

void write_latency(json_writer& w, const std::optional<latency_histogram>& latency) {
  w.key("latency");
  if (!latency) {
    w.null();
    return;
  }
  const auto& l = *latency;
  w.object([&] {
    w.values("upper_us", l.upper_us);  // the open last bucket (+inf) is written as null
    w.values("counts", l.counts);
    w.field("p50_us", l.p50_us);
    w.field("p99_us", l.p99_us);
    w.field("p999_us", l.p999_us);
    w.field("max_us", l.max_us);
    w.field("samples", l.samples);
  });
}

}  // namespace

std::string to_json(const run_report& r) {
  json_writer w;
  w.object([&] {
    w.field("scenario", r.scenario);
    w.field("mode", r.mode);
    w.field("seed", r.seed);
    w.field("build_type", r.build_type);
    w.field("cores", r.cores);
    w.map("parameters", r.parameters);
    w.field("sl_threshold_s", r.sl_threshold_s);
    w.field("sample_every_s", r.sample_every_s);
    write_ci_map(w, "summary", r.summary);
    w.objects("theory", r.theory, [&](const theory_row& t) {
      w.field("metric", t.metric);
      w.field("model", t.model);
      w.field("theory", t.theory);
      w.key("simulated");
      write_ci(w, t.simulated);
      w.field("rel_error", t.rel_error);
    });
    w.objects("policies", r.policies, [&](const policy_row& p) {
      w.field("policy", p.policy);
      write_ci_map(w, "summary", p.summary);
    });
    w.map("figures", r.figures);
    write_latency(w, r.latency);
    w.values("notes", r.notes);
    w.field("cpu_s", r.cpu_s);
    w.field("wall_s", r.wall_s);
    w.array("replications", r.replications,
            [&](const replication_result& rep) { write_replication(w, rep); });
  });
  return w.take() + "\n";
}

}  // namespace switchboard::bench
