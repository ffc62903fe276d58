#include <cstdio>
#include <limits>
#include <map>
#include <string>

#include "app/cli.h"
#include "storage/store.h"

namespace switchboard::app {

namespace {

/// Terminal outcomes counted from the journal, in chunks of bounded memory.
engine::result<std::map<std::string, std::uint64_t>> ended_counts(const storage::store& st) {
  std::map<std::string, std::uint64_t> out{{"completed", 0}, {"abandoned", 0}, {"failed", 0}};
  engine::time_ms from = std::numeric_limits<engine::time_ms>::min();
  std::uint64_t last_seq = 0;
  constexpr std::size_t chunk = 50000;
  while (true) {
    auto evs = st.journal_range(from, std::numeric_limits<engine::time_ms>::max(), chunk);
    if (!evs)
      return evs.err();
    std::size_t fresh = 0;
    for (const auto& e : *evs) {
      if (e.at == from && e.seq <= last_seq)
        continue;  // seen in the previous chunk (same millisecond)
      ++fresh;
      if (e.type == engine::event_type::completed)
        ++out["completed"];
      else if (e.type == engine::event_type::abandoned)
        ++out["abandoned"];
      else if (e.type == engine::event_type::failed)
        ++out["failed"];
    }
    if (evs->size() < chunk || fresh == 0)
      break;
    from = evs->back().at;
    last_seq = evs->back().seq;
  }
  return out;
}

}  // namespace

int run_inspect(const std::vector<std::string>& args) {
  auto f = flags::parse(args, {"data-dir"}, {"json"});
  if (!f) {
    std::fprintf(stderr, "switchboard inspect: %s\n", f.err().message.c_str());
    return 2;
  }
  auto dir = f->get("data-dir");
  if (!dir || dir->empty()) {
    std::fprintf(stderr, "switchboard inspect: --data-dir is required\n");
    return 2;
  }
  storage::store_options so;
  so.data_dir = *dir;
  so.create_if_missing = false;
  auto st = storage::store::open(so);
  if (!st) {
    std::fprintf(stderr, "switchboard inspect: %s: %s\n",
                 std::string{engine::to_string(st.err().code)}.c_str(), st.err().message.c_str());
    return 1;
  }
  auto snap = (*st)->load();
  auto counts = (*st)->counts();
  auto ended = snap ? ended_counts(**st) : engine::result<std::map<std::string, std::uint64_t>>(
                                             engine::make_error(engine::errc::storage_failure));
  if (!snap || !counts || !ended) {
    const auto& e = !snap ? snap.err() : !counts ? counts.err() : ended.err();
    std::fprintf(stderr, "switchboard inspect: %s: %s\n",
                 std::string{engine::to_string(e.code)}.c_str(), e.message.c_str());
    return 1;
  }
  std::map<std::string, std::uint64_t> live_by_state;
  for (const auto& c : snap->live)
    ++live_by_state[std::string{engine::to_string(c.state)}];
  if (f->has("json")) {
    std::printf("{\n  \"data_dir\": \"%s\",\n  \"tenants\": [", json_escape(*dir).c_str());
    for (std::size_t i = 0; i < snap->tenants.size(); ++i)
      std::printf("%s\"%s\"", i ? ", " : "", json_escape(snap->tenants[i].id).c_str());
    std::printf("],\n  \"queues\": [");
    for (std::size_t i = 0; i < snap->queues.size(); ++i)
      std::printf("%s\"%s/%s\"", i ? ", " : "", json_escape(snap->queues[i].tenant).c_str(),
                  json_escape(snap->queues[i].id).c_str());
    std::printf("],\n  \"agents\": %llu,\n  \"customers\": %llu,\n  \"learned_cells\": %llu,\n",
                static_cast<unsigned long long>(counts->agents),
                static_cast<unsigned long long>(counts->customers),
                static_cast<unsigned long long>(counts->learned));
    std::printf("  \"live_contacts\": {");
    bool first = true;
    for (const auto& [k, v] : live_by_state) {
      std::printf("%s\"%s\": %llu", first ? "" : ", ", k.c_str(), static_cast<unsigned long long>(v));
      first = false;
    }
    std::printf("},\n  \"ended_contacts\": {");
    first = true;
    for (const auto& [k, v] : *ended) {
      std::printf("%s\"%s\": %llu", first ? "" : ", ", k.c_str(), static_cast<unsigned long long>(v));
      first = false;
    }
    std::printf("},\n  \"journal_events\": %llu,\n  \"journal_bytes\": %llu\n}\n",
                static_cast<unsigned long long>(counts->journal_events),
                static_cast<unsigned long long>(counts->journal_bytes));
    return 0;
  }
  std::printf("data dir        %s\n", dir->c_str());
  std::printf("tenants         %llu:", static_cast<unsigned long long>(snap->tenants.size()));
  for (const auto& t : snap->tenants)
    std::printf(" %s", t.id.c_str());
  std::printf("\nqueues          %llu:", static_cast<unsigned long long>(snap->queues.size()));
  for (const auto& q : snap->queues)
    std::printf(" %s/%s", q.tenant.c_str(), q.id.c_str());
  std::printf("\nagents          %llu\n", static_cast<unsigned long long>(counts->agents));
  std::printf("customers       %llu\n", static_cast<unsigned long long>(counts->customers));
  std::printf("learned cells   %llu\n", static_cast<unsigned long long>(counts->learned));
  std::printf("live contacts   %llu", static_cast<unsigned long long>(snap->live.size()));
  for (const auto& [k, v] : live_by_state)
    std::printf("  %s=%llu", k.c_str(), static_cast<unsigned long long>(v));
  std::printf("\nended contacts ");
  for (const auto& [k, v] : *ended)
    std::printf("  %s=%llu", k.c_str(), static_cast<unsigned long long>(v));
  std::printf("\njournal         %llu events, ~%llu bytes\n",
              static_cast<unsigned long long>(counts->journal_events),
              static_cast<unsigned long long>(counts->journal_bytes));
  return 0;
}

}  // namespace switchboard::app
