#pragma once
/// @file syscall_counter.hpp
/// @brief Counting a server's syscalls and CPU time inside make race's window.
///
/// Preferred: `perf stat` on the raw_syscalls:sys_enter and syscalls:sys_enter_* tracepoints
/// plus task-clock: exact, and cheap enough not to change what it measures. perf starts
/// with its counters off and make race switches them on and off through perf's control
/// fifo (--control), so only the measurement window counts.
/// Fallback: strace -ff, counted between the window's timestamps. It slows every traced
/// call by tens of microseconds and changes io_uring's batching: its figures are evidence
/// of which calls are made, not benchmark numbers, and make race says so.

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace c10k::grader {

class SandboxedProcess;

/// What was counted inside the window.
struct WindowCounts {
    double cpu_seconds = -1;              ///< server CPU time, all threads (-1: unknown)
    long syscalls = -1;                   ///< every syscall the server entered (-1: unknown)
    std::map<std::string, long> by_name;  ///< the syscalls of interest, by name
};

/// Where perf looks for the kernel's tracepoints first.
inline constexpr const char* kTracefsPath = "/sys/kernel/tracing";
/// The command that mounts it, for messages.
inline constexpr const char* kMountTracefs = "mount -t tracefs nodev /sys/kernel/tracing";

/// A fresh machine has no tracefs mounted, and perf then sees no syscall tracepoints. As
/// root, mounts it when /sys/kernel/tracing exists and is empty. Returns one line saying
/// what it did or why it could not, or empty when the tracepoints were visible already.
std::string mount_tracefs_if_missing();

/// Empty when perf can count syscall tracepoints here; otherwise one line saying why not.
std::string perf_unavailable_reason();

/// The syscalls whose counts make race shows one by one (the rest only in the total).
const std::vector<std::string>& counted_syscalls();

/// perf stat attached to a running server, counters off until enable().
class PerfCounter {
public:
    /// Attaches to @p pid (or to every process in @p pids: nginx's master and workers),
    /// counting every syscall and, one by one, those in @p names (of counted_syscalls()).
    /// Throws ToolError when perf cannot be started.
    explicit PerfCounter(pid_t pid) : PerfCounter(std::vector<pid_t>{pid}) {}
    explicit PerfCounter(const std::vector<pid_t>& pids, const std::vector<std::string>& names = counted_syscalls());
    ~PerfCounter();
    PerfCounter(const PerfCounter&) = delete;
    PerfCounter& operator=(const PerfCounter&) = delete;

    /// Switch counting on / off; each waits for perf's acknowledgement (bounded).
    void enable();
    void disable();
    /// Stops perf and reads what it counted. Throws ToolError if it printed nothing usable.
    WindowCounts finish();

private:
    void command(const char* what);
    std::filesystem::path dir_;
    int control_ = -1;
    int ack_ = -1;
    std::unique_ptr<SandboxedProcess> perf_;
};

/// perf switched on and off from a load's window callbacks, where nothing may throw: a
/// failure is kept for failure() instead, and the window's figures stand without counts.
class PerfWindow {
public:
    /// Attaches perf to the processes @p list_pids gives and switches counting on. Tries
    /// @p attempts times, listing them anew each time: a thread that ends between the
    /// listing and perf's attaching fails it (a thread per connection under churn).
    /// @p names: the calls counted one by one (the total counts every call regardless).
    void open(const std::function<std::vector<pid_t>()>& list_pids, int attempts = 1,
              const std::vector<std::string>& names = counted_syscalls());
    void close();
    /// What was counted (nothing when perf never ran); ends perf.
    WindowCounts finish();
    [[nodiscard]] const std::string& failure() const { return failure_; }

private:
    std::unique_ptr<PerfCounter> perf_;
    std::string failure_;
};

/// The strace fallback: the server runs as strace's child; call around the window.
class StraceCounter {
public:
    StraceCounter();   ///< makes the trace folder; throws ToolError if it cannot
    ~StraceCounter();  ///< removes it
    StraceCounter(const StraceCounter&) = delete;
    StraceCounter& operator=(const StraceCounter&) = delete;

    /// strace's arguments, to go before the server's command.
    [[nodiscard]] std::vector<std::string> command_prefix() const;
    void window_opened(pid_t strace_pid);
    void window_closed(pid_t strace_pid);
    /// Counts the trace between the window timestamps (after the server ended).
    WindowCounts finish(double window_start, double window_end);

private:
    std::filesystem::path dir_;
    double cpu_before_ = -1, cpu_after_ = -1;
};

/// Parses `perf stat -x,` output: task-clock and every tracepoint count.
WindowCounts parse_perf_stat_csv(const std::string& text);

}  // namespace c10k::grader
