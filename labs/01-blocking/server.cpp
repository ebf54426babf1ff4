// Lab 01: an iterative, blocking TCP echo server.
//
// The spec (labs/01-blocking/README.md has the steps):
//   server --port P [--host 127.0.0.1]
//   * listen on HOST:PORT; then print exactly "listening on HOST:PORT" (done for you);
//   * accept one client at a time and send back every byte it sends, in order;
//   * when the client shuts down its sending side (read() returns 0), close the connection
//     and accept the next client;
//   * a client that vanishes (ECONNRESET, EPIPE) must not kill the server;
//   * SIGTERM or SIGINT: exit 0 within a second (install_stop_signals() makes blocking
//     calls return EINTR; check c10k::stop_requested() when they do).
// Errors go to stderr, one line each, naming the call: c10k::log_syscall_error("read", errno).

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

// socket() + bind() + listen() on options.host:options.port.
Fd open_listening_socket(const c10k::ServerOptions& options) {
    c10k::SocketAddress address = c10k::make_socket_address(options.host, options.port);
    // TODO(student): step 1.
    //   - create the socket: ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0)
    //     and wrap it in an Fd so it is closed for you;
    //   - set SO_REUSEADDR (why? see the README's hints);
    //   - ::bind() it to address.get(), address.length and ::listen() on it.
    //   Wrap each call in c10k::check_syscall(result, "name") so a failure names the call.
    (void)address;
    return Fd{};
}

// write() may send fewer bytes than asked. Send all `size` bytes of `data`.
// Returns false when the client is gone (EPIPE, ECONNRESET) or the server is stopping.
[[maybe_unused]] bool write_all(int fd, const char* data, std::size_t size) {
    // TODO(student): step 3. Loop until every byte is written; on EINTR, retry unless
    // c10k::stop_requested().
    (void)fd;
    (void)data;
    (void)size;
    return false;
}

// Echoes everything `client` sends until it closes its sending side.
void echo_until_eof(int client) {
    // TODO(student): step 2. Loop while !c10k::stop_requested() (check it before every
    // read(): a SIGTERM that came while you were writing would not interrupt the next read).
    // read() into a buffer; 0 means EOF (return); -1 with EINTR means a signal (loop again);
    // any other error ends this client; otherwise write_all() exactly what you read.
    (void)client;
}

// Waits for the next client; returns an empty Fd when interrupted or on an error.
Fd accept_client(int listener) {
    // TODO(student): step 2. ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC).
    // EINTR (a signal) and ECONNABORTED (the client gave up) are not errors worth a log line.
    (void)listener;
    ::pause();  // placeholder: sleeps until a signal so the unfinished server doesn't spin
    return Fd{};
}

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options =
        c10k::parse_server_cli(argc, argv, "Lab 01: iterative blocking echo server");
    try {
        c10k::install_stop_signals();
        Fd listener = open_listening_socket(options);
        if (!listener) {
            std::fprintf(stderr,
                         "server: open_listening_socket() is not written yet "
                         "(labs/01-blocking/README.md, step 1)\n");
            return 1;
        }
        c10k::announce_listening(listener.get());
        while (!c10k::stop_requested()) {
            Fd client = accept_client(listener.get());
            if (client) echo_until_eof(client.get());
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
