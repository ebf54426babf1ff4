// Broken on purpose: listens and announces, then spins on the CPU without accepting.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "busy loop");
    c10k::Fd listener = c10k::open_listener(options);
    c10k::announce_listening(listener.get());
    volatile unsigned long spin = 0;
    for (;;) spin = spin + 1;
}
