#pragma once
/// @file kernel_counter.hpp
/// @brief Counting what the kernel does for a task -- syscalls entered, context switches,
/// io_uring's tracepoints -- with perf_event_open(2), the interface perf itself uses. A
/// counter opened with inheritance also counts the threads the task creates afterwards.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "c10k/fd.hpp"

namespace c10k::demo {

class KernelCounter {
public:
    /// A tracepoint such as "raw_syscalls:sys_enter" or "io_uring:io_uring_queue_async_work",
    /// for @p pid (0: the calling thread), and with @p inherit the threads and children it
    /// creates from now on. Throws std::runtime_error with one line saying what is missing.
    static KernelCounter tracepoint(const std::string& name, pid_t pid = 0, bool inherit = true);
    /// A software event (PERF_COUNT_SW_CONTEXT_SWITCHES, ...), same scope.
    static KernelCounter software(std::uint64_t config, pid_t pid = 0, bool inherit = true);

    /// The count so far (inherited threads included, running or ended).
    [[nodiscard]] long value() const;

private:
    explicit KernelCounter(int fd) : fd_(fd) {}
    Fd fd_;
};

/// Empty when this process may count tracepoints on itself; otherwise one line saying what
/// is missing (tracefs, permission) and how to get it.
std::optional<std::string> tracepoints_unavailable();

/// True when the tracepoint exists in this kernel (io_uring's change names between versions).
bool tracepoint_exists(const std::string& name);

}  // namespace c10k::demo
