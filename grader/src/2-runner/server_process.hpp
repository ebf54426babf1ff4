#pragma once
/// @file server_process.hpp
/// @brief The runner: starts an untrusted server, reads its announce line, and ends it.
///
/// The server runs in its own process group with resource limits; its stdout and
/// stderr are drained by a thread into capped buffers, so a chatty server can never
/// block on a full pipe nor fill the grader's memory. Every wait has a deadline and
/// the destructor kills the whole group, so nothing is ever left running.

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "deadline.hpp"

namespace c10k::grader {

/// Resource limits applied to the server before exec (0 = leave as inherited).
struct SandboxLimits {
    rlim_t cpu_seconds = 120;                          ///< RLIMIT_CPU
    rlim_t address_space_bytes = 4ull << 30;           ///< RLIMIT_AS
    rlim_t processes = 4096;                           ///< RLIMIT_NPROC (per user; root is exempt)
    /// RLIMIT_NOFILE soft limit; the hard limit is inherited, so a server that needs more
    /// fds raises its own soft limit, as it would have to when started from a shell.
    rlim_t open_files_soft = 1024;
    bool own_network = false;  ///< run in a fresh network namespace (see network_namespace.hpp)
    int cpu = -1;              ///< pin to this CPU (benchmarks: the client gets another one)
};

/// How a process ended.
struct ExitStatus {
    bool exited = false;  ///< true: exited normally with `code`; false: killed by `signal`
    int code = 0;
    int signal = 0;
    /// "exited with code 1" or "killed by SIGSEGV (Segmentation fault)".
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] bool clean() const { return exited && code == 0; }
};

/// The absolute path of @p name on PATH, or nullopt.
std::optional<std::string> find_program(const std::string& name);

/// CPU time (user + system, all threads) process @p pid has used, in seconds, from
/// /proc (clock-tick resolution); -1 if it cannot be read.
double process_cpu_seconds(pid_t pid);

/// Makes this process the reaper of every orphaned descendant (PR_SET_CHILD_SUBREAPER), so
/// a server's child that escapes its process group (setsid) is re-parented here and not to
/// init, where it could run on unnoticed. Call once, before starting servers.
void become_subreaper();

/// Kills and reaps every child of this process outside this process's own group that is
/// not a live ServerProcess: the escaped descendants of servers (re-parented here by
/// become_subreaper). Safe while other gradings run in parallel. Returns how many.
int kill_escaped_descendants();

/// One running server.
class ServerProcess {
public:
    /// Starts @p command (argv; command[0] is an absolute or relative path, not
    /// searched in PATH). Throws TestFailure when it cannot be started.
    ServerProcess(const std::vector<std::string>& command, const SandboxLimits& limits);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    /// The process whose network namespace clients must join, or 0 for the host's.
    [[nodiscard]] pid_t network_pid() const noexcept { return own_network_ ? pid_ : 0; }

    /// Waits for "listening on HOST:PORT" on stdout and returns PORT. Throws
    /// TestFailure saying why not: exited first, printed something else, or silent.
    std::uint16_t wait_for_announce(const Deadline& deadline);

    /// The exit status if the server has ended (reaps it), else nullopt. Never blocks.
    std::optional<ExitStatus> poll_exit();
    /// Waits until the server ends or @p deadline passes.
    std::optional<ExitStatus> wait_exit(const Deadline& deadline);
    /// Sends @p signal to the server's whole process group.
    void signal_group(int signal) const;
    /// SIGTERM, up to @p grace for a clean exit, then SIGKILL; always reaps.
    ExitStatus stop(Seconds grace);

    /// Threads of the server plus the other processes in its group (0 once it ended).
    [[nodiscard]] int task_count() const;
    /// Descriptors the server process holds open now (-1 if unknown).
    [[nodiscard]] int open_fd_count() const;
    /// Resident memory of the server process in KiB (VmRSS), 0 if unknown.
    [[nodiscard]] long resident_kib() const;

    /// The last @p max_lines lines the server wrote to stderr, joined with " | ".
    [[nodiscard]] std::string stderr_tail(std::size_t max_lines = 3) const;
    /// The last 16 KiB the server wrote to stderr, as written.
    [[nodiscard]] std::string stderr_text() const;
    /// Everything kept from stdout (its first few KiB).
    [[nodiscard]] std::string stdout_head() const;

private:
    struct Output;
    void reap_after_exit();

    pid_t pid_ = -1;
    int pidfd_ = -1;
    bool own_network_ = false;
    std::optional<ExitStatus> status_;
    std::unique_ptr<Output> output_;
};

}  // namespace c10k::grader
