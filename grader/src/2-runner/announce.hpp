#pragma once
/// @file announce.hpp
/// @brief The one line every server prints once it listens: "listening on HOST:PORT".

#include <cstdint>
#include <optional>
#include <string>

namespace c10k::grader {

/// What the server's stdout says so far about its announce.
struct AnnounceScan {
    std::optional<std::uint16_t> port;  ///< from the first complete, valid announce line
    /// The first complete "listening on ..." line without a valid port (a leftover debug
    /// print such as "listening on port:0"), or "" -- reported only if no valid line follows.
    std::string malformed;
};

/// Reads the complete lines of @p stdout_head: the first "listening on HOST:PORT" whose
/// text after the last ':' is a port 1-65535 wins; lines that only look like it are skipped.
AnnounceScan scan_for_announce(const std::string& stdout_head);

}  // namespace c10k::grader
