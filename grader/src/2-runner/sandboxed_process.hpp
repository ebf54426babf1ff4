#pragma once
/// @file sandboxed_process.hpp
/// @brief The runner: one child process in a sandbox -- a student's server, or a tool the
/// grader needs (strace, perf, g++, gnuplot) -- started, watched and ended.
///
/// The child runs in its own process group with resource limits (sandbox.hpp); its stdout
/// and stderr are drained into capped buffers (output_drain.hpp). Every wait has a
/// deadline, an exit is reported only after the child's last output was read, and the
/// destructor kills the whole group, so nothing is ever left running.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "2-runner/sandbox.hpp"
#include "deadline.hpp"

namespace c10k::grader {

class OutputDrain;

/// How a process ended.
struct ExitStatus {
    bool exited = false;  ///< true: exited normally with `code`; false: killed by `signal`
    int code = 0;
    int signal = 0;
    /// "exited with code 1" or "killed by SIGSEGV (Segmentation fault)".
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] bool clean() const { return exited && code == 0; }
};

/// One running child process.
class SandboxedProcess {
public:
    /// Starts @p command (argv; command[0] is an absolute or relative path, not
    /// searched in PATH). Throws TestFailure when it cannot be started.
    SandboxedProcess(const std::vector<std::string>& command, const SandboxLimits& limits);
    ~SandboxedProcess();
    SandboxedProcess(const SandboxedProcess&) = delete;
    SandboxedProcess& operator=(const SandboxedProcess&) = delete;

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    /// The process whose network namespace clients must join, or 0 for the host's.
    [[nodiscard]] pid_t network_pid() const noexcept { return own_network_ ? pid_ : 0; }

    /// Waits for "listening on HOST:PORT" on stdout and returns PORT. Throws
    /// TestFailure saying why not: exited first, printed something else, or silent.
    std::uint16_t wait_for_announce(const Deadline& deadline);
    /// When wait_for_announce saw the announce line, in seconds since the epoch (the clock
    /// of strace -ttt), or 0 before that.
    [[nodiscard]] double announce_seen_at() const noexcept { return announce_seen_at_; }

    /// The exit status if the process has ended (reaps it), else nullopt. Never blocks.
    std::optional<ExitStatus> poll_exit();
    /// Waits until the process ends or @p deadline passes.
    std::optional<ExitStatus> wait_exit(const Deadline& deadline);
    /// Sends @p signal to the process's whole group.
    void signal_group(int signal) const;
    /// SIGTERM, up to @p grace for a clean exit, then SIGKILL; always reaps.
    ExitStatus stop(Seconds grace);

    /// Threads of the process plus the other processes in its group (0 once it ended).
    [[nodiscard]] int task_count() const;
    /// Descriptors the process holds open now (-1 if unknown).
    [[nodiscard]] int open_fd_count() const;
    /// Resident memory of the process in KiB (VmRSS), 0 if unknown.
    [[nodiscard]] long resident_kib() const;
    /// Address space of the process in KiB (VmSize), 0 if unknown.
    [[nodiscard]] long virtual_kib() const;

    /// The last @p max_lines lines written to stderr, joined with " | ".
    [[nodiscard]] std::string stderr_tail(std::size_t max_lines = 3) const;
    /// The last 16 KiB written to stderr, as written.
    [[nodiscard]] std::string stderr_text() const;
    /// Everything kept from stdout (its first few KiB).
    [[nodiscard]] std::string stdout_head() const;
    /// The last @p max_lines lines written to stdout after the announce, joined with " | ":
    /// "accept error: -23, exiting" is often all a failing server says.
    [[nodiscard]] std::string stdout_tail(std::size_t max_lines = 3) const;

private:
    void reap_after_exit();

    pid_t pid_ = -1;
    int pidfd_ = -1;
    bool own_network_ = false;
    double announce_seen_at_ = 0;
    std::optional<ExitStatus> status_;
    std::unique_ptr<OutputDrain> output_;
};

}  // namespace c10k::grader
