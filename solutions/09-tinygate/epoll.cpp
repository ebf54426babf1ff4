// TinyGate, epoll model: the exchange (exchange.cpp) driven by readiness. One epoll instance
// per worker, every socket nonblocking; epoll reports which sockets are ready, this file
// reads and writes them and tells the exchange what happened. A socket's interest changes
// (epoll_ctl) only when what the exchange wants of it changes, not per request.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
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

// What epoll adds to a connection: the events it is registered for.
struct Interest {
    std::uint32_t events = 0;
    bool registered = false;
};
struct EpollClient final : Client, Interest {
    using Client::Client;
};
struct EpollUpstream final : Upstream, Interest {
    using Upstream::Upstream;
};

// The exchange hands back its own types; each of them is one of ours.
Interest& interest_of(Connection& c) {
    if (c.side == Connection::Side::client) return static_cast<EpollClient&>(c);
    return static_cast<EpollUpstream&>(c);
}

// What epoll's data.ptr holds besides a Connection*.
char kListener, kAllStop;

class EpollLoop final : public Exchange {
public:
    /// @p all_stop: an eventfd every loop watches; the loop that sees the stop signal writes
    /// it, so the loops asleep in epoll_pwait wake up too (a signal wakes one thread).
    EpollLoop(int listener, const ProxyConfig& config, int all_stop)
        : Exchange(config), listener_(listener), all_stop_(all_stop) {}

    int run() {
        epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (!epoll_) return failed("epoll_create1");
        // The listener is shared by every worker: EPOLLEXCLUSIVE wakes one of them per client.
        if (!add_fd(listener_, EPOLLIN | EPOLLEXCLUSIVE, &kListener) || !add_fd(all_stop_, EPOLLIN, &kAllStop))
            return 1;
        sigset_t wait_mask = c10k::block_stop_signals();  // stop signals arrive only inside the wait
        std::vector<epoll_event> ready(256);
        while (!c10k::stop_requested() && !stopping_) {
            int timeout_ms = waiting_for_answer() ? 50 : -1;  // how often the 504s are checked
            int count = ::epoll_pwait(epoll_.get(), ready.data(), static_cast<int>(ready.size()), timeout_ms, &wait_mask);
            if (count < 0 && errno != EINTR) return failed("epoll_pwait");
            for (int i = 0; i < count; ++i) dispatch(ready[i]);
            if (waiting_for_answer()) expire_slow_answers();
            release_closed();
        }
        return 0;
    }

private:
    int failed(const char* call) {
        c10k::log_syscall_error(call, errno);
        return 1;
    }

