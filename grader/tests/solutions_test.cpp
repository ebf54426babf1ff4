// Every reference solution scores full marks. Built only when solutions/ is present
// (the student handout has none).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "grader_run.hpp"
#include "grading.hpp"
#include "lab_spec.hpp"
#include "process_check.hpp"

using namespace c10k::grader;
using test_support::Run;
using test_support::run_grader;

namespace {
GradeReport grade_solution(const std::string& lab) {
    LabSpec spec = load_lab_spec(C10K_SOURCE_DIR "/labs/" + lab + "/grade.toml");
    GradeOptions options;
    options.lab_name = lab;
    options.server = C10K_BUILD_DIR "/solutions/" + lab + "/server";
    return grade_lab(spec, options);
}
const std::string kSolution = C10K_BUILD_DIR "/solutions/01-blocking/server";
}  // namespace

TEST_CASE("lab 01: the reference solution scores full marks with a 2-per-message syscall table") {
    const std::string server = kSolution;
    GradeReport report = grade_solution("01-blocking");
    INFO(format_text_report(report, true));
    CHECK(report.full_marks());
    CHECK(report.score() == 100);
    REQUIRE(report.syscalls.at(0).measured);
    CHECK(report.syscalls.at(0).messages == 2000);
    CHECK(report.syscalls.at(0).per_message_total == Approx(2.0).margin(0.05));
    CHECK(report.syscalls.at(0).tasks == 1);
    CHECK(test_support::children_left() == 0);
}

TEST_CASE("c10k-grade: exit 0 and a Gradescope-shaped JSON report at full marks") {
    Run run = run_grader("01 --server " + kSolution + " --format json");
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

