#pragma once
/// @file load_figures.hpp
/// @brief How a load's figures read, the same in c10k-bench and make race.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "load/latency_histogram.hpp"

namespace c10k::grader {

/// "1,234,567": a count with thousands separators.
std::string grouped(long long value);
/// @p value through the printf @p pattern ("%.2f"), for tables.
std::string formatted(const char* pattern, double value);
/// "85 us", "1.25 ms", "2.0 s": a duration in nanoseconds, in the unit that reads best.
std::string duration_text(std::uint64_t nanoseconds);

/// p50/p99/p99.9/max/mean of @p latency in microseconds.
nlohmann::json latency_json(const LatencyHistogram& latency);

}  // namespace c10k::grader
