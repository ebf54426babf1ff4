// Lab 02 reference solution: one thread per connection.
//
// The main thread only accepts; every client gets a thread of its own running the
// blocking echo loop of lab 01. A slow or idle client now blocks only its own thread.
// The price: a stack (8 MiB of address space) and a kernel task per client, and a
// context switch every time a different client has data.

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

// write() may take fewer bytes than asked: loop until everything is out.
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

// The whole life of one client, on its own thread. Owning the Fd means the
// connection is closed when the thread ends, whichever way it ends.
void serve_client(Fd client) {
    char buffer[64 * 1024];
    while (!c10k::stop_requested()) {
        ssize_t received = ::read(client.get(), buffer, sizeof buffer);
        if (received == 0) return;  // EOF
        if (received < 0) {
            if (errno == EINTR) continue;
            if (errno != ECONNRESET) c10k::log_syscall_error("read", errno);
            return;
        }
        if (!write_all(client.get(), buffer, static_cast<std::size_t>(received))) return;
    }
}

Fd accept_client(int listener) {
    int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0 && errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
    return Fd{client};
}

// slide-begin: spawn
// Starts serve_client on a new thread with SIGTERM/SIGINT blocked in it, so a stop
// signal always reaches the main thread, which is the one blocked in accept().
void spawn_client_thread(Fd client) {
    sigset_t stop_signals, previous;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    ::pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);  // the new thread inherits this mask
    try {
        std::thread(serve_client, std::move(client)).detach();
    } catch (const std::system_error& error) {  // out of threads or memory: drop this client only
        std::fprintf(stderr, "server: std::thread: %s\n", error.what());
    }
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}
// slide-end: spawn

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "Lab 02: thread-per-connection echo server");
    try {
        c10k::install_stop_signals();
        c10k::raise_open_file_limit();
        Fd listener = c10k::open_listener(options);
        c10k::announce_listening(listener.get());
        // slide-begin: accept-loop
        while (!c10k::stop_requested()) {
            Fd client = accept_client(listener.get());
            if (client) spawn_client_thread(std::move(client));
        }
        // slide-end: accept-loop
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;  // returning from main ends the process, and with it every client thread
}
