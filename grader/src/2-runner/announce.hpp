#pragma once
/// @file announce.hpp
/// @brief The one line every server prints once it listens: "listening on HOST:PORT".

#include <cstdint>
#include <optional>
#include <string>

namespace c10k::grader {

/// The port of the first complete "listening on HOST:PORT" line in @p stdout_head, or
/// nullopt when there is none yet. Throws TestFailure for an announce line without a valid port.
std::optional<std::uint16_t> find_announced_port(const std::string& stdout_head);

}  // namespace c10k::grader
