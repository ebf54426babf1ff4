#pragma once
/// @file server_socket.hpp
/// @brief The server's end of one test connection, as the kernel sees it: whether the
/// server accepted it, and what sits unread or unsent in its queues. This is what tells
/// a stall apart -- data the server never read, or data it read and never wrote back.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace c10k::grader {

struct ServerSocketState {
    bool accepted = true;  ///< false: still waiting in the listen queue (no descriptor yet)
    long unread = 0;       ///< bytes in its receive queue the server has not read
    long unsent = 0;       ///< bytes in its send queue, not yet taken by the client
    int tcp_state = 0;     ///< as in /proc/net/tcp: 1 ESTABLISHED, 8 CLOSE_WAIT, ...
};

/// The socket of the connection from @p client_port to @p server_port, looked up in the
/// network namespace of process @p server (/proc/PID/net/tcp and tcp6); nullopt when
/// the kernel has no such connection (any more).
std::optional<ServerSocketState> find_server_socket(pid_t server, std::uint16_t server_port,
                                                    std::uint16_t client_port);

/// Why a connection that stopped short of its echo stalled, and what to look at.
struct StallDiagnosis {
    std::string reason;  ///< appended to the failure: "; 4096 bytes sit unread in the server's receive queue"
    std::string hint;
};

/// Reads @p state of a connection still waiting for its echo. Always says something.
StallDiagnosis diagnose_stall(const std::optional<ServerSocketState>& state);

/// The local and remote ports of the connected socket @p fd (0 when unknown).
std::uint16_t local_port(int fd);
std::uint16_t peer_port(int fd);

}  // namespace c10k::grader
