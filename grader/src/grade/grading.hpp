#pragma once
/// @file grading.hpp
/// @brief grade_lab: runs every test of a spec against a server binary.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "5-report/grade_report.hpp"

namespace c10k::grader {

/// How to grade.
struct GradeOptions {
    std::string lab_name;                ///< "01-blocking", for the report
    std::filesystem::path server;        ///< the binary to grade
    std::uint64_t seed = 0;              ///< random payloads; 0 = pick one
    bool network_namespaces = true;      ///< a fresh one per server where the machine allows it
    /// Which figures of the spec: the full ones, each test's `small = {...}` ones, or
    /// (automatic) the small ones where the environment probe finds a small machine.
    enum class Machine { automatic, small, full } machine = Machine::automatic;
    /// The lab's reference server: for a spec with `leaderboard = true`, each audit runs on
    /// it too, right after the graded server's, and the report ranks the two (leaderboard).
    std::filesystem::path reference;
};

/// @p test with its `small` parameters in place of the full ones, its name saying so.
TestSpec with_small_machine_figures(const TestSpec& test);

/// The runner's resource limits for a spec's [limits]; @p own_network puts each server in
/// a fresh network namespace.
SandboxLimits sandbox_limits(const LimitsSpec& limits, bool own_network);

/// The argv that starts @p server on a free loopback port with @p extra flags.
std::vector<std::string> server_command(const std::filesystem::path& server,
                                        const std::vector<std::string>& extra = {});

/// Grades @p options.server against @p spec. Each test gets a fresh server; the
/// syscall audit (if the spec has one) runs last under strace. Never throws for
/// anything the server does: it all ends up in the report.
GradeReport grade_lab(const LabSpec& spec, const GradeOptions& options);

}  // namespace c10k::grader
