// Every reference solution scores full marks, with the syscall figures its lab is about.
// Built only when solutions/ is present (the student handout has none).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "c10k_catch.hpp"
#include <nlohmann/json.hpp>

#include "1-spec/lab_spec.hpp"
#include "grade/grading.hpp"
#include "grader_run.hpp"
#include "lab_grading.hpp"
#include "process_check.hpp"

using namespace c10k::grader;
using test_support::Run;
using test_support::run_grader;

namespace {

GradeReport grade_solution(const std::string& lab) {
    GradeReport report = test_support::grade_build("solutions", lab);
    INFO(format_text_report(report, true));
    CHECK(report.full_marks());
    CHECK(report.score() >= report.max_score());
    for (const auto& test : report.tests)
        if (!test.demonstration) CHECK(test.status == TestResult::Status::passed);
    CHECK(test_support::children_left() == 0);
    return report;
}

double per_message(const GradeReport& report, std::size_t audit = 0) {
    return report.syscalls.at(audit).per_message_total;
}

}  // namespace

TEST_CASE("solution 01-blocking: full marks, one read and one write per message") {
    GradeReport report = grade_solution("01-blocking");
    REQUIRE(report.syscalls.at(0).measured);
    CHECK(report.syscalls.at(0).messages == 2000);
    CHECK(per_message(report) == Approx(2.0).margin(0.05));
    CHECK(report.syscalls.at(0).tasks == 1);
}

TEST_CASE("solution 02-threads: full marks, a thread per connection") {
    GradeReport report = grade_solution("02-threads");
    CHECK(per_message(report) == Approx(2.0).margin(0.1));
    CHECK(report.syscalls.at(0).tasks == 51);  // main + one per load connection
}

TEST_CASE("solution 03-select: full marks, 1100 connections survived") {
    GradeReport report = grade_solution("03-select");
    CHECK(per_message(report) < 3.0);
}

TEST_CASE("solution 04-poll: full marks, 2000 connections") {
    GradeReport report = grade_solution("04-poll");
    CHECK(per_message(report) < 3.0);
}

TEST_CASE("solution 05-nonblocking: full marks, a never-reading client changes nothing") {
    GradeReport report = grade_solution("05-nonblocking");
    CHECK(per_message(report) < 3.5);
}

TEST_CASE("solution 06-epoll: full marks in both modes and the stretch, C10K") {
    GradeReport report = grade_solution("06-epoll");
    REQUIRE(report.syscalls.size() == 2);
    CHECK(per_message(report, 0) < 2.5);
    CHECK(per_message(report, 1) < 3.5);
    CHECK(report.score() == report.max_score() + 5);  // the extra credit
}

TEST_CASE("solution 07-io_uring: full marks, far fewer syscalls than messages") {
    if (auto reason = c10k::probe_io_uring()) {
        WARN("skipped: " << *reason);  // the grader must say the same, not fail
        LabSpec spec = load_lab_spec(C10K_SOURCE_DIR "/labs/07-io_uring/grade.toml");
        GradeOptions options;
        options.server = C10K_BUILD_DIR "/solutions/07-io_uring/server";
        CHECK(grade_lab(spec, options).skipped == *reason);
        return;
    }
    GradeReport report = grade_solution("07-io_uring");
    CHECK(per_message(report) < 0.5);
}

TEST_CASE("solution 08-io_uring-advanced: full marks, multishot and a buffer ring, with and without SQPOLL") {
    RETURN_IF_NO_IO_URING();
    GradeReport report = grade_solution("08-io_uring-advanced");
    REQUIRE(report.syscalls.size() == 2);
    CHECK(per_message(report, 0) < 0.2);
    CHECK(per_message(report, 1) < 0.2);
    CHECK(report.syscalls.at(1).cpu_seconds >= 0);  // the SQPOLL audit shows the CPU it costs
}

TEST_CASE("solution 09-tinygate: full marks in all three models, with the calls per request each model is about") {
    RETURN_IF_NO_IO_URING();
    GradeReport report = grade_solution("09-tinygate");
    REQUIRE(report.syscalls.size() == 3);  // threads, epoll, io_uring
    CHECK(report.syscalls.at(0).name == "--model threads");
    CHECK(per_message(report, 2) < 0.5);   // io_uring: one enter for many requests
    CHECK(per_message(report, 2) < per_message(report, 1));
}

TEST_CASE("solution 07-io_uring under a seccomp filter: one clear line naming the cause and the fix") {
    Run run = test_support::run_command(std::string(NO_IO_URING) + " " C10K_BUILD_DIR "/solutions/07-io_uring/server --port 0");
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.output, Catch::StartsWith("server: io_uring_setup: Function not implemented") &&
                               Catch::Contains("seccomp"));
}

TEST_CASE("c10k-grade: exit 0 and a Gradescope-shaped JSON report at full marks") {
    Run run = run_grader("01 --server " C10K_BUILD_DIR "/solutions/01-blocking/server --format json");
    INFO(run.output);
    CHECK(run.exit_code == 0);
    auto json = nlohmann::json::parse(run.output);
    CHECK(json["score"] == json["max_score"]);
    CHECK(json["execution_time"].is_number());
    REQUIRE(json["tests"].is_array());
    for (const auto& test : json["tests"]) {
        CHECK(test["status"] == "passed");
        CHECK(test["name"].is_string());
        CHECK(test["output"].is_string());
    }
    CHECK(json["syscalls"][0]["measured"] == true);
    CHECK(json["syscalls"][0]["per_message"].get<double>() == Approx(2.0).margin(0.05));
}

