#pragma once
// Shared frame of the deliberately broken servers: each gets the contract right (CLI,
// announce line, signals) except for the one thing it breaks, which lives in its
// own file so a reader sees the bug and nothing else.

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"

namespace broken {

/// What the frame does before serving; a broken server may skip parts of it.
struct Frame {
    bool install_signals = true;
    bool announce = true;
};

/// Iterative accept loop: calls serve_client(fd) for each client, one at a time,
/// and closes the client afterwards.
inline int run(int argc, char** argv, const std::function<void(int)>& serve_client, Frame frame = {}) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "a deliberately broken echo server");
    if (frame.install_signals) c10k::install_stop_signals();
    c10k::Fd listener = c10k::open_listener(options);
    if (frame.announce) c10k::announce_listening(listener.get());
    while (!c10k::stop_requested()) {
        c10k::Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
        if (client) serve_client(client.get());
    }
    return 0;
}

/// The start every event-loop broken server shares: command line, stop signals, a
/// listening socket (with @p socket_flags, e.g. SOCK_NONBLOCK) and the announce line.
inline c10k::Fd start_listening(int argc, char** argv, const char* what, int socket_flags = 0) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, what);
    c10k::install_stop_signals();
    c10k::Fd listener = c10k::open_listener(options, SOMAXCONN, socket_flags);
    c10k::announce_listening(listener.get());
    return listener;
}

/// An epoll instance that watches @p listener for new connections.
inline c10k::Fd epoll_watching(int listener) {
    c10k::Fd epoll{::epoll_create1(EPOLL_CLOEXEC)};
    epoll_event event{EPOLLIN, {.fd = listener}};
    ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, listener, &event);
    return epoll;
}

/// A correct echo of one client until EOF, for the servers whose bug is elsewhere.
inline void echo_until_eof(int client) {
    char buffer[65536];
    for (;;) {
        ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) return;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(client, buffer + done, static_cast<std::size_t>(n - done));
            if (w <= 0) return;
            done += w;
        }
    }
}

}  // namespace broken
