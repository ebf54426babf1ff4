// Lab 06 reference solution: one thread, epoll, nonblocking sockets.
//
// Lab 05 with the wait swapped: the kernel keeps the interest list (epoll_ctl, once per
// change) and hands back only the ready fds (epoll_wait), so a wait costs O(ready), not
// O(connections). Level-triggered by default; with --edge, EPOLLET: each fd is
// registered once for both directions and every event is drained until EAGAIN, because
// the kernel reports a change only once. --workers N runs N such loops on N threads,
// each with its own SO_REUSEPORT listener (the kernel spreads new connections).

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <map>
#include <thread>
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

bool g_edge_triggered = false;  // --edge

// slide-begin: connection
// One client, keyed by its fd in the connection table.
struct Connection {
    explicit Connection(Fd client) : fd(std::move(client)) {}
    Fd fd;
    std::vector<char> pending;  // read but not yet echoed: pending[sent..]
    std::size_t sent = 0;
    bool read_closed = false;   // the client sent EOF
    std::uint32_t registered = 0;  // the events epoll watches for it now

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

// Reads what fits under the cap and echoes it at once; usually it all goes out now.
// Edge-triggered, it must go on until the socket is drained (or the cap): no new event
// comes for bytes that are already waiting. A short read says "drained" as surely as
// EAGAIN does, one syscall sooner -- and stopping there keeps one busy client from
// starving the others.
// slide-begin: on-readable
bool on_readable(Connection& c) {
    do {
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
        if (!on_writable(c)) return false;
        if (static_cast<std::size_t>(received) < room) return true;  // short read: drained
    } while (g_edge_triggered && c.wants_read());
    return true;
}
// slide-end: on-readable

// slide-begin: interest
// Level-triggered: tell epoll only when what we wait for changes (rare: a full socket
// or a full buffer), never per message. Edge-triggered: registered once for both.
std::uint32_t wanted_events(const Connection& c) {
    if (g_edge_triggered) return EPOLLIN | EPOLLOUT | EPOLLET;
    return (c.wants_read() ? EPOLLIN : 0u) | (c.wants_write() ? EPOLLOUT : 0u);
}

void update_interest(int epoll, int fd, Connection& c) {
    std::uint32_t wanted = wanted_events(c);
    if (wanted == c.registered) return;
    epoll_event event{};
    event.events = wanted;
    event.data.fd = fd;
    int op = c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    c10k::check_syscall(::epoll_ctl(epoll, op, fd, &event), "epoll_ctl");
    c.registered = wanted;
}
// slide-end: interest

// slide-begin: accept
// The listener is nonblocking too: take every waiting client, until EAGAIN.
void accept_clients(int listener, int epoll, Connections& connections) {
    for (;;) {
        Fd client{::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
        if (!client) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
            if (errno != ECONNABORTED) return;
            continue;
        }
        int fd = client.get();
        Connection& c = connections.try_emplace(fd, std::move(client)).first->second;
        update_interest(epoll, fd, c);
    }
}
// slide-end: accept

// slide-begin: handle-event
// One ready connection: read and/or write as the event says. False when it is finished.
bool handle_event(Connection& c, std::uint32_t events) {
    bool keep = true;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) keep = on_readable(c);
    if (keep && (events & EPOLLOUT)) {
        keep = on_writable(c);
        // Edge-triggered: bytes that waited while the buffer was full raise no new event.
        if (keep && g_edge_triggered && c.wants_read()) keep = on_readable(c);
    }
    return keep;
}
// slide-end: handle-event

// slide-begin: event-loop
void run_event_loop(int listener, const sigset_t& wait_mask, int wake_ms) {
    Fd epoll{c10k::check_syscall(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")};
    epoll_event listen_event{};
    listen_event.events = EPOLLIN;
    listen_event.data.fd = listener;
    c10k::check_syscall(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, listener, &listen_event), "epoll_ctl");

    // slide-begin: wait-loop
    Connections connections;
    std::vector<epoll_event> ready(1024);
    while (!c10k::stop_requested()) {
        int count = ::epoll_pwait(epoll.get(), ready.data(), static_cast<int>(ready.size()),
                                  wake_ms, &wait_mask);
        if (count < 0) {
            if (errno == EINTR) continue;  // a stop signal: the loop condition decides
            throw c10k::SyscallError("epoll_pwait", errno);
        }
        for (int i = 0; i < count; ++i) {  // only the ready ones: O(ready), not O(n)
            int fd = ready[i].data.fd;
            if (fd == listener) {
                accept_clients(listener, epoll.get(), connections);
                continue;
            }
            Connection& c = connections.at(fd);
            if (handle_event(c, ready[i].events)) update_interest(epoll.get(), fd, c);
            else connections.erase(fd);  // closing the fd also removes it from epoll
        }
    }
    // slide-end: wait-loop
}
// slide-end: event-loop

// ---- extension: --workers N (not the epoll lesson: `diff` against lab 05 shows it as this block)
// N event loops on N threads, each with its own SO_REUSEPORT listener; the kernel spreads
// new connections over them.
void serve_on_workers(c10k::ServerOptions options, int workers, const sigset_t& wait_mask) {
    std::vector<Fd> listeners;
    listeners.push_back(c10k::open_listener(options, SOMAXCONN, SOCK_NONBLOCK, true));
    options.port = c10k::local_port(listeners[0].get());  // with --port 0: the others join this one
    while (static_cast<int>(listeners.size()) < workers)
        listeners.push_back(c10k::open_listener(options, SOMAXCONN, SOCK_NONBLOCK, true));
    c10k::announce_listening(listeners[0].get());
    // A stop signal wakes one thread only: the others notice the flag within 100 ms.
    std::vector<std::jthread> threads;
    for (const Fd& listener : listeners)
        threads.emplace_back([&, fd = listener.get()] { run_event_loop(fd, wait_mask, 100); });
}
// ---- end of extension: --workers

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Lab 06: epoll echo server"};
    c10k::ServerOptions options;
    c10k::add_server_options(app, options);
    int workers = 1;
    app.add_flag("--edge", g_edge_triggered, "edge-triggered epoll (EPOLLET), draining until EAGAIN");
    app.add_option("--workers", workers, "event loops on as many threads, one SO_REUSEPORT listener each")
        ->check(CLI::Range(1, 64));
    CLI11_PARSE(app, argc, argv);
    try {
        c10k::install_stop_signals();
        sigset_t wait_mask = c10k::block_stop_signals();  // threads started below inherit the block
        c10k::raise_open_file_limit();
        if (workers > 1) {
            serve_on_workers(options, workers, wait_mask);
            return 0;
        }
        Fd listener = c10k::open_listener(options, SOMAXCONN, SOCK_NONBLOCK);
        c10k::announce_listening(listener.get());
        run_event_loop(listener.get(), wait_mask, -1);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
