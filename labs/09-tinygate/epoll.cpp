// TinyGate, epoll model: the exchange (exchange.cpp) driven by readiness. One epoll
// instance per worker, every socket nonblocking; epoll says which sockets are ready, this
// file reads and writes them and tells the exchange what happened -- it carries only the
// mechanism, as Redis's ae_epoll.c does under ae.c.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "exchange.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {
namespace {

using c10k::Fd;

// TODO(student): the loop, as a class that implements exchange.hpp's hooks:
//   class EpollLoop final : public Exchange { ... };
// - What epoll adds to a connection (the events it is registered for): derive your own
//   types from Client and Upstream, and hand the exchange those (add(), open_upstream()).
// - send(): as much of c.out (then the borrowed bytes) as the socket takes now; the rest
//   waits for EPOLLOUT. update_reading(): EPOLLIN when may_read(), EPOLLOUT while bytes
//   wait -- epoll_ctl only when that changes, not per request. open_upstream(): a
//   nonblocking connect (upstream_socket(..., SOCK_NONBLOCK)); EPOLLOUT says it finished,
//   SO_ERROR how. close(): closing the socket takes it out of epoll.
// - The wait: epoll_pwait with the mask c10k::block_stop_signals() returns; ready sockets
//   read until EAGAIN (received(), or ended() at EOF); a 50 ms timeout while
//   waiting_for_answer(), then expire_slow_answers(); release_closed() once per turn.

// For now a client gets 501 for whatever it sends.
void answer_not_implemented(int client) {
    char request[8192];
    if (::recv(client, request, sizeof request, 0) <= 0) return;
    std::string answer = http::proxy_error_response(501, true);
    if (::send(client, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) c10k::log_syscall_error("send", errno);
}

}  // namespace

int run_epoll(Fd listener, const ProxyConfig& config) {
    // TODO(student): one loop per --workers, each on its own thread with its own epoll
    // instance and its own pool; EPOLLEXCLUSIVE on the shared listener wakes one per client.
    (void)config;
    Fd epoll{::epoll_create1(EPOLL_CLOEXEC)};
    epoll_event event{EPOLLIN, {.fd = listener.get()}};
    if (!epoll || ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, listener.get(), &event) != 0) {
        c10k::log_syscall_error(epoll ? "epoll_ctl" : "epoll_create1", errno);
        return 1;
    }
    sigset_t wait_mask = c10k::block_stop_signals();  // stop signals arrive only inside the wait
    std::vector<epoll_event> ready(256);
    while (!c10k::stop_requested()) {
        int count = ::epoll_pwait(epoll.get(), ready.data(), static_cast<int>(ready.size()), -1, &wait_mask);
        for (int i = 0; i < count; ++i) {
            // A blocking accept and a blocking answer: everyone else waits meanwhile.
            Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
            if (client) answer_not_implemented(client.get());
        }
    }
    return 0;
}

}  // namespace tinygate
