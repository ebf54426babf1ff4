// Broken on purpose (for lab 08): an io_uring echo server that accepts --sqpoll and --zc
// and ignores both: no SQPOLL thread, plain sends. Every echo is right.
#include <liburing.h>

#include <string_view>
#include <vector>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i)  // the bug: the flags are taken, and nothing changes
        if (std::string_view(argv[i]) != "--sqpoll" && std::string_view(argv[i]) != "--zc") args.push_back(argv[i]);
    io_uring ring;
    if (io_uring_queue_init(64, &ring, 0) < 0) return 1;
    return broken::run(static_cast<int>(args.size()), args.data(), [&ring](int client) {
        char buffer[65536];
        for (;;) {
            io_uring_prep_recv(io_uring_get_sqe(&ring), client, buffer, sizeof buffer, 0);
            io_uring_cqe* cqe = nullptr;
            if (io_uring_submit_and_wait(&ring, 1) < 0 || io_uring_peek_cqe(&ring, &cqe) < 0) return;
            int n = cqe->res;
            io_uring_cqe_seen(&ring, cqe);
            for (int sent = 0; n > 0 && sent < n;) {
                io_uring_prep_send(io_uring_get_sqe(&ring), client, buffer + sent, static_cast<std::size_t>(n - sent),
                                   MSG_NOSIGNAL);
                if (io_uring_submit_and_wait(&ring, 1) < 0 || io_uring_peek_cqe(&ring, &cqe) < 0) return;
                int done = cqe->res;
                io_uring_cqe_seen(&ring, cqe);
                if (done <= 0) return;
                sent += done;
            }
            if (n <= 0) return;
        }
    });
}
