#pragma once
/// @file stop_signals.hpp
/// @brief Signal set-up shared by every server: SIGPIPE ignored, SIGTERM/SIGINT stop.

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

}  // namespace c10k
