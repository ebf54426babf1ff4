#pragma once
/// @file environment_probe.hpp
/// @brief What this sandbox can do, probed once per grading and shown in every report.
///
/// Grading platforms differ: Gradescope's containers block io_uring (Docker's default
/// seccomp profile) and network namespaces (no CAP_SYS_ADMIN) and give half a CPU; a
/// GitHub-hosted VM allows everything. The report's first entry says which, so an
/// instructor sees at once why a lab was skipped or a bound was loosened.

#include <optional>
#include <string>
#include <string_view>

namespace c10k::grader {

/// The facts the grader's decisions depend on.
struct EnvironmentProbe {
    std::optional<std::string> io_uring_missing;  ///< why io_uring cannot run here, or nullopt
    std::optional<std::string> strace_missing;    ///< why strace cannot trace a child, or nullopt
    bool network_namespaces = false;              ///< a fresh network namespace per server
    double cpus = 1;                              ///< usable CPUs: affinity, capped by cgroup cpu.max
    long memory_mb = 0;                           ///< cgroup memory.max, else the machine's RAM
    long open_files = 0;                          ///< the hard RLIMIT_NOFILE (what a server may raise to)

    /// Under 1.5 CPUs (Gradescope: half of one) or under 1 GiB: the spec's `small` figures apply.
    [[nodiscard]] bool small_machine() const { return cpus < 1.5 || memory_mb < 1024; }
    /// One line for the report: "2 CPUs, 15900 MB, 1048576 file descriptors; io_uring yes; ...".
    [[nodiscard]] std::string summary() const;
};

/// Probes this process's environment (a few milliseconds: one tiny ring, one `strace true`).
EnvironmentProbe probe_environment();

/// cgroup `cpu.max` text ("50000 100000", "max 100000"; v1: quota and period) as CPUs;
/// nullopt when unlimited.
std::optional<double> parse_cpu_max(std::string_view text);
/// cgroup `memory.max` text ("805306368", "max"; v1: memory.limit_in_bytes) as MB; nullopt
/// when unlimited.
std::optional<long> parse_memory_max(std::string_view text);

}  // namespace c10k::grader
