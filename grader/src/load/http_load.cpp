#include "load/http_load.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "c10k/http/parser.hpp"
#include "load/local_only.hpp"
#include "origin/body_pattern.hpp"

namespace c10k::grader {
namespace {

constexpr std::uint64_t kBodySeed = 1;  // the origin's default for /bytes/N

// What the load's threads share: the first failure, and counters the caller watches.
struct SharedState {
    std::atomic<int> ready{0};            // connections warmed up (idle ones: connected)
    std::atomic<bool> window_open{false};
    std::atomic<bool> stop{false};
    std::atomic<long> in_window{0};       // responses completed inside the window
    std::atomic<long> completed{0};       // all responses, to see a stall
    std::mutex mutex;
    std::string failure;

    void fail(const std::string& why) {
        std::lock_guard lock(mutex);
        if (failure.empty()) failure = why;
        stop = true;
    }
    std::string first_failure() {
        std::lock_guard lock(mutex);
        return failure;
    }
};

// One thread's connections and its epoll instance.
// Up to 32 bytes as text, the unprintable ones as \xNN: a response head where a body should
// be is then plain to see.
std::string printable(std::string_view bytes) {
    std::string text = "\"";
    for (unsigned char byte : bytes) {
        if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
            text += static_cast<char>(byte);
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, byte == '\r' ? "\\r" : byte == '\n' ? "\\n" : "\\x%02x", byte);
            text += escaped;
        }
    }
    return text + "\"";
}

class LoadThread {
public:
    LoadThread(const HttpLoadOptions& options, SharedState& shared, const std::string& request,
               const std::string& expected_body, std::vector<int> ids)
        : options_(options), shared_(shared), request_(request), expected_(expected_body),
          epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
        connections_.resize(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            connections_[i].id = ids[i];
            connections_[i].idle = ids[i] >= options.connections;
        }
    }

    void run() {
        if (!epoll_) return shared_.fail(std::string("epoll_create1: ") + std::strerror(errno));
        for (auto& c : connections_) open(c);
        std::vector<epoll_event> events(256);
        while (!shared_.stop.load(std::memory_order_relaxed)) {
            int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 50);
            for (int i = 0; i < n && !shared_.stop.load(std::memory_order_relaxed); ++i)
                handle(connections_[events[i].data.u32], events[i].events);
        }
    }

    LatencyHistogram latency;

