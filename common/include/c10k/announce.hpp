#pragma once
/// @file announce.hpp
/// @brief The announce line: how a server tells the grader it is ready.

#include <string>

#include <sys/socket.h>

namespace c10k {

/// Formats "listening on HOST:PORT" for a bound address; IPv6 hosts are bracketed
/// ("listening on [::1]:8080") so the port is always after the last ':'.
std::string format_listening_line(const sockaddr* address, socklen_t length);

/// Prints the announce line for the bound socket @p listen_fd to stdout and flushes.
///
/// Call it once, after listen() succeeded: the grader starts connecting as soon as
/// it reads this line, and reads the port from it (which is how `--port 0` works).
/// Throws SyscallError if getsockname fails.
void announce_listening(int listen_fd);

}  // namespace c10k
