#include "engine/learned_stats.h"

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

const learned_record& learned_stats::record(std::string_view agent, std::string_view intent,
                                            std::string_view segment, const outcome& o,
                                            time_ms handle_ms) {
  auto& cell = cells_[key(agent, intent, segment)];
  if (cell.agent.empty()) {
    cell.agent = agent;
    cell.intent = intent;
    cell.segment = segment;
  }
  add(cell.stats, o, handle_ms);
  std::string ik{agent};
  ik.push_back('\0');
  ik.append(intent);
  add(by_intent_[ik], o, handle_ms);
  return cell;
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
  std::string ik{agent};
  ik.push_back('\0');
  ik.append(intent);
  auto p = by_intent_.find(ik);
  double intent_rate = shrunk(p == by_intent_.end() ? nullptr : &p->second, prior, shrinkage);
  return shrunk(find(agent, intent, segment), intent_rate, shrinkage);
}

const outcome_stats* learned_stats::find(std::string_view agent, std::string_view intent,
                                         std::string_view segment) const {
  auto i = cells_.find(key(agent, intent, segment));
  return i == cells_.end() ? nullptr : &i->second.stats;
}

std::vector<learned_record> learned_stats::all() const {
  std::vector<learned_record> out;
  out.reserve(cells_.size());
  for (const auto& [k, v] : cells_)
    out.push_back(v);
  return out;
}

}  // namespace switchboard::engine
