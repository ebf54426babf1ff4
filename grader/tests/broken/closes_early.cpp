// Broken on purpose: reads the first bytes, then closes without echoing anything.
#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        char buffer[16];
        (void)::read(client, buffer, sizeof buffer);
    });
}
