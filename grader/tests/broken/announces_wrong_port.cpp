// Broken on purpose: listens on one port, announces another.
#include <cstdio>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "wrong port");
    c10k::install_stop_signals();
    c10k::Fd listener = c10k::open_listener(options);
    c10k::Fd unused = c10k::open_listener(options);  // find a port nobody listens on:
    std::uint16_t wrong = c10k::local_port(unused.get());
    unused.reset();                                  // ...bound, then closed
    std::printf("listening on 127.0.0.1:%u\n", wrong);
    std::fflush(stdout);
    while (!c10k::stop_requested()) ::pause();
}
