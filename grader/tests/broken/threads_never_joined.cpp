// Broken on purpose (for lab 02): a thread per client, never joined nor detached. Each
// finished thread keeps its 8 MiB stack mapped; under a 4 GiB address-space limit the
// server stops serving after about 500 clients.
#include <pthread.h>

#include <cstdint>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        int own = ::dup(client);  // the frame closes its copy when this returns
        pthread_t thread;
        auto serve = [](void* fd) -> void* {
            int client_fd = static_cast<int>(reinterpret_cast<std::intptr_t>(fd));
            broken::echo_until_eof(client_fd);
            ::close(client_fd);
            return nullptr;
        };
        // The bug: no pthread_detach(thread), no pthread_join(thread) ever.
        if (::pthread_create(&thread, nullptr, serve, reinterpret_cast<void*>(static_cast<std::intptr_t>(own))) != 0)
            ::close(own);
    });
}
