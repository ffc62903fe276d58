#include "engine/learned_stats.h"

#include <algorithm>

namespace switchboard::engine {

namespace {

void add(outcome_stats& s, const outcome& o, time_ms handle_ms) {
  ++s.handled;
  s.resolved += o.resolved ? 1 : 0;
  s.sales += o.sale ? 1 : 0;
  if (o.csat > 0) {
    s.csat_sum += o.csat;
    ++s.csat_count;
  }
  s.handle_ms_sum += static_cast<double>(handle_ms);
}

void merge(outcome_stats& into, const outcome_stats& s) {
  into.handled += s.handled;
  into.resolved += s.resolved;
  into.sales += s.sales;
  into.csat_sum += s.csat_sum;
  into.csat_count += s.csat_count;
  into.handle_ms_sum += s.handle_ms_sum;
}

double shrunk(const outcome_stats* s, double parent, double k) {
  if (s == nullptr)
    return parent;
  return (static_cast<double>(s->resolved) + k * parent) / (static_cast<double>(s->handled) + k);
}

// Calls `f` with the key `a \0 b [\0 c]`, built on the stack when it is short
// (the routing hot path looks up two keys per candidate), else in a string.
template <class F>
auto with_key(std::string_view a, std::string_view b, const std::string_view* c, F&& f) {
  auto n = a.size() + 1 + b.size() + (c != nullptr ? 1 + c->size() : 0);
  auto fill = [&](char* out) {
    out = std::copy(a.begin(), a.end(), out);
    *out++ = '\0';
    out = std::copy(b.begin(), b.end(), out);
    if (c != nullptr) {
      *out++ = '\0';
      std::copy(c->begin(), c->end(), out);
    }
  };
  constexpr std::size_t stack_size = 256;
  if (n <= stack_size) {
    char buf[stack_size];
    fill(buf);
    return f(std::string_view{buf, n});
  }
  std::string heap(n, '\0');
  fill(heap.data());
  return f(std::string_view{heap});
}

}  // namespace

std::string learned_stats::key(std::string_view agent, std::string_view intent,
                               std::string_view segment) {
  std::string k;
  k.reserve(agent.size() + intent.size() + segment.size() + 2);
  k.append(agent).push_back('\0');
  k.append(intent).push_back('\0');
  k.append(segment);
  return k;
}

learned_record& learned_stats::cell(std::string_view agent, std::string_view intent,
                                    std::string_view segment) {
  return *with_key(agent, intent, &segment, [&](std::string_view k) {
    auto i = cells_.find(k);
    if (i == cells_.end())
      i = cells_.emplace(std::string{k}, learned_record{std::string{agent}, std::string{intent},
                                                          std::string{segment}, {}})
            .first;
    return &i->second;
  });
}

outcome_stats& learned_stats::parent(std::string_view agent, std::string_view intent) {
  return *with_key(agent, intent, nullptr, [&](std::string_view k) {
    auto i = by_intent_.find(k);
    if (i == by_intent_.end())
      i = by_intent_.emplace(std::string{k}, outcome_stats{}).first;
    return &i->second;
  });
}

const learned_record& learned_stats::record(std::string_view agent, std::string_view intent,
                                            std::string_view segment, const outcome& o,
                                            time_ms handle_ms) {
  auto& c = cell(agent, intent, segment);
  add(c.stats, o, handle_ms);
  add(parent(agent, intent), o, handle_ms);
  return c;
}

const learned_record& learned_stats::add_rating(std::string_view agent, std::string_view intent,
                                                std::string_view segment, int csat) {
  auto& c = cell(agent, intent, segment);
  auto& p = parent(agent, intent);
  for (auto* s : {&c.stats, &p}) {
    s->csat_sum += csat;
    ++s->csat_count;
  }
  return c;
}

void learned_stats::restore(const learned_record& r) {
  auto& cell = cells_[key(r.agent, r.intent, r.segment)];
  std::string ik{r.agent};
  ik.push_back('\0');
  ik.append(r.intent);
  auto& parent = by_intent_[ik];
  // Replace the cell, keeping the parent consistent with all its cells.
  parent.handled -= cell.stats.handled;
  parent.resolved -= cell.stats.resolved;
  parent.sales -= cell.stats.sales;
  parent.csat_sum -= cell.stats.csat_sum;
  parent.csat_count -= cell.stats.csat_count;
  parent.handle_ms_sum -= cell.stats.handle_ms_sum;
  cell = r;
  merge(parent, r.stats);
}

double learned_stats::resolution_rate(std::string_view agent, std::string_view intent,
                                      std::string_view segment) const {
  const auto* p = with_key(agent, intent, nullptr, [&](std::string_view k) -> const outcome_stats* {
    auto i = by_intent_.find(k);
    return i == by_intent_.end() ? nullptr : &i->second;
  });
  // No parent means no cell either: skip the second lookup.
  if (p == nullptr)
    return prior;
  double intent_rate = shrunk(p, prior, shrinkage);
  return shrunk(find(agent, intent, segment), intent_rate, shrinkage);
}

const outcome_stats* learned_stats::find(std::string_view agent, std::string_view intent,
                                         std::string_view segment) const {
  return with_key(agent, intent, &segment, [&](std::string_view k) -> const outcome_stats* {
    auto i = cells_.find(k);
    return i == cells_.end() ? nullptr : &i->second.stats;
  });
}

std::vector<learned_record> learned_stats::all() const {
  std::vector<learned_record> out;
  out.reserve(cells_.size());
  for (const auto& [k, v] : cells_)
    out.push_back(v);
  return out;
}

}  // namespace switchboard::engine
