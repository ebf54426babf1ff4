#include "upstream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>

#include "c10k/syscall_error.hpp"

namespace tinygate {

c10k::SocketAddress parse_upstream(const std::string& host_port) {
    auto colon = host_port.rfind(':');
    if (colon == std::string::npos || colon + 1 == host_port.size())
        throw std::invalid_argument("--upstream " + host_port + ": expected HOST:PORT");
    std::string host = host_port.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned long port = std::stoul(host_port.substr(colon + 1));
    if (port == 0 || port > 65535) throw std::invalid_argument("--upstream " + host_port + ": bad port");
    return c10k::make_socket_address(host, static_cast<std::uint16_t>(port));
}

std::string peer_address(int fd) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    char text[INET6_ADDRSTRLEN] = "unknown";
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
        if (peer.ss_family == AF_INET)
            ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in&>(peer).sin_addr, text, sizeof text);
        else if (peer.ss_family == AF_INET6)
            ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6&>(peer).sin6_addr, text, sizeof text);
    }
    return text;
}

c10k::Fd upstream_socket(const c10k::SocketAddress& upstream, int flags) {
    c10k::Fd fd{::socket(upstream.family(), SOCK_STREAM | SOCK_CLOEXEC | flags, 0)};
    if (!fd) {
        c10k::log_syscall_error("socket", errno);
        return fd;
    }
    int one = 1;
    if (::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        c10k::log_syscall_error("setsockopt(TCP_NODELAY)", errno);
        fd.reset();
    }
    return fd;
}

std::optional<c10k::Fd> connect_with_timeout(const c10k::SocketAddress& upstream, std::chrono::milliseconds timeout,
                                             UpstreamFailure& failure) {
    failure.status = 502;
    c10k::Fd fd = upstream_socket(upstream, SOCK_NONBLOCK);
    if (!fd) return std::nullopt;
    if (::connect(fd.get(), upstream.get(), upstream.length) != 0 && errno != EINPROGRESS) return std::nullopt;
    pollfd pfd{fd.get(), POLLOUT, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (ready == 0) {
        failure.status = 504;
        return std::nullopt;
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (ready < 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
        return std::nullopt;
    return fd;
}

bool still_open(int fd) {
    pollfd pfd{fd, POLLIN, 0};
    return ::poll(&pfd, 1, 0) == 0;  // readable while idle: EOF (or stray bytes): not reusable
}

}  // namespace tinygate
