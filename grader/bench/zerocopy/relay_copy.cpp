// epoll + read()/write(): every byte is copied from the kernel into `buffer` and back.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include "relay.hpp"

namespace zerocopy {

void relay_copy(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop) {
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) fail("epoll_create1", errno);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        epoll_event interest{EPOLLIN, {.u64 = i}};
        if (::epoll_ctl(epoll, EPOLL_CTL_ADD, pairs[i].from, &interest) != 0) fail("epoll_ctl", errno);
    }
    static char buffer[64 * 1024];
    epoll_event ready[64];
    while (!stop.load(std::memory_order_relaxed)) {
        int count = ::epoll_wait(epoll, ready, 64, 50);
        for (int e = 0; e < count; ++e) {
            const RelayPair& pair = pairs[ready[e].data.u64];
            ssize_t got = ::read(pair.from, buffer, sizeof buffer);
            if (got <= 0) continue;  // EAGAIN, or the bench is ending
            for (ssize_t sent = 0; sent < got;) {
                ssize_t n = ::write(pair.to, buffer + sent, static_cast<std::size_t>(got - sent));
                if (n < 0) fail("write", errno);
                sent += n;
            }
        }
    }
    ::close(epoll);
}

}  // namespace zerocopy
