// Broken on purpose (for lab 06): takes EPOLLRDHUP for the end of the data and closes at
// once -- with the client's last bytes still unread, so the kernel resets the connection
// and the client loses the echo it was owed. (It also waits 20 ms per turn to batch
// events, which makes the race it loses a certainty.)
#include <sys/epoll.h>

#include <thread>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    c10k::Fd listener = broken::start_listening(argc, argv, "EPOLLRDHUP taken for EOF", SOCK_NONBLOCK);
    c10k::Fd epoll = broken::epoll_watching(listener.get());
    epoll_event ready[256];
    while (!c10k::stop_requested()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        int count = ::epoll_wait(epoll.get(), ready, 256, -1);
        for (int i = 0; i < count; ++i) {
            int fd = ready[i].data.fd;
            if (fd == listener.get()) {
                int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
                epoll_event add{EPOLLIN | EPOLLRDHUP, {.fd = client}};
                if (client >= 0) ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, client, &add);
                continue;
            }
            if (ready[i].events & (EPOLLRDHUP | EPOLLHUP)) {  // the bug: the peer's FIN, not the end of its data
                ::close(fd);
                continue;
            }
            char buffer[65536];
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n <= 0 || ::write(fd, buffer, static_cast<std::size_t>(n)) != n) ::close(fd);
        }
    }
}
