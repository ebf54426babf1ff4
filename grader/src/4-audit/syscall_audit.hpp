#pragma once
/// @file syscall_audit.hpp
/// @brief The syscall audit: the server under strace, a bounded load, counts by family.
///
/// Correctness tests run without strace (it costs 30-120 us per traced call); this is
/// a separate run. Only calls inside the load's measurement window count towards the
/// per-message budget, so start-up and shutdown cost nothing. Required families may
/// appear anywhere (io_uring_setup happens at start-up); forbidden ones are checked
/// from the announce line on.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "1-spec/lab_spec.hpp"
#include "4-audit/strace_parser.hpp"
#include "5-report/grade_report.hpp"
#include "grade/grading.hpp"

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

/// The mechanism and budget verdicts for @p counts, given the audited messages.
/// Appends up to two TestResults to @p report and one SyscallSummary to report.syscalls.
void judge_syscalls(const SyscallSpec& spec, const TraceCounts& counts, long messages,
                    GradeReport& report);

/// Runs the whole audit (strace, load, judge) and appends its results to @p report.
/// When strace is missing or cannot trace, the audit's tests fail saying so.
void audit_syscalls(const LabSpec& lab, const SyscallSpec& spec, const GradeOptions& options,
                    GradeReport& report);

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
