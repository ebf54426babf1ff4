// Lab 04: one thread, poll().
//
// The spec (labs/04-poll/README.md has the steps): lab 03's server with poll() instead
// of select(): an array of pollfd entries instead of a bitmap, so no FD_SETSIZE ceiling.
//   * 2000 clients at once: the grader starts you with 1024 open files, so raise the
//     soft limit (c10k::raise_open_file_limit does).
//   * Wait with ppoll(..., &wait_mask): the stop signals are blocked everywhere else,
//     so SIGTERM can only arrive while waiting, and the wait returns EINTR.

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
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

// One client, keyed by its fd in the connection table.
struct Connection {
    explicit Connection(Fd client) : fd(std::move(client)) {}
    Fd fd;
};
using Connections = std::map<int, Connection>;

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
    int fd = client.get();
    connections.try_emplace(fd, std::move(client));
}

void run_event_loop(int listener, const sigset_t& wait_mask) {
    Connections connections;
    // TODO(student): step 2. While !c10k::stop_requested():
    //   - build a std::vector<pollfd>: the listener first, then every connection (POLLIN);
    //   - ::ppoll(fds.data(), fds.size(), nullptr, &wait_mask);
    //     EINTR means a signal: loop again (the loop condition decides);
    //   - call on_readable() for each entry with POLLIN, POLLHUP or POLLERR in revents;
    //     erase the connection when it returns false (careful: keep the vector and the
    //     map in step, e.g. walk both in the same order);
    //   - if the listener is readable, accept_client() (after the walk, so it stays in step).
    (void)listener;
    (void)wait_mask;
    (void)connections;
    throw std::logic_error("run_event_loop() is not written yet (labs/04-poll/README.md, step 2)");
}

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 04: poll() echo server");
    try {
        c10k::install_stop_signals();
        sigset_t wait_mask = c10k::block_stop_signals();
        c10k::raise_open_file_limit();  // poll has no fd ceiling; the open-file limit does
        Fd listener = c10k::open_listener(options);
        c10k::announce_listening(listener.get());
        run_event_loop(listener.get(), wait_mask);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
