// TinyGate, io_uring model: the exchange (exchange.cpp) driven by completions. One ring per
// worker. Nothing is called, everything is submitted -- accepts, receives, sends, connects
// -- and the loop reports each completion to the exchange. In steady state the only system
// call is io_uring_enter.
#include <liburing.h>

#include <sys/socket.h>

#include <cstdio>

#include "c10k/io_uring_support.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "c10k/uring.hpp"
#include "exchange.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {

using c10k::Fd;

// TODO(student): the loop, as a class that implements exchange.hpp's hooks, like epoll.cpp:
// - What io_uring adds to a connection: its requests in flight (a receive, a send, a
//   connect; the user_data says which finished, for which connection) and the bytes a send
//   in flight points into, untouched until it completes.
// - A multishot accept; receives into provided buffers (a buffer only when data arrives:
//   10,000 idle clients hold none), given back once their bytes were handled; one send in
//   flight per connection, resubmitted when short; IORING_OP_CONNECT to the origin.
// - update_reading(): a receive cannot be taken back -- backpressure is not asking for the
//   next one. close(): cancel what is in flight (in_use() says when it may be freed).
// - The stop signals through c10k::open_stop_signalfd(), read as a completion; a timeout
//   request every 50 ms while waiting_for_answer(). Then --workers N: a ring per thread.
int run_io_uring(Fd listener, const ProxyConfig& config) {
    (void)config;
    io_uring ring;
    if (int error = io_uring_queue_init(256, &ring, 0); error < 0) {
        std::fprintf(stderr, "server: %s\n", c10k::io_uring_unavailable_reason(-error).c_str());
        return 1;
    }
    c10k::RingGuard release_ring{ring};
    // For now: accept one client at a time, answer 501 with plain calls, close.
    std::string answer = http::proxy_error_response(501, true);
    char request[8192];
    try {
        io_uring_prep_accept(c10k::next_sqe(ring), listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        while (!c10k::stop_requested()) {
            io_uring_cqe* cqe = nullptr;
            __kernel_timespec tick{0, 100'000'000};  // look at stop_requested() ten times a second
            if (io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &tick, nullptr) < 0 || !cqe) continue;
            Fd client{cqe->res >= 0 ? cqe->res : -1};
            io_uring_cqe_seen(&ring, cqe);
            if (client && ::recv(client.get(), request, sizeof request, 0) > 0)
                (void)::send(client.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
            io_uring_prep_accept(c10k::next_sqe(ring), listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        }
    } catch (const c10k::SyscallError& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}

}  // namespace tinygate
