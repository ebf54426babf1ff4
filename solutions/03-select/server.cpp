// Lab 03 reference solution: one thread, select().
//
// select() waits until one of many descriptors is readable, so one thread serves many
// clients. Each turn rebuilds the fd_set and scans every bit up to the highest fd: O(n)
// per wait. fd_set is a fixed bitmap of FD_SETSIZE (1024) bits: a descriptor >= 1024
// cannot be waited for at all -- FD_SET on it writes past the end of the set.
// Writes are still blocking: a client that never reads stalls everyone (lab 05).

#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <map>

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

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            if (errno != EPIPE && errno != ECONNRESET) c10k::log_syscall_error("write", errno);
            return false;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

// slide-begin: on-readable
// The wait said `c` is readable, so this read() returns at once. Returns false when
// the connection is finished (EOF or error) and must be closed.
bool on_readable(Connection& c) {
    char buffer[64 * 1024];
    ssize_t received = ::read(c.fd.get(), buffer, sizeof buffer);
    if (received == 0) return false;
    if (received < 0) {
        if (errno == EINTR) return true;
        if (errno != ECONNRESET) c10k::log_syscall_error("read", errno);
        return false;
    }
    // Blocking write: fine while clients read their echoes, a stall when one does not.
    return write_all(c.fd.get(), buffer, static_cast<std::size_t>(received));
}
// slide-end: on-readable

// slide-begin: accept
void accept_client(int listener, Connections& connections) {
    Fd client{::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)};
    if (!client) {
        if (errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
        return;
    }
    if (client.get() >= FD_SETSIZE) {  // select() cannot watch it: refuse, don't corrupt memory
        std::fprintf(stderr, "server: fd %d is past FD_SETSIZE (%d): closing the connection\n",
                     client.get(), FD_SETSIZE);
        return;
    }
    int fd = client.get();
    connections.try_emplace(fd, std::move(client));
}
// slide-end: accept

// slide-begin: event-loop
void run_event_loop(int listener, const sigset_t& wait_mask) {
    Connections connections;
    while (!c10k::stop_requested()) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(listener, &readable);
        int max_fd = listener;
        for (const auto& entry : connections) FD_SET(entry.first, &readable);
        if (!connections.empty()) max_fd = std::max(max_fd, connections.rbegin()->first);

        int ready = ::pselect(max_fd + 1, &readable, nullptr, nullptr, nullptr, &wait_mask);
        if (ready < 0) {
            if (errno == EINTR) continue;  // a stop signal: the loop condition decides
            throw c10k::SyscallError("pselect", errno);
        }
        if (FD_ISSET(listener, &readable)) accept_client(listener, connections);
        for (auto it = connections.begin(); it != connections.end();) {
            bool keep = !FD_ISSET(it->first, &readable) || on_readable(it->second);
            it = keep ? std::next(it) : connections.erase(it);  // erasing closes the Fd
        }
    }
}
// slide-end: event-loop

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
