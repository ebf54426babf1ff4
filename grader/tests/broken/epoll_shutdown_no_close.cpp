// Broken on purpose (for lab 06): an epoll server that shutdown()s a finished client
// but never close()s it. Every echo is right; one descriptor leaks per client, and
// after about a thousand clients accept() fails with EMFILE.
#include <sys/epoll.h>

#include "broken_server.hpp"
#include "c10k/open_files.hpp"

int main(int argc, char** argv) {
    c10k::Fd listener = broken::start_listening(argc, argv, "shutdown without close", SOCK_NONBLOCK);
    c10k::Fd epoll = broken::epoll_watching(listener.get());
    epoll_event ready[256];
    while (!c10k::stop_requested()) {
        int count = ::epoll_wait(epoll.get(), ready, 256, -1);
        for (int i = 0; i < count; ++i) {
            int fd = ready[i].data.fd;
            if (fd == listener.get()) {
                int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);  // blocking socket: write_all for free
                epoll_event add{EPOLLIN, {.fd = client}};
                if (client >= 0) ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, client, &add);
                continue;
            }
            char buffer[65536];
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n <= 0 || ::write(fd, buffer, static_cast<std::size_t>(n)) != n) {
                ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
                ::shutdown(fd, SHUT_RDWR);  // the bug: the client sees EOF, the descriptor stays open
            }
        }
    }
}
