// Broken on purpose: correct bytes, but one read() and one write() per byte.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char byte;
        while (::read(client, &byte, 1) == 1)
            if (::write(client, &byte, 1) != 1) return;
    });
}
