// Lab 05: one thread, poll(), nonblocking sockets.
//
// The spec (labs/05-nonblocking/README.md has the steps): lab 04's server, but no call
// may ever block. A client that never reads its echoes must not stall the others, and
// must not make the server's memory grow without bound:
//   * client sockets are nonblocking: read/write return EAGAIN instead of waiting;
//   * what could not be written yet waits in the connection's own buffer, and the loop
//     asks poll() for POLLOUT only while something waits;
//   * that buffer holds at most kMaxPending bytes: while it is full, stop asking for
//     POLLIN on that client (backpressure -- TCP then slows the sender down for you).

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
    // TODO(student): step 1. Design this connection's state: the bytes read but not yet
    // echoed (never more than kMaxPending of them), and whether the client sent EOF. Then
    // answer the event loop's three questions from that state:

    // May the server read more from this client? Not after its EOF, and not while
    // kMaxPending bytes wait to be echoed (backpressure).
    [[nodiscard]] bool wants_read() const { return true; }
    // Does something wait to be echoed?
    [[nodiscard]] bool wants_write() const { return false; }
    // Has the client sent EOF, and has everything been echoed? Then it can be closed.
    [[nodiscard]] bool finished() const { return true; }
};
using Connections = std::map<int, Connection>;

// Says once, on stderr, which part of the server is still a stub.
void not_written_yet(const char* what, int step) {
    static bool said = false;
    if (!said) std::fprintf(stderr, "server: %s is not written yet (labs/05-nonblocking/README.md, step %d)\n", what, step);
    said = true;
}

// Echoes what waits, until all of it is out or the socket is full. Returns false when
// the connection is finished or failed, and must be closed.
[[maybe_unused]] bool on_writable(Connection& c) {
    // TODO(student): step 3. A full socket (EAGAIN) is not an error: what is left waits
    // for the next POLLOUT. EPIPE and ECONNRESET mean the client is gone.
    (void)c;
    not_written_yet("on_writable()", 3);
    return false;
}

// Reads what fits under the cap, then tries to echo it at once. Returns false when the
// connection is finished or failed, and must be closed.
[[maybe_unused]] bool on_readable(Connection& c) {
    // TODO(student): step 2. Never read more than the buffer has room for. EOF and
    // EAGAIN/EINTR are not errors; most of the time the echo can go out at once.
    (void)c;
    not_written_yet("on_readable()", 2);
    return false;
}

// The listener is nonblocking too: take every waiting client, until EAGAIN.
void accept_clients(int listener, Connections& connections) {
    // TODO(student): step 4. Accept every client that waits (a burst of connections costs
    // one poll()), each one nonblocking, into the connection table. EAGAIN means none is
    // left; ECONNABORTED (a client gave up while queued) is no reason to stop.
    (void)listener;
    (void)connections;
    not_written_yet("accept_clients()", 4);
}

void run_event_loop(int listener, const sigset_t& wait_mask) {
    Connections connections;
    std::vector<pollfd> watched;
    while (!c10k::stop_requested()) {
        watched.clear();
        watched.push_back({listener, POLLIN, 0});
        for (const auto& [fd, c] : connections) {
            // TODO(student): step 5. Ask only for what the connection wants now: reading
            // (the cap is backpressure) and writing.
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
