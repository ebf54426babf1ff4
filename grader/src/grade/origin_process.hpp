#pragma once
/// @file origin_process.hpp
/// @brief Lab 09: the origin a proxy stands in front of, started before the proxy -- by
/// every test and by the syscall audit alike.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "2-runner/sandboxed_process.hpp"

namespace c10k::grader {

/// c10k-origin: beside the grader's own binary, or where the build put it.
std::filesystem::path origin_binary();

/// Starts c10k-origin into @p origin (in its own network when @p limits asks for one) and
/// returns its port. Adapts what the proxy gets: `--upstream 127.0.0.1:PORT` in front of
/// @p server_args, and @p limits set to join the origin's network instead of making one.
/// Throws TestFailure when the origin does not announce its port.
std::uint16_t start_origin(std::optional<SandboxedProcess>& origin, SandboxLimits& limits,
                           std::vector<std::string>& server_args);

}  // namespace c10k::grader
