// TinyGate, epoll model: one event loop per worker, every socket nonblocking. Each client
// connection and each origin connection is a small state machine driven by readiness;
// bytes wait in buffers, never in a blocked thread. Backpressure is one rule: a side
// whose buffer for the other side is full stops being read until it drains.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <list>
#include <memory>
#include <thread>
#include <vector>

#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/stop_signals.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {
namespace {

using c10k::Fd;
using Clock = std::chrono::steady_clock;
namespace http = c10k::http;

constexpr std::size_t kBufferLimit = 256 * 1024;  // per direction: beyond it, stop reading the source
constexpr std::uint32_t kIn = EPOLLIN, kOut = EPOLLOUT;

struct Client;

// What epoll's data.ptr points at.
struct Endpoint {
    enum class Kind { listener, client, upstream } kind;
    Fd fd;
    std::uint32_t interest = 0;
    bool registered = false;
    explicit Endpoint(Kind k, Fd f) : kind(k), fd(std::move(f)) {}
    virtual ~Endpoint() = default;
};

struct Upstream : Endpoint {
    explicit Upstream(Fd f) : Endpoint(Kind::upstream, std::move(f)) {}
    bool connecting = true;
    std::string out;                     // request bytes not yet written
    http::Parser responses{http::Parser::Kind::responses};
    Client* client = nullptr;            // the exchange it serves; nullptr while idle in the pool
};

struct Client : Endpoint {
    explicit Client(Fd f) : Endpoint(Kind::client, std::move(f)), address(peer_address(fd.get())) {}
    std::string address;
    http::Parser requests{http::Parser::Kind::requests};
    std::string in;                      // read from the client, not parsed yet
    std::string out;                     // to write to the client
    bool closing = false;                // close once `out` is written
    bool dead = false;
    // The exchange in progress (one at a time: pipelined requests wait in `in`).
    bool exchanging = false;
    http::MessageHead request;
    bool request_done = false;
    Upstream* upstream = nullptr;
    http::ClientResponse response;
    bool response_started = false;
    Clock::time_point answer_by;         // no response head by then: 504
};

class Loop {
public:
    /// @p all_stop: an eventfd every loop watches; the loop that sees the stop signal
    /// writes it, so the loops asleep in epoll_pwait wake up too (a signal wakes one thread).
    Loop(int listener, const ProxyConfig& config, int all_stop)
        : listener_(listener), config_(config), all_stop_(all_stop) {}

    int run() {
        epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        epoll_event event{EPOLLIN | EPOLLEXCLUSIVE, {.ptr = &listener_endpoint_}};
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_, &event);
        epoll_event stop_event{EPOLLIN, {.ptr = nullptr}};
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, all_stop_, &stop_event);
        sigset_t wait_mask = c10k::block_stop_signals();
        std::vector<epoll_event> ready(256);
        while (!c10k::stop_requested()) {
            int timeout = waiting_for_answer() ? 50 : -1;
            int count = ::epoll_pwait(epoll_.get(), ready.data(), static_cast<int>(ready.size()), timeout, &wait_mask);
            for (int i = 0; i < count; ++i)
                if (ready[i].data.ptr) dispatch(*static_cast<Endpoint*>(ready[i].data.ptr), ready[i].events);
            expire_slow_answers();
            bury_the_dead();
        }
        ::eventfd_write(all_stop_, 1);
        return 0;
    }

