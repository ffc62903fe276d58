#include "engine/assignment.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace switchboard::engine {

namespace {

/// Minimises the total cost of giving each of the `n` rows of `cost` (n x m,
/// row-major, n <= m, costs finite) its own column; returns each row's column.
///
/// Shortest augmenting paths with dual potentials u (rows) and v (columns), kept
/// so that every reduced cost c[i][j] - u[i] - v[j] is >= 0 and 0 on assigned
/// pairs. Start: each row's potential is its smallest cost (v = 0), and a row
/// whose cheapest column is still free takes it (Jonker-Volgenant's reduction;
/// with v = 0 it is valid for rectangular matrices too). Then each free row finds
/// its cheapest path to a free column by Dijkstra over the columns not yet reached
/// (a shrinking list), the potentials of what it reached move by the path's
/// length, and the path flips. Ties go to a free column, which ends the search.
std::vector<int> min_cost_rows(const std::vector<double>& cost, std::size_t n, std::size_t m) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<double> u(n, 0.0), v(m, 0.0), shortest(m);
  std::vector<std::size_t> col_of(n, none), row_of(m, none), path(m, none);
  std::vector<char> row_seen(n), col_seen(m);
  // Augmenting row reduction (Jonker and Volgenant), two passes: a free row takes
  // the column where c - v is smallest and lowers that column's v until the
  // row's second-best column is as good, so the row it displaces (if any) looks
  // elsewhere next. Only v falls, so c - v rises everywhere else: every assigned
  // row keeps a column where its c - v is smallest, and v stays <= 0.
  std::vector<std::size_t> free_rows(n), next_free;
  for (std::size_t i = 0; i < n; ++i)
    free_rows[i] = n - 1 - i;
  if (m > 1) {
    std::size_t budget = 8 * n + 16;  // bounds a pass's displacement chains
    for (int pass = 0; pass < 2 && !free_rows.empty(); ++pass) {
      next_free.clear();
      std::size_t k = 0;
      while (k < free_rows.size()) {
        std::size_t i = free_rows[k++];
        const double* row = cost.data() + i * m;
        double best = row[0] - v[0], second = inf;
        std::size_t j1 = 0, j2 = 0;
        for (std::size_t j = 1; j < m; ++j) {
          double h = row[j] - v[j];
          if (h < second) {
            if (h >= best) {
              second = h;
              j2 = j;
            } else {
              second = best;
              j2 = j1;
              best = h;
              j1 = j;
            }
          }
        }
        std::size_t displaced = row_of[j1];
        if (best < second)
          v[j1] -= second - best;  // now j1 and j2 are equally good for row i
        else if (displaced != none) {
          j1 = j2;  // a tie: take the other one
          displaced = row_of[j2];
        }
        row_of[j1] = i;
        col_of[i] = j1;
        if (displaced != none) {
          col_of[displaced] = none;
          if (best < second && budget > 0) {
            --budget;
            free_rows[--k] = displaced;  // it looks again at once
          } else {
            next_free.push_back(displaced);  // next pass (or the searches below)
          }
        }
      }
      free_rows.swap(next_free);
    }
  }
  // Row potentials: each row's smallest c - v (its own column's, if it has one),
  // so every reduced cost c - u - v is >= 0 and 0 on assigned pairs.
  for (std::size_t i = 0; i < n; ++i) {
    const double* row = cost.data() + i * m;
    double best = inf;
    for (std::size_t j = 0; j < m; ++j)
      best = std::min(best, row[j] - v[j]);
    u[i] = best;
  }
  // The columns the search has not reached yet, packed at the front: their ids,
  // tentative path lengths, potentials (fixed during one search) and the row
  // before them on their tentative path. Packed, the inner loop reads one cost by
  // column id and the rest in order.
  std::vector<std::size_t> col_at(m), via_at(m);
  std::vector<double> sh_at(m), v_at(m);
  for (std::size_t start : free_rows) {
    std::fill(row_seen.begin(), row_seen.end(), 0);
    std::fill(col_seen.begin(), col_seen.end(), 0);
    std::size_t left = m;
    for (std::size_t k = 0; k < m; ++k) {
      col_at[k] = k;
      sh_at[k] = inf;
      v_at[k] = v[k];
    }
    double reached = 0;  // length of the path to the last column reached
    std::size_t i = start;
    std::size_t sink = none;
    while (sink == none) {
      row_seen[i] = 1;
      const double* row = cost.data() + i * m;
      const double base = reached - u[i];
      double lowest = inf;
      std::size_t at = 0;
      for (std::size_t k = 0; k < left; ++k) {
        double r = base + row[col_at[k]] - v_at[k];
        if (r < sh_at[k]) {
          via_at[k] = i;
          sh_at[k] = r;
        }
        if (sh_at[k] < lowest || (sh_at[k] == lowest && row_of[col_at[k]] == none)) {
          lowest = sh_at[k];
          at = k;
        }
      }
      reached = lowest;
      std::size_t j = col_at[at];
      shortest[j] = sh_at[at];
      path[j] = via_at[at];
      col_seen[j] = 1;
      --left;
      col_at[at] = col_at[left];
      sh_at[at] = sh_at[left];
      v_at[at] = v_at[left];
      via_at[at] = via_at[left];
      if (row_of[j] == none)
        sink = j;
      else
        i = row_of[j];
    }
    // Potentials: what the search reached moves by how much shorter its own path was.
    u[start] += reached;
    for (std::size_t r = 0; r < n; ++r)
      if (row_seen[r] && r != start)
        u[r] += reached - shortest[col_of[r]];
    for (std::size_t c = 0; c < m; ++c)
      if (col_seen[c])
        v[c] -= reached - shortest[c];
    // Flip the path from the sink back to the start.
    for (std::size_t j = sink;;) {
      std::size_t r = path[j];
      row_of[j] = r;
      std::swap(col_of[r], j);
      if (r == start)
        break;
    }
  }
  std::vector<int> out(n, -1);
  for (std::size_t r = 0; r < n; ++r)
    if (col_of[r] != none)
      out[r] = static_cast<int>(col_of[r]);
  return out;
}

}  // namespace

