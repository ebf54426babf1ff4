#pragma once
/// @file bench_report.hpp
/// @brief c10k-bench's output: a few lines for people, or JSON for scripts.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "load/echo_load.hpp"
#include "load/load_figures.hpp"

namespace c10k::grader {

/// What c10k-bench prints: the load, throughput, latency percentiles, errors.
std::string bench_text(const std::string& target, const LoadOptions& options, const LoadResult& result);
/// The same as one JSON object.
nlohmann::json bench_json(const std::string& target, const LoadOptions& options, const LoadResult& result);

}  // namespace c10k::grader
