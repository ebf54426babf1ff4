#pragma once
/// @file bench_report.hpp
/// @brief c10k-bench's output: a few lines for people, or JSON for scripts.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "bench_client.hpp"

namespace c10k::grader {

/// "1,234,567": a count with thousands separators.
std::string grouped(long long value);
/// "85 us", "1.25 ms", "2.0 s": a duration in nanoseconds, in the unit that reads best.
std::string duration_text(std::uint64_t nanoseconds);

/// p50/p99/p99.9/max/mean of @p latency in microseconds.
nlohmann::json latency_json(const LatencyHistogram& latency);

/// What c10k-bench prints: the load, throughput, latency percentiles, errors.
std::string bench_text(const std::string& target, const BenchOptions& options, const BenchResult& result);
/// The same as one JSON object.
nlohmann::json bench_json(const std::string& target, const BenchOptions& options, const BenchResult& result);

}  // namespace c10k::grader
