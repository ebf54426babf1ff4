// Lab 08 reference solution: io_uring with multishot requests and a provided-buffer ring.
//
// Lab 07 needed a request per operation and a buffer per connection. Here:
//   * one *multishot* accept keeps producing a completion per new client;
//   * one multishot recv per connection keeps producing a completion per arrival, each
//     into a buffer the kernel picks from a ring of buffers we *provide* (shared by all
//     connections: memory follows traffic, not connection count);
//   * a buffer goes back to the ring once its echo has been sent (after the zero-copy
//     notification with --zc); when the ring runs dry a recv ends with -ENOBUFS and is
//     re-armed as soon as buffers come back;
//   * --sqpoll: a kernel thread polls the submission queue, so submitting costs no
//     syscall at all -- but that thread burns a CPU while it spins;
//   * --defer-taskrun: completions are processed only when we wait (SINGLE_ISSUER |
//     DEFER_TASKRUN), which batches the kernel's work as well as ours.

#include <liburing.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <vector>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "c10k/uring.hpp"

namespace {

using c10k::Fd;

constexpr unsigned kRingEntries = 4096;
constexpr unsigned kCompletionEntries = 32768;  // more than 10,000 connections' pending completions
constexpr unsigned kBufferCount = 4096;  // a power of two, as the buffer ring requires
constexpr unsigned kBufferSize = 4096;
constexpr unsigned kBufferGroup = 0;
constexpr std::size_t kMaxChunksPerConnection = 64;  // 256 KiB: then pause that client's recv

struct Settings {
    bool sqpoll = false;
    bool defer_taskrun = false;
    bool zero_copy = false;
};
Settings g_settings;

// slide-begin: user-data
enum class Op : std::uint32_t { accept, recv, send, stop, cancel };

std::uint64_t tag(Op op, int fd) { return (std::uint64_t(op) << 32) | std::uint32_t(fd); }
Op tag_op(std::uint64_t user_data) { return static_cast<Op>(user_data >> 32); }
int tag_fd(std::uint64_t user_data) { return static_cast<int>(user_data & 0xffffffffu); }
// slide-end: user-data

// slide-begin: buffer-ring
// The provided buffers: kBufferCount buffers of kBufferSize bytes, and the ring through
// which we hand them to the kernel. The kernel takes one per recv completion.
class BufferRing {
public:
    // slide-begin: buffer-ring-setup
    explicit BufferRing(io_uring& ring)
        : uring_(ring), memory_(std::size_t(kBufferCount) * kBufferSize) {
        // liburing 2.3 has no io_uring_setup_buf_ring: map page-aligned memory, register it.
        std::size_t bytes = kBufferCount * sizeof(io_uring_buf);
        void* mapped =
            ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if (mapped == MAP_FAILED) throw c10k::SyscallError("mmap", errno);
        ring_ = static_cast<io_uring_buf_ring*>(mapped);
        io_uring_buf_reg registration{};
        registration.ring_addr = reinterpret_cast<std::uint64_t>(ring_);
        registration.ring_entries = kBufferCount;
        registration.bgid = kBufferGroup;
        if (int ret = io_uring_register_buf_ring(&ring, &registration, 0); ret < 0) {
            ::munmap(mapped, bytes);
            ring_ = nullptr;
            throw c10k::SyscallError("io_uring_register_buf_ring", -ret);
        }
        io_uring_buf_ring_init(ring_);
        for (unsigned id = 0; id < kBufferCount; ++id) add(id, id);
        io_uring_buf_ring_advance(ring_, kBufferCount);
    }
    // slide-end: buffer-ring-setup
    ~BufferRing() {
        if (!ring_) return;
        // While the ring lives (RingGuard outlives the server): no recv picks a buffer after this.
        io_uring_unregister_buf_ring(&uring_, kBufferGroup);
        ::munmap(ring_, kBufferCount * sizeof(io_uring_buf));
    }
    BufferRing(const BufferRing&) = delete;
    BufferRing& operator=(const BufferRing&) = delete;

    char* buffer(unsigned id) { return memory_.data() + std::size_t(id) * kBufferSize; }

    // Hands a buffer back to the kernel once its echo is out.
    void recycle(unsigned id) {
        add(id, 0);
        io_uring_buf_ring_advance(ring_, 1);
    }

private:
    void add(unsigned id, unsigned offset) {
        io_uring_buf_ring_add(ring_, buffer(id), kBufferSize, static_cast<unsigned short>(id),
                              io_uring_buf_ring_mask(kBufferCount), static_cast<int>(offset));
    }

    io_uring& uring_;
    std::vector<char> memory_;
    io_uring_buf_ring* ring_ = nullptr;
};
// slide-end: buffer-ring

// slide-begin: connection
// A received buffer waiting for (or in the middle of) its echo.
struct Chunk {
    unsigned buffer_id = 0;
    std::size_t length = 0;
    std::size_t sent = 0;
    unsigned notifications = 0;  // --zc: the kernel still reads the buffer until these arrive
};

// One client. Sends go out one at a time, in order; the multishot recv runs meanwhile.
struct Connection {
    explicit Connection(Fd client) : fd(std::move(client)) {}
    Fd fd;
    std::deque<Chunk> chunks;  // received, in order; the front ones may be done but not yet released
    bool sending = false;      // a send request is in flight
    bool receiving = false;    // the multishot recv is armed
    bool read_closed = false;  // EOF or error: no more recvs
    bool paused = false;       // too much unsent: its recv was cancelled (backpressure)

