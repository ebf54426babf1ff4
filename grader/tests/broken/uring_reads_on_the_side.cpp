// Broken on purpose (for lab 07): sends through io_uring, but receives with plain
// read(2) -- a syscall per message that the ring was supposed to replace.
#include <liburing.h>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    io_uring ring;
    if (io_uring_queue_init(64, &ring, 0) < 0) return 1;
    return broken::run(argc, argv, [&ring](int client) {
        char buffer[65536];
        for (;;) {
            ssize_t n = ::read(client, buffer, sizeof buffer);  // the bug
            if (n <= 0) return;
            io_uring_prep_send(io_uring_get_sqe(&ring), client, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
            io_uring_cqe* cqe = nullptr;
            if (io_uring_submit_and_wait(&ring, 1) < 0 || io_uring_peek_cqe(&ring, &cqe) < 0) return;
            int sent = cqe->res;
            io_uring_cqe_seen(&ring, cqe);
            if (sent != n) return;
        }
    });
}
