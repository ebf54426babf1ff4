// Broken on purpose: echoes everything, but corrupts the byte at offset 100 of each connection.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        std::size_t offset = 0;
        for (;;) {
            ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0) return;
            if (offset <= 100 && 100 < offset + static_cast<std::size_t>(n)) buffer[100 - offset] ^= 0x5a;
            offset += static_cast<std::size_t>(n);
            for (ssize_t done = 0; done < n;) {
                ssize_t w = ::write(client, buffer + done, static_cast<std::size_t>(n - done));
                if (w <= 0) return;
                done += w;
            }
        }
    });
}
