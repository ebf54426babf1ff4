// TinyGate, io_uring model: the exchange (exchange.cpp) driven by completions. One ring per
// worker. Nothing is called that could wait: accepts, receives, sends and connects are
// submitted, and their completions reported to the exchange, so in steady state the loop's
// only syscall is io_uring_enter -- submitting a turn's work and waiting, in one.
// Receives take a buffer from the kernel only when data arrives (provided buffers), so
// 10,000 idle clients hold none; a response body leaves from the very buffer it arrived in,
// so it is copied only by the kernel, in and out, as nginx's bodies are.
#include <liburing.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "c10k/io_uring_support.hpp"
#include "c10k/listener.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "c10k/uring.hpp"
#include "exchange.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {
namespace {

using c10k::Fd;

constexpr unsigned kRingEntries = 4096;
constexpr unsigned kCompletionEntries = 32768;  // more than 10,000 idle clients' receives ending at once

// Receive buffers come in two groups. Requests are small, and a thousand clients may send
// at once: many small buffers. Bodies from the origin are large: buffers of 64 KiB and room
// for a head, so a 64 KiB answer comes in one receive and leaves in one send -- and few of
// them, taken in turn, so they stay in the CPU's cache (1,024 buffers of 16 KiB made the
// kernel's copy into them a third of this proxy's CPU time at 64 KiB, `make race-proxy`).
struct BufferGroup {
    unsigned short id;
    unsigned count;  // a power of two: the ring's size
    unsigned size;
};
constexpr BufferGroup kClientBuffers{0, 1024, 4096};
constexpr BufferGroup kOriginBuffers{1, 64, 65536 + 8192};
// Sends that keep a buffer of the origin's group (a body sent as it came) take at most half
// of them; past that, bodies are copied, so clients that never read cannot starve receives.
constexpr unsigned kMaxLent = kOriginBuffers.count / 2;

// A group of provided buffers: memory the kernel picks from when data arrives, through a
// ring the two share (liburing 2.3: mapped by hand). The memory is touched once here, so the
// proxy's resident size does not grow as the ring goes round.
class ProvidedBuffers {
public:
    ProvidedBuffers(io_uring& ring, BufferGroup group) : group_(group) {
        ring_bytes_ = group.count * sizeof(io_uring_buf);
        memory_bytes_ = std::size_t(group.count) * group.size;
        void* ring_memory = ::mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if (ring_memory == MAP_FAILED) throw c10k::SyscallError("mmap", errno);
        ring_ = static_cast<io_uring_buf_ring*>(ring_memory);
        void* memory = ::mmap(nullptr, memory_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_POPULATE, -1, 0);
        if (memory == MAP_FAILED) {
            ::munmap(ring_memory, ring_bytes_);
            throw c10k::SyscallError("mmap", errno);
        }
        memory_ = static_cast<char*>(memory);
        io_uring_buf_reg registration{};
        registration.ring_addr = reinterpret_cast<std::uint64_t>(ring_);
        registration.ring_entries = group.count;
        registration.bgid = group.id;
        if (int ret = io_uring_register_buf_ring(&ring, &registration, 0); ret < 0) {
            unmap();
            throw c10k::SyscallError("io_uring_register_buf_ring", -ret);
        }
        io_uring_buf_ring_init(ring_);
        for (unsigned id = 0; id < group.count; ++id) add(id, static_cast<int>(id));
        io_uring_buf_ring_advance(ring_, static_cast<int>(group.count));
    }
    // The ring's registration ends with the ring itself (io_uring_queue_exit), which goes first.
    ~ProvidedBuffers() { unmap(); }
    ProvidedBuffers(const ProvidedBuffers&) = delete;
    ProvidedBuffers& operator=(const ProvidedBuffers&) = delete;

