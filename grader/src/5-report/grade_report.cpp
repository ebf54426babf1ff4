#include "5-report/grade_report.hpp"

#include "5-report/leaderboard.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

namespace c10k::grader {
namespace {

std::string points_text(double points) {
    char text[32];
    if (std::fabs(points - std::round(points)) < 1e-9) std::snprintf(text, sizeof text, "%.0f", points);
    else std::snprintf(text, sizeof text, "%.1f", points);
    return text;
}

// Terminal columns of a UTF-8 string (every code point counts one).
std::size_t columns(const std::string& text) {
    std::size_t count = 0;
    for (unsigned char c : text) count += (c & 0xC0) != 0x80;
    return count;
}

std::string test_line(const TestResult& test) {
    const char* mark = test.status == TestResult::Status::passed ? "✓"
                       : test.status == TestResult::Status::skipped ? "-"
                       : test.demonstration ? "◦" : "✗";
    std::string score = test.status == TestResult::Status::skipped ? "skipped"
                        : test.demonstration ? "demo"
                        : test.extra_credit ? points_text(test.score) + "/+" + points_text(test.max_score) + " extra"
                                            : points_text(test.score) + "/" + points_text(test.max_score);
    std::string line = "  " + std::string(mark) + " " + test.name + " ";
    const std::size_t width = 78;
    std::size_t used = columns(line) + score.size() + 1;
    line += std::string(used < width ? width - used : 2, '.') + " " + score;
    return line;
}

}  // namespace

std::string test_details(const TestResult& test) {
    std::string out;
    if (test.demonstration && test.status == TestResult::Status::failed)
        out += "demonstration (no points): this is the problem the next lab fixes\n";
    if (!test.reason.empty()) out += test.reason + "\n";
    if (test.status == TestResult::Status::failed && !test.hint.empty()) out += "hint: " + test.hint + "\n";
    if (!test.server_stderr.empty()) out += "server stderr: " + test.server_stderr + "\n";
    if (!test.server_stdout.empty()) out += "server stdout: " + test.server_stdout + "\n";
    return out;
}

std::string test_details_with_steps(const TestResult& test) {
    std::string output = test.is_skipped() ? "skipped: " + test.reason + "\n" : test_details(test);
    for (const auto& step : test.steps) output += "· " + step + "\n";
    return output;
}

double GradeReport::score() const {
    double total = 0;
    for (const auto& test : tests) total += test.score;
    return total;
}

double GradeReport::max_score() const {
    double total = 0;
    for (const auto& test : tests)
        if (!test.extra_credit) total += test.max_score;
    return total;
}

bool GradeReport::full_marks() const {
    for (const auto& test : tests)
        if (test.is_failure() && test.max_score > 0 && !test.extra_credit) return false;
    return true;
}

std::vector<TestResult> GradeReport::listed_tests() const {
    std::vector<TestResult> listed;
    if (!environment.empty()) {
        TestResult& probe = listed.emplace_back();
        probe.name = "environment (informational: what this machine allows)";
        probe.status = TestResult::Status::passed;
        probe.reason = environment;
    }
    listed.insert(listed.end(), tests.begin(), tests.end());
    return listed;
}

std::string format_text_report(const GradeReport& report, bool verbose) {
    std::ostringstream out;
    out << "lab " << report.lab << ": " << report.title << "\n";
    out << "server: " << report.server << "\n";
    if (!report.network.empty()) out << "network: " << report.network << "\n";
    if (!report.environment.empty()) out << "machine: " << report.environment << "\n";
    out << "\n";
    if (!report.skipped.empty()) out << "SKIPPED: " << report.skipped << "\n\n";
    const TestResult* previous = nullptr;
    for (const auto& test : report.tests) {
        out << test_line(test) << "\n";
        bool failed = test.status != TestResult::Status::passed;
        // A server that cannot start fails every test the same way: say it once.
        if (test.status == TestResult::Status::skipped) continue;  // the reason is printed once, above
        if (failed && !verbose && previous && previous->reason == test.reason &&
            previous->server_stderr == test.server_stderr && previous->server_stdout == test.server_stdout) {
            out << "      (same as above)\n";
            continue;
        }
        previous = &test;
        if (verbose || failed || test.demonstration)  // a demonstration's steps are its figures
            for (const auto& step : test.steps) out << "      " << (failed ? "· " : "") << step << "\n";
        std::istringstream details(test_details(test));
        for (std::string line; std::getline(details, line);) out << "      " << line << "\n";
    }
    for (const SyscallSummary& syscalls : report.syscalls) {
        if (!syscalls.measured) continue;
        out << "\nsyscalls" << (syscalls.name.empty() ? "" : " (" + syscalls.name + ")")
            << " inside the measurement window (" << syscalls.load << ", under strace):\n";
        char row[96];
        std::snprintf(row, sizeof row, "  %-20s %10s %13s\n", "family", "count", ("per " + syscalls.unit).c_str());
        out << row;
        long total = 0;
        for (const auto& r : syscalls.rows) {
            std::snprintf(row, sizeof row, "  %-20s %10ld %13.2f\n", r.family.c_str(), r.count, r.per_message);
            out << row;
            total += r.count;
        }
        std::snprintf(row, sizeof row, "  %-20s %10ld %13.2f\n", "total", total, syscalls.per_message_total);
        out << row;
        out << "  threads/processes seen: " << syscalls.tasks << "\n";
        if (syscalls.cpu_seconds >= 0 && syscalls.messages > 0) {
            char cpu[160];
            std::snprintf(cpu, sizeof cpu, "  server CPU during the load: %.2f s, %.0f us per %s (strace inflates it)\n",
                          syscalls.cpu_seconds, syscalls.cpu_seconds * 1e6 / double(syscalls.messages),
                          syscalls.unit.c_str());
            out << cpu;
        }
    }
    out << leaderboard_text(report);
    out << "\nscore: " << points_text(report.score()) << "/" << points_text(report.max_score());
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", report.execution_seconds);
    out << "   (" << seconds << " s)\n";
    return out.str();
}

std::string format_json_report(const GradeReport& report) {
    using nlohmann::json;
    json tests = json::array();
    for (const auto& test : report.listed_tests()) {
        std::string output = test_details(test);
        for (const auto& step : test.steps) output += "· " + step + "\n";
        tests.push_back({{"name", test.name},
                         {"score", test.score},
                         {"max_score", test.extra_credit ? 0.0 : test.max_score},  // Gradescope's extra credit
                         // A demonstration's failure is its lesson, not a failed test.
                         {"status", test.is_skipped() ? "skipped" : test.is_failure() ? "failed" : "passed"},
                         {"output", output}});
    }
    json audits = json::array();
    for (const auto& summary : report.syscalls) {
        json families = json::array();
        for (const auto& row : summary.rows)
            families.push_back({{"family", row.family}, {"count", row.count}, {"per_message", row.per_message}});
        audits.push_back({{"name", summary.name},
                          {"measured", summary.measured},
                          {"load", summary.load},
                          {"messages", summary.messages},
                          {"per_message", summary.per_message_total},
                          {"tasks", summary.tasks},
                          {"cpu_seconds", summary.cpu_seconds},
                          {"seconds", summary.seconds},
                          {"families", families}});
    }
    json result = {
        {"score", report.score()},
        {"max_score", report.max_score()},
        {"execution_time", report.execution_seconds},
        {"output", "lab " + report.lab + ": " + report.title},
        {"tests", tests},
        {"syscalls", audits},
        {"leaderboard", leaderboard_json(report)},
        {"extra_data",
         {{"lab", report.lab},
          {"server", report.server},
          {"network", report.network},
          {"environment", report.environment},
          {"skipped", report.skipped}}},
    };
    return result.dump(2) + "\n";
}

}  // namespace c10k::grader

