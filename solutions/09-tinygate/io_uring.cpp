// TinyGate, io_uring model: one ring per worker. Nothing is called that could wait: accepts,
// receives, sends and connects are submitted and their completions handled, so the loop's
// only syscall is io_uring_enter -- submitting a turn's work and waiting, in one. Receives
// take a buffer from a ring of provided buffers only when data arrives, so 10,000 idle
// clients hold no buffers; sends go from a buffer nobody touches until it completes.
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <list>
#include <memory>
#include <thread>
#include <vector>

#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {
namespace {

using c10k::Fd;
using Clock = std::chrono::steady_clock;
namespace http = c10k::http;

constexpr unsigned kRingEntries = 4096;
constexpr unsigned kBufferCount = 1024;    // provided receive buffers per ring
constexpr unsigned kBufferSize = 16384;
constexpr unsigned short kBufferGroup = 0;
constexpr std::size_t kBufferLimit = 256 * 1024;  // per direction: beyond it, stop receiving from the source

// Receive buffers the kernel picks from when data arrives (liburing 2.3: mapped by hand).
class ProvidedBuffers {
public:
    explicit ProvidedBuffers(io_uring& ring) : ring_(ring), memory_(std::size_t(kBufferCount) * kBufferSize) {
        std::size_t bytes = kBufferCount * sizeof(io_uring_buf);
        void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if (mapped == MAP_FAILED) throw c10k::SyscallError("mmap", errno);
        buffers_ = static_cast<io_uring_buf_ring*>(mapped);
        io_uring_buf_reg registration{};
        registration.ring_addr = reinterpret_cast<std::uint64_t>(buffers_);
        registration.ring_entries = kBufferCount;
        registration.bgid = kBufferGroup;
        if (int ret = io_uring_register_buf_ring(&ring, &registration, 0); ret < 0) {
            ::munmap(mapped, bytes);
            throw c10k::SyscallError("io_uring_register_buf_ring", -ret);
        }
        io_uring_buf_ring_init(buffers_);
        for (unsigned id = 0; id < kBufferCount; ++id) add(id, static_cast<int>(id));
        io_uring_buf_ring_advance(buffers_, kBufferCount);
    }
    ~ProvidedBuffers() {
        io_uring_unregister_buf_ring(&ring_, kBufferGroup);
        ::munmap(buffers_, kBufferCount * sizeof(io_uring_buf));
    }
    ProvidedBuffers(const ProvidedBuffers&) = delete;
    ProvidedBuffers& operator=(const ProvidedBuffers&) = delete;

