#include "loopback.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include "c10k/listener.hpp"
#include "c10k/syscall_error.hpp"

namespace c10k::demo {

Fd connect_to(std::uint16_t port, int receive_timeout_s) {
    auto address = make_socket_address("127.0.0.1", port);
    Fd client(check_syscall(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
    if (receive_timeout_s > 0) {
        timeval timeout{receive_timeout_s, 0};
        ::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    check_syscall(::connect(client.get(), address.get(), address.length), "connect");
    return client;
}

LoopbackPair connected_pair(int receive_timeout_s) {
    ServerOptions where;  // 127.0.0.1, a port the kernel picks
    Fd listener = open_listener(where, 1);
    LoopbackPair pair;
    pair.client = connect_to(local_port(listener.get()), receive_timeout_s);  // the backlog completes it
    pair.server.reset(check_syscall(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept4"));
    if (receive_timeout_s > 0) {
        timeval timeout{receive_timeout_s, 0};
        ::setsockopt(pair.server.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    return pair;
}

}  // namespace c10k::demo
