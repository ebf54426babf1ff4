#include "load/bench_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "load/echo_pattern.hpp"

namespace c10k::grader {
namespace {

enum class Phase { warm_up, measure, drain, stop };

// What the threads share: the phase the coordinator sets, and what they report back.
struct Shared {
    std::atomic<Phase> phase{Phase::warm_up};
    std::atomic<long> warmed_up{0};   // connections whose first echo came back
    std::atomic<bool> failed{false};
    std::mutex failure_mutex;
    std::string failure;
    std::atomic<long> errors{0};
    std::atomic<int> finished_workers{0};

    void fail(std::string why) {
        errors.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(failure_mutex);
        if (failure.empty()) failure = std::move(why);
        failed.store(true);
    }
};

struct Connection {
    Fd fd;
    std::uint64_t id = 0;           // global index: picks the connection's byte stream
    bool idle = false;
    bool connecting = true;
    bool warmed_up = false;
    std::uint64_t queued = 0;       // stream bytes handed to us to send (whole messages)
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t messages_done = 0;
    std::uint32_t interest = 0;
    std::vector<Clock::time_point> send_times;  // ring: one per message in flight
    std::vector<bool> timed;                    // ...and whether it started inside the window
};

// One thread: its own epoll and its own slice of the connections.
class Worker {
public:
    Worker(const BenchOptions& options, Shared& shared, const EchoPattern& pattern, std::uint64_t first_id,
           int active, int idle)
        : options_(options), shared_(shared), pattern_(pattern), connections_(static_cast<std::size_t>(active + idle)) {
        for (std::size_t i = 0; i < connections_.size(); ++i) {
            connections_[i].id = first_id + i;
            connections_[i].idle = i >= static_cast<std::size_t>(active);
            connections_[i].send_times.resize(static_cast<std::size_t>(options.pipeline));
            connections_[i].timed.resize(static_cast<std::size_t>(options.pipeline));
        }
    }

    void run() {
        epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (!epoll_) return shared_.fail(std::string("epoll_create1: ") + std::strerror(errno));
        epoll_event wake{};
        wake.events = EPOLLIN;
        wake.data.u32 = wake_marker;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &wake);
        std::vector<epoll_event> events(512);
        Phase seen = Phase::warm_up;
        while (!shared_.failed.load(std::memory_order_relaxed)) {
            Phase phase = shared_.phase.load(std::memory_order_acquire);
            if (phase == Phase::stop) break;
            if (phase == Phase::measure && seen == Phase::warm_up) start_measuring();
            if (phase == Phase::drain && in_flight_ == 0) break;
            seen = phase;
            open_more_connections();
            int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 20);
            if (ready < 0 && errno != EINTR) return shared_.fail(std::string("epoll_wait: ") + std::strerror(errno));
            for (int i = 0; i < ready; ++i) {
                if (events[i].data.u32 == wake_marker) {
                    std::uint64_t count;
                    [[maybe_unused]] auto ignored = ::read(wake_.get(), &count, sizeof count);
                } else {
                    handle(connections_[events[i].data.u32], events[i].events);
                }
            }
        }
    }

    /// Ends the worker's epoll_wait at once: the phase changed.
    void wake() {
        std::uint64_t one = 1;
        [[maybe_unused]] auto ignored = ::write(wake_.get(), &one, sizeof one);
    }

    [[nodiscard]] const LatencyHistogram& latency() const { return latency_; }
    [[nodiscard]] long messages() const { return messages_.load(std::memory_order_relaxed); }

private:
    void fail(const Connection& c, const std::string& what) {
        shared_.fail("connection " + std::to_string(c.id + 1) + ": " + what);
    }

