// TinyGate, epoll model: one event loop per worker, every socket nonblocking. Each client
// connection and each origin connection becomes a small state machine driven by
// readiness; bytes wait in buffers, never in a blocked thread.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <vector>

#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/stop_signals.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {
namespace {

using c10k::Fd;
namespace http = c10k::http;

// TODO(student): the state of one client connection and of one origin connection, e.g.
//   struct Client   { Fd fd; http::Parser requests; std::string in, out; Upstream* upstream; ... };
//   struct Upstream { Fd fd; bool connecting; std::string out; http::Parser responses; Client* client; };
// and what epoll's data.ptr points at, so one loop can tell them apart.

// For now a client gets 501 for whatever it sends.
void answer_not_implemented(int client) {
    char request[8192];
    if (::recv(client, request, sizeof request, 0) <= 0) return;
    std::string answer = http::proxy_error_response(501, true);
    (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
}

}  // namespace

int run_epoll(Fd listener, const ProxyConfig& config) {
    // TODO(student): one loop per --workers, each on its own thread with its own epoll
    // instance and its own pool (EPOLLEXCLUSIVE on the shared listener: one wakes per client).
    (void)config;
    ::fcntl(listener.get(), F_SETFL, ::fcntl(listener.get(), F_GETFL) | O_NONBLOCK);
    Fd epoll{::epoll_create1(EPOLL_CLOEXEC)};
    epoll_event event{EPOLLIN, {.fd = listener.get()}};
    ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, listener.get(), &event);
    sigset_t wait_mask = c10k::block_stop_signals();  // stop signals arrive only inside the wait
    std::vector<epoll_event> ready(256);
    while (!c10k::stop_requested()) {
        int count = ::epoll_pwait(epoll.get(), ready.data(), static_cast<int>(ready.size()), -1, &wait_mask);
        for (int i = 0; i < count; ++i) {
            if (ready[i].data.fd == listener.get()) {
                // TODO(student): accept4(SOCK_NONBLOCK) every waiting client, register it, and
                // drive its requests through the state machine: read -> parse -> pool or
                // nonblocking connect -> write upstream -> relay the response -> next request.
                // epoll_ctl only when a connection's interest changes, not per request; a
                // side whose buffer is full stops being read (backpressure); a request with
                // no response head by config.upstream_timeout gets 504 (a timed epoll wait).
                Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
                if (client) answer_not_implemented(client.get());  // blocking: everyone else waits
            }
        }
    }
    return 0;
}

}  // namespace tinygate
