// Broken on purpose (for lab 06): a correct epoll echo server that re-registers its
// interest with epoll_ctl on every event: one extra syscall per message.
#include <sys/epoll.h>

#include <map>

#include "broken_server.hpp"
#include "c10k/open_files.hpp"

int main(int argc, char** argv) {
    c10k::raise_open_file_limit();
    c10k::Fd listener = broken::start_listening(argc, argv, "epoll_ctl on every event", SOCK_NONBLOCK);
    c10k::Fd epoll = broken::epoll_watching(listener.get());
    std::map<int, c10k::Fd> clients;
    epoll_event ready[256];
    while (!c10k::stop_requested()) {
        int count = ::epoll_wait(epoll.get(), ready, 256, -1);
        for (int i = 0; i < count; ++i) {
            int fd = ready[i].data.fd;
            if (fd == listener.get()) {
                c10k::Fd client{::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
                if (!client) continue;
                epoll_event add{EPOLLIN, {.fd = client.get()}};
                ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, client.get(), &add);
                clients.emplace(client.get(), std::move(client));
                continue;
            }
            char buffer[65536];
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n == 0 || (n < 0 && errno != EAGAIN) || (n > 0 && ::write(fd, buffer, n) != n)) {
                clients.erase(fd);
                continue;
            }
            epoll_event again{EPOLLIN, {.fd = fd}};
            ::epoll_ctl(epoll.get(), EPOLL_CTL_MOD, fd, &again);  // the bug: nothing changed
        }
    }
}
