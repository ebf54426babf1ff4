// Broken on purpose: listens, but never prints "listening on HOST:PORT".
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, broken::echo_until_eof, {.install_signals = true, .announce = false});
}