    [[nodiscard]] unsigned short id() const { return group_.id; }
    [[nodiscard]] std::string_view bytes(unsigned buffer, std::size_t length) const {
        return {memory_ + std::size_t(buffer) * group_.size, length};
    }
    void give_back(unsigned buffer) {
        add(buffer, 0);
        io_uring_buf_ring_advance(ring_, 1);
    }

private:
    void add(unsigned buffer, int offset) {
        io_uring_buf_ring_add(ring_, memory_ + std::size_t(buffer) * group_.size, group_.size,
                              static_cast<unsigned short>(buffer), io_uring_buf_ring_mask(group_.count), offset);
    }
    void unmap() {
        ::munmap(memory_, memory_bytes_);
        ::munmap(ring_, ring_bytes_);
    }
    BufferGroup group_;
    io_uring_buf_ring* ring_ = nullptr;
    char* memory_ = nullptr;
    std::size_t ring_bytes_ = 0, memory_bytes_ = 0;
};

// A buffer a receive took out of the ring. It goes back when the lease ends: right after
// its bytes were handled -- or, when a send points into it, once that send completed.
class Lease {
public:
    Lease() = default;
    Lease(ProvidedBuffers& group, unsigned buffer) : group_(&group), buffer_(buffer) {}
    Lease(Lease&& other) noexcept : group_(std::exchange(other.group_, nullptr)), buffer_(other.buffer_) {}
    Lease& operator=(Lease&& other) noexcept {
        if (this != &other) {
            end();
            group_ = std::exchange(other.group_, nullptr);
            buffer_ = other.buffer_;
        }
        return *this;
    }
    ~Lease() { end(); }
    explicit operator bool() const { return group_ != nullptr; }
    [[nodiscard]] std::string_view bytes(std::size_t length) const { return group_->bytes(buffer_, length); }
    void end() {
        if (group_) group_->give_back(buffer_);
        group_ = nullptr;
    }

private:
    ProvidedBuffers* group_ = nullptr;
    unsigned buffer_ = 0;
};

// One kind of request in flight; the address of its Op is the request's user_data.
enum class OpKind { accept, stop, wake, tick, ignored, recv, send, connect };
struct Op {
    OpKind kind;
    Connection* owner = nullptr;
    bool in_flight = false;
};

// What io_uring adds to a connection: its requests in flight, and what the send in flight
// points into, untouched until it completes -- owned bytes (`sending`), and body bytes in a
// leased receive buffer (`lent`).
struct Requests {
    explicit Requests(Connection* self) : recv{OpKind::recv, self}, send{OpKind::send, self}, connect{OpKind::connect, self} {}
    Op recv, send, connect;
    std::string sending;
    Lease lease;
    std::string_view lent;
    iovec pieces[2]{};
    msghdr message{};
    [[nodiscard]] bool idle() const { return !recv.in_flight && !send.in_flight && !connect.in_flight; }
};
struct UringClient final : Client, Requests {
    explicit UringClient(Fd f) : Client(std::move(f)), Requests(this) {}
};
struct UringUpstream final : Upstream, Requests {
    explicit UringUpstream(Fd f) : Upstream(std::move(f)), Requests(this) {}
};

// The exchange hands back its own types; each of them is one of ours.
Requests& requests_of(Connection& c) {
    if (c.side == Connection::Side::client) return static_cast<UringClient&>(c);
    return static_cast<UringUpstream&>(c);
}
const Requests& requests_of(const Connection& c) { return requests_of(const_cast<Connection&>(c)); }

class UringLoop final : public Exchange {
public:
    /// @p all_stop: an eventfd every loop polls; the loop whose signalfd got the stop signal
    /// writes it, so every other loop stops too (a signal is read by one signalfd only).
    /// Throws c10k::SyscallError when the ring or its buffers cannot be set up.
    UringLoop(int listener, const ProxyConfig& config, int all_stop)
        : Exchange(config), listener_(listener), all_stop_(all_stop) {
        // One thread submits, and it needs completions only when it waits: the kernel runs
        // their work in batches inside that wait (SINGLE_ISSUER | DEFER_TASKRUN, Linux 6.1)
        // instead of interrupting the thread for each. Older kernels refuse (EINVAL): then
        // the plain ring.
        io_uring_params params{};
        params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
        params.cq_entries = kCompletionEntries;
        int ret = io_uring_queue_init_params(kRingEntries, &ring_, &params);
        if (ret == -EINVAL) {
            params = {};
            params.flags = IORING_SETUP_CQSIZE;
            params.cq_entries = kCompletionEntries;
            ret = io_uring_queue_init_params(kRingEntries, &ring_, &params);
        }
        if (ret < 0) throw c10k::SyscallError("io_uring_queue_init_params", -ret);
        try {
            client_buffers_.emplace(ring_, kClientBuffers);
            origin_buffers_.emplace(ring_, kOriginBuffers);
        } catch (...) {
            io_uring_queue_exit(&ring_);
            throw;
        }
    }
    ~UringLoop() override {
        io_uring_queue_exit(&ring_);  // first: the kernel lets go of every buffer and socket
        discard_connections();        // then what its requests pointed into
    }