    void open_more_connections() {
        // The listen backlog is finite: keep a bounded number of connects in flight.
        while (opened_ < connections_.size() && pending_connects_ < 128) {
            Connection& c = connections_[opened_];
            c.fd.reset(::socket(options_.server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (!c.fd) return fail(c, std::string("socket: ") + std::strerror(errno) +
                                          (errno == EMFILE ? " (raise the open-file limit: ulimit -n)" : ""));
            int on = 1;
            ::setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            spread_source_address(c);
            if (::connect(c.fd.get(), options_.server.get(), options_.server.length) < 0 && errno != EINPROGRESS)
                return fail(c, std::string("connect: ") + std::strerror(errno));
            ++opened_;
            ++pending_connects_;
            epoll_event event{};
            event.events = EPOLLOUT;
            event.data.u32 = static_cast<std::uint32_t>(&c - connections_.data());
            c.interest = EPOLLOUT;
            ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c.fd.get(), &event);
        }
    }

    // Thousands of connections from 127.0.0.1 to one port reuse ports still in TIME_WAIT
    // from the previous run; 127.0.0.0/8 is all local, so spread the sources over it.
    void spread_source_address(Connection& c) {
        const auto* server = reinterpret_cast<const sockaddr_in*>(options_.server.get());
        std::size_t total = static_cast<std::size_t>(options_.connections + options_.idle_connections);
        if (options_.server.family() != AF_INET || total <= 1000 || (ntohl(server->sin_addr.s_addr) >> 24) != 127)
            return;
        int on = 1;
        ::setsockopt(c.fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
        sockaddr_in source{};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl((127u << 24) | static_cast<std::uint32_t>(2 + c.id % 250));
        ::bind(c.fd.get(), reinterpret_cast<const sockaddr*>(&source), sizeof source);
    }

    void set_interest(Connection& c, std::uint32_t events) {
        if (c.interest == events) return;
        epoll_event event{};
        event.events = events;
        event.data.u32 = static_cast<std::uint32_t>(&c - connections_.data());
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &event);
        c.interest = events;
    }

    void handle(Connection& c, std::uint32_t events) {
        if (!c.fd) return;
        if (c.connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err) return fail(c, std::string("connect: ") + std::strerror(err));
            c.connecting = false;
            --pending_connects_;
            start_message(c, false);  // the warm-up echo
            return;
        }
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(c);
        if (c.fd && (events & EPOLLOUT)) send_more(c);
    }

    void start_message(Connection& c, bool timed) {
        std::size_t slot = (c.queued / options_.message_size) % c.send_times.size();  // this message's index
        c.send_times[slot] = Clock::now();
        c.timed[slot] = timed;
        c.queued += options_.message_size;
        ++in_flight_;
        send_more(c);
    }

    void send_more(Connection& c) {
        while (c.sent < c.queued) {
            auto bytes = pattern_.bytes(c.id, c.sent, static_cast<std::size_t>(c.queued - c.sent));
            ssize_t n = ::send(c.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) break;
                return fail(c, std::string("send: ") + std::strerror(errno));
            }
            c.sent += static_cast<std::uint64_t>(n);
        }
        set_interest(c, c.sent < c.queued ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }

    void receive(Connection& c) {
        std::uint8_t buffer[65536];
        ssize_t n = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
        if (n < 0) {
            if (errno == ECONNRESET)
                fail(c, "the server closed the connection abruptly, with " + std::to_string(c.queued - c.received) +
                            " bytes still to echo (recv: " + std::strerror(errno) + ")");
            else if (errno != EAGAIN && errno != EINTR)
                fail(c, std::string("recv: ") + std::strerror(errno));
            return;
        }
        if (n == 0) {
            return fail(c, "the server closed the connection with " + std::to_string(c.queued - c.received) +
                               " bytes still to echo");
        }
        auto size = static_cast<std::size_t>(n);
        if (c.received + size > c.sent) {
            return fail(c, "got " + std::to_string(c.received + size) + " bytes back but only " +
                               std::to_string(c.sent) + " were sent");
        }
        if (auto at = pattern_.first_mismatch(c.id, c.received, {buffer, size})) {
            char line[128];
            std::snprintf(line, sizeof line, "byte %llu of the stream differs: expected 0x%02x, got 0x%02x",
                          static_cast<unsigned long long>(c.received + *at), pattern_.expected(c.id, c.received + *at),
                          buffer[*at]);
            return fail(c, line);
        }
        c.received += size;
        while (c.received >= (c.messages_done + 1) * options_.message_size) message_echoed(c);
    }

    void message_echoed(Connection& c) {
        std::size_t slot = c.messages_done % c.send_times.size();
        ++c.messages_done;
        --in_flight_;
        Phase phase = shared_.phase.load(std::memory_order_acquire);
        if (!c.warmed_up) {
            c.warmed_up = true;
            shared_.warmed_up.fetch_add(1, std::memory_order_release);
            return;  // the window starts everyone together
        }
        if (phase != Phase::measure) return;
        messages_.fetch_add(1, std::memory_order_relaxed);
        if (c.timed[slot])
            latency_.record(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c.send_times[slot]).count()));
        start_message(c, true);
    }

    void start_measuring() {
        for (auto& c : connections_)
            if (c.fd && !c.idle && c.warmed_up)
                for (int i = 0; i < options_.pipeline; ++i) start_message(c, true);
    }

    const BenchOptions& options_;
    Shared& shared_;
    const EchoPattern& pattern_;
    static constexpr std::uint32_t wake_marker = UINT32_MAX;
    Fd epoll_;
    Fd wake_{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
    std::vector<Connection> connections_;
    std::size_t opened_ = 0;
    int pending_connects_ = 0;
    long in_flight_ = 0;
    std::atomic<long> messages_{0};
    LatencyHistogram latency_;
};

}  // namespace

