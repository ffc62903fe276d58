#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "engine/error.h"

/// The assignment problem (rectangular linear sum assignment) for batch matching:
/// when several contacts wait and several agents are free at once, pick the pairs
/// that together are worth the most, instead of one contact (or agent) at a time.
/// Pure: no routing knowledge; the caller scores the pairs.
namespace switchboard::engine {

/// A pair that may not be made (the agent is not eligible for the contact).
inline constexpr double forbidden_pair = -std::numeric_limits<double>::infinity();

struct assignment {
  /// For each row, its column, or -1 when the row is left out.
  std::vector<int> col_of_row;
  std::size_t pairs = 0;  ///< rows given a column
  double total = 0;       ///< the sum of the chosen pairs' values
};

/// Chooses at most one column per row and one row per column among the allowed
/// pairs: as many pairs as can be made, and among those the largest total value.
/// `values` is `rows` x `cols`, row-major; `forbidden_pair` (-inf) marks a pair
/// that may not be made. Shortest augmenting paths with potentials (the Hungarian
/// method in the form of Jonker and Volgenant): O(r^2 c) for r = min(rows, cols),
/// c = max(rows, cols), and much less on typical matrices.
/// Errors: invalid_argument (`values` is not rows x cols, a value is NaN or +inf,
/// or the allowed values span more than 1e12, which would lose precision).
[[nodiscard]] result<assignment> assign_max(std::span<const double> values, std::size_t rows,
                                            std::size_t cols);

}  // namespace switchboard::engine