    std::string_view data(unsigned id, std::size_t length) const {
        return {memory_.data() + std::size_t(id) * kBufferSize, length};
    }
    void recycle(unsigned id) {
        add(id, 0);
        io_uring_buf_ring_advance(buffers_, 1);
    }

private:
    void add(unsigned id, int offset) {
        io_uring_buf_ring_add(buffers_, memory_.data() + std::size_t(id) * kBufferSize, kBufferSize,
                              static_cast<unsigned short>(id), io_uring_buf_ring_mask(kBufferCount), offset);
    }
    io_uring& ring_;
    std::vector<char> memory_;
    io_uring_buf_ring* buffers_ = nullptr;
};

struct Endpoint;

// One kind of request an endpoint can have in flight; its address is the user_data.
struct Op {
    enum class Kind { accept, recv, send, connect, tick, stop, wake } kind;
    Endpoint* owner = nullptr;
    bool in_flight = false;
};

// A socket and its two byte queues: `sending` is in the kernel's hands until its
// completion, `out` collects what comes next.
struct Endpoint {
    enum class Kind { client, upstream } kind;
    Fd fd;
    Op recv{Op::Kind::recv, this}, send{Op::Kind::send, this}, connect{Op::Kind::connect, this};
    std::string sending, out;
    bool closed = false;  // shut down: waiting for its requests to complete before it is freed
    explicit Endpoint(Kind k, Fd f) : kind(k), fd(std::move(f)) {}
    [[nodiscard]] bool idle_in_kernel() const { return !recv.in_flight && !send.in_flight && !connect.in_flight; }
    [[nodiscard]] std::size_t queued() const { return sending.size() + out.size(); }
};

struct Client;

struct Upstream : Endpoint {
    explicit Upstream(Fd f) : Endpoint(Kind::upstream, std::move(f)) {}
    bool connected = false;
    http::Parser responses{http::Parser::Kind::responses};
    Client* client = nullptr;  // nullptr while idle in the pool
};

struct Client : Endpoint {
    explicit Client(Fd f) : Endpoint(Kind::client, std::move(f)), address(peer_address(fd.get())) {}
    std::string address;
    http::Parser requests{http::Parser::Kind::requests};
    std::string in;
    bool closing = false;  // close once everything is sent
    bool exchanging = false, request_done = false, response_started = false;
    http::MessageHead request;
    Upstream* upstream = nullptr;
    http::ClientResponse response;
    Clock::time_point answer_by;
};

Fd open_stop_signalfd() {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    return Fd{c10k::check_syscall(::signalfd(-1, &stop, SFD_CLOEXEC), "signalfd")};
}

class Loop {
public:
    /// @p all_stop: an eventfd every loop polls; the loop whose signalfd got the stop signal
    /// writes it, so every other loop stops too (a signal is read by one signalfd only).
    Loop(int listener, const ProxyConfig& config, int all_stop)
        : listener_(listener), config_(config), all_stop_(all_stop) {
        io_uring_params params{};
        params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
        if (int ret = io_uring_queue_init_params(kRingEntries, &ring_, &params); ret < 0)
            throw c10k::SyscallError("io_uring_queue_init_params", -ret);
        buffers_ = std::make_unique<ProvidedBuffers>(ring_);
    }
    ~Loop() {
        buffers_.reset();
        io_uring_queue_exit(&ring_);
    }

    int run() {
        Fd stop_fd = open_stop_signalfd();
        signalfd_siginfo stop_info{};
        io_uring_prep_multishot_accept(sqe(&accept_op_), listener_, nullptr, nullptr, SOCK_CLOEXEC);
        io_uring_prep_read(sqe(&stop_op_), stop_fd.get(), &stop_info, sizeof stop_info, 0);
        io_uring_prep_poll_add(sqe(&all_stop_op_), all_stop_, POLLIN);
        // slide-begin: completion-loop
        while (!stopping_) {
            arm_tick_if_waiting();
            int ret = io_uring_submit_and_wait(&ring_, 1);
            if (ret < 0 && ret != -EINTR && ret != -ETIME) return 1;
            io_uring_cqe* cqe;
            unsigned head, seen = 0;
            io_uring_for_each_cqe(&ring_, head, cqe) {
                ++seen;
                complete(*static_cast<Op*>(io_uring_cqe_get_data(cqe)), cqe->res, cqe->flags);
            }
            io_uring_cq_advance(&ring_, seen);
            bury_the_dead();
        }
        // slide-end: completion-loop
        // The wake-up write for the other loops: wait for it, or the ring's end would cancel
        // it (the kernel may hand an eventfd write to a worker thread).
        while (wake_op_.in_flight) {
            if (io_uring_submit_and_wait(&ring_, 1) < 0) break;
            io_uring_cqe* cqe;
            unsigned head, seen = 0;
            io_uring_for_each_cqe(&ring_, head, cqe) {
                ++seen;
                if (io_uring_cqe_get_data(cqe) == &wake_op_) wake_op_.in_flight = false;
            }
            io_uring_cq_advance(&ring_, seen);
        }
        return 0;
    }

private:
    io_uring_sqe* sqe(Op* op) {
        io_uring_sqe* entry = io_uring_get_sqe(&ring_);
        if (!entry) {  // the ring is full: hand what is queued to the kernel, then there is room
            io_uring_submit(&ring_);
            entry = io_uring_get_sqe(&ring_);
        }
        io_uring_sqe_set_data(entry, op);
        op->in_flight = true;
        return entry;
    }

