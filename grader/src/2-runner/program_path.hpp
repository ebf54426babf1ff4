#pragma once
/// @file program_path.hpp
/// @brief Finding a tool (strace, perf, g++, gnuplot) the way a shell would.

#include <optional>
#include <string>

namespace c10k::grader {

/// The absolute path of @p name on PATH, or nullopt.
std::optional<std::string> find_program(const std::string& name);

}  // namespace c10k::grader
