#pragma once
/// @file lab_spec.hpp
/// @brief The grading spec of a lab: labs/NN-name/grade.toml, read into plain structs.

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "1-spec/spec_error.hpp"
#include "2-runner/sandbox.hpp"

namespace c10k::grader {

/// One `[[test]]` entry: a test kind with its points and parameters.
struct TestSpec {
    std::string name;                        ///< shown in the report
    std::string kind;                        ///< a registered test kind, e.g. "echo"
    double points = 0;                       ///< 0 = informational (shown, never costs points)
    std::map<std::string, double> params;    ///< the kind's parameters, defaults filled in
    std::vector<std::string> server_args;    ///< extra server flags for this test, e.g. --edge
    std::string hint;                        ///< replaces the kind's hint when set
    /// What the server's io_uring must show while the test runs: "sqpoll" (a kernel SQPOLL
    /// thread), "send_zc" (zero-copy sends submitted).
    std::vector<std::string> ring;
    bool extra_credit = false;               ///< points count only when passed; never lost
    bool hidden = false;                     ///< from solutions/NN-name/hidden.toml: shown after the due date
    /// `small = {...}`: parameters that replace `params` on a small machine (see
    /// GradeOptions::machine), e.g. fewer clients, a looser p99 bound.
    std::map<std::string, double> small_machine;

    /// A 0-point test shows a problem the next lab fixes; its failure is the lesson.
    [[nodiscard]] bool demonstration() const { return points == 0; }
};

/// The bounded ping-pong load the syscall audit measures.
struct LoadSpec {
    int connections = 1;        ///< concurrent client connections
    std::size_t size = 64;      ///< bytes per message
    long messages = 2000;       ///< echoed messages counted in the measurement window
    double timeout = 60;        ///< seconds before the load gives up
    /// "echo": ping-pong messages; "http": `GET /bytes/size` requests through a proxy to
    /// the origin (lab 09), `messages` of them.
    std::string protocol = "echo";
};

/// A `[syscalls]` table (or one of several `[[syscalls]]`): what one strace audit checks.
struct SyscallSpec {
    std::string name;                    ///< tells audits apart in the report, e.g. "--edge"
    std::vector<std::string> args;       ///< extra server flags for this audit
    std::vector<std::string> required;   ///< each entry "a|b": at least one must appear
    std::vector<std::string> forbidden;  ///< each entry "a|b": none may appear
    std::optional<int> max_threads;      ///< threads (tasks) the server may have, incl. main
    std::optional<double> per_message_max;  ///< budget: syscalls per echoed message
    std::map<std::string, double> family_max;  ///< per-family budgets, e.g. epoll_ctl = 0.1
    bool nonblocking_clients = false;    ///< accepted sockets must be made nonblocking
    LoadSpec load;
    double mechanism_points = 0;  ///< for required/forbidden/threads, all or nothing
    double budget_points = 0;     ///< for staying within per_message_max
};

/// The `[limits]` table: what one server may use, and how long the whole lab may take.
/// Unset, a limit is the runner's own default (SandboxLimits).
struct LimitsSpec {
    double cpu_seconds = double(SandboxLimits{}.cpu_seconds);                 ///< RLIMIT_CPU per server
    double memory_mb = double(SandboxLimits{}.address_space_bytes >> 20);    ///< RLIMIT_AS (address space, not RSS)
    double open_files = double(SandboxLimits{}.open_files_soft);  ///< soft RLIMIT_NOFILE at start (it may raise it)
    double processes = double(SandboxLimits{}.processes);  ///< RLIMIT_NPROC (the user's processes; root is exempt)
    double lab_seconds = 900;     ///< tests not started by then fail as "not run"
};

/// A whole lab spec.
struct LabSpec {
    std::filesystem::path source;  ///< the file it came from
    std::string id;                ///< "01"
    std::string title;             ///< "Blocking echo server"
    std::vector<std::string> required_features;  ///< `requires` in [lab]: "io_uring"
    /// `when_missing` in [lab]: where a required feature is missing, "skip" (false: every
    /// test is skipped with the reason, no points, exit 0) or "fail" (true: every test fails
    /// with the reason, exit 1).
    bool fail_when_missing = false;
    /// `leaderboard = true` in [lab]: with c10k-grade --reference (the Gradescope package
    /// carries the reference's binary), each audit also ranks the server against the
    /// reference's figures on the same machine (Gradescope's leaderboard).
    bool leaderboard = false;
    double announce_timeout = 5;   ///< seconds for the server to print its announce line
    /// `[server] origin = true` (lab 09): each test starts c10k-origin first, and the server
    /// gets `--upstream 127.0.0.1:PORT` and runs in the origin's network.
    bool origin = false;
    LimitsSpec limits;
    std::vector<TestSpec> tests;
    std::vector<SyscallSpec> syscalls;  ///< zero or more audits

    /// The total points on offer (extra credit excluded).
    [[nodiscard]] double max_score() const;
};

/// Parses spec text; @p source_name prefixes every error. Throws SpecError.
LabSpec parse_lab_spec(std::string_view toml_text, const std::string& source_name);

/// Reads and parses a spec file. Throws SpecError (also when the file is unreadable).
LabSpec load_lab_spec(const std::filesystem::path& file);

/// Reads instructor-only tests: a file of `[[test]]` tables only (same keys as in
/// grade.toml), each marked hidden. Throws SpecError.
std::vector<TestSpec> load_hidden_tests(const std::filesystem::path& file);

}  // namespace c10k::grader
