// Lab 06: one thread, epoll.
//
// The spec (labs/06-epoll/README.md has the steps): lab 05's server with the wait
// swapped for epoll. The kernel keeps the interest list, so a wait costs O(ready), not
// O(connections): 10,000 connections, most of them idle, cost nothing.
//   * epoll_ctl only when what you wait for changes -- never once per message;
//   * --edge: edge-triggered (EPOLLET), registered once for EPOLLIN|EPOLLOUT; every
//     event must be drained (until EAGAIN, or a short read), as no new event comes for
//     bytes that already wait;
//   * stretch: --workers N runs N event loops on N threads, each with its own
//     SO_REUSEPORT listener (c10k::open_listener(..., reuse_port = true)).

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
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
using Connections = std::map<int, Connection>;

// Echoes what is pending until done or the socket is full. Returns false when the
// connection is finished and must be closed.
[[maybe_unused]] bool on_writable(Connection& c) {
    // TODO(student): step 1. Your lab 05 on_writable, unchanged.
    (void)c;
    return false;
}

// Reads what fits under the cap, then tries to echo it at once.
[[maybe_unused]] bool on_readable(Connection& c) {
    // TODO(student): step 1. Your lab 05 on_readable. Step 4 (--edge): with
    // g_edge_triggered, keep reading until EAGAIN, a short read, or the cap.
    (void)c;
    return false;
}

// Tells epoll what we wait for on `fd`, but only when that changed since last time
// (c.registered remembers): EPOLL_CTL_ADD the first time, EPOLL_CTL_MOD afterwards.
[[maybe_unused]] void update_interest(int epoll, int fd, Connection& c) {
    // TODO(student): step 2. Level-triggered: EPOLLIN while c.wants_read(), EPOLLOUT
    // while c.wants_write(). Step 4, with g_edge_triggered: EPOLLIN | EPOLLOUT | EPOLLET,
    // once. Use c10k::check_syscall(::epoll_ctl(...), "epoll_ctl").
    (void)epoll;
    (void)fd;
    (void)c;
}

// The listener is nonblocking too: take every waiting client, until EAGAIN.
[[maybe_unused]] void accept_clients(int listener, int epoll, Connections& connections) {
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

// `wake_ms`: how long a wait may last (-1: until an event or a signal).
void run_event_loop(int listener, const sigset_t& wait_mask, int wake_ms) {
    // TODO(student): step 3.
    //   - epoll_create1(EPOLL_CLOEXEC) into an Fd; register the listener for EPOLLIN;
    //   - while !c10k::stop_requested(): ::epoll_pwait(epoll, events, max, wake_ms, &wait_mask)
    //     (EINTR: loop again); for each ready fd: the listener -> accept_clients();
    //     a connection -> on_readable() on EPOLLIN/EPOLLHUP/EPOLLERR, on_writable() on
    //     EPOLLOUT; then update_interest(), or erase it when finished.
    (void)listener;
    (void)wait_mask;
    (void)wake_ms;
    throw std::logic_error("run_event_loop() is not written yet (labs/06-epoll/README.md, step 3)");
}

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
        bool reuse_port = workers > 1;
        std::vector<Fd> listeners;
        listeners.push_back(c10k::open_listener(options, SOMAXCONN, SOCK_NONBLOCK, reuse_port));
        options.port = c10k::local_port(listeners[0].get());  // with --port 0: the others join this one
        while (static_cast<int>(listeners.size()) < workers)
            listeners.push_back(c10k::open_listener(options, SOMAXCONN, SOCK_NONBLOCK, reuse_port));
        c10k::announce_listening(listeners[0].get());
        // Stretch (--workers N): the listeners and threads below are given; your
        // run_event_loop is what each thread runs.
        if (workers == 1) {
            run_event_loop(listeners[0].get(), wait_mask, -1);
        } else {
            // A stop signal wakes one thread only: the others notice the flag within 100 ms.
            std::vector<std::jthread> threads;
            for (const Fd& listener : listeners)
                threads.emplace_back([&, fd = listener.get()] { run_event_loop(fd, wait_mask, 100); });
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
