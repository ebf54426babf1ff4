// Broken on purpose: after a client's EOF it keeps the connection open (leaks the fd).
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        broken::echo_until_eof(client);
        (void)::dup(client);  // the frame closes `client`, the duplicate stays open
    });
}
