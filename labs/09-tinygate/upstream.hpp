#pragma once
// Reaching the origin: its address from --upstream, and a connect with a deadline. Every
// model uses these; what differs is how each waits for the connect to finish.

#include <chrono>
#include <optional>
#include <string>

#include "c10k/fd.hpp"
#include "c10k/listener.hpp"

namespace tinygate {

/// "127.0.0.1:8080" or "[::1]:8080" -> an address; throws std::invalid_argument naming it.
c10k::SocketAddress parse_upstream(const std::string& host_port);

/// The peer of @p fd as text, for X-Forwarded-For ("127.0.0.1", "::1").
std::string peer_address(int fd);

/// Why no upstream connection could be had: the status the client gets.
struct UpstreamFailure {
    int status;  ///< 502 refused/unreachable, 504 no answer in time
};

/// A TCP socket for a connection to @p upstream (SOCK_CLOEXEC and @p flags, e.g.
/// SOCK_NONBLOCK) with TCP_NODELAY: a request head and its body leave in separate sends, and
/// Nagle would hold the body until the origin's delayed ACK, 40 ms. An empty Fd, and one
/// line on stderr, when the socket cannot be had.
c10k::Fd upstream_socket(const c10k::SocketAddress& upstream, int flags = 0);

/// A blocking connect that gives up after @p timeout (the threads model).
std::optional<c10k::Fd> connect_with_timeout(const c10k::SocketAddress& upstream, std::chrono::milliseconds timeout,
                                             UpstreamFailure& failure);

/// True while an idle pooled connection is still open: the origin may have closed it
/// (its keep-alive timeout), which shows as readable EOF.
bool still_open(int fd);

}  // namespace tinygate
