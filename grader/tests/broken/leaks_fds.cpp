// Broken on purpose: shuts each connection down properly but keeps a duplicate of its
// descriptor forever. Clients notice nothing; the server's descriptor table fills up.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        broken::echo_until_eof(client);
        ::shutdown(client, SHUT_RDWR);  // the client sees its EOF...
        (void)::dup(client);            // ...but this descriptor is never closed
    });
}
