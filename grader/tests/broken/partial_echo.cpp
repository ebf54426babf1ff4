// Broken on purpose: echoes only the first half of every read.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        for (;;) {
            ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0 || ::write(client, buffer, static_cast<std::size_t>(n / 2)) < 0) return;
        }
    });
}