    bool add_fd(int fd, std::uint32_t events, void* tag) {
        epoll_event event{events, {.ptr = tag}};
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) == 0) return true;
        c10k::log_syscall_error("epoll_ctl", errno);
        return false;
    }

    void dispatch(const epoll_event& event) {
        if (event.data.ptr == &kListener) return accept_clients();
        if (event.data.ptr == &kAllStop) {  // another loop stopped (a signal, or it failed)
            stopping_ = true;
            return;
        }
        auto& c = *static_cast<Connection*>(event.data.ptr);
        if (c.closed) return;  // closed earlier in this turn; freed after it
        if (c.side == Connection::Side::upstream && !static_cast<Upstream&>(c).connected)
            return finish_connect(static_cast<Upstream&>(c));
        if (event.events & EPOLLOUT) {
            send(c, {});
            sent(c);
        }
        if (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_from(c);
    }

    // ---- The hooks ------------------------------------------------------------------
    // slide-begin: interest
    // What the exchange wants of @p c, told to epoll only when it changed. Nothing wanted:
    // unregistered, or a hang-up would be reported again and again while nobody may read.
    void update_reading(Connection& c) override {
        if (c.closed) return;
        Interest& interest = interest_of(c);
        bool connecting = c.side == Connection::Side::upstream && !static_cast<Upstream&>(c).connected;
        bool to_write = connecting || !c.out.empty();  // EPOLLOUT: a connect finished, room to send
        std::uint32_t events = (may_read(c) ? EPOLLIN : 0u) | (to_write ? EPOLLOUT : 0u);
        if (interest.events == events && (interest.registered || events == 0)) return;
        int operation = !interest.registered ? EPOLL_CTL_ADD : events ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
        epoll_event event{events, {.ptr = &c}};
        if (::epoll_ctl(epoll_.get(), operation, c.fd.get(), &event) != 0)
            return c10k::log_syscall_error("epoll_ctl", errno);
        interest = {events, events != 0};
    }
    // slide-end: interest

    // As much of `out`, then of @p borrowed, as the socket takes now, in one call; the rest
    // waits in `out` for EPOLLOUT. A failed send is left to the read that follows it: a
    // socket the peer reset reports EPOLLERR, and its recv the reason.
    void send(Connection& c, std::string_view borrowed) override {
        while (!c.closed && (!c.out.empty() || !borrowed.empty())) {
            iovec pieces[2] = {{c.out.data(), c.out.size()}, {const_cast<char*>(borrowed.data()), borrowed.size()}};
            msghdr message{};
            message.msg_iov = c.out.empty() ? &pieces[1] : pieces;
            message.msg_iovlen = c.out.empty() || borrowed.empty() ? 1 : 2;
            ssize_t n = ::sendmsg(c.fd.get(), &message, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                if (errno != EAGAIN && errno != EPIPE && errno != ECONNRESET) c10k::log_syscall_error("sendmsg", errno);
                break;
            }
            auto from_out = std::min(static_cast<std::size_t>(n), c.out.size());
            c.out.erase(0, from_out);
            borrowed.remove_prefix(static_cast<std::size_t>(n) - from_out);
        }
        c.out.append(borrowed);  // what did not go is ours to keep now
        update_reading(c);
    }

    std::unique_ptr<Upstream> open_upstream() override {
        Fd fd = upstream_socket(config_.upstream, SOCK_NONBLOCK);
        if (!fd) return nullptr;
        auto u = std::make_unique<EpollUpstream>(std::move(fd));
        // A nonblocking connect: EPOLLOUT says it finished, SO_ERROR how.
        if (::connect(u->fd.get(), config_.upstream.get(), config_.upstream.length) != 0 && errno != EINPROGRESS) {
            c10k::log_syscall_error("connect", errno);
            return nullptr;
        }
        update_reading(*u);  // registers it for EPOLLOUT
        return u;
    }

    // Closing a socket takes it out of the interest list too: no epoll_ctl needed.
    void close(Connection& c) override { c.fd.reset(); }

    // ---- Reading and accepting ------------------------------------------------------
    // Reads while the exchange may take more, until EAGAIN -- or a short read, as sure a
    // sign that the socket is drained, and a recv cheaper. 64 KiB and room for a head: a
    // 64 KiB answer comes in one recv and leaves in one send.
    void read_from(Connection& c) {
        char buffer[65536 + 8192];
        while (may_read(c)) {
            ssize_t n = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return update_reading(c);
            if (n <= 0) {
                if (n < 0 && errno != ECONNRESET) c10k::log_syscall_error("recv", errno);
                return ended(c);
            }
            std::string_view bytes(buffer, static_cast<std::size_t>(n));
            if (c.side == Connection::Side::client) received(static_cast<Client&>(c), bytes);
            else received(static_cast<Upstream&>(c), bytes);
            if (static_cast<std::size_t>(n) < sizeof buffer) break;
        }
        update_reading(c);  // may_read() said no: stop asking, or a hang-up spins the loop
    }

    void finish_connect(Upstream& u) {
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(u.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        if (error != 0) return ended(u);  // refused: the client gets 502
        connected(u);
    }

    void accept_clients() {
        for (;;) {
            // Accepted sockets inherit TCP_NODELAY from the listener (main.cpp sets it).
            Fd fd{::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
            if (!fd) {
                // EAGAIN: all taken (or another worker got it); EMFILE: the next wake-up retries.
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) c10k::log_syscall_error("accept4", errno);
                return;
            }
            add(std::make_unique<EpollClient>(std::move(fd)));
        }
    }

    int listener_;
    int all_stop_;
    bool stopping_ = false;
    Fd epoll_;
};

}  // namespace

int run_epoll(Fd listener, const ProxyConfig& config) {
    int flags = ::fcntl(listener.get(), F_GETFL);
    if (flags < 0 || ::fcntl(listener.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
        c10k::log_syscall_error("fcntl", errno);
        return 1;
    }
    Fd all_stop{::eventfd(0, EFD_CLOEXEC)};
    if (!all_stop) {
        c10k::log_syscall_error("eventfd", errno);
        return 1;
    }
    // A loop that ends -- stopped, or failed -- wakes the others through all_stop.
    return run_workers(config.workers, [&](int) {
        int status = EpollLoop(listener.get(), config, all_stop.get()).run();
        ::eventfd_write(all_stop.get(), 1);  // cannot fail: the counter is far from its maximum
        return status;
    });
}

}  // namespace tinygate