    [[nodiscard]] bool finished() const {
        return read_closed && !sending && !receiving && chunks.empty();
    }
};
using Connections = std::map<int, Connection>;
// slide-end: connection

struct Server {
    io_uring& ring;
    int listener;
    BufferRing buffers;
    Connections connections;
    std::vector<int> starved;  // connections whose recv ended with -ENOBUFS
    Fd stop_fd;
    signalfd_siginfo stop_info{};
    bool running = true;
};

// slide-begin: submit
// slide-begin: submit-multishot
void submit_multishot_accept(Server& server) {
    io_uring_sqe* sqe = c10k::next_sqe(server.ring);
    io_uring_prep_multishot_accept(sqe, server.listener, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, tag(Op::accept, server.listener));
}

void submit_multishot_recv(Server& server, int fd, Connection& c) {
    io_uring_sqe* sqe = c10k::next_sqe(server.ring);
    io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;  // the kernel picks a buffer from our group
    sqe->buf_group = kBufferGroup;
    io_uring_sqe_set_data64(sqe, tag(Op::recv, fd));
    c.receiving = true;
}
// slide-end: submit-multishot

// Sends the rest of the first chunk that is not fully sent yet.
void submit_send(Server& server, int fd, Connection& c) {
    for (Chunk& chunk : c.chunks) {
        if (chunk.sent == chunk.length) continue;
        io_uring_sqe* sqe = c10k::next_sqe(server.ring);
        char* data = server.buffers.buffer(chunk.buffer_id) + chunk.sent;
        if (g_settings.zero_copy)
            io_uring_prep_send_zc(sqe, fd, data, chunk.length - chunk.sent, MSG_NOSIGNAL, 0);
        else
            io_uring_prep_send(sqe, fd, data, chunk.length - chunk.sent, MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, tag(Op::send, fd));
        c.sending = true;
        return;
    }
}
// slide-end: submit

// Backpressure: a client whose echoes pile up stops receiving (its multishot recv is
// cancelled) until they drain, so one client that never reads cannot take every buffer.
void pause_if_full(Server& server, int fd, Connection& c) {
    if (c.chunks.size() < kMaxChunksPerConnection || !c.receiving || c.paused) return;
    io_uring_sqe* sqe = c10k::next_sqe(server.ring);
    io_uring_prep_cancel64(sqe, tag(Op::recv, fd), 0);
    io_uring_sqe_set_data64(sqe, tag(Op::cancel, fd));
    c.paused = true;
}

// Gives back the buffers at the front whose echo is complete (and, with --zc, released).
void release_sent_chunks(Server& server, int fd, Connection& c) {
    while (!c.chunks.empty() && c.chunks.front().sent == c.chunks.front().length &&
           c.chunks.front().notifications == 0) {
        server.buffers.recycle(c.chunks.front().buffer_id);
        c.chunks.pop_front();
    }
    if (c.paused && !c.receiving && !c.read_closed && c.chunks.size() < kMaxChunksPerConnection / 2) {
        c.paused = false;
        submit_multishot_recv(server, fd, c);
    }
    // Buffers came back: connections that ran dry can receive again.
    while (!server.starved.empty()) {
        int fd = server.starved.back();
        server.starved.pop_back();
        auto it = server.connections.find(fd);
        if (it != server.connections.end() && !it->second.read_closed && !it->second.receiving && !it->second.paused)
            submit_multishot_recv(server, fd, it->second);
    }
}

// A connection that failed: stop receiving (shutdown ends the multishot recv), drop the rest.
void abandon(Connection& c) {
    c.read_closed = true;
    for (Chunk& chunk : c.chunks) chunk.sent = chunk.length;
    if (c.receiving) ::shutdown(c.fd.get(), SHUT_RDWR);
}

// slide-begin: completions
void on_accept(Server& server, const io_uring_cqe& cqe) {
    if (cqe.res >= 0) {
        Connection& c = server.connections.try_emplace(cqe.res, Fd{cqe.res}).first->second;
        submit_multishot_recv(server, cqe.res, c);
    } else if (cqe.res != -ECONNABORTED && cqe.res != -EINTR) {
        c10k::log_syscall_error("accept", -cqe.res);
    }
    if (!(cqe.flags & IORING_CQE_F_MORE)) submit_multishot_accept(server);  // it ended: re-arm
}

void on_recv(Server& server, int fd, Connection& c, const io_uring_cqe& cqe) {
    bool more = cqe.flags & IORING_CQE_F_MORE;
    if (!more) c.receiving = false;
    if (cqe.res > 0) {
        unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
        c.chunks.push_back({id, static_cast<std::size_t>(cqe.res), 0, 0});
        if (!c.sending) submit_send(server, fd, c);
        if (!more && !c.read_closed && !c.paused) submit_multishot_recv(server, fd, c);
        pause_if_full(server, fd, c);
    } else if (cqe.res == -ECANCELED) {
        // paused on purpose; release_sent_chunks re-arms it
    } else if (cqe.res == -ENOBUFS) {
        server.starved.push_back(fd);  // re-armed when buffers are recycled
    } else {
        if (cqe.res < 0 && cqe.res != -ECONNRESET) c10k::log_syscall_error("recv", -cqe.res);
        c.read_closed = true;  // 0: EOF; echo what is left, then close
    }
}

void on_send(Server& server, int fd, Connection& c, const io_uring_cqe& cqe) {
    if (cqe.flags & IORING_CQE_F_NOTIF) {  // --zc: the kernel is done with a buffer
        for (Chunk& chunk : c.chunks)
            if (chunk.notifications > 0) {
                --chunk.notifications;
                break;
            }
        release_sent_chunks(server, fd, c);
        return;
    }
    c.sending = false;
    for (Chunk& chunk : c.chunks) {
        if (chunk.sent == chunk.length) continue;
        if (cqe.flags & IORING_CQE_F_MORE) ++chunk.notifications;  // a notification will follow
        if (cqe.res < 0) {
            if (cqe.res != -EPIPE && cqe.res != -ECONNRESET) c10k::log_syscall_error("send", -cqe.res);
            abandon(c);
        } else {
            chunk.sent += static_cast<std::size_t>(cqe.res);  // short: the rest goes next
        }
        break;
    }
    release_sent_chunks(server, fd, c);
    submit_send(server, fd, c);
}
// slide-end: completions

void handle_completion(Server& server, const io_uring_cqe& cqe) {
    std::uint64_t user_data = io_uring_cqe_get_data64(&cqe);
    int fd = tag_fd(user_data);
    switch (tag_op(user_data)) {
        case Op::stop:
            server.running = false;
            return;
        case Op::accept:
            on_accept(server, cqe);
            return;
        case Op::cancel:  // the cancelled recv reports itself with -ECANCELED
            return;
        case Op::recv:
        case Op::send:
            break;
    }
    auto it = server.connections.find(fd);
    if (it == server.connections.end()) return;
    Connection& c = it->second;
    if (tag_op(user_data) == Op::recv) on_recv(server, fd, c, cqe);
    else on_send(server, fd, c, cqe);
    if (c.finished()) server.connections.erase(it);  // nothing in flight refers to it any more
}

// slide-begin: event-loop
void run_event_loop(Server& server) {
    io_uring_sqe* sqe = c10k::next_sqe(server.ring);
    io_uring_prep_read(sqe, server.stop_fd.get(), &server.stop_info, sizeof server.stop_info, 0);
    io_uring_sqe_set_data64(sqe, tag(Op::stop, server.stop_fd.get()));
    submit_multishot_accept(server);
    while (server.running) {
        int ret = io_uring_submit_and_wait(&server.ring, 1);
        if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
            throw c10k::SyscallError("io_uring_submit_and_wait", -ret);
        io_uring_cqe* cqe = nullptr;
        unsigned head = 0;
        unsigned seen = 0;
        io_uring_for_each_cqe(&server.ring, head, cqe) {
            handle_completion(server, *cqe);
            ++seen;
        }
        io_uring_cq_advance(&server.ring, seen);
    }
}
// slide-end: event-loop

// slide-begin: setup
int init_ring(io_uring& ring) {
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE;  // room for every completion pending at once
    params.cq_entries = kCompletionEntries;
    if (g_settings.sqpoll) {
        params.flags |= IORING_SETUP_SQPOLL;
        params.sq_thread_idle = 100;  // ms of idleness before the polling thread sleeps
    }
    if (g_settings.defer_taskrun)
        params.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    return io_uring_queue_init_params(kRingEntries, &ring, &params);
}
// slide-end: setup

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Lab 08: io_uring echo server with multishot requests and a buffer ring"};
    c10k::ServerOptions options;
    c10k::add_server_options(app, options);
    app.add_flag("--sqpoll", g_settings.sqpoll, "a kernel thread polls the submission queue (IORING_SETUP_SQPOLL)");
    app.add_flag("--defer-taskrun", g_settings.defer_taskrun, "IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN")
        ->excludes("--sqpoll");
    app.add_flag("--zc", g_settings.zero_copy, "zero-copy sends (send_zc, released by a notification)");
    CLI11_PARSE(app, argc, argv);
    try {
        c10k::install_stop_signals();
        (void)c10k::block_stop_signals();  // they arrive through the signalfd, as completions
        c10k::raise_open_file_limit();
        io_uring ring;
        if (int ret = init_ring(ring); ret < 0) {
            std::fprintf(stderr, "server: %s\n", c10k::io_uring_unavailable_reason(-ret).c_str());
            return 1;
        }
        c10k::RingGuard release_ring{ring};
        Fd listener = c10k::open_listener(options);
        Server server{ring, listener.get(), BufferRing(ring), {}, {}, c10k::open_stop_signalfd()};
        c10k::announce_listening(listener.get());
        run_event_loop(server);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 1;
    }
    return 0;
}
