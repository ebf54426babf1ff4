// io_uring IORING_OP_SPLICE: the same socket -> pipe -> socket, as submissions. The
// kernel cannot splice a socket without blocking inline, so these run in io-wq worker
// threads (iou-wrk-*): the bench counts their CPU with the relay's.
#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include <cerrno>

#include "relay.hpp"

namespace zerocopy {
namespace {

constexpr unsigned kChunk = 256 * 1024;

// user_data: pair index * 2 + (0: into the pipe, 1: out of it).
void splice_in(io_uring& ring, const RelayPair& pair, int pipe_in, std::size_t index) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_splice(sqe, pair.from, -1, pipe_in, -1, kChunk, SPLICE_F_MOVE);
    io_uring_sqe_set_data64(sqe, index * 2);
}

void splice_out(io_uring& ring, const RelayPair& pair, int pipe_out, std::size_t index, unsigned bytes) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_splice(sqe, pipe_out, -1, pair.to, -1, bytes, SPLICE_F_MOVE);
    io_uring_sqe_set_data64(sqe, index * 2 + 1);
}

}  // namespace

void relay_uring_splice(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop) {
    io_uring ring;
    if (int error = io_uring_queue_init(static_cast<unsigned>(pairs.size() * 2 + 8), &ring, 0); error < 0)
        fail("io_uring_queue_init", -error);
    std::vector<int> pipes(pairs.size() * 2);
    std::vector<unsigned> pending(pairs.size(), 0);  // bytes in the pipe, not yet sent on
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (::pipe2(&pipes[2 * i], O_CLOEXEC) != 0) fail("pipe2", errno);
        ::fcntl(pipes[2 * i], F_SETPIPE_SZ, kChunk);
        splice_in(ring, pairs[i], pipes[2 * i + 1], i);
    }
    __kernel_timespec tick{0, 50'000'000};
    while (!stop.load(std::memory_order_relaxed)) {
        io_uring_submit(&ring);
        io_uring_cqe* cqe = nullptr;
        if (io_uring_wait_cqe_timeout(&ring, &cqe, &tick) < 0) continue;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            ++seen;
            std::size_t i = io_uring_cqe_get_data64(cqe) / 2;
            bool out = io_uring_cqe_get_data64(cqe) % 2;
            if (cqe->res < 0 && cqe->res != -EAGAIN) fail(out ? "splice to the socket" : "splice from the socket", -cqe->res);
            unsigned moved = cqe->res > 0 ? static_cast<unsigned>(cqe->res) : 0;
            if (!out) pending[i] = moved;
            else pending[i] -= moved;
            if (pending[i] > 0) splice_out(ring, pairs[i], pipes[2 * i], i, pending[i]);
            else splice_in(ring, pairs[i], pipes[2 * i + 1], i);
        }
        io_uring_cq_advance(&ring, seen);
    }
    io_uring_queue_exit(&ring);  // cancels what is in flight
    for (int fd : pipes) ::close(fd);
}

}  // namespace zerocopy
