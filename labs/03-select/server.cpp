// Lab 03: one thread, select().
//
// The spec (labs/03-select/README.md has the steps): the echo contract of lab 01, with
// every client served by one thread that waits with select() for whichever socket is
// readable.
//   * A descriptor >= FD_SETSIZE (1024) cannot go into an fd_set: close such a client
//     with one line on stderr instead of corrupting memory.
//   * Wait with pselect(..., &wait_mask): the stop signals are blocked everywhere else,
//     so SIGTERM can only arrive while waiting, and the wait returns EINTR.

#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"

namespace {

using c10k::Fd;

// One client, keyed by its fd in the connection table.
struct Connection {
    explicit Connection(Fd client) : fd(std::move(client)) {}
    Fd fd;
};
using Connections = std::map<int, Connection>;  // ordered: the highest fd is rbegin()

// The wait said `c` is readable, so one read() returns at once. Returns false when the
// connection is finished (EOF or error) and must be closed.
[[maybe_unused]] bool on_readable(Connection& c) {
    // TODO(student): step 1. One read(); 0 or an error (other than EINTR) -> return false;
    // otherwise write everything back (your lab 01 write_all) and return true.
    (void)c;
    return false;
}

[[maybe_unused]] void accept_client(int listener, Connections& connections) {
    Fd client{::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)};
    if (!client) {
        if (errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
        return;
    }
    // TODO(student): step 3. If client.get() >= FD_SETSIZE, log one line and return
    // (the Fd closes it): FD_SET on it would write past the end of the fd_set.
    int fd = client.get();
    connections.try_emplace(fd, std::move(client));
}

void run_event_loop(int listener, const sigset_t& wait_mask) {
    Connections connections;
    // TODO(student): step 2. While !c10k::stop_requested():
    //   - build an fd_set with the listener and every connection, and the highest fd;
    //   - ::pselect(max_fd + 1, &readable, nullptr, nullptr, nullptr, &wait_mask);
    //     EINTR means a signal: loop again (the loop condition decides);
    //   - if the listener is readable, accept_client();
    //   - call on_readable() for each readable connection; erase it when it returns false.
    (void)listener;
    (void)wait_mask;
    (void)connections;
    throw std::logic_error("run_event_loop() is not written yet (labs/03-select/README.md, step 2)");
}

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 03: select() echo server");
    try {
        c10k::install_stop_signals();
        sigset_t wait_mask = c10k::block_stop_signals();
        c10k::raise_open_file_limit();  // so fds past 1024 can be accepted and refused cleanly
        Fd listener = c10k::open_listener(options);
        c10k::announce_listening(listener.get());
        run_event_loop(listener.get(), wait_mask);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
