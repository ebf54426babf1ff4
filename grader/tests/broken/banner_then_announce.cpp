// Not broken (for the audit): a correct echo server that prints a banner first. With
// stdout a pipe, the banner and the announce leave in one write(), whose traced text
// shows only the banner; start-up must still not be charged to the I/O model.
#include <cstdio>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "a banner before the announce");
    c10k::install_stop_signals();
    c10k::Fd listener = c10k::open_listener(options);
    std::printf("TinyEcho 1.0 -- a friendly echo server\n");  // buffered: it leaves with the announce
    c10k::announce_listening(listener.get());
    while (!c10k::stop_requested()) {
        c10k::Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
        if (client) broken::echo_until_eof(client.get());
    }
    return 0;
}
