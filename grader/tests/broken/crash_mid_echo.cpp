// Broken on purpose: echoes the first chunk of each client, then crashes (SIGSEGV).
#include <csignal>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n > 0 && ::write(client, buffer, static_cast<std::size_t>(n)) == n) {
            if (::read(client, buffer, sizeof buffer) > 0) std::raise(SIGSEGV);
        }
    });
}
