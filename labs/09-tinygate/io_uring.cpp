// TinyGate, io_uring model: one ring per worker. Nothing is called, everything is
// submitted -- accepts, receives, sends, connects -- and the loop reacts to completions.
// In steady state the only system call is io_uring_enter.
#include <liburing.h>

#include <sys/socket.h>

#include <cstdio>

#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/stop_signals.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {

using c10k::Fd;
namespace http = c10k::http;

int run_io_uring(Fd listener, const ProxyConfig& config) {
    // TODO(student): one ring per --workers, each on its own thread, with its own pool.
    (void)config;
    io_uring ring;
    if (int error = io_uring_queue_init(256, &ring, 0); error < 0) {
        std::fprintf(stderr, "server: %s\n", c10k::io_uring_unavailable_reason(-error).c_str());
        return 1;
    }
    // TODO(student): a multishot accept; per connection a receive into provided buffers,
    // sends that are resubmitted when short, connects to the origin submitted as
    // IORING_OP_CONNECT, and the same state machine as the epoll model -- driven by
    // completions (user_data says which connection and which operation finished). A
    // request whose origin has not answered by config.upstream_timeout gets 504.
    // For now: accept one client at a time, answer 501 with plain calls, close.
    std::string answer = http::proxy_error_response(501, true);
    char request[8192];
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_accept(sqe, listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_submit(&ring);
    while (!c10k::stop_requested()) {
        io_uring_cqe* cqe = nullptr;
        __kernel_timespec tick{0, 100'000'000};  // look at stop_requested() ten times a second
        if (io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &tick, nullptr) < 0 || !cqe) continue;
        Fd client{cqe->res >= 0 ? cqe->res : -1};
        io_uring_cqe_seen(&ring, cqe);
        if (client && ::recv(client.get(), request, sizeof request, 0) > 0)
            (void)::send(client.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_accept(sqe, listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    }
    io_uring_queue_exit(&ring);
    return 0;
}

}  // namespace tinygate
