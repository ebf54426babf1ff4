// Lab 05 reference solution: one thread, poll(), nonblocking sockets.
//
// No call may block any more: a write the client cannot take yet returns EAGAIN, and
// what is left waits in the connection's buffer until poll() says the socket is
// writable. The buffer is capped; while it is full we stop reading that client, so a
// client that never reads costs at most kMaxPending bytes and delays nobody
// (backpressure: TCP's flow control pushes back to the sender).

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

// slide-begin: connection
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
// slide-end: connection
using Connections = std::map<int, Connection>;

// slide-begin: on-writable
// Echoes what is pending until done or the socket is full (EAGAIN: poll tells us when
// to go on). Returns false when the connection is finished and must be closed.
bool on_writable(Connection& c) {
    while (c.wants_write()) {
        ssize_t written = ::write(c.fd.get(), c.pending.data() + c.sent, c.unsent());
        if (written < 0) {
            if (errno == EAGAIN) return true;
            if (errno == EINTR) continue;
            if (errno != EPIPE && errno != ECONNRESET) c10k::log_syscall_error("write", errno);
            return false;
        }
        c.sent += static_cast<std::size_t>(written);
    }
    c.pending.clear();
    c.sent = 0;
    return !c.finished();
}
// slide-end: on-writable

// slide-begin: on-readable
// Reads what fits under the cap and echoes it at once; usually it all goes out now.
bool on_readable(Connection& c) {
    char buffer[64 * 1024];
    std::size_t room = std::min(sizeof buffer, kMaxPending - c.unsent());
    ssize_t received = ::read(c.fd.get(), buffer, room);
    if (received == 0) {
        c.read_closed = true;  // EOF: finish echoing, then close
        return !c.finished();
    }
    if (received < 0) {
        if (errno == EAGAIN || errno == EINTR) return true;
        if (errno != ECONNRESET) c10k::log_syscall_error("read", errno);
        return false;
    }
    c.pending.insert(c.pending.end(), buffer, buffer + received);
    return on_writable(c);
}
// slide-end: on-readable

// slide-begin: accept
// The listener is nonblocking too: take every waiting client, until EAGAIN.
void accept_clients(int listener, Connections& connections) {
    for (;;) {
        Fd client{::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
        if (!client) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
            if (errno != ECONNABORTED) return;
            continue;
        }
        int fd = client.get();
        connections.try_emplace(fd, std::move(client));
    }
}
// slide-end: accept

// slide-begin: event-loop
void run_event_loop(int listener, const sigset_t& wait_mask) {
    Connections connections;
    std::vector<pollfd> watched;
    while (!c10k::stop_requested()) {
        watched.clear();
        watched.push_back({listener, POLLIN, 0});
        for (const auto& [fd, c] : connections) {
            short events = static_cast<short>((c.wants_read() ? POLLIN : 0) | (c.wants_write() ? POLLOUT : 0));
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
// slide-end: event-loop

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
