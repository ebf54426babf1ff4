// Broken on purpose: a correct echo server that ignores SIGTERM (and SIGINT).
#include <csignal>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    std::signal(SIGINT, SIG_IGN);
    return broken::run(argc, argv, broken::echo_until_eof, {.install_signals = false, .announce = true});
}