    int run() {
        io_uring_prep_multishot_accept(sqe(accept_), listener_, nullptr, nullptr, SOCK_CLOEXEC);
        io_uring_prep_read(sqe(stop_), stop_fd_.get(), &stop_info_, sizeof stop_info_, 0);
        io_uring_prep_poll_add(sqe(all_stop_op_), all_stop_, POLLIN);
        // slide-begin: completion-loop
        while (!stopping_) {
            if (waiting_for_answer() && !tick_.in_flight) {  // a clock for the 504s, while needed
                tick_time_ = {0, 50'000'000};
                io_uring_prep_timeout(sqe(tick_), &tick_time_, 0, 0);
            }
            if (!wait_for_completions()) return 1;
            handle_completions();
            release_closed();
        }
        // slide-end: completion-loop
        // The wake-up write for the other loops: wait for it, or the ring's end would cancel it.
        while (wake_.in_flight) {
            if (!wait_for_completions()) return 1;
            handle_completions();
        }
        return 0;
    }

private:
    static void log_error(const char* call, int res) { c10k::log_syscall_error(call, -res); }

    // ---- The ring -------------------------------------------------------------------
    io_uring_sqe* sqe(Op& op) {
        io_uring_sqe* entry = c10k::next_sqe(ring_);
        io_uring_sqe_set_data(entry, &op);
        op.in_flight = true;
        return entry;
    }

    // Submits the turn's requests and waits for one completion, in one io_uring_enter.
    bool wait_for_completions() {
        int ret = io_uring_submit_and_wait(&ring_, 1);
        if (ret >= 0 || ret == -EINTR || ret == -EAGAIN || ret == -EBUSY) return true;
        c10k::log_syscall_error("io_uring_submit_and_wait", -ret);
        return false;
    }

    // Every completion that is there, without another syscall; then all are marked seen.
    void handle_completions() {
        io_uring_cqe* cqe = nullptr;
        unsigned head = 0, seen = 0;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            ++seen;
            complete(*static_cast<Op*>(io_uring_cqe_get_data(cqe)), cqe->res, cqe->flags);
        }
        io_uring_cq_advance(&ring_, seen);
    }

    void complete(Op& op, int res, unsigned flags) {
        // A multishot accept stays armed while the kernel says MORE; everything else is done.
        op.in_flight = op.kind == OpKind::accept && (flags & IORING_CQE_F_MORE);
        switch (op.kind) {
            case OpKind::accept: return accepted(res);
            case OpKind::stop:
                // Wake the other loops through the ring, not write(2): submitted on the way out.
                if (!stopping_) io_uring_prep_write(sqe(wake_), all_stop_, &kOne, sizeof kOne, 0);
                stopping_ = true;
                return;
            case OpKind::tick: return expire_slow_answers();
            case OpKind::wake:
            case OpKind::ignored: return;
            case OpKind::recv: return received_on(*op.owner, res, flags);
            case OpKind::send: return sent_on(*op.owner, res);
            case OpKind::connect:
                if (op.owner->closed) return;
                if (res < 0) return ended(*op.owner);  // refused, unreachable: the client gets 502
                return connected(static_cast<Upstream&>(*op.owner));
        }
    }

