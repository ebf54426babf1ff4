// Lab 08: io_uring with multishot requests and a provided-buffer ring.
//
// The spec (labs/08-io_uring-advanced/README.md has the steps): lab 07's server, with
// fewer requests than messages:
//   * one multishot accept for all clients, re-armed only when a completion lacks
//     IORING_CQE_F_MORE;
//   * one multishot recv per connection, into buffers the kernel takes from a ring we
//     provide (BufferRing); each buffer goes back once its echo has been sent;
//   * -ENOBUFS ends a recv when the ring is empty: re-arm it when buffers come back;
//   * --sqpoll, --defer-taskrun and --zc select ring set-up flags and zero-copy sends.

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
#include <stdexcept>
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

enum class Op : std::uint32_t { accept, recv, send, stop, cancel };

std::uint64_t tag(Op op, int fd) { return (std::uint64_t(op) << 32) | std::uint32_t(fd); }
Op tag_op(std::uint64_t user_data) { return static_cast<Op>(user_data >> 32); }
int tag_fd(std::uint64_t user_data) { return static_cast<int>(user_data & 0xffffffffu); }

// The provided buffers: kBufferCount buffers of kBufferSize bytes, and the ring through
// which we hand them to the kernel. The kernel takes one per recv completion.
class BufferRing {
public:
    explicit BufferRing(io_uring& ring) : memory_(std::size_t(kBufferCount) * kBufferSize) {
        // liburing 2.3 has no io_uring_setup_buf_ring: map page-aligned memory, register it.
        std::size_t bytes = kBufferCount * sizeof(io_uring_buf);
        void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if (mapped == MAP_FAILED) throw c10k::SyscallError("mmap", errno);
        ring_ = static_cast<io_uring_buf_ring*>(mapped);
        io_uring_buf_reg registration{};
        registration.ring_addr = reinterpret_cast<std::uint64_t>(ring_);
        registration.ring_entries = kBufferCount;
        registration.bgid = kBufferGroup;
        if (int ret = io_uring_register_buf_ring(&ring, &registration, 0); ret < 0)
            throw c10k::SyscallError("io_uring_register_buf_ring", -ret);
        io_uring_buf_ring_init(ring_);
        for (unsigned id = 0; id < kBufferCount; ++id) add(id, id);
        io_uring_buf_ring_advance(ring_, kBufferCount);
    }

    char* buffer(unsigned id) { return memory_.data() + std::size_t(id) * kBufferSize; }

    // Hands a buffer back to the kernel once its echo is out.
    void recycle(unsigned id) {
        // TODO(student): step 4. Put buffer `id` back into the ring (add) and make it
        // visible to the kernel: until then the kernel cannot pick it again.
        (void)id;
    }

private:
    void add(unsigned id, unsigned offset) {
        io_uring_buf_ring_add(ring_, buffer(id), kBufferSize, static_cast<unsigned short>(id),
                              io_uring_buf_ring_mask(kBufferCount), static_cast<int>(offset));
    }

    std::vector<char> memory_;
    io_uring_buf_ring* ring_ = nullptr;
};

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

void submit_multishot_accept(Server& server) {
    // TODO(student): step 1. One accept request that keeps producing a completion per new
    // client (SOCK_CLOEXEC), tagged Op::accept.
    (void)server;
    throw std::logic_error("submit_multishot_accept() is not written yet (labs/08-io_uring-advanced/README.md, step 1)");
}

[[maybe_unused]] void submit_multishot_recv(Server& server, int fd, Connection& c) {
    // TODO(student): step 2. One recv request that keeps producing a completion per
    // arrival, each into a buffer the kernel picks from group kBufferGroup (no buffer of
    // ours in the request), tagged Op::recv; the connection is then receiving.
    (void)server;
    (void)fd;
    (void)c;
}

