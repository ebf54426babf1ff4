// Broken on purpose (for lab 01): correct echo, but it poll()s before every read.
#include <poll.h>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        for (;;) {
            pollfd pfd{client, POLLIN, 0};
            if (::poll(&pfd, 1, -1) < 0) return;
            ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0 || ::write(client, buffer, static_cast<std::size_t>(n)) != n) return;
        }
    });
}
