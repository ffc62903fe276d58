#pragma once

#include <cstdint>
#include <vector>

#include "bench/core/report.h"

/// Statistics and process measurements shared by the bench modes.
namespace switchboard::bench {

/// Two-sided 95% Student t quantile for `dof` degrees of freedom (1.96 as dof -> inf).
double student_t95(int dof);

/// Mean and 95% confidence half-width of `xs` (half_width 0 when fewer than 2).
metric_ci ci95(const std::vector<double>& xs);

/// Log-spaced histogram with exact p50/p99/p999/max of `samples_us` (sorted in place).
latency_histogram make_latency_histogram(std::vector<double>& samples_us);

/// Resident set size of this process now, and its peak (VmHWM), in bytes.
std::uint64_t rss_bytes();
std::uint64_t peak_rss_bytes();

/// CPU time (user + system) this process has used, seconds.
double process_cpu_s();

}  // namespace switchboard::bench
