#include "load/load_generator.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <vector>

#include "c10k/fd.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/test_client.hpp"

namespace c10k::grader {
namespace {

struct Connection {
    enum class State { connecting, warming_up, waiting_for_window, running, finished, closed };
    Fd fd;
    State state = State::connecting;
    Bytes message;
    std::size_t sent = 0;
    std::size_t received = 0;
    long index = 0;  // messages started on this connection
    Clock::time_point started;  // when the current message's first byte was sent
};

class PingPongLoad {
public:
    PingPongLoad(const SocketAddress& server, const LoadOptions& options)
        : server_(server), options_(options), random_(options.seed),
          deadline_(options.timeout), connections_(static_cast<std::size_t>(options.connections)) {}

    LoadResult run() {
        epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (!epoll_) return fail(std::string("grader: epoll_create1: ") + std::strerror(errno));
        std::vector<epoll_event> events(1024);
        while (result_.failure.empty() && !result_.completed) {
            open_more_connections();
            if (!result_.failure.empty()) break;
            if (deadline_.expired()) return fail(timeout_message(options_.timeout, "load did not finish"));
            if (Clock::now() - last_progress_ > options_.stall_timeout)
                return fail(timeout_message(options_.stall_timeout, "no echo completed"));
            int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                                     std::min(deadline_.remaining_ms(), 100));
            if (ready < 0 && errno != EINTR) return fail(std::string("grader: epoll_wait: ") + std::strerror(errno));
            for (int i = 0; i < ready && result_.failure.empty() && !result_.completed; ++i)
                handle(events[i].data.u32, events[i].events);
        }
        return result_;
    }

private:
    LoadResult& fail(std::string why) {
        if (result_.failure.empty()) result_.failure = std::move(why);
        return result_;
    }

    std::string timeout_message(Seconds after, const std::string& what) const {
        long waiting = 0;
        for (const auto& c : connections_)
            if (c.state != Connection::State::finished && c.state != Connection::State::waiting_for_window &&
                c.state != Connection::State::closed)
                ++waiting;
        std::string phase = window_open_ ? std::to_string(result_.echoed) + " of " +
                                               std::to_string(options_.messages) + " messages echoed"
                                         : std::to_string(warmed_up_) + " of " + std::to_string(options_.connections) +
                                               " connections got their first echo";
        return what + " within " + seconds_text(after) + " s: " + phase + "; " +
               std::to_string(waiting) + " connections still waiting";
    }

    std::string where(std::size_t id) const {
        return "connection " + std::to_string(id + 1) + ", message " + std::to_string(connections_[id].index);
    }

    void open_more_connections() {
        while (opened_ < connections_.size() && pending_connects_ < options_.max_pending_connects) {
            std::size_t id = opened_++;
            Connection& c = connections_[id];
            c.fd.reset(::socket(server_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (!c.fd) {
                fail(std::string("grader: socket: ") + std::strerror(errno));
                return;
            }
            int on = 1;
            ::setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            if (::connect(c.fd.get(), server_.get(), server_.length) < 0 && errno != EINPROGRESS) {
                fail("connection " + std::to_string(id + 1) + ": connect: " + std::strerror(errno));
                return;
            }
            ++pending_connects_;
            watch(id, EPOLLOUT, EPOLL_CTL_ADD);
        }
    }

    void watch(std::size_t id, std::uint32_t events, int op) {
        epoll_event event{};
        event.events = events;
        event.data.u32 = static_cast<std::uint32_t>(id);
        ::epoll_ctl(epoll_.get(), op, connections_[id].fd.get(), &event);
    }

    void handle(std::size_t id, std::uint32_t events) {
        Connection& c = connections_[id];
        if (c.state == Connection::State::connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err) {
                closed_early(id, std::string("connect: ") + std::strerror(err));
                return;
            }
            --pending_connects_;
            last_progress_ = Clock::now();
            c.state = Connection::State::warming_up;
            start_message(id);
            return;
        }
        if ((events & EPOLLOUT) && c.sent < c.message.size()) send_more(id);
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(id);
    }

    void start_message(std::size_t id) {
        Connection& c = connections_[id];
        c.message = random_bytes(options_.message_size, random_);
        c.sent = c.received = 0;
        c.started = Clock::now();
        ++c.index;
        if (window_open_) ++started_in_window_;
        send_more(id);
    }

    void send_more(std::size_t id) {
        Connection& c = connections_[id];
        ssize_t n = ::send(c.fd.get(), c.message.data() + c.sent, c.message.size() - c.sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            closed_early(id, std::string("send: ") + std::strerror(errno));
            return;
        }
        if (n > 0) c.sent += static_cast<std::size_t>(n);
        // Ask for writability only while something is left to send.
        watch(id, c.sent < c.message.size() ? EPOLLIN | EPOLLOUT : EPOLLIN, EPOLL_CTL_MOD);
    }

    void receive(std::size_t id) {
        Connection& c = connections_[id];
        std::uint8_t buffer[65536];
        ssize_t n = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) closed_early(id, std::string("recv: ") + std::strerror(errno));
            return;
        }
        if (n == 0) {
            closed_early(id, "server closed the connection after " + std::to_string(c.received) + " of " +
                                 std::to_string(c.message.size()) + " bytes");
            return;
        }
        auto size = static_cast<std::size_t>(n);
        if (c.received + size > c.message.size() || c.state == Connection::State::finished) {
            fail(where(id) + ": got " + std::to_string(c.received + size) + " bytes back for a " +
                 std::to_string(c.message.size()) + "-byte message (more than was sent)");
            return;
        }
        if (auto offset = first_difference(std::span(c.message).subspan(c.received, size),
                                           std::span(buffer, size))) {
            char line[96];
            std::snprintf(line, sizeof line, ": byte %zu differs: expected 0x%02x, got 0x%02x",
                          c.received + *offset, c.message[c.received + *offset], buffer[*offset]);
            fail(where(id) + line);
            return;
        }
        c.received += size;
        if (c.received == c.message.size()) message_echoed(id);
    }

