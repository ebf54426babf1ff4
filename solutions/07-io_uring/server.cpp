// Lab 07 reference solution: a proactor on io_uring (liburing), one ring, one thread.
//
// Instead of asking "which sockets are ready?" and then doing the I/O itself (a reactor,
// labs 03-06), the server *submits* the I/O -- accept, recv, send -- as entries on the
// submission queue and later reaps their results from the completion queue. Both queues
// are memory shared with the kernel: one io_uring_enter() can submit a whole batch and
// wait for a whole batch of results, so a busy server makes far fewer syscalls than
// messages.

#include <liburing.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <vector>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "c10k/uring.hpp"

namespace {

using c10k::Fd;

constexpr unsigned kRingEntries = 4096;
constexpr unsigned kCompletionEntries = 32768;  // more than 10,000 connections' pending completions
constexpr std::size_t kBufferSize = 16 * 1024;

// slide-begin: connection
// One client: its socket and the buffer that its recv fills and its send echoes.
// Exactly one operation is in flight per connection, so the buffer is never shared.
struct Connection {
    explicit Connection(Fd client) : fd(std::move(client)), buffer(kBufferSize) {}
    Fd fd;
    std::vector<char> buffer;
    std::size_t length = 0;  // bytes received, to echo
    std::size_t sent = 0;    // of which already sent
};
using Connections = std::map<int, Connection>;
// slide-end: connection

// slide-begin: user-data
// user_data travels with a request and comes back on its completion: it says which
// operation finished, for which fd.
enum class Op : std::uint32_t { accept, recv, send, stop };

std::uint64_t tag(Op op, int fd) { return (std::uint64_t(op) << 32) | std::uint32_t(fd); }
Op tag_op(std::uint64_t user_data) { return static_cast<Op>(user_data >> 32); }
int tag_fd(std::uint64_t user_data) { return static_cast<int>(user_data & 0xffffffffu); }
// slide-end: user-data

// slide-begin: stop-signal
// In a proactor even a stop signal is a completion: SIGTERM and SIGINT stay blocked
// (c10k::block_stop_signals) and are read from a signalfd through the ring, so they wake
// the wait like any other result -- no EINTR, no race with the wait.
struct StopSignal {
    Fd fd;
    signalfd_siginfo info{};
};

void submit_stop_read(io_uring& ring, StopSignal& stop) {
    io_uring_sqe* sqe = c10k::next_sqe(ring);
    io_uring_prep_read(sqe, stop.fd.get(), &stop.info, sizeof stop.info, 0);
    io_uring_sqe_set_data64(sqe, tag(Op::stop, stop.fd.get()));
}
// slide-end: stop-signal

// slide-begin: submit
void submit_accept(io_uring& ring, int listener) {
    io_uring_sqe* sqe = c10k::next_sqe(ring);
    io_uring_prep_accept(sqe, listener, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, tag(Op::accept, listener));
}

void submit_recv(io_uring& ring, int fd, Connection& c) {
    io_uring_sqe* sqe = c10k::next_sqe(ring);
    io_uring_prep_recv(sqe, fd, c.buffer.data(), c.buffer.size(), 0);
    io_uring_sqe_set_data64(sqe, tag(Op::recv, fd));
}

void submit_send(io_uring& ring, int fd, Connection& c) {
    io_uring_sqe* sqe = c10k::next_sqe(ring);
    io_uring_prep_send(sqe, fd, c.buffer.data() + c.sent, c.length - c.sent, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, tag(Op::send, fd));
}
// slide-end: submit

// slide-begin: completions
// A completion's res is what the syscall would have returned, errors as -errno.
void on_accepted(io_uring& ring, int listener, int res, Connections& connections) {
    if (res >= 0) {
        Connection& c = connections.try_emplace(res, Fd{res}).first->second;
        submit_recv(ring, res, c);
    } else if (res != -ECONNABORTED && res != -EINTR) {
        c10k::log_syscall_error("accept", -res);
    }
    submit_accept(ring, listener);  // one accept in flight, always
}

// Returns false when the connection is finished and must be closed.
bool on_received(io_uring& ring, int fd, Connection& c, int res) {
    if (res == 0) return false;  // EOF
    if (res < 0) {
        if (res != -ECONNRESET) c10k::log_syscall_error("recv", -res);
        return false;
    }
    c.length = static_cast<std::size_t>(res);
    c.sent = 0;
    submit_send(ring, fd, c);
    return true;
}

bool on_sent(io_uring& ring, int fd, Connection& c, int res) {
    if (res < 0) {
        if (res != -EPIPE && res != -ECONNRESET) c10k::log_syscall_error("send", -res);
        return false;
    }
    c.sent += static_cast<std::size_t>(res);
    if (c.sent < c.length) submit_send(ring, fd, c);  // a short send: the rest, again
    else submit_recv(ring, fd, c);
    return true;
}
// slide-end: completions

// Returns false once a stop signal has arrived.
bool handle_completion(io_uring& ring, int listener, const io_uring_cqe& cqe, Connections& connections) {
    std::uint64_t user_data = io_uring_cqe_get_data64(&cqe);
    int fd = tag_fd(user_data);
    if (tag_op(user_data) == Op::stop) return false;
    if (tag_op(user_data) == Op::accept) {
        on_accepted(ring, listener, cqe.res, connections);
        return true;
    }
    Connection& c = connections.at(fd);
    bool keep = tag_op(user_data) == Op::recv ? on_received(ring, fd, c, cqe.res) : on_sent(ring, fd, c, cqe.res);
    if (!keep) connections.erase(fd);  // nothing of it is in flight any more: safe to close
    return true;
}

// slide-begin: event-loop
void run_event_loop(io_uring& ring, int listener, Connections& connections, StopSignal& stop) {
    submit_stop_read(ring, stop);
    submit_accept(ring, listener);
    for (bool running = true; running;) {
        // One syscall: submit everything queued since the last turn, wait for a completion.
        int ret = io_uring_submit_and_wait(&ring, 1);
        if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
            throw c10k::SyscallError("io_uring_submit_and_wait", -ret);
        // Then every completion that is there, without another syscall.
        io_uring_cqe* cqe = nullptr;
        unsigned head = 0;
        unsigned seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            running = handle_completion(ring, listener, *cqe, connections) && running;
            ++seen;
        }
        io_uring_cq_advance(&ring, seen);
    }
}
// slide-end: event-loop