    void accepted(int res) {
        if (!accept_.in_flight)  // the multishot accept ended (EMFILE...): arm it again
            io_uring_prep_multishot_accept(sqe(accept_), listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (res >= 0) {  // TCP_NODELAY comes from the listener (main.cpp)
            add(std::make_unique<UringClient>(Fd{res}));
        } else if (res != -ECONNABORTED && res != -EINTR) {
            c10k::log_syscall_error("accept", -res);
        }
    }

    // slide-begin: received
    void received_on(Connection& c, int res, unsigned flags) {
        bool client = c.side == Connection::Side::client;
        ProvidedBuffers& group = client ? *client_buffers_ : *origin_buffers_;
        Lease lease;  // the buffer goes back to the ring when this returns, unless a send keeps it
        if (flags & IORING_CQE_F_BUFFER) lease = Lease(group, flags >> IORING_CQE_BUFFER_SHIFT);
        if (c.closed) return;
        if (res == -ENOBUFS) return update_reading(c);  // every buffer taken: ask again next turn
        if (res <= 0) {
            if (res < 0 && res != -ECONNRESET && res != -ECANCELED) log_error("recv", res);
            return ended(c);
        }
        std::string_view bytes = lease.bytes(static_cast<std::size_t>(res));
        current_lease_ = &lease;  // send() may keep it, for body bytes sent as they came
        if (client) received(static_cast<Client&>(c), bytes);
        else received(static_cast<Upstream&>(c), bytes);
        current_lease_ = nullptr;
    }
    // slide-end: received

    void sent_on(Connection& c, int res) {
        Requests& r = requests_of(c);
        std::size_t done = res > 0 ? static_cast<std::size_t>(res) : 0;
        // What the kernel did not take stays first in line, as owned bytes: a short send
        // gives its lease back too, so a client that stopped reading holds no buffer.
        std::size_t from_owned = std::min(done, r.sending.size());
        r.sending.erase(0, from_owned);
        if (done - from_owned < r.lent.size()) r.sending.append(r.lent.substr(done - from_owned));
        r.lent = {};
        if (r.lease) --lent_buffers_;
        r.lease.end();
        c.in_flight = 0;
        if (c.closed) return;
        if (res <= 0) {
            if (res < 0 && res != -EPIPE && res != -ECONNRESET && res != -ECANCELED) c10k::log_syscall_error("send", -res);
            return ended(c);
        }
        start_send(c, r, {});
        sent(c);
    }

    // ---- The hooks ------------------------------------------------------------------
    // One send in flight per connection keeps the bytes in order. With none in flight, the
    // queued bytes and the borrowed ones go in one sendmsg, and the buffer they came in
    // stays leased until it completes; with one in flight, the borrowed bytes are copied.
    void send(Connection& c, std::string_view borrowed) override {
        Requests& r = requests_of(c);
        if (c.closed) return;
        bool may_lend = current_lease_ && *current_lease_ && !r.send.in_flight && lent_buffers_ < kMaxLent;
        if (!borrowed.empty() && !may_lend) {
            c.out.append(borrowed);
            borrowed = {};
        }
        start_send(c, r, borrowed);
    }

    void start_send(Connection& c, Requests& r, std::string_view borrowed) {
        if (r.send.in_flight) return;
        if (r.sending.empty()) r.sending.swap(c.out);
        else r.sending.append(c.out);  // after what a short send left
        c.out.clear();
        if (r.sending.empty() && borrowed.empty()) return;
        if (!borrowed.empty()) {
            r.lease = std::move(*current_lease_);
            r.lent = borrowed;
            ++lent_buffers_;
        }
        c.in_flight = r.sending.size() + r.lent.size();
        if (r.lent.empty()) {
            io_uring_prep_send(sqe(r.send), c.fd.get(), r.sending.data(), r.sending.size(), MSG_NOSIGNAL);
            return;
        }
        r.pieces[0] = {r.sending.data(), r.sending.size()};
        r.pieces[1] = {const_cast<char*>(r.lent.data()), r.lent.size()};
        r.message = {};
        r.message.msg_iov = r.sending.empty() ? &r.pieces[1] : r.pieces;
        r.message.msg_iovlen = r.sending.empty() ? 1 : 2;
        io_uring_prep_sendmsg(sqe(r.send), c.fd.get(), &r.message, MSG_NOSIGNAL);
    }

    // A receive cannot be taken back once submitted: backpressure is not asking for the next.
    void update_reading(Connection& c) override {
        Requests& r = requests_of(c);
        if (r.recv.in_flight || !may_read(c)) return;
        io_uring_sqe* entry = sqe(r.recv);
        io_uring_prep_recv(entry, c.fd.get(), nullptr, 0, 0);
        entry->flags |= IOSQE_BUFFER_SELECT;
        entry->buf_group = c.side == Connection::Side::client ? client_buffers_->id() : origin_buffers_->id();
    }

    std::unique_ptr<Upstream> open_upstream() override {
        Fd fd = upstream_socket(config_.upstream);
        if (!fd) return nullptr;
        auto u = std::make_unique<UringUpstream>(std::move(fd));
        io_uring_prep_connect(sqe(u->connect), u->fd.get(), config_.upstream.get(), config_.upstream.length);
        return u;
    }

    // Its requests in flight end (cancelled: an entry, not a syscall), and then it is freed,
    // its socket closed with it.
    void close(Connection& c) override {
        if (requests_of(c).idle()) return;
        io_uring_sqe* entry = sqe(ignored_);
        io_uring_prep_cancel_fd(entry, c.fd.get(), IORING_ASYNC_CANCEL_ALL);
        io_uring_sqe_set_flags(entry, IOSQE_CQE_SKIP_SUCCESS);  // only a failure says something
    }

    bool in_use(const Connection& c) const override { return !requests_of(c).idle(); }

    io_uring ring_{};
    std::optional<ProvidedBuffers> client_buffers_, origin_buffers_;
    Lease* current_lease_ = nullptr;  // the buffer of the completion being handled
    unsigned lent_buffers_ = 0;       // origin buffers that sends still point into
    int listener_;
    int all_stop_;
    Fd stop_fd_ = c10k::open_stop_signalfd();
    signalfd_siginfo stop_info_{};  // what the stop signal's read fills in
    bool stopping_ = false;
    Op accept_{OpKind::accept}, stop_{OpKind::stop}, all_stop_op_{OpKind::stop}, tick_{OpKind::tick};
    Op wake_{OpKind::wake}, ignored_{OpKind::ignored};
    static constexpr std::uint64_t kOne = 1;  // what the wake-up write adds to the eventfd
    __kernel_timespec tick_time_{};
};

}  // namespace

