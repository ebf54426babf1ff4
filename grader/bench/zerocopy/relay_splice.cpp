// epoll + splice(): socket -> pipe -> socket. The pipe holds references to the socket
// buffer's pages, so no byte passes through user space (the receive side may still copy
// into the pipe's pages: TCP's receive path owns its skbs).
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include "relay.hpp"

namespace zerocopy {

void relay_splice(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop) {
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) fail("epoll_create1", errno);
    std::vector<int> pipes(pairs.size() * 2);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (::pipe2(&pipes[2 * i], O_CLOEXEC) != 0) fail("pipe2", errno);
        ::fcntl(pipes[2 * i], F_SETPIPE_SZ, 256 * 1024);  // fewer, larger splices (best effort)
        epoll_event interest{EPOLLIN, {.u64 = i}};
        if (::epoll_ctl(epoll, EPOLL_CTL_ADD, pairs[i].from, &interest) != 0) fail("epoll_ctl", errno);
    }
    epoll_event ready[64];
    while (!stop.load(std::memory_order_relaxed)) {
        int count = ::epoll_wait(epoll, ready, 64, 50);
        for (int e = 0; e < count; ++e) {
            std::size_t i = ready[e].data.u64;
            ssize_t got = ::splice(pairs[i].from, nullptr, pipes[2 * i + 1], nullptr, 256 * 1024,
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (got <= 0) continue;
            for (ssize_t sent = 0; sent < got;) {
                ssize_t n = ::splice(pipes[2 * i], nullptr, pairs[i].to, nullptr, static_cast<std::size_t>(got - sent),
                                     SPLICE_F_MOVE);
                if (n < 0) fail("splice to the socket", errno);
                sent += n;
            }
        }
    }
    for (int fd : pipes) ::close(fd);
    ::close(epoll);
}

}  // namespace zerocopy
