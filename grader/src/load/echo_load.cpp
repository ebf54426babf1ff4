#include "load/echo_load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "load/echo_pattern.hpp"
#include "load/local_only.hpp"

namespace c10k::grader {
namespace {

// The listen backlog is finite: this many connects in flight at once, per thread.
constexpr int kMaxPendingConnects = 128;

enum class Phase { warm_up, measure, drain, stop };

// What the threads share: the phase the coordinator sets, and what they report back.
struct Shared {
    explicit Shared(const LoadOptions& options) : options(options) {}
    const LoadOptions& options;
    std::atomic<Phase> phase{Phase::warm_up};
    std::atomic<long> settled{0};     // connections whose first echo came back, or that were closed (allowed)
    std::atomic<int> closed_by_server{0};
    std::atomic<long> started{0};     // messages started inside the window
    std::atomic<long> echoed{0};      // ...and echoed
    std::atomic<long> in_flight{0};   // messages sent and not yet echoed, every phase
    std::atomic<bool> failed{false};
    std::atomic<bool> stalled{false};  // the coordinator gave up waiting for echoes
    std::atomic<long> errors{0};
    std::atomic<int> finished_workers{0};
    std::mutex mutex;                 // guards the two below
    std::string failure;
    double last_echo_wall = 0;        // when the window's last counted message came back

