#pragma once
/// @file traced_calls.hpp
/// @brief Running a server under strace and counting its calls from the trace files:
/// what the syscall audit judges and what make race's fallback counter reports.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace c10k::grader {

/// Syscall counts read from one strace run.
struct TraceCounts {
    std::map<std::string, long> in_window;        ///< by syscall name, inside [start, end]
    std::map<std::string, long> after_announce;   ///< by syscall name, from the announce on
    std::map<std::string, long> whole_run;        ///< by syscall name, start-up included
    int tasks = 0;                                ///< threads + processes (one trace file each)
    long accepted = 0;               ///< successful accept/accept4 calls after the announce
    long accepted_nonblocking = 0;   ///< ...of which accept4 with SOCK_NONBLOCK
    long set_nonblocking = 0;        ///< fcntl(F_SETFL, ...O_NONBLOCK...) calls after the announce
};

/// Counts calls in the `-ff` trace files @p files; the window is [@p window_start,
/// @p window_end]. The announce is the last write to stdout that started before
/// @p announce_seen_at (SandboxedProcess::announce_seen_at), or, when that is 0, the first
/// `write(1, "listening on...`.
TraceCounts count_traced_calls(const std::vector<std::filesystem::path>& files, double window_start,
                               double window_end, double announce_seen_at = 0);

/// CPU seconds used so far by the server strace started as its child (-1 if unknown).
double traced_server_cpu_seconds(pid_t strace_pid);

/// strace's arguments before a traced command: every thread to its own file
/// (@p trace_prefix.PID), microsecond timestamps, no signal lines, strings cut to
/// @p string_bytes. Used by the audit and by make race's fallback counter.
std::vector<std::string> strace_command(const std::filesystem::path& strace, const std::filesystem::path& trace_prefix,
                                        int string_bytes);

/// The absolute path of strace on PATH, or nullopt.
std::optional<std::filesystem::path> find_strace();

}  // namespace c10k::grader