result<assignment> assign_max(std::span<const double> values, std::size_t rows, std::size_t cols) {
  // (The first test keeps rows * cols from overflowing.)
  if ((rows != 0 && cols > values.size() / rows) || values.size() != rows * cols)
    return make_error(errc::invalid_argument, "assignment: " + std::to_string(values.size()) +
                                                " values for " + std::to_string(rows) + " x " +
                                                std::to_string(cols));
  assignment out;
  out.col_of_row.assign(rows, -1);
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (std::size_t k = 0; k < values.size(); ++k) {
    double x = values[k];
    if (std::isnan(x) || x == std::numeric_limits<double>::infinity())
      return make_error(errc::invalid_argument,
                        "assignment: value " + std::to_string(k / cols) + "," +
                          std::to_string(k % cols) + " is " + (std::isnan(x) ? "NaN" : "+inf"));
    if (x == forbidden_pair)
      continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  if (hi < lo)
    return out;  // no allowed pair (or nothing at all)
  const double range = hi - lo;
  if (range > 1e12)
    return make_error(errc::invalid_argument,
                      "assignment: the allowed values span " + std::to_string(range) +
                        ", more than 1e12");
  // Costs to minimise: an allowed pair costs hi - value, in [0, range]; a forbidden
  // one more than any n allowed pairs together, so the fewest forbidden pairs are
  // used first (the most allowed pairs), and then the least cost. Rows are the
  // shorter side.
  const bool transposed = rows > cols;
  const std::size_t n = transposed ? cols : rows;
  const std::size_t m = transposed ? rows : cols;
  const double penalty = (range + 1.0) * static_cast<double>(n + 1);
  std::vector<double> cost(n * m);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      double x = values[r * cols + c];
      double k = x == forbidden_pair ? penalty : hi - x;
      if (transposed)
        cost[c * m + r] = k;
      else
        cost[r * m + c] = k;
    }
  auto col_of = min_cost_rows(cost, n, m);
  for (std::size_t i = 0; i < n; ++i) {
    if (col_of[i] < 0)
      continue;
    std::size_t r = transposed ? static_cast<std::size_t>(col_of[i]) : i;
    std::size_t c = transposed ? i : static_cast<std::size_t>(col_of[i]);
    double x = values[r * cols + c];
    if (x == forbidden_pair)
      continue;  // filler: this row stays out
    out.col_of_row[r] = static_cast<int>(c);
    ++out.pairs;
    out.total += x;
  }
  return out;
}

}  // namespace switchboard::engine
