// Broken on purpose (for lab 06): edge-triggered epoll with one read per wake-up. A
// message larger than one read leaves bytes in the socket; no new edge comes for them,
// so the client waits forever for the rest of its echo.
#include <sys/epoll.h>

#include <map>

#include "broken_server.hpp"
#include "c10k/open_files.hpp"

int main(int argc, char** argv) {
    c10k::raise_open_file_limit();
    c10k::Fd listener = broken::start_listening(argc, argv, "EPOLLET, one read per wake-up", SOCK_NONBLOCK);
    c10k::Fd epoll = broken::epoll_watching(listener.get());
    std::map<int, c10k::Fd> clients;
    epoll_event ready[256];
    while (!c10k::stop_requested()) {
        int count = ::epoll_wait(epoll.get(), ready, 256, -1);
        for (int i = 0; i < count; ++i) {
            int fd = ready[i].data.fd;
            if (fd == listener.get()) {
                while (true) {
                    c10k::Fd client{::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC)};  // blocking writes
                    if (!client) break;
                    epoll_event add{EPOLLIN | EPOLLET, {.fd = client.get()}};
                    ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, client.get(), &add);
                    clients.emplace(client.get(), std::move(client));
                }
                continue;
            }
            char buffer[1024];
            ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);  // the bug: once, not until EAGAIN
            if (n == 0 || (n < 0 && errno != EAGAIN) || (n > 0 && ::write(fd, buffer, n) != n)) clients.erase(fd);
        }
    }
}