    void fail(std::string why) {
        errors.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex);
        if (failure.empty()) failure = std::move(why);
        failed.store(true);
    }
    // A connection closed before its first echo: allowed up to options.may_close times.
    bool allow_early_close() {
        int closed = closed_by_server.load();
        while (closed < options.may_close)
            if (closed_by_server.compare_exchange_weak(closed, closed + 1)) return true;
        return false;
    }
    // Count mode: may one more message start inside the window?
    bool may_start() {
        return options.messages <= 0 || started.fetch_add(1, std::memory_order_relaxed) < options.messages;
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
    Worker(const LoadOptions& options, Shared& shared, const EchoPattern& pattern, std::uint64_t first_id,
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

    /// A connected, active connection still waiting for an echo, or -1.
    [[nodiscard]] int waiting_fd() const {
        for (const Connection& c : connections_)
            if (c.fd && !c.connecting && !c.idle && c.received < c.queued) return c.fd.get();
        return -1;
    }
    [[nodiscard]] long messages() const { return messages_.load(std::memory_order_relaxed); }

private:
    void fail(const Connection& c, const std::string& what) {
        shared_.fail("connection " + std::to_string(c.id + 1) + ": " + what);
    }

    void open_more_connections() {
        while (opened_ < connections_.size() && pending_connects_ < kMaxPendingConnects) {
            Connection& c = connections_[opened_];
            c.fd.reset(::socket(options_.server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (!c.fd) return fail(c, std::string("socket: ") + std::strerror(errno) +
                                          (errno == EMFILE ? " (raise the open-file limit: ulimit -n)" : ""));
            int on = 1;
            ::setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            if (options_.connections + options_.idle_connections > 1000)
                spread_source_address(c.fd.get(), options_.server, c.id);
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
            if (err) return closed(c, std::string("connect: ") + std::strerror(err));
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
        shared_.in_flight.fetch_add(1, std::memory_order_relaxed);
        send_more(c);
    }

    void send_more(Connection& c) {
        while (c.sent < c.queued) {
            auto bytes = pattern_.bytes(c.id, c.sent, static_cast<std::size_t>(c.queued - c.sent));
            ssize_t n = ::send(c.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) break;
                return closed(c, std::string("send: ") + std::strerror(errno));
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
                closed(c, "the server closed the connection abruptly, with " + std::to_string(c.queued - c.received) +
                              " bytes still to echo (recv: " + std::strerror(errno) + ")");
            else if (errno != EAGAIN && errno != EINTR)
                closed(c, std::string("recv: ") + std::strerror(errno));
            return;
        }
        if (n == 0) {
            return closed(c, "the server closed the connection with " + std::to_string(c.queued - c.received) +
                                 " bytes still to echo");
        }
        auto size = static_cast<std::size_t>(n);
        if (c.received + size > c.sent) {
            return fail(c, "got " + std::to_string(c.received + size) + " bytes back but only " +
                               std::to_string(c.sent) + " were sent");
        }
        if (auto at = pattern_.first_mismatch(c.id, c.received, {buffer, size})) {
            char line[128];
            std::uint64_t offset = c.received + *at;
            std::snprintf(line, sizeof line, "byte %llu of the stream differs: expected 0x%02x, got 0x%02x",
                          static_cast<unsigned long long>(offset), pattern_.expected(c.id, offset), buffer[*at]);
            std::string what = line;
            // Which of the two a duplicating server shows depends on timing: the extra copy
            // arrives in the same recv (more bytes than sent) or after the next message went out.
            if (auto from = pattern_.repeats_from(c.id, offset, {buffer + *at, size - *at}))
                what += ", repeating byte " + std::to_string(*from) +
                        " on: more bytes came back than were sent (echo each byte once)";
            return fail(c, what);
        }
        c.received += size;
        while (c.received >= (c.messages_done + 1) * options_.message_size) message_echoed(c);
    }

    // The server ended a connection. Before its first echo that may be allowed (a select
    // server refusing descriptors past FD_SETSIZE); anything else is a failure.
    void closed(Connection& c, const std::string& what) {
        if (c.warmed_up || !shared_.allow_early_close()) return fail(c, what);
        if (c.connecting) --pending_connects_;
        long unanswered = static_cast<long>((c.queued - c.messages_done * options_.message_size) / options_.message_size);
        in_flight_ -= unanswered;
        shared_.in_flight.fetch_sub(unanswered, std::memory_order_relaxed);
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
        c.fd.reset();
        shared_.settled.fetch_add(1, std::memory_order_release);
    }

    void message_echoed(Connection& c) {
        std::size_t slot = c.messages_done % c.send_times.size();
        ++c.messages_done;
        --in_flight_;
        shared_.in_flight.fetch_sub(1, std::memory_order_relaxed);
        Phase phase = shared_.phase.load(std::memory_order_acquire);
        if (!c.warmed_up) {
            c.warmed_up = true;
            shared_.settled.fetch_add(1, std::memory_order_release);
            return;  // the window starts everyone together
        }
        if (phase != Phase::measure) return;
        messages_.fetch_add(1, std::memory_order_relaxed);
        if (c.timed[slot])
            latency_.record(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c.send_times[slot]).count()));
        if (shared_.echoed.fetch_add(1, std::memory_order_acq_rel) + 1 == options_.messages) {
            std::lock_guard lock(shared_.mutex);
            shared_.last_echo_wall = wall_clock_seconds();
        }
        if (shared_.may_start()) start_message(c, true);
    }

    void start_measuring() {
        for (auto& c : connections_)
            if (c.fd && !c.idle && c.warmed_up)
                for (int i = 0; i < options_.pipeline && shared_.may_start(); ++i) start_message(c, true);
    }

    const LoadOptions& options_;
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

// The coordinator: runs the phases on the caller's thread while the workers do the I/O.
class Coordinator {
public:
    explicit Coordinator(const LoadOptions& options)
        : options_(options), shared_(options),
          pattern_(options.seed, std::max<std::size_t>(1u << 20, 2 * options.message_size)),
          everyone_(options.connections + options.idle_connections),
          deadline_(options.timeout.count() > 0
                        ? options.timeout
                        : options.warmup_timeout + (options.messages > 0 ? Seconds(60) : options.duration) +
                              options.drain_timeout) {}

    LoadResult run() {
        start_workers();
        if (!warm_up()) return finish(Phase::stop);
        if (options_.on_window_open) options_.on_window_open();
        result_.window_start = wall_clock_seconds();
        set_phase(Phase::measure);
        bool measured = measure();
        set_phase(Phase::drain);
        result_.window_end = wall_clock_seconds();
        if (options_.messages > 0 && measured) {
            std::lock_guard lock(shared_.mutex);
            result_.window_end = shared_.last_echo_wall;  // the exact end, for matching a trace
        }
        if (options_.on_window_close) options_.on_window_close();
        if (!measured) return finish(Phase::stop);
        drain();
        return finish(Phase::stop);
    }

private:
    void start_workers() {
        int threads = std::clamp(options_.threads, 1, std::max(1, static_cast<int>(everyone_)));
        std::uint64_t next_id = 0;
        for (int t = 0; t < threads; ++t) {
            // Spread active and idle connections evenly over the threads.
            int active = options_.connections / threads + (t < options_.connections % threads);
            int idle = options_.idle_connections / threads + (t < options_.idle_connections % threads);
            workers_.push_back(std::make_unique<Worker>(options_, shared_, pattern_, next_id, active, idle));
            next_id += static_cast<std::uint64_t>(active + idle);
        }
        for (auto& worker : workers_)
            running_.emplace_back([&worker, this] {
                worker->run();
                shared_.finished_workers.fetch_add(1);
            });
    }

    // Every connection connected and echoed once (or was closed, where allowed), so the
    // window holds no connects.
    bool warm_up() {
        Deadline warm_up(options_.warmup_timeout);
        while (shared_.settled.load(std::memory_order_acquire) < everyone_ && !shared_.failed) {
            if (warm_up.expired()) {
                shared_.stalled = true;
                shared_.fail("only " + std::to_string(shared_.settled.load()) + " of " + std::to_string(everyone_) +
                             " connections connected and got their first echo within " +
                             seconds_text(options_.warmup_timeout) + " s");
                break;
            }
            check_bounds(shared_.settled.load());
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return !shared_.failed;
    }

    bool measure() {
        auto started = Clock::now();
        auto next_progress = started + std::chrono::milliseconds(500);
        auto done = [&] {
            return options_.messages > 0 ? shared_.echoed.load() >= options_.messages
                                         : Clock::now() - started >= options_.duration;
        };
        while (!shared_.failed && !done()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(options_.messages > 0 ? 2 : 10));
            check_bounds(everyone_ + shared_.echoed.load());
            if (options_.on_progress && Clock::now() >= next_progress) {
                options_.on_progress({Seconds(Clock::now() - started).count(), messages()});
                next_progress += std::chrono::milliseconds(500);
            }
        }
        return !shared_.failed;
    }

    // Drain: the echoes still in flight must come back too (checked, not counted); a
    // server that swallows them costs drain_timeout, no more.
    void drain() {
        Deadline drain(options_.drain_timeout);
        int threads = static_cast<int>(workers_.size());
        while (shared_.finished_workers.load() < threads && !drain.expired())
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        if (shared_.finished_workers.load() < threads && !shared_.failed) {
            shared_.stalled = true;
            shared_.fail("echoes still missing " + seconds_text(options_.drain_timeout) +
                         " s after the measurement ended");
        }
    }

    // A server that stops echoing is named after stall_timeout; no load outlives its timeout.
    void check_bounds(long progress) {
        auto now = Clock::now();
        if (progress != last_progress_) {
            last_progress_ = progress;
            last_progress_at_ = now;
        }
        bool stalled = now - last_progress_at_ > options_.stall_timeout;
        if (stalled || deadline_.expired()) shared_.stalled = true;
        if (stalled)
            shared_.fail("no echo completed within " + seconds_text(options_.stall_timeout) + " s: " + where_we_are());
        else if (deadline_.expired())
            shared_.fail("load did not finish within " + seconds_text(deadline_.budget()) + " s: " + where_we_are());
    }

    std::string where_we_are() const {
        std::string phase =
            shared_.phase.load() == Phase::warm_up
                ? std::to_string(shared_.settled.load()) + " of " + std::to_string(everyone_) +
                      " connections got their first echo"
                : std::to_string(shared_.echoed.load()) +
                      (options_.messages > 0 ? " of " + std::to_string(options_.messages) : std::string()) +
                      " messages echoed";
        return phase + "; " + std::to_string(shared_.in_flight.load()) + " messages still unanswered";
    }

    void set_phase(Phase phase) {
        shared_.phase.store(phase, std::memory_order_release);
        for (auto& worker : workers_) worker->wake();
    }

    long messages() const {
        long total = 0;
        for (const auto& worker : workers_) total += worker->messages();
        return total;
    }

    LoadResult finish(Phase last) {
        set_phase(last);
        for (auto& thread : running_) thread.join();
        result_.errors = shared_.errors.load();
        result_.failure = shared_.failure;
        result_.ok = result_.failure.empty();
        result_.stalled = !result_.ok && shared_.stalled;
        if (result_.stalled && options_.on_stall) report_a_waiting_connection();
        result_.closed_by_server = shared_.closed_by_server.load();
        for (auto& worker : workers_) {
            result_.latency.merge(worker->latency());
            result_.messages += worker->messages();
        }
        return result_;
    }

    // The workers have stopped but still hold their connections open.
    void report_a_waiting_connection() {
        for (const auto& worker : workers_) {
            int fd = worker->waiting_fd();
            sockaddr_storage address{};
            socklen_t length = sizeof address;
            if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) continue;
            std::uint16_t port = address.ss_family == AF_INET6
                                     ? ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port)
                                     : ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
            options_.on_stall(port);
            return;
        }
    }

    const LoadOptions& options_;
    Shared shared_;
    EchoPattern pattern_;
    long everyone_;
    Deadline deadline_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> running_;
    long last_progress_ = -1;
    Clock::time_point last_progress_at_ = Clock::now();
    LoadResult result_;
};

}  // namespace

LoadResult run_load(const LoadOptions& options) { return Coordinator(options).run(); }

}  // namespace c10k::grader