// Sends the rest of the first chunk that is not fully sent yet.
[[maybe_unused]] void submit_send(Server& server, int fd, Connection& c) {
    // TODO(student): step 4. One send in flight per connection keeps the echoes in order:
    // send the unsent part of the first chunk not fully sent, straight from its buffer
    // (with --zc as a zero-copy send), without SIGPIPE, tagged Op::send.
    (void)server;
    (void)fd;
    (void)c;
}

// Backpressure: a client whose echoes pile up stops receiving (its multishot recv is
// cancelled) until they drain, so one client that never reads cannot take every buffer.
[[maybe_unused]] void pause_if_full(Server& server, int fd, Connection& c) {
    // TODO(student): step 5. Once kMaxChunksPerConnection chunks wait, cancel this
    // connection's armed recv (its completion then ends with -ECANCELED) and remember that
    // it is paused. release_sent_chunks resumes it when the echoes have drained.
    (void)server;
    (void)fd;
    (void)c;
}

// Gives back the buffers at the front whose echo is complete (and, with --zc, released).
[[maybe_unused]] void release_sent_chunks(Server& server, int fd, Connection& c) {
    // TODO(student): step 4. Recycle, in order, every chunk at the front whose echo is
    // complete and that the kernel no longer reads (--zc: no notification pending). Then
    // the buffers that came back can be used: resume this connection if it was paused and
    // has drained to half of kMaxChunksPerConnection (step 5), and re-arm the recv of the
    // connections that ran dry (server.starved) and are still open.
    (void)server;
    (void)fd;
    (void)c;
}

// A connection that failed: stop receiving (shutdown ends the multishot recv), drop the rest.
[[maybe_unused]] void abandon(Connection& c) {
    c.read_closed = true;
    for (Chunk& chunk : c.chunks) chunk.sent = chunk.length;
    if (c.receiving) ::shutdown(c.fd.get(), SHUT_RDWR);
}

void on_accept(Server& server, const io_uring_cqe& cqe) {
    // TODO(student): step 1. One completion per new client (res is its fd): give it a
    // connection and arm its multishot recv; log a failure unless the client merely gave
    // up. A completion without IORING_CQE_F_MORE means the multishot accept has ended:
    // arm a new one, or no client is ever accepted again.
    (void)server;
    (void)cqe;
}

void on_recv(Server& server, int fd, Connection& c, const io_uring_cqe& cqe) {
    // TODO(student): step 3. Without IORING_CQE_F_MORE the recv has ended. Data (res > 0)
    // arrived in the buffer named in cqe.flags: queue it for its echo, start a send if none
    // is in flight, re-arm an ended recv, and apply backpressure (pause_if_full).
    // -ECANCELED is a pause on purpose; -ENOBUFS means the buffers ran out (re-arm when
    // some come back: server.starved); EOF or another error closes the reading side.
    (void)server;
    (void)fd;
    (void)c;
    (void)cqe;
}

void on_send(Server& server, int fd, Connection& c, const io_uring_cqe& cqe) {
    // TODO(student): step 4. A send completion belongs to the first chunk not fully sent:
    // count what went out (a short send goes on with the rest); a failure abandons the
    // connection (quietly when the client is gone). Then release what is done and send
    // the next chunk. With --zc a send may announce a notification (IORING_CQE_F_MORE),
    // and a completion with IORING_CQE_F_NOTIF says the kernel is done with that
    // chunk's buffer: only then may it be recycled.
    (void)server;
    (void)fd;
    (void)c;
    (void)cqe;
}

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

int init_ring(io_uring& ring) {
    io_uring_params params{};
    if (g_settings.sqpoll) {
        params.flags |= IORING_SETUP_SQPOLL;
        params.sq_thread_idle = 100;  // ms of idleness before the polling thread sleeps
    }
    if (g_settings.defer_taskrun) params.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    return io_uring_queue_init_params(kRingEntries, &ring, &params);
}

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
        c10k::RingGuard release_ring{ring};  // on every way out, after what requests point into
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