    // The server ended a connection. Before its first echo that may be allowed (a select
    // server refusing fds past FD_SETSIZE); anything else is a failure.
    void closed_early(std::size_t id, const std::string& what) {
        Connection& c = connections_[id];
        bool first_message = c.state == Connection::State::warming_up || c.state == Connection::State::connecting;
        if (!first_message || result_.closed_by_server >= options_.may_close) {
            fail(where(id) + ": " + what);
            return;
        }
        if (c.state == Connection::State::connecting) --pending_connects_;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
        c.fd.reset();
        c.state = Connection::State::closed;
        ++result_.closed_by_server;
        last_progress_ = Clock::now();
        if (++warmed_up_ == connections_.size()) open_window();
    }

    void message_echoed(std::size_t id) {
        Connection& c = connections_[id];
        last_progress_ = Clock::now();
        if (options_.record_latency && c.state == Connection::State::running)
            result_.latencies_us.push_back(std::chrono::duration<double, std::micro>(last_progress_ - c.started).count());
        if (c.state == Connection::State::warming_up) {
            c.state = Connection::State::waiting_for_window;
            if (++warmed_up_ == connections_.size()) open_window();
            return;
        }
        if (++result_.echoed == options_.messages) {
            result_.window_end = wall_clock_seconds();
            result_.completed = true;
            return;
        }
        if (started_in_window_ < options_.messages) start_message(id);
        else c.state = Connection::State::finished;
    }

    void open_window() {
        window_open_ = true;
        result_.window_start = wall_clock_seconds();
        for (std::size_t id = 0; id < connections_.size() && started_in_window_ < options_.messages; ++id) {
            if (connections_[id].state == Connection::State::closed) continue;
            connections_[id].state = Connection::State::running;
            start_message(id);
        }
    }

    SocketAddress server_;
    LoadOptions options_;
    std::mt19937_64 random_;
    Deadline deadline_;
    Fd epoll_;
    std::vector<Connection> connections_;
    std::size_t opened_ = 0;
    int pending_connects_ = 0;
    std::size_t warmed_up_ = 0;
    bool window_open_ = false;
    long started_in_window_ = 0;
    LoadResult result_;
    Clock::time_point last_progress_ = Clock::now();
};

}  // namespace

LatencySummary LoadResult::latency() const {
    LatencySummary summary;
    if (latencies_us.empty()) return summary;
    std::vector<double> sorted = latencies_us;
    std::ranges::sort(sorted);
    auto at = [&](double q) { return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * double(sorted.size())))]; };
    summary.p50 = at(0.50);
    summary.p99 = at(0.99);
    summary.max = sorted.back();
    return summary;
}

LoadResult run_ping_pong_load(const SocketAddress& server, const LoadOptions& options) {
    return PingPongLoad(server, options).run();
}

}  // namespace c10k::grader
