// Lab 04 reference solution: one thread, poll().
//
// poll() takes an array of (fd, events) pairs instead of a bitmap: no FD_SETSIZE
// ceiling, so thousands of clients fit (once the open-file limit is raised). But each
// turn still hands the kernel the whole array and scans it afterwards: O(n) per wait,
// however few clients are active. Writes are still blocking (lab 05).

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

// One client, keyed by its fd in the connection table.
struct Connection {
    explicit Connection(Fd client) : fd(std::move(client)) {}
    Fd fd;
};
using Connections = std::map<int, Connection>;

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
    int fd = client.get();
    connections.try_emplace(fd, std::move(client));
}
// slide-end: accept

// slide-begin: event-loop
void run_event_loop(int listener, const sigset_t& wait_mask) {
    Connections connections;
    std::vector<pollfd> watched;
    while (!c10k::stop_requested()) {
        watched.clear();  // rebuilt every turn: O(n) even if one client is active
        watched.push_back({listener, POLLIN, 0});
        for (const auto& entry : connections) watched.push_back({entry.first, POLLIN, 0});

        int ready = ::ppoll(watched.data(), watched.size(), nullptr, &wait_mask);
        if (ready < 0) {
            if (errno == EINTR) continue;  // a stop signal: the loop condition decides
            throw c10k::SyscallError("ppoll", errno);
        }
        auto it = connections.begin();  // watched[1..] lists the connections in this order
        for (std::size_t i = 1; i < watched.size(); ++i) {
            bool ready_to_read = watched[i].revents & (POLLIN | POLLHUP | POLLERR);
            bool keep = !ready_to_read || on_readable(it->second);
            it = keep ? std::next(it) : connections.erase(it);  // erasing closes the Fd
        }
        if (watched[0].revents & POLLIN) accept_client(listener, connections);
    }
}
// slide-end: event-loop

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 04: poll() echo server");
    try {
        c10k::install_stop_signals();
        sigset_t wait_mask = c10k::block_stop_signals();
        c10k::raise_open_file_limit();  // shells start us with 1024 fds; poll has no ceiling, the limit does
        Fd listener = c10k::open_listener(options);
        c10k::announce_listening(listener.get());
        run_event_loop(listener.get(), wait_mask);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
