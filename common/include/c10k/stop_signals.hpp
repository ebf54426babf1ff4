#pragma once
/// @file stop_signals.hpp
/// @brief Signal set-up shared by every server: SIGPIPE ignored, SIGTERM/SIGINT stop.

#include <signal.h>

#include "c10k/fd.hpp"

namespace c10k {

/// Ignores SIGPIPE (a write to a closed peer then fails with EPIPE instead of killing
/// the server) and makes SIGTERM and SIGINT set the stop flag.
///
/// The handlers are installed *without* SA_RESTART on purpose: a server blocked in
/// accept(), read() or a wait call gets EINTR, checks stop_requested() and exits.
/// Check stop_requested() *before* each blocking call too: a signal that arrives while
/// the server is busy (say, writing) interrupts nothing, and the next read() would block.
void install_stop_signals();

/// True once SIGTERM or SIGINT arrived. Safe to call from any thread.
[[nodiscard]] bool stop_requested() noexcept;

/// For event loops: blocks SIGTERM and SIGINT and returns the signal mask to *wait* with.
///
/// Pass the result to pselect(), ppoll() or epoll_pwait(): the kernel unblocks the stop
/// signals only for the duration of the wait, atomically, so a stop request can never
/// slip in between checking stop_requested() and going to sleep.
/// Threads created afterwards inherit the blocked mask, so the signal always wakes the
/// thread that waits with this mask.
[[nodiscard]] sigset_t block_stop_signals();

/// For proactors (io_uring): a signalfd that becomes readable on SIGTERM or SIGINT, so a
/// stop request is one more completion -- a read of it -- and wakes the wait like any other,
/// with no EINTR and no race. Block the signals first (block_stop_signals), or they are
/// delivered as signals instead. Throws SyscallError when signalfd fails.
[[nodiscard]] Fd open_stop_signalfd();

}  // namespace c10k