// slide-begin: setup
// One thread submits, and completions are only needed when it waits: say so
// (SINGLE_ISSUER | DEFER_TASKRUN, Linux 6.1+) and the kernel runs the completion work in
// batches inside our io_uring_enter instead of interrupting the thread for each one
// (make race: more messages/s and less CPU at 50 connections; at 10,000 the kernel runs
// only part of the deferred work per wait, ~0.3 enters per message instead of ~0.01).
// The CQ must hold every completion that can be pending at once -- a recv per connection
// -- or it overflows and each overflow costs an extra io_uring_enter (CQSIZE).
// Older kernels reject the flags (EINVAL): then a plain ring.
int setup_ring(io_uring& ring) {
    io_uring_params params{};
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    params.cq_entries = kCompletionEntries;
    int ret = io_uring_queue_init_params(kRingEntries, &ring, &params);
    if (ret == -EINVAL) ret = io_uring_queue_init(kRingEntries, &ring, 0);
    return ret;
}
// slide-end: setup

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 07: io_uring echo server");
    try {
        c10k::install_stop_signals();
        (void)c10k::block_stop_signals();  // from now on they arrive through the signalfd
        c10k::raise_open_file_limit();
        Connections connections;
        StopSignal stop{c10k::open_stop_signalfd()};
        io_uring ring;
        if (int ret = setup_ring(ring); ret < 0) {
            std::fprintf(stderr, "server: %s\n", c10k::io_uring_unavailable_reason(-ret).c_str());
            return 1;
        }
        c10k::RingGuard release_ring{ring};
        Fd listener = c10k::open_listener(options);
        c10k::announce_listening(listener.get());
        run_event_loop(ring, listener.get(), connections, stop);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
