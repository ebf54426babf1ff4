#pragma once
// The zero-copy bench: one relay thread moves bodies from upstream sockets to downstream
// sockets -- the part of a proxy that touches every body byte -- one way per file, as
// TinyGate's models are one model per file:
//   relay_copy.cpp          epoll + read()/write() through a user-space buffer (two copies)
//   relay_splice.cpp        epoll + splice() through a pipe (pages move, no user copy)
//   relay_uring_splice.cpp  io_uring IORING_OP_SPLICE through a pipe
//   relay_uring_copy.cpp    io_uring recv + send through a user-space buffer
// Each loop returns when `stop` is set (it checks at least every 50 ms).

#include <atomic>
#include <string>
#include <vector>

namespace zerocopy {

struct RelayPair {
    int from;  ///< the upstream socket: nonblocking, bytes arrive here
    int to;    ///< the downstream socket: blocking, bytes leave here
};

/// Throws std::runtime_error naming the call that failed.
using RelayLoop = void (*)(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop);

void relay_copy(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop);
void relay_splice(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop);
void relay_uring_splice(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop);
void relay_uring_copy(const std::vector<RelayPair>& pairs, const std::atomic<bool>& stop);

/// "write: Broken pipe" as an exception, for the loops' error paths.
[[noreturn]] void fail(const std::string& call, int error);

}  // namespace zerocopy