    void complete(Op& op, int res, unsigned flags) {
        if (op.kind == Op::Kind::accept) return accepted(res, flags);
        if (op.kind == Op::Kind::stop) {
            // Wake the other loops through the ring, not write(2): submitted on the way out.
            if (!stopping_) io_uring_prep_write(sqe(&wake_op_), all_stop_, &kOne, sizeof kOne, 0);
            stopping_ = true;
            return;
        }
        if (op.kind == Op::Kind::wake) return;
        if (op.kind == Op::Kind::tick) {
            op.in_flight = false;
            return expire_slow_answers();
        }
        op.in_flight = false;
        Endpoint& endpoint = *op.owner;
        if (op.kind == Op::Kind::recv) received(endpoint, res, flags);
        else if (op.kind == Op::Kind::send) sent(endpoint, res);
        else connected(static_cast<Upstream&>(endpoint), res);
    }

    // ---- receiving and sending, for both kinds of endpoint -------------------------
    void arm_recv(Endpoint& e) {
        if (e.closed || e.recv.in_flight) return;
        io_uring_sqe* entry = sqe(&e.recv);
        io_uring_prep_recv(entry, e.fd.get(), nullptr, 0, 0);
        entry->flags |= IOSQE_BUFFER_SELECT;
        entry->buf_group = kBufferGroup;
    }

    void flush(Endpoint& e) {
        if (e.closed || e.send.in_flight) return;
        if (e.sending.empty()) std::swap(e.sending, e.out);
        if (e.sending.empty()) return;
        io_uring_prep_send(sqe(&e.send), e.fd.get(), e.sending.data(), e.sending.size(), MSG_NOSIGNAL);
    }

    void received(Endpoint& e, int res, unsigned flags) {
        std::string_view bytes;
        unsigned buffer_id = flags >> IORING_CQE_BUFFER_SHIFT;
        bool has_buffer = (flags & IORING_CQE_F_BUFFER) != 0;
        if (has_buffer) bytes = buffers_->data(buffer_id, res > 0 ? static_cast<std::size_t>(res) : 0);
        if (e.closed) {
            if (has_buffer) buffers_->recycle(buffer_id);
            return;
        }
        if (res == -ENOBUFS) return arm_recv(e);  // every buffer is busy: try again next turn
        if (e.kind == Endpoint::Kind::client) {
            auto& c = static_cast<Client&>(e);
            if (res <= 0) {
                if (has_buffer) buffers_->recycle(buffer_id);
                return close_client(c);
            }
            c.in.append(bytes);
            buffers_->recycle(buffer_id);
            return advance(c);
        }
        auto& u = static_cast<Upstream&>(e);
        if (res <= 0) {
            if (has_buffer) buffers_->recycle(buffer_id);
            return upstream_closed(u);
        }
        if (!u.client) {  // bytes on an idle pooled connection: not ours to relay
            buffers_->recycle(buffer_id);
            return drop_upstream(u);
        }
        Client& c = *u.client;
        bool going_on = relay(u, bytes);
        buffers_->recycle(buffer_id);
        flush(c);
        if (going_on && may_read_upstream(u)) arm_recv(u);
    }

    void sent(Endpoint& e, int res) {
        if (e.closed) return;
        if (res <= 0) {
            if (e.kind == Endpoint::Kind::client) return close_client(static_cast<Client&>(e));
            auto& u = static_cast<Upstream&>(e);
            if (u.client) return finish_with_error(*u.client, 502);
            return drop_upstream(u);
        }
        e.sending.erase(0, static_cast<std::size_t>(res));  // a short send: the rest goes next
        flush(e);
        if (e.kind == Endpoint::Kind::client) {
            auto& c = static_cast<Client&>(e);
            if (c.closing && c.queued() == 0) return close_client(c);
            if (c.upstream && may_read_upstream(*c.upstream)) arm_recv(*c.upstream);  // room again
        } else if (auto& u = static_cast<Upstream&>(e); u.client && may_read_client(*u.client)) {
            arm_recv(*u.client);
        }
    }

