// Broken on purpose: echoes each read in two write()s, without TCP_NODELAY. The second
// small write waits for the ACK of the first (Nagle), which the client delays (~40 ms).
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        for (;;) {
            ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0) return;
            ssize_t half = n / 2;
            if (::write(client, buffer, static_cast<std::size_t>(half)) != half) return;
            if (::write(client, buffer + half, static_cast<std::size_t>(n - half)) != n - half) return;
        }
    });
}