private:
    struct Connection {
        int id = 0;
        bool idle = false;
        bool warmed = false;
        bool connecting = false;
        Fd fd;
        std::size_t sent = 0;                 // bytes of the current request sent
        std::uint64_t body = 0;               // body bytes of the current response so far
        bool timed = false;                   // the request went out inside the window
        Clock::time_point started;
        http::Parser parser{http::Parser::Kind::responses};
    };

    void fail(const Connection& c, const std::string& what) {
        shared_.fail("connection " + std::to_string(c.id + 1) + ": " + what);
    }

    void open(Connection& c) {
        c.fd.reset(::socket(options_.server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!c.fd)
            return fail(c, std::string("socket: ") + std::strerror(errno) +
                               (errno == EMFILE ? " (raise the open-file limit: ulimit -n)" : ""));
        int on = 1;
        ::setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        if (options_.close_each || options_.connections + options_.idle_connections > 1000)
            spread_source_address(c.fd.get(), options_.server, next_source_++);
        if (::connect(c.fd.get(), options_.server.get(), options_.server.length) < 0 && errno != EINPROGRESS)
            return fail(c, std::string("connect: ") + std::strerror(errno));
        c.connecting = true;
        c.parser = http::Parser(http::Parser::Kind::responses);
        epoll_event event{};
        event.events = EPOLLOUT;
        event.data.u32 = static_cast<std::uint32_t>(&c - connections_.data());
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c.fd.get(), &event);
    }

    void watch(Connection& c, std::uint32_t events) {
        epoll_event event{};
        event.events = events;
        event.data.u32 = static_cast<std::uint32_t>(&c - connections_.data());
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &event);
    }

    void handle(Connection& c, std::uint32_t events) {
        if (!c.fd) return;
        if (c.connecting) {
            int err = 0;
            socklen_t length = sizeof err;
            ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &length);
            if (err) return fail(c, std::string("connect: ") + std::strerror(err));
            c.connecting = false;
            if (c.idle) {  // connected is all an idle connection does; EPOLLIN tells of a close
                watch(c, EPOLLIN);
                c.warmed = true;
                shared_.ready.fetch_add(1);
                return;
            }
            return start_request(c);
        }
        if (c.idle) return fail(c, "the proxy closed an idle connection (or sent on it unasked)");
        if (events & EPOLLOUT) send_more(c);
        if (c.fd && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) receive(c);
    }

    void start_request(Connection& c) {
        c.sent = 0;
        c.body = 0;
        c.timed = shared_.window_open.load(std::memory_order_relaxed);
        c.started = Clock::now();
        send_more(c);
    }

    void send_more(Connection& c) {
        while (c.sent < request_.size()) {
            ssize_t n = ::send(c.fd.get(), request_.data() + c.sent, request_.size() - c.sent, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN) break;
                return fail(c, std::string("send: ") + std::strerror(errno));
            }
            c.sent += static_cast<std::size_t>(n);
        }
        watch(c, c.sent < request_.size() ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }

    void receive(Connection& c) {
        char buffer[65536];
        ssize_t n = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            return fail(c, std::string("recv: ") + std::strerror(errno) + " " + progress(c));
        }
        auto on_body = [&](std::string_view bytes) { check_body(c, bytes); };
        if (n == 0) {
            http::Parser::Progress end = c.parser.finish(on_body);
            if (!end.message_complete) return fail(c, "the proxy closed the connection " + progress(c));
            return response_done(c, true);
        }
        std::string_view data(buffer, static_cast<std::size_t>(n));
        http::Parser::Progress step = c.parser.feed(data, on_body);
        if (step.error != http::ParseError::none)
            return fail(c, "the response is not valid HTTP: " + step.error_text);
        if (!step.message_complete) return;
        if (step.consumed < data.size())
            return fail(c, std::to_string(data.size() - step.consumed) + " bytes after a complete response, "
                           "before the next request was sent");
        response_done(c, false);
    }

    void check_body(Connection& c, std::string_view bytes) {
        if (c.parser.head().status != 200) return;  // response_done names the status
        if (c.body + bytes.size() > expected_.size() ||
            std::memcmp(bytes.data(), expected_.data() + c.body, bytes.size()) != 0) {
            for (std::size_t i = 0; i < bytes.size(); ++i) {
                if (c.body + i >= expected_.size() || bytes[i] != expected_[c.body + i]) {
                    shared_.stop = true;  // the parser keeps calling; the first difference is the one
                    fail(c, "body byte " + std::to_string(c.body + i) + " differs from the origin's (" +
                                std::to_string(expected_.size()) + " bytes expected); from there it reads " +
                                printable(bytes.substr(i, 32)));
                    break;
                }
            }
        }
        c.body += bytes.size();
    }

    std::string progress(const Connection& c) const {
        if (!c.parser.head_complete()) return "before a response";
        return "after " + std::to_string(c.body) + " of " + std::to_string(expected_.size()) + " body bytes";
    }

    void response_done(Connection& c, bool closed) {
        if (shared_.stop.load(std::memory_order_relaxed)) return;
        if (c.parser.head().status != 200)
            return fail(c, "status " + std::to_string(c.parser.head().status) + " for GET /bytes/" +
                               std::to_string(expected_.size()));
        if (c.body != expected_.size())
            return fail(c, std::to_string(c.body) + " body bytes, " + std::to_string(expected_.size()) + " expected");
        if (c.timed && shared_.window_open.load(std::memory_order_relaxed)) {
            latency.record(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c.started).count()));
            shared_.in_window.fetch_add(1, std::memory_order_relaxed);
        }
        shared_.completed.fetch_add(1, std::memory_order_relaxed);
        if (!c.warmed) {
            c.warmed = true;
            shared_.ready.fetch_add(1);
        }
        if (options_.close_each || closed) {
            ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
            if (closed && !options_.close_each)
                return fail(c, "the proxy closed a keep-alive connection after a response");
            return open(c);  // connect again; the next request goes out once connected
        }
        c.parser.next_message();
        start_request(c);
    }

    const HttpLoadOptions& options_;
    SharedState& shared_;
    const std::string& request_;
    const std::string& expected_;
    Fd epoll_;
    std::vector<Connection> connections_;
    unsigned next_source_ = 0;
};

}  // namespace

