#pragma once
/// @file uring.hpp
/// @brief liburing boilerplate every io_uring server repeats (labs 07, 08, 09): a free
/// submission entry, and the ring released on every way out. Header-only, so that only the
/// programs that use io_uring link liburing.

#include <liburing.h>

#include <cerrno>

#include "c10k/syscall_error.hpp"

namespace c10k {

/// A free submission queue entry. When the queue is full, submits what is queued to make
/// room (the kernel copies the entries at once). Throws SyscallError when that submit fails
/// for a reason a retry cannot fix.
inline io_uring_sqe* next_sqe(io_uring& ring) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    while (!sqe) {
        int ret = io_uring_submit(&ring);
        if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) throw SyscallError("io_uring_submit", -ret);
        sqe = io_uring_get_sqe(&ring);
    }
    return sqe;
}

/// Releases a ring set up with io_uring_queue_init* on every way out of a scope, an
/// exception included, as liburing's examples call io_uring_queue_exit on each exit path.
/// Declare it after what requests in flight write into, so that it is released first.
struct RingGuard {
    io_uring& ring;
    ~RingGuard() { io_uring_queue_exit(&ring); }
};

}  // namespace c10k
