// Broken on purpose (for lab 04): keeps the soft descriptor limit of 1024 and treats
// EMFILE from accept() as fatal: at about a thousand clients it says so and exits.
#include <poll.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    // The bug, part 1: no c10k::raise_open_file_limit(), so the soft limit stays at 1024.
    c10k::Fd listener = broken::start_listening(argc, argv, "EMFILE is fatal");
    std::vector<pollfd> watched{{listener.get(), POLLIN, 0}};
    while (!c10k::stop_requested()) {
        if (::poll(watched.data(), watched.size(), -1) < 0) continue;
        for (std::size_t i = watched.size(); i-- > 1;) {
            if (!watched[i].revents) continue;
            char buffer[65536];
            ssize_t n = ::read(watched[i].fd, buffer, sizeof buffer);
            if (n <= 0 || ::write(watched[i].fd, buffer, static_cast<std::size_t>(n)) != n) {
                ::close(watched[i].fd);
                watched.erase(watched.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        if (watched[0].revents & POLLIN) {
            int client = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) {
                std::fprintf(stderr, "accept: %s\n", std::strerror(errno));
                return 1;  // the bug, part 2: one client's error ends the server
            }
            watched.push_back({client, POLLIN, 0});
        }
    }
    return 0;
}