BenchResult run_bench(const BenchOptions& options) {
    BenchResult result;
    Shared shared;
    EchoPattern pattern(options.seed, std::max<std::size_t>(1u << 20, 2 * options.message_size));
    int threads = std::clamp(options.threads, 1, std::max(1, options.connections + options.idle_connections));
    std::vector<std::unique_ptr<Worker>> workers;
    std::uint64_t next_id = 0;
    for (int t = 0; t < threads; ++t) {
        // Spread active and idle connections evenly over the threads.
        int active = options.connections / threads + (t < options.connections % threads);
        int idle = options.idle_connections / threads + (t < options.idle_connections % threads);
        workers.push_back(std::make_unique<Worker>(options, shared, pattern, next_id, active, idle));
        next_id += static_cast<std::uint64_t>(active + idle);
    }
    std::vector<std::thread> running;
    for (auto& worker : workers)
        running.emplace_back([&worker, &shared] {
            worker->run();
            shared.finished_workers.fetch_add(1);
        });

    auto set_phase = [&](Phase phase) {
        shared.phase.store(phase, std::memory_order_release);
        for (auto& worker : workers) worker->wake();
    };
    auto finish = [&](Phase last) {
        set_phase(last);
        for (auto& thread : running) thread.join();
        result.errors = shared.errors.load();
        result.failure = shared.failure;
        result.ok = result.failure.empty();
        for (auto& worker : workers) {
            result.latency.merge(worker->latency());
            result.messages += worker->messages();
        }
        return result;
    };
    auto sum_messages = [&] {
        long total = 0;
        for (auto& worker : workers) total += worker->messages();
        return total;
    };

    // Warm up: every connection connected and echoed once, so the window holds no connects.
    long everyone = options.connections + options.idle_connections;
    Deadline warm_up(options.warmup_timeout);
    while (shared.warmed_up.load(std::memory_order_acquire) < everyone && !shared.failed && !warm_up.expired())
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (shared.warmed_up.load() < everyone && !shared.failed) {
        shared.fail("only " + std::to_string(shared.warmed_up.load()) + " of " + std::to_string(everyone) +
                    " connections connected and got their first echo within " +
                    std::to_string(static_cast<int>(options.warmup_timeout.count())) + " s");
    }
    if (shared.failed) return finish(Phase::stop);

    if (options.on_window_open) options.on_window_open();
    result.window_start = wall_clock_seconds();
    set_phase(Phase::measure);
    auto started = Clock::now();
    auto next_progress = started + std::chrono::milliseconds(500);
    while (!shared.failed && Clock::now() - started < options.duration) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (options.on_progress && Clock::now() >= next_progress) {
            options.on_progress({Seconds(Clock::now() - started).count(), sum_messages()});
            next_progress += std::chrono::milliseconds(500);
        }
    }
    set_phase(Phase::drain);
    result.window_end = wall_clock_seconds();
    if (options.on_window_close) options.on_window_close();

    // Drain: the echoes still in flight must come back too (checked, not counted); a
    // server that swallows them costs drain_timeout, no more.
    Deadline drain(options.drain_timeout);
    while (shared.finished_workers.load() < threads && !drain.expired())
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (shared.finished_workers.load() < threads && !shared.failed)
        shared.fail("echoes still missing " + std::to_string(static_cast<int>(options.drain_timeout.count())) +
                    " s after the measurement ended");
    return finish(Phase::stop);
}

}  // namespace c10k::grader

namespace c10k::grader {
namespace {
bool is_loopback(const SocketAddress& address) {
    if (address.family() == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address.get());
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (address.family() == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address.get());
        if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) return true;
        return IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) && v6->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

// Inside a network namespace other than init's, no traffic can leave the machine
// unless someone built a path out on purpose (veth pairs in a test set-up).
bool in_own_network_namespace() {
    struct stat mine {}, machine {};
    if (::stat("/proc/self/ns/net", &mine) != 0 || ::stat("/proc/1/ns/net", &machine) != 0) return false;
    return mine.st_ino != machine.st_ino || mine.st_dev != machine.st_dev;
}
}  // namespace

std::string refuse_non_local_address(const SocketAddress& address) {
    if (is_loopback(address) || in_own_network_namespace()) return {};
    return "only loopback addresses (127.0.0.0/8, ::1) may be benchmarked, or any address from inside a "
           "network namespace of your own (ip netns exec NAME c10k-bench ...)";
}

}  // namespace c10k::grader
