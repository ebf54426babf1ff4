// Every report format shows the same verdict for the same test: a failed extra-credit test
// is a failure in text, JSON, Gradescope and JUnit alike (it was not earned), yet it costs
// no marks; a demonstration's failure is its lesson, never a failure.

#include <string>

#include "c10k_catch.hpp"
#include <nlohmann/json.hpp>

#include "5-report/grade_report.hpp"

using namespace c10k::grader;

namespace {
GradeReport report_with(TestResult test) {
    GradeReport report;
    report.lab = "06-epoll";
    TestResult required;
    required.name = "echo";
    required.max_score = required.score = 10;
    required.status = TestResult::Status::passed;
    report.tests = {required, std::move(test)};
    return report;
}

TestResult failed(const std::string& name) {
    TestResult test;
    test.name = name;
    test.max_score = 5;
    test.status = TestResult::Status::failed;
    test.reason = "too slow";
    return test;
}

std::string status_in(const std::string& json_text, const std::string& name) {
    nlohmann::json report = nlohmann::json::parse(json_text);
    for (const auto& test : report["tests"])
        if (test["name"] == name) return test["status"];
    return "missing";
}
}  // namespace

TEST_CASE("report: a failed extra-credit test is failed in every format, and costs no marks") {
    TestResult extra = failed("edge-triggered");
    extra.extra_credit = true;
    GradeReport report = report_with(extra);
    CHECK(report.full_marks());
    CHECK(status_in(format_json_report(report), "edge-triggered") == "failed");
    CHECK(status_in(format_gradescope_report(report), "edge-triggered") == "failed");
    std::string junit = format_junit_report(report);
    CHECK_THAT(junit, Catch::Contains("failures=\"1\"") && Catch::Contains("<failure message=\"too slow\""));
    CHECK_THAT(format_text_report(report, false), Catch::Contains("✗"));
}

TEST_CASE("report: a failed demonstration is a failure in no format") {
    TestResult demo = failed("idle cost");
    demo.demonstration = true;
    demo.max_score = 0;
    GradeReport report = report_with(demo);
    CHECK(report.full_marks());
    CHECK(status_in(format_json_report(report), "idle cost") == "passed");
    CHECK(status_in(format_gradescope_report(report), "idle cost") == "passed");
    CHECK_THAT(format_junit_report(report), Catch::Contains("failures=\"0\""));
    CHECK_THAT(format_text_report(report, false), !Catch::Contains("✗"));
}

TEST_CASE("report: a failed required test is a failure everywhere and loses marks") {
    GradeReport report = report_with(failed("concurrent"));
    CHECK_FALSE(report.full_marks());
    CHECK(status_in(format_json_report(report), "concurrent") == "failed");
    CHECK(status_in(format_gradescope_report(report), "concurrent") == "failed");
    CHECK_THAT(format_junit_report(report), Catch::Contains("failures=\"1\""));
}
