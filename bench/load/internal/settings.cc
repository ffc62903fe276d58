#include "bench/load/internal/settings.h"

#include <algorithm>

namespace switchboard::bench::load {

namespace {

engine::error bad(const std::string& field, const std::string& why) {
  return engine::make_error(engine::errc::invalid_argument, field + ": " + why);
}

}  // namespace

engine::result<load_settings> settle(const scenario& s) {
  load_settings c;
  const auto& rt = s.realtime;
  if (!rt.journal)
    return bad("journal", "the load mode always runs the node with its RocksDB journal; "
                          "--set durability=no_sync skips the fsync instead");
  c.rate = rt.target_rate;
  c.duration_s = rt.duration_s;
  if (!(c.duration_s > 0))
    return bad("duration_s", "must be > 0");
  double scenario_rate = first_period_rate_per_s(s);
  auto scale = number_parameter(s, "time_scale", -1);
  if (!scale)
    return scale.err();
  if (*scale >= 0 && s.parameters.count("time_scale") > 0)
    c.time_scale = *scale;
  else if (c.rate > 0)
    c.time_scale = scenario_rate > 0 ? scenario_rate / c.rate : 0;
  c.max_live = rt.max_live;
  if (auto i = s.parameters.find("durability"); i != s.parameters.end()) {
    if (i->second == "sync")
      c.durability = storage::durability::sync;
    else if (i->second == "no_sync")
      c.durability = storage::durability::no_sync;
    else
      return bad("durability", "must be sync or no_sync, not '" + i->second + "'");
  }
  auto threads = number_parameter(s, "threads", 0);
  if (!threads)
    return threads.err();
  c.threads = static_cast<std::size_t>(std::min(*threads, 256.0));
  auto caf = number_parameter(s, "caf_seconds", 2);
  if (!caf)
    return caf.err();
  c.caf_seconds = std::min(*caf, 60.0);
  c.data_dir = rt.data_dir;
  c.temp_dir = c.data_dir.empty();
  c.sample_every_s = std::clamp(c.duration_s / 20, 0.1, 60.0);
  c.drain_s = drain_seconds(s, c.time_scale, 60.0);
  return c;
}

}  // namespace switchboard::bench::load
