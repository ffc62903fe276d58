#include <cstdio>
#include <limits>
#include <map>
#include <string>

#include "app/cli.h"
#include "bench/core/json_writer.h"
#include "storage/errors.h"
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

int run_inspect(const std::string& dir, bool json) {
  storage::store_options so;
  so.data_dir = dir;
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
                                             engine::make_error(storage::errors::storage_failure));
  if (!snap || !counts || !ended) {
    const auto& e = !snap ? snap.err() : !counts ? counts.err() : ended.err();
    std::fprintf(stderr, "switchboard inspect: %s: %s\n",
                 std::string{engine::to_string(e.code)}.c_str(), e.message.c_str());
    return 1;
  }
  std::map<std::string, std::uint64_t> live_by_state;
  for (const auto& c : snap->live)
    ++live_by_state[std::string{engine::to_string(c.state)}];
  if (json) {
    bench::json_writer w;
    w.object([&] {
      w.field("data_dir", dir);
      w.array("tenants", snap->tenants, [&](const auto& t) { w.value(t.id); });
      w.array("queues", snap->queues, [&](const auto& q) { w.value(q.tenant + "/" + q.id); });
      w.field("agents", std::uint64_t{counts->agents});
      w.field("customers", std::uint64_t{counts->customers});
      w.field("learned_cells", std::uint64_t{counts->learned});
      w.map("live_contacts", live_by_state);
      w.map("ended_contacts", *ended);
      w.field("journal_events", std::uint64_t{counts->journal_events});
      w.field("journal_bytes", std::uint64_t{counts->journal_bytes});
    });
    auto text = w.take() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::printf("data dir        %s\n", dir.c_str());
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

}  // namespace

command add_inspect(CLI::App& root) {
  auto dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* c = root.add_subcommand("inspect", "show what a node's database holds");
  c->add_option("--data-dir", *dir, "the node's database")->required()->check(bench::cli::non_empty);
  c->add_flag("--json", *json, "print JSON instead of text");
  return {c, [dir, json] { return run_inspect(*dir, *json); }};
}

}  // namespace switchboard::app
