#pragma once
/// @file grade_report.hpp
/// @brief What grading produced: one TestResult per test, the syscall table, the total.

#include <map>
#include <string>
#include <vector>

namespace c10k::grader {

/// The verdict of one test.
struct TestResult {
    enum class Status { passed, failed, skipped };
    std::string name;
    double score = 0;
    double max_score = 0;
    Status status = Status::failed;
    std::string reason;               ///< one line on failure or skip
    std::string hint;                 ///< what to look at, on failure
    std::vector<std::string> steps;   ///< what the test did, in order
    std::string server_stderr;        ///< the server's last stderr lines, on failure
    std::string server_stdout;        ///< its last stdout lines, on failure when stderr said nothing
    bool extra_credit = false;        ///< max_score counts only when passed
    bool demonstration = false;       ///< 0 points: a failure shows the next lab's problem
    bool hidden = false;              ///< an instructor-only test (hidden.toml)

    /// The one verdict every format shows (text, JSON, Gradescope, JUnit): a failed test is
    /// a failure -- extra credit included, it was not earned -- except a demonstration,
    /// whose failure is its lesson. Whether points were lost is GradeReport::full_marks.
    [[nodiscard]] bool is_failure() const { return status == Status::failed && !demonstration; }
    [[nodiscard]] bool is_skipped() const { return status == Status::skipped; }
};

/// One row of the syscall table.
struct SyscallRow {
    std::string family;    ///< "read", or a syscall outside every family
    long count = 0;        ///< inside the measurement window
    double per_message = 0;
};

/// What the strace audit measured (present only when the spec has [syscalls]).
struct SyscallSummary {
    std::string name;                 ///< which audit ("" or e.g. "--edge")
    bool measured = false;
    std::string load;                 ///< "2000 messages of 64 B over 1 connection"
    long messages = 0;
    std::string unit = "message";     ///< what `messages` counts: "message", or "request" (lab 09)
    double per_message_total = 0;
    int tasks = 0;                    ///< threads and processes the server ran
    double cpu_seconds = -1;          ///< the server's CPU time (user + system) in the window; -1 unknown
    double seconds = -1;              ///< the window's length (wall clock); -1 unknown
    std::vector<SyscallRow> rows;     ///< most frequent first
};

/// One quantity for Gradescope's leaderboard: the student's figure relative to the
/// reference's, measured on the same machine, in the same audit.
struct LeaderboardEntry {
    std::string name;        ///< "io_uring req/s (x reference)"
    double value = 0;
    bool ascending = false;  ///< lower ranks higher (CPU per request)
};

/// The whole result of grading one lab.
struct GradeReport {
    std::string lab;                  ///< "01-blocking"
    std::string title;
    std::string server;               ///< the path graded
    std::string network;              ///< which network the servers ran in
    std::vector<TestResult> tests;
    std::vector<SyscallSummary> syscalls;  ///< one per audit that ran
    std::string skipped;              ///< why the whole lab was skipped (io_uring missing), else ""
    std::vector<LeaderboardEntry> leaderboard;  ///< with --reference, for a lab with `leaderboard = true`
    std::string leaderboard_note;     ///< why there is no leaderboard although one was asked for
    /// The environment probe's line (EnvironmentProbe::summary). Every format shows it
    /// first: the text report as a header line, the others as a 0-point test entry.
    std::string environment;
    double execution_seconds = 0;

    [[nodiscard]] double score() const;
    [[nodiscard]] double max_score() const;
    [[nodiscard]] bool full_marks() const;
    /// report.tests, after the environment's 0-of-0 entry when there is one: what the
    /// machine-readable formats list.
    [[nodiscard]] std::vector<TestResult> listed_tests() const;
};

/// A test's reason, hint and the server's last output lines, as every format prints them.
std::string test_details(const TestResult& test);
/// test_details ("skipped: reason" for a skipped test), then the steps: what the
/// platforms' results files show per test.
std::string test_details_with_steps(const TestResult& test);

/// The report for people: ✓/✗ per test with reasons and hints, the syscall table, the score.
std::string format_text_report(const GradeReport& report, bool verbose);
/// Our JSON: Gradescope's results.json shape plus a "syscalls" array, pretty-printed.
std::string format_json_report(const GradeReport& report);

/// Gradescope's results.json exactly as its autograder specification describes it:
/// hidden tests get visibility "after_due_date", skipped ones score 0 with the reason.
std::string format_gradescope_report(const GradeReport& report);

/// JUnit XML (one testsuite, a testcase per test), for CI systems and GitHub Classroom.
std::string format_junit_report(const GradeReport& report);

/// PrairieLearn's external-grader results.json: `score` from 0 to 1, `tests[]` with
/// `points`/`max_points`/`message`/`output`, `gradable` true (a compile error is gradable too).
std::string format_prairielearn_report(const GradeReport& report);

/// Autolab's feedback: the text report, then as the last line `{"scores": {"c10k": points}}`
/// (one problem per lab, named c10k, so per-test names never have to match Autolab's).
std::string format_autolab_report(const GradeReport& report);

/// The JSON GitHub's autograding reporter reads (base64 in a step output): `tests[]` with
/// `name`, `status` pass/fail, `score`, `message`; the reporter sums the scores.
std::string format_classroom_report(const GradeReport& report);

/// A results file for when grading could not even start (a compile error, a bad spec, no
/// server): score 0 and @p error as the output, in any format but "text". @p max_score is
/// the lab's total where it is known, so that GitHub's reporter shows 0 of it, not 0/0.
std::string format_error_report(const std::string& format, const std::string& lab, const std::string& error,
                                double max_score = 0);

}  // namespace c10k::grader
