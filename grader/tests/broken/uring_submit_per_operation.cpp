// Broken on purpose (for lab 07): a correct io_uring echo server that submits every
// operation with its own io_uring_enter and waits for each completion with another:
// about two syscalls per operation, four per message -- io_uring used like epoll.
#include <liburing.h>

#include "broken_server.hpp"

namespace {

// Submits one operation and waits for its result: the mistake, in one function.
int submit_and_reap_one(io_uring& ring) {
    io_uring_submit(&ring);
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe(&ring, &cqe) < 0) return -EINTR;
    int res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    io_uring ring;
    if (io_uring_queue_init(64, &ring, 0) < 0) return 1;
    return broken::run(argc, argv, [&ring](int client) {
        char buffer[65536];
        for (;;) {
            io_uring_prep_recv(io_uring_get_sqe(&ring), client, buffer, sizeof buffer, 0);
            int n = submit_and_reap_one(ring);
            if (n <= 0) return;
            io_uring_prep_send(io_uring_get_sqe(&ring), client, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
            if (submit_and_reap_one(ring) != n) return;
        }
    });
}
