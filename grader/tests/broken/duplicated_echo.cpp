// Broken on purpose: echoes everything twice.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        for (;;) {
            ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0) return;
            for (int copy = 0; copy < 2; ++copy)
                if (::write(client, buffer, static_cast<std::size_t>(n)) != n) return;
        }
    });
}
