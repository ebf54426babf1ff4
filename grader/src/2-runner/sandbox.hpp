#pragma once
/// @file sandbox.hpp
/// @brief What a child process gets before it runs a student's code: its own process
/// group, resource limits, default signals, no inherited descriptors, optionally its own
/// network namespace and one CPU.

#include <sys/resource.h>
#include <sys/types.h>

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
    /// Run in the network namespace of this process instead (0: none): a proxy joins its
    /// origin's, so the origin's loopback port is the upstream it is told.
    pid_t join_network_of = 0;
    int cpu = -1;              ///< pin to this CPU (benchmarks: the client gets another one)
};

/// The limits of a trusted tool the grader starts (perf, wrk, gnuplot, nginx in the race):
/// none beyond those the grader itself runs under.
SandboxLimits tool_limits();

/// Runs in the forked child: sets up the sandbox, points stdout and stderr at @p out_fd
/// and @p err_fd, and execs @p argv. On failure writes errno to @p exec_error_fd and exits
/// 127. Only async-signal-safe calls.
/// @p network_fd: an open /proc/PID/ns/net of limits.join_network_of (else -1).
[[noreturn]] void exec_in_sandbox(char* const argv[], const SandboxLimits& limits, int out_fd, int err_fd,
                                  int exec_error_fd, pid_t grader, int network_fd = -1);

}  // namespace c10k::grader
