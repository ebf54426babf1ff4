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

// The platforms' published shapes (grader/README.md, "For instructors").
TEST_CASE("report: PrairieLearn's results.json: a 0-1 score, points and max_points per test") {
    GradeReport report = report_with(failed("slow"));
    report.environment = "2 CPUs; io_uring no: blocked";
    nlohmann::json results = nlohmann::json::parse(format_prairielearn_report(report));
    CHECK(results["gradable"] == true);
    CHECK(results["score"].get<double>() == Approx(10.0 / 15.0));
    REQUIRE(results["tests"].size() == 3);  // the environment first, then the two tests
    CHECK_THAT(results["tests"][0]["output"].get<std::string>(), Catch::Contains("io_uring no"));
    CHECK(results["tests"][0]["max_points"] == 0);
    CHECK(results["tests"][2]["points"] == 0);
    CHECK(results["tests"][2]["max_points"] == 5);
    CHECK(results["tests"][2]["message"] == "too slow");
    nlohmann::json error = nlohmann::json::parse(format_error_report("prairielearn", "01", "does not compile"));
    CHECK(error["gradable"] == false);
    CHECK_THAT(error["message"].get<std::string>(), Catch::Contains("does not compile"));
}

TEST_CASE("report: Autolab's last line is the scores object") {
    GradeReport report = report_with(failed("slow"));
    std::string text = format_autolab_report(report);
    std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
    CHECK(nlohmann::json::parse(last) == nlohmann::json{{"scores", {{"c10k", 10.0}}}});
    CHECK_THAT(text, Catch::Contains("✗ slow"));
    std::string error = format_error_report("autolab", "01", "does not compile");
    CHECK_THAT(error, Catch::EndsWith("{\"scores\": {\"c10k\": 0}}\n"));
}

TEST_CASE("report: GitHub's autograding reporter JSON: per-test scores that sum to the total") {
    GradeReport report = report_with(failed("slow"));
    nlohmann::json results = nlohmann::json::parse(format_classroom_report(report));
    CHECK(results["version"] == 1);
    CHECK(results["status"] == "fail");
    CHECK(results["max_score"] == 15);
    double sum = 0;
    for (const auto& test : results["tests"]) sum += test["score"].get<double>();
    CHECK(sum == 10);
    CHECK(results["tests"][1]["status"] == "fail");
    nlohmann::json error = nlohmann::json::parse(format_error_report("classroom", "01", "does not compile", 110));
    CHECK(error["status"] == "error");
    CHECK(error["max_score"] == 110);  // the reporter then shows 0/110, not 0/0
    CHECK(error["tests"][0]["score"] == 0);
}
