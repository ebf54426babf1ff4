// Lab 01 reference solution: an iterative, blocking TCP echo server.
//
// One client at a time: accept it, echo every byte until it closes its side (EOF),
// close it, accept the next. Every call blocks, so while one client is being served
// the others wait in the listen backlog -- the problem lab 02 starts from.

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"

namespace {

using c10k::Fd;

// slide-begin: listen
// socket() + bind() + listen(): after this, the kernel completes TCP handshakes for
// us and queues the connections until accept() takes them.
Fd open_listening_socket(const c10k::ServerOptions& options) {
    c10k::SocketAddress address = c10k::make_socket_address(options.host, options.port);
    Fd listener{c10k::check_syscall(::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0),
                                    "socket")};
    int on = 1;  // rebind at once after a restart, even with connections in TIME_WAIT
    c10k::check_syscall(::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on),
                        "setsockopt(SO_REUSEADDR)");
    c10k::check_syscall(::bind(listener.get(), address.get(), address.length), "bind");
    c10k::check_syscall(::listen(listener.get(), SOMAXCONN), "listen");
    return listener;
}
// slide-end: listen

// slide-begin: write-all
// write() may take fewer bytes than asked (a full socket buffer, a signal): loop until
// everything is out. Returns false when the client is gone or we are stopping.
bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR && !c10k::stop_requested()) continue;
            if (errno != EINTR && errno != EPIPE && errno != ECONNRESET)
                c10k::log_syscall_error("write", errno);
            return false;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}
// slide-end: write-all

// slide-begin: echo-loop
// Echoes until the client shuts down its sending side: read() returning 0 is EOF.
// The stop flag is checked before every read(): a SIGTERM that arrived while we were
// busy writing interrupts nothing, and would otherwise leave us blocked here.
void echo_until_eof(int client) {
    char buffer[64 * 1024];
    while (!c10k::stop_requested()) {
        ssize_t received = ::read(client, buffer, sizeof buffer);
        if (received == 0) return;  // EOF: everything has been echoed
        if (received < 0) {
            if (errno == EINTR) continue;  // a signal: the loop condition decides
            if (errno != ECONNRESET) c10k::log_syscall_error("read", errno);
            return;
        }
        if (!write_all(client, buffer, static_cast<std::size_t>(received))) return;
    }
}
// slide-end: echo-loop

// Waits for the next client. Returns an empty Fd when interrupted or on a
// per-connection error, so the caller just tries again.
Fd accept_client(int listener) {
    int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0 && errno != EINTR && errno != ECONNABORTED)
        c10k::log_syscall_error("accept4", errno);
    return Fd{client};
}

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options =
        c10k::parse_server_cli(argc, argv, "Lab 01: iterative blocking echo server");
    try {
        c10k::install_stop_signals();
        Fd listener = open_listening_socket(options);
        c10k::announce_listening(listener.get());
        // slide-begin: accept-loop
        while (!c10k::stop_requested()) {
            Fd client = accept_client(listener.get());
            if (client) echo_until_eof(client.get());
        }  // each client's Fd closes it here, which sends our FIN
        // slide-end: accept-loop
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
