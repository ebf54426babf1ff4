// io_uring recv + send through a buffer per pair: io_uring's answer without splice -- the
// same two copies as read()/write(), fewer system calls.
#include <liburing.h>

#include <cerrno>
#include <memory>

#include "relay.hpp"

namespace zerocopy {
namespace {

constexpr unsigned kBuffer = 64 * 1024;

struct PairState {
    std::unique_ptr<char[]> buffer{new char[kBuffer]};
    unsigned filled = 0, sent = 0;
};

void recv_into(io_uring& ring, const RelayPair& pair, PairState& state, std::size_t index) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, pair.from, state.buffer.get(), kBuffer, 0);
    io_uring_sqe_set_data64(sqe, index * 2);
}

void send_from(io_uring& ring, const RelayPair& pair, PairState& state, std::size_t index) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_send(sqe, pair.to, state.buffer.get() + state.sent, state.filled - state.sent, MSG_WAITALL);
    io_uring_sqe_set_data64(sqe, index * 2 + 1);
}

}  // namespace

void relay_uring_copy(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop) {
    io_uring ring;
    if (int error = io_uring_queue_init(static_cast<unsigned>(pairs.size() * 2 + 8), &ring, 0); error < 0)
        fail("io_uring_queue_init", -error);
    std::vector<PairState> states(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) recv_into(ring, pairs[i], states[i], i);
    __kernel_timespec tick{0, 50'000'000};
    while (!stop.load(std::memory_order_relaxed)) {
        io_uring_submit(&ring);
        io_uring_cqe* cqe = nullptr;
        if (io_uring_wait_cqe_timeout(&ring, &cqe, &tick) < 0) continue;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            ++seen;
            std::size_t i = io_uring_cqe_get_data64(cqe) / 2;
            bool sending = io_uring_cqe_get_data64(cqe) % 2;
            PairState& state = states[i];
            if (cqe->res < 0 && cqe->res != -EAGAIN) fail(sending ? "send" : "recv", -cqe->res);
            unsigned moved = cqe->res > 0 ? static_cast<unsigned>(cqe->res) : 0;
            if (!sending) state.filled = moved, state.sent = 0;
            else state.sent += moved;
            if (state.sent < state.filled) send_from(ring, pairs[i], state, i);
            else recv_into(ring, pairs[i], state, i);
        }
        io_uring_cq_advance(&ring, seen);
    }
    io_uring_queue_exit(&ring);
}

}  // namespace zerocopy
