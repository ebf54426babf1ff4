// Broken on purpose (for lab 02): a thread per client that closes its socket when a call
// fails -- and then `continue`s instead of leaving its loop. recv() on the closed
// descriptor fails with EBADF at once, forever: every echo is right, and each client
// that reset leaves a thread burning a core.
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

#include "broken_server.hpp"

namespace {

void* serve(void* fd) {
    int client = static_cast<int>(reinterpret_cast<std::intptr_t>(fd));
    char buffer[65536];
    bool closed = false;
    for (;;) {
        ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n == 0) break;
        if (n < 0 || ::send(client, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) < 0) {
            if (!closed) ::close(client);
            closed = true;
            continue;  // the bug: should be break
        }
    }
    if (!closed) ::close(client);
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    int next_fd = 512;  // each thread's descriptor number is its own: a closed one is never reused here
    return broken::run(argc, argv, [&next_fd](int client) {
        pthread_t thread;
        auto arg = reinterpret_cast<void*>(static_cast<std::intptr_t>(::fcntl(client, F_DUPFD_CLOEXEC, next_fd++)));
        if (::pthread_create(&thread, nullptr, serve, arg) == 0) ::pthread_detach(thread);
    });
}