TEST_CASE("c10k-grade --format gradescope: the published shape, hidden tests after the due date") {
    Run run = run_grader("01 --server " C10K_BUILD_DIR "/solutions/01-blocking/server --format gradescope");
    INFO(run.output);
    CHECK(run.exit_code == 0);
    auto json = nlohmann::json::parse(run.output);
    CHECK(json["score"] == json["max_score"]);
    CHECK(json["max_score"] == 110);  // grade.toml's 100 + hidden.toml's 10
    bool saw_hidden = false;
    for (const auto& test : json["tests"]) {
        for (const char* key : {"name", "number", "score", "max_score", "status", "output", "output_format", "visibility"})
            CHECK(test.contains(key));
        if (test["visibility"] == "after_due_date") saw_hidden = true;
    }
    CHECK(saw_hidden);
    CHECK_FALSE(json.contains("syscalls"));  // ours, not Gradescope's: only in --format json

    Run without = run_grader("01 --server " C10K_BUILD_DIR "/solutions/01-blocking/server --format gradescope --no-hidden");
    CHECK(nlohmann::json::parse(without.output)["max_score"] == 100);
}

// The leaderboard (c10k-grade --reference, for a spec with `leaderboard = true`): lab 09's
// epoll and io_uring audits alone, in a folder of their own, so the test takes seconds.
TEST_CASE("c10k-grade --reference: the leaderboard ranks each audit against the reference on this machine") {
    RETURN_IF_NO_IO_URING();
    std::filesystem::path root = std::filesystem::temp_directory_path() / ("c10k-leaderboard-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root / "labs/09-tinygate");
    std::ofstream(root / "labs/09-tinygate/grade.toml") << R"([lab]
id = "09"
title = "two audits of lab 09"
leaderboard = true
[server]
origin = true
[[test]]
name = "epoll: SIGTERM"
kind = "graceful_shutdown"
points = 1
args = ["--model", "epoll"]
[[syscalls]]
name = "--model epoll"
args = ["--model", "epoll"]
per_message_max = 6
load = { connections = 50, size = 1024, messages = 2000, protocol = "http" }
budget_points = 1
[[syscalls]]
name = "--model io_uring"
args = ["--model", "io_uring"]
per_message_max = 0.5
load = { connections = 50, size = 1024, messages = 2000, protocol = "http" }
budget_points = 1
)";
    const std::string reference = C10K_BUILD_DIR "/solutions/09-tinygate/server";
    const std::string starter = C10K_BUILD_DIR "/labs/09-tinygate/server";
    auto grade = [&](const std::string& server, const std::string& extra) {
        std::filesystem::path out = root / "results.json";
        std::filesystem::remove(out);
        Run run = run_grader("09 --root " + root.string() + " --server " + server + " --format gradescope --output " +
                             out.string() + " " + extra);
        INFO(run.output);
        REQUIRE(std::filesystem::exists(out));
        return nlohmann::json::parse(std::ifstream(out));
    };
    auto value = [](const nlohmann::json& results, const std::string& name) -> nlohmann::json {
        for (const auto& entry : results["leaderboard"])
            if (entry["name"] == name) return entry;
        return nullptr;
    };

    // The reference against itself: every figure measured (more than the 0 of a failed audit).
    // Not "about 1x": on a loaded 2-core machine one strace'd audit moved by 5x (1 run in 78).
    nlohmann::json itself = grade(reference, "--reference " + reference);
    INFO(itself.dump(2));
    REQUIRE(itself.contains("leaderboard"));
    CHECK(itself["leaderboard"].size() == 4);
    for (const char* name : {"epoll req/s (x reference)", "io_uring req/s (x reference)"}) {
        nlohmann::json entry = value(itself, name);
        REQUIRE(entry != nullptr);
        CHECK(entry["value"].get<double>() > 0.01);
        CHECK(entry["value"].get<double>() < 100);
        CHECK_FALSE(entry.contains("order"));  // more is better
    }
    CHECK(value(itself, "io_uring CPU per request (x reference)")["order"] == "asc");
    CHECK(itself["output"].get<std::string>().find("against the reference") != std::string::npos);

    // The starter answers 501: its audits measure nothing, so it ranks 0 and has no CPU figure.
    nlohmann::json starter_results = grade(starter, "--reference " + reference);
    INFO(starter_results.dump(2));
    CHECK(value(starter_results, "io_uring req/s (x reference)")["value"] == 0);
    CHECK(value(starter_results, "io_uring CPU per request (x reference)") == nullptr);

    // Without a reference there is no leaderboard; a reference that is not there is named.
    CHECK_FALSE(grade(reference, "").contains("leaderboard"));
    Run missing = run_grader("09 --root " + root.string() + " --server " + reference + " --reference /nonexistent/reference");
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::Contains("no reference server at /nonexistent/reference"));

    // A lab that asks for no leaderboard is graded as usual, and says the reference went unused.
    std::string spec = (std::ostringstream() << std::ifstream(root / "labs/09-tinygate/grade.toml").rdbuf()).str();
    spec.replace(spec.find("leaderboard = true"), 18, "leaderboard = false");
    std::ofstream(root / "labs/09-tinygate/grade.toml") << spec;
    Run unranked = run_grader("09 --root " + root.string() + " --server " + reference + " --reference " + reference);
    CHECK_THAT(unranked.output, Catch::Contains("--reference ignored: lab 09-tinygate has no leaderboard"));
    CHECK_THAT(unranked.output, !Catch::Contains("against the reference"));
    std::filesystem::remove_all(root);
}
