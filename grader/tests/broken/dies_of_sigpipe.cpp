// Broken on purpose: never ignores SIGPIPE, so writing to a reset client kills it.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, broken::echo_until_eof, {.install_signals = false, .announce = true});
}