int run_io_uring(Fd listener, const ProxyConfig& config) {
    if (auto why = c10k::probe_io_uring()) {  // before any worker: each would fail the same way
        std::fprintf(stderr, "server: %s\n", why->c_str());
        return 1;
    }
    (void)c10k::block_stop_signals();  // they arrive through each loop's signalfd, as completions
    Fd all_stop{::eventfd(0, EFD_CLOEXEC)};
    if (!all_stop) {
        c10k::log_syscall_error("eventfd", errno);
        return 1;
    }
    // A listener per ring: multishot accepts of several rings on one listener all wait on it,
    // and the kernel hands every new client to the first of them -- one ring did all the work.
    // Siblings with SO_REUSEPORT each have their own queue, and the kernel spreads clients.
    std::vector<Fd> listeners;
    listeners.push_back(std::move(listener));
    try {
        for (int i = 1; i < config.workers; ++i) listeners.push_back(c10k::open_sibling_listener(listeners[0].get()));
    } catch (const c10k::SyscallError& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return run_workers(config.workers, [&](int worker) {
        int status = 1;
        try {
            status = UringLoop(listeners[static_cast<std::size_t>(worker)].get(), config, all_stop.get()).run();
        } catch (const c10k::SyscallError& error) {
            std::fprintf(stderr, "server: %s\n", error.what());
        }
        if (status != 0) ::eventfd_write(all_stop.get(), 1);  // a loop that failed stops the others
        return status;
    });
}

}  // namespace tinygate
