// Broken on purpose: on each client, tries to allocate and touch 8 GiB.
#include <cstring>
#include <new>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        constexpr std::size_t kChunk = 256u << 20;
        for (int i = 0; i < 32; ++i) std::memset(new char[kChunk], 1, kChunk);  // leaked on purpose
        broken::echo_until_eof(client);
    });
}