    bool may_read_client(const Client& c) const {
        return !c.closing && c.in.size() < kBufferLimit && (!c.upstream || c.upstream->queued() < kBufferLimit);
    }
    bool may_read_upstream(const Upstream& u) const { return u.client && u.client->queued() < kBufferLimit; }

    // ---- clients ------------------------------------------------------------------
    void accepted(int res, unsigned flags) {
        if (!(flags & IORING_CQE_F_MORE))  // the multishot accept ended (EMFILE...): arm it again
            io_uring_prep_multishot_accept(sqe(&accept_op_), listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (res < 0) return;
        // Without it, a response longer than one buffer leaves in two sends, and Nagle holds
        // the second until the client's delayed ACK: 40 ms per request.
        int one = 1;
        ::setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto client = std::make_unique<Client>(Fd{res});
        arm_recv(*client);
        clients_.push_back(std::move(client));
    }

    void advance(Client& c) {
        while (!c.closed && !c.closing && !c.in.empty() && !c.request_done) {
            std::string body;
            auto progress = c.requests.feed(c.in, [&](std::string_view bytes) { body += bytes; });
            c.in.erase(0, progress.consumed);
            if (progress.error != http::ParseError::none) {
                if (c.exchanging) return close_client(c);
                return reply_and_close(c, progress.error == http::ParseError::head_too_large ? 431 : 400);
            }
            if (c.requests.head_complete() && !c.exchanging && !start_exchange(c)) return;
            if (c.upstream && !body.empty())
                queue_upstream(*c.upstream, c.request.framing == http::BodyFraming::chunked ? http::chunk(body) : body);
            if (progress.message_complete) {
                c.request_done = true;
                if (c.upstream && c.request.framing == http::BodyFraming::chunked)
                    queue_upstream(*c.upstream, std::string(http::kLastChunk));
            }
            if (progress.consumed == 0) break;
        }
        if (!c.closed && may_read_client(c)) arm_recv(c);
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
        queue_upstream(*u, http::upstream_request_head(c.request, c.address));
        if (u->connected) arm_recv(*u);
        return true;
    }

    void reply_and_close(Client& c, int status) {
        c.closing = true;
        c.out += http::proxy_error_response(status, true);
        flush(c);
    }

    void finish_with_error(Client& c, int status) {
        if (c.upstream) drop_upstream(*c.upstream);
        bool keep = c.request_done || c.request.framing == http::BodyFraming::none;
        end_exchange(c);
        if (!keep) return reply_and_close(c, status);
        c.out += http::proxy_error_response(status, false);
        flush(c);
        advance(c);
    }

    void end_exchange(Client& c) {
        c.exchanging = c.request_done = c.response_started = false;
        c.upstream = nullptr;
        c.requests.next_message();
    }

    void close_client(Client& c) {
        if (c.closed) return;
        if (c.upstream) drop_upstream(*c.upstream);  // mid-exchange: not reusable
        c.upstream = nullptr;
        shut(c);
    }

    // Ends an endpoint: its pending requests complete (with errors) and then it is freed.
    void shut(Endpoint& e) {
        e.closed = true;
        ::shutdown(e.fd.get(), SHUT_RDWR);
    }

    // ---- the origin ---------------------------------------------------------------
    Upstream* take_upstream() {
        while (!idle_.empty()) {
            Upstream* u = idle_.back();
            idle_.pop_back();
            if (!u->closed) return u;
        }
        Fd fd{::socket(config_.upstream.family(), SOCK_STREAM | SOCK_CLOEXEC, 0)};
        if (!fd) return nullptr;
        int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto upstream = std::make_unique<Upstream>(std::move(fd));
        Upstream* u = upstream.get();
        io_uring_prep_connect(sqe(&u->connect), u->fd.get(), config_.upstream.get(), config_.upstream.length);
        upstreams_.push_back(std::move(upstream));
        return u;
    }

    void connected(Upstream& u, int res) {
        if (u.closed) return;
        if (res < 0) {
            if (u.client) return finish_with_error(*u.client, 502);
            return drop_upstream(u);
        }
        u.connected = true;
        flush(u);
        if (u.client) arm_recv(u);
    }

    void queue_upstream(Upstream& u, std::string_view bytes) {
        u.out.append(bytes);
        if (u.connected) flush(u);
    }

    // The origin's bytes, parsed; the decoded body goes to the client. false: the exchange ended.
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
        bool reusable = u.responses.head().keep_alive && nothing_left_over && c.request_done &&
                        u.responses.head().framing != http::BodyFraming::until_close;
        u.client = nullptr;
        c.upstream = nullptr;
        if (reusable && idle_.size() < config_.pool_size) idle_.push_back(&u);
        else drop_upstream(u);
        if (c.response.close_after) c.closing = true;
        end_exchange(c);
        flush(c);
        if (c.closing && c.queued() == 0) return close_client(c);
        advance(c);  // the next pipelined request, if one is waiting
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
        if (!u.closed) shut(u);
    }