std::string http_load_request(std::size_t body_size, bool close) {
    return "GET /bytes/" + std::to_string(body_size) + " HTTP/1.1\r\nHost: tinygate\r\n" +
           (close ? "Connection: close\r\n" : "") + "\r\n";
}

LoadResult run_http_load(const HttpLoadOptions& options) {
    LoadResult result;
    SharedState shared;
    const std::string request = http_load_request(options.body_size, options.close_each);
    const std::string expected = origin::body_bytes(kBodySeed, 0, options.body_size);
    const int total = options.connections + options.idle_connections;
    const int thread_count = std::max(1, std::min(options.threads, total));

    std::vector<std::unique_ptr<LoadThread>> loads;
    for (int t = 0; t < thread_count; ++t) {
        std::vector<int> ids;
        for (int id = t; id < total; id += thread_count) ids.push_back(id);
        loads.push_back(std::make_unique<LoadThread>(options, shared, request, expected, std::move(ids)));
    }
    std::vector<std::jthread> threads;
    for (auto& load : loads) threads.emplace_back([&load] { load->run(); });

    auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
    Deadline warmup(options.warmup_timeout);
    while (shared.ready.load() < total && shared.first_failure().empty() && !warmup.expired()) pause();
    if (shared.ready.load() < total && shared.first_failure().empty())
        shared.fail(std::to_string(shared.ready.load()) + " of " + std::to_string(total) +
                    " connections connected and got their first response within " +
                    seconds_text(options.warmup_timeout) + " s");

    if (shared.first_failure().empty()) {
        if (options.on_window_open) options.on_window_open();
        result.window_start = wall_clock_seconds();
        shared.window_open = true;
        auto opened = Clock::now(), last_progress = opened, last_report = opened;
        long last_completed = shared.completed.load();
        for (;;) {
            pause();
            auto now = Clock::now();
            long responses = shared.in_window.load(std::memory_order_relaxed);
            if (!shared.first_failure().empty()) break;
            if (options.requests > 0 ? responses >= options.requests : now - opened >= options.duration) break;
            if (long completed = shared.completed.load(); completed != last_completed) {
                last_completed = completed;
                last_progress = now;
            } else if (now - last_progress >= options.stall_timeout) {
                result.stalled = true;
                shared.fail("no response for " + seconds_text(options.stall_timeout) + " s (" +
                            std::to_string(responses) + " responses so far in the window)");
                break;
            }
            if (options.on_progress && now - last_report >= std::chrono::milliseconds(500)) {
                last_report = now;
                options.on_progress({Seconds(now - opened).count(), responses});
            }
        }
        shared.window_open = false;
        result.window_end = wall_clock_seconds();
        result.messages = shared.in_window.load();
        if (options.on_window_close) options.on_window_close();
    }
    shared.stop = true;
    threads.clear();  // joins
    result.failure = shared.first_failure();
    result.ok = result.failure.empty();
    result.errors = result.ok ? 0 : 1;
    for (auto& load : loads) result.latency.merge(load->latency);
    return result;
}

}  // namespace c10k::grader
