// Broken on purpose (for lab 04): raises its descriptor limit, then keeps its clients in
// a pollfd array of 1024 indexed by fd. Real code would write past the array; this one
// uses .at(), so the overflow at fd 1024 is an abort every time.
#include <poll.h>

#include <array>

#include "broken_server.hpp"
#include "c10k/open_files.hpp"

int main(int argc, char** argv) {
    c10k::raise_open_file_limit();
    c10k::Fd listener = broken::start_listening(argc, argv, "a pollfd array indexed by fd");
    static std::array<pollfd, 1024> by_fd;  // the bug: sized 1024, indexed by fd
    for (auto& entry : by_fd) entry = {-1, POLLIN, 0};
    by_fd.at(listener.get()) = {listener.get(), POLLIN, 0};
    while (!c10k::stop_requested()) {
        if (::poll(by_fd.data(), by_fd.size(), -1) < 0) continue;
        if (by_fd.at(listener.get()).revents & POLLIN) {
            int client = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (client >= 0) by_fd.at(static_cast<std::size_t>(client)) = {client, POLLIN, 0};
        }
        for (auto& entry : by_fd) {
            if (entry.fd < 0 || entry.fd == listener.get() || !entry.revents) continue;
            char buffer[65536];
            ssize_t n = ::read(entry.fd, buffer, sizeof buffer);
            if (n <= 0 || ::write(entry.fd, buffer, static_cast<std::size_t>(n)) != n) {
                ::close(entry.fd);
                entry.fd = -1;
            }
        }
    }
}
