// Lab 05: one thread, poll(), nonblocking sockets.
//
// The spec (labs/05-nonblocking/README.md has the steps): lab 04's server, but no call
// may ever block. A client that never reads its echoes must not stall the others, and
// must not make the server's memory grow without bound:
//   * client sockets are nonblocking: read/write return EAGAIN instead of waiting;
//   * what could not be written yet waits in the connection's buffer (`pending`), and
//     the loop asks poll() for POLLOUT only while something is pending;
//   * the buffer is capped at kMaxPending: while it is full, stop asking for POLLIN on
//     that client (backpressure -- TCP then slows the sender down for you).

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <map>
#include <vector>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"

namespace {

using c10k::Fd;

constexpr std::size_t kMaxPending = 256 * 1024;  // per connection: bounded memory

// One client, keyed by its fd in the connection table.
struct Connection {
    explicit Connection(Fd client) : fd(std::move(client)) {}
    Fd fd;
    std::vector<char> pending;  // read but not yet echoed: pending[sent..]
    std::size_t sent = 0;
    bool read_closed = false;   // the client sent EOF

    [[nodiscard]] std::size_t unsent() const { return pending.size() - sent; }
    [[nodiscard]] bool wants_read() const { return !read_closed && unsent() < kMaxPending; }
    [[nodiscard]] bool wants_write() const { return unsent() > 0; }
    [[nodiscard]] bool finished() const { return read_closed && !wants_write(); }
};
using Connections = std::map<int, Connection>;

// Echoes what is pending until done or the socket is full. Returns false when the
// connection is finished and must be closed.
[[maybe_unused]] bool on_writable(Connection& c) {
    // TODO(student): step 2. write() pending[sent..] until nothing is left (then clear the
    // buffer) or write() fails with EAGAIN (keep the rest for the next POLLOUT). EPIPE and
    // ECONNRESET end the connection. Finally: a client that sent EOF and has nothing
    // pending is finished.
    (void)c;
    return false;
}

// Reads what fits under the cap, then tries to echo it at once.
[[maybe_unused]] bool on_readable(Connection& c) {
    // TODO(student): step 1. read() at most kMaxPending - c.unsent() bytes; 0 means EOF
    // (set read_closed; finished unless echoes are pending); EAGAIN/EINTR: nothing to do;
    // other errors end the connection. Append what you read to c.pending, then call
    // on_writable(c): most of the time the echo goes out right away.
    (void)c;
    return false;
}

// The listener is nonblocking too: take every waiting client, until EAGAIN.
void accept_clients(int listener, Connections& connections) {
    for (;;) {
        // TODO(student): step 3. The client socket must be nonblocking too: accept4 takes
        // SOCK_NONBLOCK (or set O_NONBLOCK with fcntl afterwards).
        Fd client{::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)};
        if (!client) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
            if (errno != ECONNABORTED) return;
            continue;
        }
        int fd = client.get();
        connections.try_emplace(fd, std::move(client));
    }
}

void run_event_loop(int listener, const sigset_t& wait_mask) {
    Connections connections;
    std::vector<pollfd> watched;
    while (!c10k::stop_requested()) {
        watched.clear();
        watched.push_back({listener, POLLIN, 0});
        for (const auto& [fd, c] : connections) {
            // TODO(student): step 4. Ask for POLLIN only while c.wants_read() (the cap is
            // backpressure) and for POLLOUT only while c.wants_write().
            short events = POLLIN;
            watched.push_back({fd, events, 0});
        }

        int ready = ::ppoll(watched.data(), watched.size(), nullptr, &wait_mask);
        if (ready < 0) {
            if (errno == EINTR) continue;  // a stop signal: the loop condition decides
            throw c10k::SyscallError("ppoll", errno);
        }
        auto it = connections.begin();  // watched[1..] lists the connections in this order
        for (std::size_t i = 1; i < watched.size(); ++i) {
            Connection& c = it->second;
            bool keep = true;
            if (watched[i].revents & (POLLIN | POLLHUP | POLLERR)) keep = on_readable(c);
            if (keep && (watched[i].revents & POLLOUT)) keep = on_writable(c);
            it = keep ? std::next(it) : connections.erase(it);  // erasing closes the Fd
        }
        if (watched[0].revents & POLLIN) accept_clients(listener, connections);
    }
}

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 05: nonblocking poll() echo server");
    try {
        c10k::install_stop_signals();
        sigset_t wait_mask = c10k::block_stop_signals();
        c10k::raise_open_file_limit();
        Fd listener = c10k::open_listener(options, SOMAXCONN, SOCK_NONBLOCK);
        c10k::announce_listening(listener.get());
        run_event_loop(listener.get(), wait_mask);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
