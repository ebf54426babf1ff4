// The results files of the grading platforms other than Gradescope (grade_report.cpp):
// each one's published shape, built from the same GradeReport. grader/README.md ("For
// instructors") says which platform reads which.
#include <nlohmann/json.hpp>

#include "5-report/grade_report.hpp"

namespace c10k::grader {
namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::string format_prairielearn_report(const GradeReport& report) {
    using nlohmann::json;
    json tests = json::array();
    for (const auto& test : report.listed_tests()) {
        double max_points = test.extra_credit ? 0.0 : test.max_score;  // extra credit: points beyond the total
        tests.push_back({{"name", test.name},
                         {"points", test.score},
                         {"max_points", max_points},
                         {"message", test.is_skipped() ? "skipped: " + test.reason : first_line(test.reason)},
                         {"output", test_details_with_steps(test)}});
    }
    double best = report.max_score();
    std::string message = "lab " + report.lab + ": " + report.title;
    if (!report.skipped.empty()) message += "\nSKIPPED: " + report.skipped;
    json result = {{"gradable", true},
                   {"score", best > 0 ? std::min(1.0, report.score() / best) : 0.0},
                   {"message", message},
                   {"output", format_text_report(report, false)},
                   {"tests", tests}};
    return result.dump(2) + "\n";
}

std::string format_autolab_report(const GradeReport& report) {
    // Autolab shows the whole output as feedback and reads only its last line.
    nlohmann::json scores = {{"scores", {{"c10k", report.score()}}}};
    return format_text_report(report, false) + scores.dump() + "\n";
}

std::string format_classroom_report(const GradeReport& report) {
    using nlohmann::json;
    json tests = json::array();
    bool all_passed = true;
    for (const auto& test : report.listed_tests()) {
        all_passed = all_passed && !test.is_failure();
        tests.push_back({{"name", test.name},
                         {"status", test.is_failure() ? "fail" : "pass"},
                         {"score", test.score},
                         {"message", test_details_with_steps(test)},
                         {"line_no", 0},
                         {"execution_time", "0s"}});
    }
    json result = {{"version", 1},
                   {"status", all_passed ? "pass" : "fail"},
                   {"max_score", report.max_score()},
                   {"tests", tests}};
    return result.dump() + "\n";
}

}  // namespace c10k::grader
