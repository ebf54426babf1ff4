#include <filesystem>

#include <catch2/catch.hpp>

#include "grading.hpp"
#include "lab_spec.hpp"
#include "process_check.hpp"

using namespace c10k::grader;

namespace {
[[maybe_unused]] GradeReport grade(const std::string& server) {
    LabSpec spec = load_lab_spec(C10K_SOURCE_DIR "/labs/01-blocking/grade.toml");
    GradeOptions options;
    options.lab_name = "01-blocking";
    options.server = server;
    return grade_lab(spec, options);
}
}  // namespace

TEST_CASE("lab 01: the untouched starter runs, fails with reasons and hints, and the grader survives") {
    const std::string server = C10K_BUILD_DIR "/labs/01-blocking/server";
    GradeReport report = grade(server);
    INFO(format_text_report(report, true));
    CHECK_FALSE(report.full_marks());
    CHECK(report.score() < report.max_score());
    for (const auto& test : report.tests) {
        if (test.status == TestResult::Status::passed) continue;
        CHECK_FALSE(test.reason.empty());
        CHECK_FALSE(test.hint.empty());
    }
    CHECK(test_support::children_left() == 0);
}
