#pragma once
/// @file listener.hpp
/// @brief Address parsing and the listening socket (lab 01 teaches these; later labs reuse them).

#include <sys/socket.h>

#include <string>

#include "c10k/fd.hpp"
#include "c10k/server_cli.hpp"

namespace c10k {

/// An IPv4 or IPv6 socket address, ready for bind() or connect().
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    /// The address as the sockaddr* the socket calls take.
    [[nodiscard]] const sockaddr* get() const noexcept {
        return reinterpret_cast<const sockaddr*>(&storage);
    }
    /// AF_INET or AF_INET6.
    [[nodiscard]] int family() const noexcept { return storage.ss_family; }
};

/// Parses a numeric host ("127.0.0.1", "::1") and a port. Throws std::invalid_argument
/// naming the host when it is not an IPv4 or IPv6 literal (no DNS look-ups).
SocketAddress make_socket_address(const std::string& host, std::uint16_t port);

/// socket() + SO_REUSEADDR + bind() + listen(): a ready listening socket.
///
/// @param options         where to listen
/// @param backlog         listen() backlog; the kernel caps it at net.core.somaxconn
/// @param socket_flags    extra socket() type flags, e.g. SOCK_NONBLOCK
/// @param reuse_port      set SO_REUSEPORT, so several sockets can listen on one port
///                        and the kernel spreads new connections over them
/// Lab 01 has students write exactly these calls themselves; later labs call this.
Fd open_listener(const ServerOptions& options, int backlog = SOMAXCONN, int socket_flags = 0,
                 bool reuse_port = false);

/// Another socket listening where @p listener listens, both with SO_REUSEPORT (which
/// @p listener must have had before its bind): the kernel then spreads new connections over
/// the two, each with its own accept queue -- for event loops that each accept for themselves.
Fd open_sibling_listener(int listener, int backlog = SOMAXCONN);

/// The local port a socket is bound to (after bind with port 0, the one the kernel chose).
std::uint16_t local_port(int fd);

}  // namespace c10k
