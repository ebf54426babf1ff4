// Lab 07: a proactor on io_uring (liburing), one ring, one thread.
//
// The spec (labs/07-io_uring/README.md has the steps): the echo contract, but the server
// does no socket I/O syscalls of its own. Accept, recv and send are *submitted* as
// entries on the ring's submission queue; their results come back on the completion
// queue, each carrying the user_data it was submitted with.
//   * one io_uring_enter per loop turn: submit everything queued, wait for at least one
//     completion (io_uring_submit_and_wait), then handle every completion that is there;
//   * a send may be short: submit the rest;
//   * a negative cqe->res is -errno for that one operation: end that connection, not the
//     server;
//   * io_uring_get_sqe returns NULL when the submission queue is full: submit, then retry.

#include <liburing.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <stdexcept>
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
constexpr std::size_t kBufferSize = 16 * 1024;

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

// user_data travels with a request and comes back on its completion: it says which
// operation finished, for which fd.
enum class Op : std::uint32_t { accept, recv, send, stop };

std::uint64_t tag(Op op, int fd) { return (std::uint64_t(op) << 32) | std::uint32_t(fd); }
[[maybe_unused]] Op tag_op(std::uint64_t user_data) { return static_cast<Op>(user_data >> 32); }
[[maybe_unused]] int tag_fd(std::uint64_t user_data) { return static_cast<int>(user_data & 0xffffffffu); }

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

void submit_accept(io_uring& ring, int listener) {
    io_uring_sqe* sqe = c10k::next_sqe(ring);
    io_uring_prep_accept(sqe, listener, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, tag(Op::accept, listener));
}

[[maybe_unused]] void submit_recv(io_uring& ring, int fd, Connection& c) {
    // TODO(student): step 2. Ask the kernel to receive into this connection's buffer,
    // tagged so that the completion says what finished (Op::recv) and for which fd.
    (void)ring;
    (void)fd;
    (void)c;
}

[[maybe_unused]] void submit_send(io_uring& ring, int fd, Connection& c) {
    // TODO(student): step 2. Ask the kernel to send the part of the buffer not sent yet,
    // without SIGPIPE for a client that is gone, tagged Op::send.
    (void)ring;
    (void)fd;
    (void)c;
}

// A completion's res is what the syscall would have returned, errors as -errno.
[[maybe_unused]] void on_accepted(io_uring& ring, int listener, int res, Connections& connections) {
    // TODO(student): step 3. A new client (res is its fd) gets a connection and its first
    // recv; a failure is logged unless the client merely gave up while queued. Either
    // way, one accept must always be in flight.
    (void)ring;
    (void)listener;
    (void)res;
    (void)connections;
}

// Returns false when the connection is finished and must be closed.
[[maybe_unused]] bool on_received(io_uring& ring, int fd, Connection& c, int res) {
    // TODO(student): step 3. res is what recv(2) would have returned, errors as -errno. EOF
    // and errors end the connection (a reset quietly); received bytes are echoed.
    (void)ring;
    (void)fd;
    (void)c;
    (void)res;
    return false;
}

[[maybe_unused]] bool on_sent(io_uring& ring, int fd, Connection& c, int res) {
    // TODO(student): step 3. A failed send ends the connection (quietly when the client is
    // gone); a short send goes on with the rest; a complete echo waits for the next message.
    (void)ring;
    (void)fd;
    (void)c;
    (void)res;
    return false;
}

// Returns false once a stop signal has arrived.
[[maybe_unused]] bool handle_completion(io_uring& ring, int listener, const io_uring_cqe& cqe, Connections& connections) {
    // TODO(student): step 3. The completion's user_data says which operation finished, and
    // for which fd (tag_op, tag_fd): a stop ends the loop; an accept, a recv and a send
    // each go to their handler above. A connection whose handler says it is finished is
    // closed -- safe now: one operation per connection, and it just completed.
    (void)ring;
    (void)listener;
    (void)cqe;
    (void)connections;
    return false;
}

void run_event_loop(io_uring& ring, int listener) {
    Connections connections;
    StopSignal stop{c10k::open_stop_signalfd()};
    submit_stop_read(ring, stop);
    submit_accept(ring, listener);
    // TODO(student): step 1. Until a stop completion arrives: submit what is queued and
    // wait for at least one completion -- one syscall for both --, handle every completion
    // that is ready (handle_completion), and hand their entries back to the ring.
    (void)connections;
    throw std::logic_error("run_event_loop() is not written yet (labs/07-io_uring/README.md, step 1)");
}

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 07: io_uring echo server");
    try {
        c10k::install_stop_signals();
        (void)c10k::block_stop_signals();  // from now on they arrive through the signalfd
        c10k::raise_open_file_limit();
        io_uring ring;
        if (int ret = io_uring_queue_init(kRingEntries, &ring, 0); ret < 0) {
            std::fprintf(stderr, "server: %s\n", c10k::io_uring_unavailable_reason(-ret).c_str());
            return 1;
        }
        c10k::RingGuard release_ring{ring};  // on every way out, after what requests point into
        Fd listener = c10k::open_listener(options);
        c10k::announce_listening(listener.get());
        run_event_loop(ring, listener.get());
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
