#include "c10k/listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdexcept>

#include "c10k/syscall_error.hpp"

namespace c10k {

SocketAddress make_socket_address(const std::string& host, std::uint16_t port) {
    SocketAddress address;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        address.length = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        address.length = sizeof(sockaddr_in6);
    } else {
        throw std::invalid_argument("'" + host +
                                    "' is not an IPv4 or IPv6 address (try 127.0.0.1 or ::1)");
    }
    return address;
}

namespace {
Fd listen_on(const SocketAddress& address, int backlog, int socket_flags, bool reuse_port) {
    Fd listener{check_syscall(::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC | socket_flags, 0),
                              "socket")};
    // Lets a restarted server bind while old connections sit in TIME_WAIT.
    int on = 1;
    check_syscall(::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on),
                  "setsockopt(SO_REUSEADDR)");
    if (reuse_port)
        check_syscall(::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on),
                      "setsockopt(SO_REUSEPORT)");
    check_syscall(::bind(listener.get(), address.get(), address.length), "bind");
    check_syscall(::listen(listener.get(), backlog), "listen");
    return listener;
}
}  // namespace

Fd open_listener(const ServerOptions& options, int backlog, int socket_flags, bool reuse_port) {
    return listen_on(make_socket_address(options.host, options.port), backlog, socket_flags, reuse_port);
}

Fd open_sibling_listener(int listener, int backlog) {
    SocketAddress address;
    address.length = sizeof address.storage;
    check_syscall(::getsockname(listener, reinterpret_cast<sockaddr*>(&address.storage), &address.length),
                  "getsockname");
    return listen_on(address, backlog, 0, /*reuse_port=*/true);
}

std::uint16_t local_port(int fd) {
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    check_syscall(::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length), "getsockname");
    if (bound.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

}  // namespace c10k
