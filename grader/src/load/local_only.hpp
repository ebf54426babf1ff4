#pragma once
/// @file local_only.hpp
/// @brief The one rule for where a load may go: this machine only.

#include <string>

#include "c10k/listener.hpp"

namespace c10k::grader {

/// Empty when @p address may be loaded: loopback (127.0.0.0/8, ::1), or any address
/// inside a network namespace other than the machine's own. Otherwise says why not.
std::string refuse_non_local_address(const SocketAddress& address);

/// Binds the unconnected socket @p fd to 127.0.0.(2 + @p index % 250) when @p server is an
/// IPv4 loopback address (else does nothing). Thousands of connections from 127.0.0.1 to
/// one port -- or one per request -- run out of source ports in TIME_WAIT; 127.0.0.0/8 is
/// all local, so the load spreads its sources over it.
void spread_source_address(int fd, const SocketAddress& server, unsigned index);

}  // namespace c10k::grader
