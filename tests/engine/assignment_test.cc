#include "engine/assignment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace switchboard::engine {
namespace {

/// The best (pairs, total) over every way to give rows distinct columns or none,
/// by trying them all.
std::pair<std::size_t, double> brute_force(const std::vector<double>& v, std::size_t rows,
                                           std::size_t cols) {
  std::pair<std::size_t, double> best{0, 0.0};
  std::vector<char> taken(cols, 0);
  auto walk = [&](auto&& self, std::size_t r, std::size_t pairs, double total) -> void {
    if (r == rows) {
      if (pairs > best.first || (pairs == best.first && total > best.second + 1e-12))
        best = {pairs, total};
      return;
    }
    self(self, r + 1, pairs, total);  // row r left out
    for (std::size_t c = 0; c < cols; ++c) {
      double x = v[r * cols + c];
      if (taken[c] || x == forbidden_pair)
        continue;
      taken[c] = 1;
      self(self, r + 1, pairs + 1, total + x);
      taken[c] = 0;
    }
  };
  walk(walk, 0, 0, 0.0);
  return best;
}

/// Checks that `a` is a valid assignment of `v` and that its figures are its own.
void expect_consistent(const assignment& a, const std::vector<double>& v, std::size_t rows,
                       std::size_t cols) {
  ASSERT_EQ(a.col_of_row.size(), rows);
  std::vector<char> taken(cols, 0);
  std::size_t pairs = 0;
  double total = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    int c = a.col_of_row[r];
    if (c < 0)
      continue;
    ASSERT_LT(static_cast<std::size_t>(c), cols);
    EXPECT_FALSE(taken[c]) << "column " << c << " given twice";
    taken[c] = 1;
    EXPECT_NE(v[r * cols + c], forbidden_pair) << "a forbidden pair was made";
    ++pairs;
    total += v[r * cols + c];
  }
  EXPECT_EQ(a.pairs, pairs);
  EXPECT_NEAR(a.total, total, 1e-9);
}

TEST(assignment, matches_brute_force_on_small_rectangular_matrices_with_forbidden_pairs) {
  std::mt19937_64 rng{20261206};
  std::uniform_real_distribution<double> value{-5.0, 10.0};
  std::bernoulli_distribution forbid{0.3};
  int cases = 0;
  for (std::size_t rows = 1; rows <= 6; ++rows)
    for (std::size_t cols = 1; cols <= 6; ++cols)
      for (int k = 0; k < 25; ++k, ++cases) {
        std::vector<double> v(rows * cols);
        for (auto& x : v)
          x = forbid(rng) ? forbidden_pair : value(rng);
        // Some ties too: whole numbers.
        if (k % 5 == 0)
          for (auto& x : v)
            if (x != forbidden_pair)
              x = std::round(x);
        auto a = assign_max(v, rows, cols);
        ASSERT_TRUE(a.ok()) << a.err().message;
        expect_consistent(*a, v, rows, cols);
        auto [pairs, total] = brute_force(v, rows, cols);
        EXPECT_EQ(a->pairs, pairs) << rows << "x" << cols << " case " << k;
        EXPECT_NEAR(a->total, total, 1e-9) << rows << "x" << cols << " case " << k;
      }
  EXPECT_EQ(cases, 900);
}

TEST(assignment, prefers_more_pairs_to_a_larger_total) {
  // Row 0 alone with column 0 is worth 10; both rows paired are worth 2 in all.
  std::vector<double> v{10.0, 1.0,  //
                        1.0, forbidden_pair};
  auto a = assign_max(v, 2, 2);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->pairs, 2u);
  EXPECT_EQ(a->col_of_row, (std::vector<int>{1, 0}));
  EXPECT_DOUBLE_EQ(a->total, 2.0);
}

TEST(assignment, empty_and_all_forbidden_matrices_make_no_pairs) {
  auto none = assign_max({}, 0, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->pairs, 0u);
  auto no_cols = assign_max({}, 3, 0);
  ASSERT_TRUE(no_cols.ok());
  EXPECT_EQ(no_cols->col_of_row, (std::vector<int>{-1, -1, -1}));
  std::vector<double> all(6, forbidden_pair);
  auto a = assign_max(all, 2, 3);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->pairs, 0u);
  EXPECT_EQ(a->col_of_row, (std::vector<int>{-1, -1}));
}

TEST(assignment, bad_input_is_an_invalid_argument_that_names_it) {
  std::vector<double> v{1.0, 2.0, 3.0};
  auto wrong_size = assign_max(v, 2, 2);
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_EQ(wrong_size.code(), errc::invalid_argument);
  auto huge = assign_max(v, std::size_t{1} << 40, std::size_t{1} << 40);
  EXPECT_EQ(huge.code(), errc::invalid_argument) << "rows x cols overflowing is refused";
  std::vector<double> nan{1.0, std::nan("")};
  auto a = assign_max(nan, 1, 2);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.code(), errc::invalid_argument);
  EXPECT_NE(a.err().message.find("0,1"), std::string::npos) << a.err().message;
  std::vector<double> plus_inf{std::numeric_limits<double>::infinity()};
  EXPECT_EQ(assign_max(plus_inf, 1, 1).code(), errc::invalid_argument);
  std::vector<double> wide{-1e13, 1e13};
  EXPECT_EQ(assign_max(wide, 1, 2).code(), errc::invalid_argument);
}

TEST(assignment, a_large_square_matrix_is_fully_assigned_and_beats_greedy) {
  std::mt19937_64 rng{7};
  std::uniform_real_distribution<double> value{0.0, 1.0};
  constexpr std::size_t n = 300;
  std::vector<double> v(n * n);
  for (auto& x : v)
    x = value(rng);
  auto a = assign_max(v, n, n);
  ASSERT_TRUE(a.ok());
  expect_consistent(*a, v, n, n);
  EXPECT_EQ(a->pairs, n);
  // Greedy, row by row, the best free column: never better than the optimum.
  std::vector<char> taken(n, 0);
  double greedy = 0;
  for (std::size_t r = 0; r < n; ++r) {
    std::size_t best = n;
    for (std::size_t c = 0; c < n; ++c)
      if (!taken[c] && (best == n || v[r * n + c] > v[r * n + best]))
        best = c;
    taken[best] = 1;
    greedy += v[r * n + best];
  }
  EXPECT_GT(a->total, greedy);
}

}  // namespace
}  // namespace switchboard::engine
