#pragma once
/// @file strace_parser.hpp
/// @brief Reads the lines strace writes with `-ttt` (one file per thread with `-ff`).

#include <optional>
#include <string>
#include <string_view>

namespace c10k::grader {

/// One system call as strace printed it.
struct TracedCall {
    double timestamp = 0;          ///< seconds since the epoch, from -ttt (time of entry)
    std::string name;              ///< "read", "epoll_wait", ...
    std::string arguments;         ///< the raw text between the parentheses
    std::optional<long long> result;  ///< nullopt when strace printed '?' or the call never returned
    std::string error;             ///< errno name ("EAGAIN") when the call failed, else empty
};

/// Parses one line of strace output. Returns nullopt for lines that are not a call
/// entry: signals, exit notices, and the "<... read resumed>" half of a call split
/// across lines (its "<unfinished ...>" half was already counted).
std::optional<TracedCall> parse_strace_line(std::string_view line);

}  // namespace c10k::grader
