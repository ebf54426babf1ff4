// Lab 02: one thread per connection.
//
// The spec (labs/02-threads/README.md has the steps): the echo contract of lab 01, but
// every client is served at the same time. The main thread accepts; each client gets a
// thread of its own running the blocking echo loop. An idle client now blocks only its
// own thread.
//   * SIGTERM/SIGINT must reach the main thread (blocked in accept): block them in the
//     client threads, then exit 0 -- returning from main ends every thread.
//   * A failure to create a thread drops that client, never the server.

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <system_error>
#include <thread>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"

namespace {

using c10k::Fd;

// The whole life of one client, on its own thread. It owns the Fd, so the connection
// is closed when the function returns, whichever way it returns.
void serve_client(Fd client) {
    // TODO(student): step 1. Bring your lab 01 echo loop (and write_all) here: read until
    // EOF, write back everything, check c10k::stop_requested() before each read().
    (void)client;
}

// Starts serve_client(client) on a new thread.
void spawn_client_thread(Fd client) {
    // TODO(student): step 2. Block SIGTERM and SIGINT (pthread_sigmask) so the new thread
    // inherits the block; start a std::thread running serve_client and detach() it;
    // restore the mask. std::thread throws std::system_error when it cannot start one:
    // log it and drop this client.
    serve_client(std::move(client));  // placeholder: serves clients one at a time, like lab 01
}

Fd accept_client(int listener) {
    int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0 && errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
    return Fd{client};
}

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 02: thread-per-connection echo server");
    try {
        c10k::install_stop_signals();
        c10k::raise_open_file_limit();
        Fd listener = c10k::open_listener(options);  // lab 01's socket/bind/listen, from common/
        c10k::announce_listening(listener.get());
        while (!c10k::stop_requested()) {
            Fd client = accept_client(listener.get());
            if (client) spawn_client_thread(std::move(client));
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