    // ---- time ---------------------------------------------------------------------
    void arm_tick_if_waiting() {
        if (tick_op_.in_flight) return;
        bool waiting = std::any_of(clients_.begin(), clients_.end(), [](const auto& c) {
            return !c->closed && c->exchanging && !c->response_started;
        });
        if (!waiting) return;
        tick_.tv_sec = 0;
        tick_.tv_nsec = 50'000'000;
        io_uring_prep_timeout(sqe(&tick_op_), &tick_, 0, 0);
    }

    void expire_slow_answers() {
        auto now = Clock::now();
        for (auto& c : clients_)
            if (!c->closed && c->exchanging && !c->response_started && now >= c->answer_by)
                finish_with_error(*c, 504);
    }

    // An endpoint is freed once it is closed and the kernel holds none of its requests.
    void bury_the_dead() {
        std::erase_if(clients_, [](const auto& c) { return c->closed && c->idle_in_kernel(); });
        std::erase_if(upstreams_, [](const auto& u) { return u->closed && u->idle_in_kernel(); });
    }

    io_uring ring_{};
    std::unique_ptr<ProvidedBuffers> buffers_;
    int listener_;
    const ProxyConfig& config_;
    bool stopping_ = false;
    int all_stop_;
    Op accept_op_{Op::Kind::accept}, stop_op_{Op::Kind::stop}, all_stop_op_{Op::Kind::stop}, tick_op_{Op::Kind::tick};
    Op wake_op_{Op::Kind::wake};
    static constexpr std::uint64_t kOne = 1;  // what the wake-up write adds to the eventfd
    __kernel_timespec tick_{};
    std::list<std::unique_ptr<Client>> clients_;
    std::list<std::unique_ptr<Upstream>> upstreams_;
    std::vector<Upstream*> idle_;  // the pool: keep-alive connections to the origin, free
};

}  // namespace

int run_io_uring(Fd listener, const ProxyConfig& config) {
    if (auto why = c10k::probe_io_uring()) {  // before any worker: each would fail the same way
        std::fprintf(stderr, "server: %s\n", why->c_str());
        return 1;
    }
    (void)c10k::block_stop_signals();  // they arrive through each loop's signalfd, as completions
    Fd all_stop{::eventfd(0, EFD_CLOEXEC)};
    std::vector<std::thread> workers;
    for (int i = 1; i < config.workers; ++i)
        workers.emplace_back([&] { Loop(listener.get(), config, all_stop.get()).run(); });
    int status;
    try {
        status = Loop(listener.get(), config, all_stop.get()).run();
    } catch (const c10k::SyscallError& error) {
        std::fprintf(stderr, "server: %s (is io_uring allowed here?)\n", error.what());
        status = 1;
    }
    for (auto& worker : workers) worker.join();
    return status;
}

}  // namespace tinygate