private:
    void dispatch(Endpoint& endpoint, std::uint32_t events) {
        if (endpoint.kind == Endpoint::Kind::listener) return accept_clients();
        if (endpoint.kind == Endpoint::Kind::client) {
            auto& client = static_cast<Client&>(endpoint);
            if (client.dead) return;
            if (events & EPOLLOUT) write_client(client);
            if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_client(client);
            return;
        }
        auto& upstream = static_cast<Upstream&>(endpoint);
        if (upstream.connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return finish_connect(upstream);
        if (events & EPOLLOUT) write_upstream(upstream);
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_upstream(upstream);
    }

    // ---- interest: epoll_ctl only when it changes ---------------------------------
    // slide-begin: interest
    void want(Endpoint& endpoint, std::uint32_t interest) {
        if (endpoint.registered && endpoint.interest == interest) return;
        epoll_event event{interest, {.ptr = &endpoint}};
        int operation = endpoint.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        ::epoll_ctl(epoll_.get(), operation, endpoint.fd.get(), &event);
        endpoint.interest = interest;
        endpoint.registered = true;
    }
    void update_client_interest(Client& c) {
        bool may_read = !c.closing && c.in.size() < kBufferLimit &&
                        (!c.upstream || c.upstream->out.size() < kBufferLimit);
        want(c, (may_read ? kIn : 0u) | (c.out.empty() ? 0u : kOut));
    }
    void update_upstream_interest(Upstream& u) {
        bool may_read = !u.client || u.client->out.size() < kBufferLimit;
        want(u, (may_read ? kIn : 0u) | (u.connecting || !u.out.empty() ? kOut : 0u));
    }
    // slide-end: interest

    // ---- clients ------------------------------------------------------------------
    void accept_clients() {
        for (;;) {
            Fd fd{::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
            if (!fd) return;  // EAGAIN: all taken (or another worker got it); EMFILE: next time
            int one = 1;  // a response in several writes must not wait for the client's delayed ACK
            ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto client = std::make_unique<Client>(std::move(fd));
            update_client_interest(*client);
            clients_.push_back(std::move(client));
        }
    }

    void read_client(Client& c) {
        char buffer[65536];
        while (c.in.size() < kBufferLimit) {
            ssize_t n = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
            if (n > 0) {
                c.in.append(buffer, static_cast<std::size_t>(n));
                if (static_cast<std::size_t>(n) < sizeof buffer) break;  // drained, as surely as EAGAIN
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
            return close_client(c);  // EOF or error: a client that leaves abandons its exchange
        }
        advance(c);
    }

    // Parses what the client sent, as far as the exchange in progress allows.
    void advance(Client& c) {
        while (!c.dead && !c.closing && !c.in.empty() && !c.request_done) {
            std::string body;
            auto progress = c.requests.feed(c.in, [&](std::string_view bytes) { body += bytes; });
            c.in.erase(0, progress.consumed);
            if (progress.error != http::ParseError::none) {
                int status = progress.error == http::ParseError::head_too_large ? 431 : 400;
                if (!c.exchanging) return reply_and_close(c, status);
                return close_client(c);
            }
            if (c.requests.head_complete() && !c.exchanging && !start_exchange(c)) return;
            if (c.exchanging && c.upstream && !body.empty()) queue_upstream(*c.upstream, c, body);
            if (progress.message_complete) {
                c.request_done = true;
                if (c.upstream && c.request.framing == http::BodyFraming::chunked)
                    queue_upstream_raw(*c.upstream, http::kLastChunk);
            }
            if (progress.consumed == 0) break;
        }
        if (!c.dead) update_client_interest(c);
    }

    bool start_exchange(Client& c) {
        c.exchanging = true;
        c.request = c.requests.head();
        c.response_started = false;
        c.answer_by = Clock::now() + config_.upstream_timeout;
        Upstream* u = take_upstream();
        if (!u) {
            finish_with_error(c, 502);
            return false;
        }
        u->client = &c;
        c.upstream = u;
        u->responses.next_message();
        if (c.request.method == "HEAD") u->responses.expect_no_body();
        queue_upstream_raw(*u, http::upstream_request_head(c.request, c.address));
        return true;
    }

    void write_client(Client& c) {
        while (!c.out.empty()) {
            ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (n > 0) {
                c.out.erase(0, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
            return close_client(c);
        }
        if (c.out.empty() && c.closing) return close_client(c);
        update_client_interest(c);
        if (c.upstream) update_upstream_interest(*c.upstream);  // room again: read the origin
    }

    void send_client(Client& c, std::string_view bytes) {
        c.out.append(bytes);
        write_client(c);
    }

    // The proxy answers by itself (400, 431, 502, 504), and the connection ends.
    void reply_and_close(Client& c, int status) {
        c.closing = true;
        send_client(c, http::proxy_error_response(status, true));
    }

    // An exchange that failed before any of the response went out: the status, then the
    // next request (the connection stays usable) unless the request was not fully read.
    void finish_with_error(Client& c, int status) {
        if (c.upstream) drop_upstream(*c.upstream);
        bool keep = c.request_done || c.request.framing == http::BodyFraming::none;
        end_exchange(c);
        if (!keep) return reply_and_close(c, status);
        send_client(c, http::proxy_error_response(status, false));
        if (!c.dead) advance(c);
    }

    void end_exchange(Client& c) {
        c.exchanging = c.request_done = c.response_started = false;
        c.upstream = nullptr;
        c.requests.next_message();
    }

    void close_client(Client& c) {
        if (c.dead) return;
        if (c.upstream) drop_upstream(*c.upstream);  // mid-exchange: that origin connection is not reusable
        c.upstream = nullptr;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
        c.fd.reset();
        c.dead = true;
    }

    // ---- the origin ---------------------------------------------------------------
    Upstream* take_upstream() {
        while (!idle_.empty()) {
            Upstream* u = idle_.back();
            idle_.pop_back();
            // An idle connection stays registered for EPOLLIN, so one the origin closed was
            // already dropped by read_upstream: no check (and no syscall) needed here.
            if (!u->connecting) return u;
            drop_upstream(*u);
        }
        Fd fd{::socket(config_.upstream.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
        if (!fd) return nullptr;
        int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd.get(), config_.upstream.get(), config_.upstream.length) != 0 && errno != EINPROGRESS)
            return nullptr;
        auto upstream = std::make_unique<Upstream>(std::move(fd));
        Upstream* u = upstream.get();
        upstreams_.push_back(std::move(upstream));
        update_upstream_interest(*u);
        return u;
    }

    void finish_connect(Upstream& u) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(u.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            if (u.client) return finish_with_error(*u.client, 502);
            return drop_upstream(u);
        }
        u.connecting = false;
        write_upstream(u);
    }

    void queue_upstream_raw(Upstream& u, std::string_view bytes) {
        u.out.append(bytes);
        if (!u.connecting) write_upstream(u);
    }
    void queue_upstream(Upstream& u, Client& c, std::string_view body) {
        queue_upstream_raw(u, c.request.framing == http::BodyFraming::chunked ? http::chunk(body) : std::string(body));
    }

    void write_upstream(Upstream& u) {
        while (!u.out.empty()) {
            ssize_t n = ::send(u.fd.get(), u.out.data(), u.out.size(), MSG_NOSIGNAL);
            if (n > 0) {
                u.out.erase(0, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
            if (u.client) return finish_with_error(*u.client, 502);
            return drop_upstream(u);
        }
        update_upstream_interest(u);
        if (u.client) update_client_interest(*u.client);  // room again: read the client
    }

    void read_upstream(Upstream& u) {
        char buffer[65536];
        for (;;) {
            if (u.client && u.client->out.size() >= kBufferLimit) break;  // the client is slow: wait for it
            ssize_t n = ::recv(u.fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
            if (n <= 0) return upstream_closed(u);
            if (!u.client) return drop_upstream(u);  // bytes on an idle connection: not ours to relay
            Client& c = *u.client;
            if (!relay(u, std::string_view(buffer, static_cast<std::size_t>(n)))) return;
            write_client(c);  // what the origin sent goes out now, or waits for EPOLLOUT
            if (c.dead || !u.fd) return;
            if (static_cast<std::size_t>(n) < sizeof buffer) break;
        }
        update_upstream_interest(u);
    }

    // Feeds the origin's bytes to the response parser and the decoded body to the client.
    // false when the exchange ended (the upstream may be gone).
    bool relay(Upstream& u, std::string_view bytes) {
        Client& c = *u.client;
        auto progress = u.responses.feed(bytes, [&](std::string_view body) { forward_body(c, u, body); });
        start_response(c, u);
        if (progress.error != http::ParseError::none) {
            if (!c.response_started) finish_with_error(c, 502);
            else close_client(c);
            return false;
        }
        if (progress.message_complete) {
            complete_response(c, u, progress.consumed == bytes.size());
            return false;
        }
        return true;
    }

    void start_response(Client& c, Upstream& u) {
        if (c.response_started || !u.responses.head_complete()) return;
        c.response_started = true;
        c.response = http::client_response_head(u.responses.head(), c.request);
        c.out += c.response.head;
    }

    void forward_body(Client& c, Upstream& u, std::string_view body) {
        start_response(c, u);
        c.out += c.response.framing == http::BodyFraming::chunked ? http::chunk(body) : std::string(body);
    }

    void complete_response(Client& c, Upstream& u, bool nothing_left_over) {
        start_response(c, u);
        if (c.response.framing == http::BodyFraming::chunked) c.out += http::kLastChunk;
        bool reusable = u.responses.head().keep_alive && nothing_left_over &&
                        u.responses.head().framing != http::BodyFraming::until_close && c.request_done;
        u.client = nullptr;
        c.upstream = nullptr;
        if (reusable && idle_.size() < config_.pool_size) {
            idle_.push_back(&u);
            update_upstream_interest(u);
        } else {
            drop_upstream(u);
        }
        if (c.response.close_after) c.closing = true;
        end_exchange(c);
        write_client(c);
        if (!c.dead) advance(c);  // the next pipelined request, if one is waiting
    }

    void upstream_closed(Upstream& u) {
        if (!u.client) return drop_upstream(u);
        Client& c = *u.client;
        auto progress = u.responses.finish([&](std::string_view body) { forward_body(c, u, body); });
        if (progress.message_complete) return complete_response(c, u, false);
        if (!c.response_started) return finish_with_error(c, 502);
        close_client(c);  // cut mid-body: the client must not take it for complete
    }

    void drop_upstream(Upstream& u) {
        if (u.client) u.client->upstream = nullptr;
        u.client = nullptr;
        std::erase(idle_, &u);
        if (u.fd) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, u.fd.get(), nullptr);
        u.fd.reset();
    }

    // ---- time ---------------------------------------------------------------------
    bool waiting_for_answer() const {
        return std::any_of(clients_.begin(), clients_.end(), [](const auto& c) {
            return !c->dead && c->exchanging && !c->response_started;
        });
    }

    void expire_slow_answers() {
        auto now = Clock::now();
        for (auto& c : clients_)
            if (!c->dead && c->exchanging && !c->response_started && now >= c->answer_by) finish_with_error(*c, 504);
    }

    void bury_the_dead() {
        std::erase_if(clients_, [](const auto& c) { return c->dead; });
        std::erase_if(upstreams_, [](const auto& u) { return !u->fd; });
    }

    int listener_;
    const ProxyConfig& config_;
    int all_stop_;
    Fd epoll_;
    Endpoint listener_endpoint_{Endpoint::Kind::listener, Fd{}};
    std::list<std::unique_ptr<Client>> clients_;
    std::list<std::unique_ptr<Upstream>> upstreams_;
    std::vector<Upstream*> idle_;  // the pool: keep-alive connections to the origin, free
};

}  // namespace

int run_epoll(Fd listener, const ProxyConfig& config) {
    ::fcntl(listener.get(), F_SETFL, ::fcntl(listener.get(), F_GETFL) | O_NONBLOCK);
    Fd all_stop{::eventfd(0, EFD_CLOEXEC)};
    std::vector<std::thread> workers;
    for (int i = 1; i < config.workers; ++i)
        workers.emplace_back([&] { Loop(listener.get(), config, all_stop.get()).run(); });
    int status = Loop(listener.get(), config, all_stop.get()).run();
    for (auto& worker : workers) worker.join();
    return status;
}

}  // namespace tinygate
