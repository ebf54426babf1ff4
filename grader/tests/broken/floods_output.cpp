// Broken on purpose: a correct echo server that writes a line to stdout and to stderr
// for every byte it echoes -- megabytes of output the grader must drain and cap.
#include <cstdio>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        for (;;) {
            ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0) return;
            for (ssize_t i = 0; i < n; ++i) {
                std::printf("echoing byte %zd of %zd\n", i, n);
                std::fprintf(stderr, "debug: byte %zd = 0x%02x\n", i, static_cast<unsigned char>(buffer[i]));
            }
            std::fflush(stdout);
            if (::write(client, buffer, static_cast<std::size_t>(n)) != n) return;
        }
    });
}