namespace c10k::grader {
namespace {

std::string xml_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string syscall_summary_text(const GradeReport& report) {
    std::string text;
    for (const auto& summary : report.syscalls) {
        if (!summary.measured) continue;
        char line[200];
        std::snprintf(line, sizeof line, "syscalls%s: %.2f per %s (%s)\n",
                      summary.name.empty() ? "" : (" (" + summary.name + ")").c_str(), summary.per_message_total,
                      summary.unit == "request" ? "request" : "echoed message", summary.load.c_str());
        text += line;
    }
    return text;
}

}  // namespace

std::string format_gradescope_report(const GradeReport& report) {
    using nlohmann::json;
    json tests = json::array();
    int number = 0;
    for (const auto& test : report.listed_tests()) {
        std::string output = test_details_with_steps(test);
        tests.push_back({{"name", test.name},
                         {"number", std::to_string(++number)},
                         {"score", test.score},
                         {"max_score", test.extra_credit ? 0.0 : test.max_score},
                         {"status", test.is_failure() ? "failed" : "passed"},
                         {"output", output},
                         {"output_format", "text"},
                         {"visibility", test.hidden ? "after_due_date" : "visible"}});
    }
    std::string output = "lab " + report.lab + ": " + report.title + "\n" + syscall_summary_text(report);
    if (!report.skipped.empty()) output += "SKIPPED: " + report.skipped + "\n";
    json result = {{"score", report.score()},
                   {"max_score", report.max_score()},
                   {"execution_time", report.execution_seconds},
                   {"output", output + leaderboard_text(report)},
                   {"output_format", "text"},
                   {"visibility", "visible"},
                   {"tests", tests}};
    if (!report.leaderboard.empty()) result["leaderboard"] = leaderboard_json(report);
    return result.dump(2) + "\n";
}

std::string format_junit_report(const GradeReport& report) {
    int failures = 0, skipped = 0;
    for (const auto& test : report.tests) {
        if (test.is_skipped()) ++skipped;
        else if (test.is_failure()) ++failures;
    }
    std::ostringstream out;
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", report.execution_seconds);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<testsuite name=\"" << xml_escape("lab " + report.lab) << "\" tests=\"" << report.listed_tests().size()
        << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\" time=\"" << time << "\">\n";
    for (const auto& test : report.listed_tests()) {
        out << "  <testcase classname=\"" << xml_escape(report.lab) << "\" name=\"" << xml_escape(test.name) << "\">\n";
        if (test.is_skipped()) {
            out << "    <skipped message=\"" << xml_escape(test.reason) << "\"/>\n";
        } else if (test.is_failure()) {
            out << "    <failure message=\"" << xml_escape(test.reason) << "\">" << xml_escape(test_details(test))
                << "</failure>\n";
        }
        out << "    <system-out>" << xml_escape(points_text(test.score) + "/" + points_text(test.max_score) + " points")
            << "</system-out>\n  </testcase>\n";
    }
    out << "</testsuite>\n";
    return out.str();
}

std::string format_error_report(const std::string& format, const std::string& lab, const std::string& error,
                                double max_score) {
    if (format == "junit")
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"lab " + xml_escape(lab) +
               "\" tests=\"1\" failures=\"1\" skipped=\"0\">\n  <testcase classname=\"" + xml_escape(lab) +
               "\" name=\"grading\">\n    <failure message=\"" + xml_escape(error) + "\"/>\n  </testcase>\n</testsuite>\n";
    if (format == "prairielearn")  // not gradable: the attempt does not count, the message says why
        return nlohmann::json{{"gradable", false}, {"score", 0}, {"message", "grading could not run: " + error},
                              {"output", error}, {"tests", nlohmann::json::array()}}
                   .dump(2) + "\n";
    if (format == "autolab") return "grading could not run: " + error + "\n{\"scores\": {\"c10k\": 0}}\n";
    if (format == "classroom")
        return nlohmann::json{{"version", 1}, {"status", "error"}, {"max_score", max_score},
                              {"tests", {{{"name", "grading"}, {"status", "error"}, {"score", 0},
                                          {"message", "grading could not run: " + error}}}}}
                   .dump() + "\n";
    nlohmann::json result = {{"score", 0},
                             {"execution_time", 0},
                             {"output", "grading could not run: " + error},
                             {"tests", nlohmann::json::array()}};
    return result.dump(2) + "\n";
}

}  // namespace c10k::grader
