#include "grade/batch.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include "2-runner/program_path.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

constexpr double kCompileSeconds = 180;

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string points(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// Compiles one submission into <work>/server. Returns "" on success, else the errors.
std::string compile_submission(const BatchOptions& options, const std::filesystem::path& submission,
                               const std::filesystem::path& work) {
    std::vector<std::string> sources;
    for (const auto& entry : std::filesystem::directory_iterator(submission))
        if (entry.path().extension() == ".cpp") sources.push_back(entry.path().string());
    std::sort(sources.begin(), sources.end());
    auto compiler = find_program("g++");
    if (!compiler) return "g++ is not installed: run `make deps`";
    std::vector<std::string> command = {*compiler, "-std=c++20", "-O2", "-Wall", "-Wextra", "-fmax-errors=10",
                                        "-I" + submission.string(),
                                        "-I" + (options.source_root / "common" / "include").string()};
    command.insert(command.end(), sources.begin(), sources.end());
    command.push_back((options.build_root / "common" / "libc10k_common.a").string());
    if (std::ranges::find(options.spec.required_features, "io_uring") != options.spec.required_features.end())
        command.push_back("-luring");
    command.insert(command.end(), {"-pthread", "-o", (work / "server").string()});

    SandboxLimits limits;
    limits.cpu_seconds = static_cast<rlim_t>(kCompileSeconds);
    try {
        SandboxedProcess build(command, limits);  // the runner's guarantees hold for compilers too
        auto status = build.wait_exit(Deadline(Seconds(kCompileSeconds)));
        if (!status) {
            build.stop(Seconds(0));
            return "the build did not finish within " + points(kCompileSeconds) + " s";
        }
        if (status->clean()) return "";
        std::string errors = build.stderr_text();  // -fmax-errors keeps it short
        return errors.empty() ? "the compiler " + status->describe() : errors;
    } catch (const TestFailure& failure) {
        return failure.what();
    }
}

SubmissionResult grade_submission(const BatchOptions& options, const std::filesystem::path& submission) {
    auto started = Clock::now();
    SubmissionResult result;
    result.name = submission.filename().string();
    result.max_score = options.spec.max_score();
    std::filesystem::path work = options.work_dir / result.name;
    std::filesystem::create_directories(work);
    std::filesystem::remove(work / "server");

    if (!std::filesystem::exists(submission / "server.cpp")) {
        result.status = "no server.cpp";
    } else if (std::string errors = compile_submission(options, submission, work); !errors.empty()) {
        result.status = "does not compile";
        result.detail = errors;
        std::ofstream(work / "report.txt") << "the submission does not compile:\n" << errors << "\n";
    } else {
        GradeOptions grade_options;
        grade_options.lab_name = options.lab_name;
        grade_options.server = work / "server";
        grade_options.network_namespaces = options.network_namespaces;
        GradeReport report = grade_lab(options.spec, grade_options);
        result.status = "graded";
        result.score = report.score();
        for (const auto& test : report.tests)
            if (test.status == TestResult::Status::failed && test.max_score > 0 && !test.extra_credit)
                result.failed_tests.push_back(test.name);
        std::ofstream(work / "report.txt") << format_text_report(report, false);
        std::ofstream(work / "results.json") << format_gradescope_report(report);
    }
    result.seconds = Seconds(Clock::now() - started).count();
    return result;
}

}  // namespace

std::vector<SubmissionResult> grade_batch(const BatchOptions& options, std::ostream& progress) {
    std::vector<std::filesystem::path> submissions;
    for (const auto& entry : std::filesystem::directory_iterator(options.submissions))
        if (entry.is_directory()) submissions.push_back(entry.path());
    std::sort(submissions.begin(), submissions.end());

    std::vector<SubmissionResult> results(submissions.size());
    std::atomic<std::size_t> next{0};
    std::mutex progress_mutex;
    std::size_t done = 0;
    auto worker = [&] {
        for (std::size_t i; (i = next++) < submissions.size();) {
            results[i] = grade_submission(options, submissions[i]);
            std::lock_guard lock(progress_mutex);
            char line[256];
            std::snprintf(line, sizeof line, "[%zu/%zu] %-24s %s (%.1f s)\n", ++done, submissions.size(),
                          results[i].name.c_str(),
                          results[i].status == "graded"
                              ? (points(results[i].score) + "/" + points(results[i].max_score)).c_str()
                              : results[i].status.c_str(),
                          results[i].seconds);
            progress << line << std::flush;
        }
    };
    std::vector<std::jthread> workers;
    for (int j = 0; j < std::max(1, options.jobs); ++j) workers.emplace_back(worker);
    workers.clear();  // joins
    return results;
}

std::string format_batch_csv(const std::vector<SubmissionResult>& results) {
    std::string csv = "name,score,max_score,status,failed_tests\n";
    for (const auto& result : results) {
        std::string failed;
        for (const auto& test : result.failed_tests) failed += (failed.empty() ? "" : "; ") + test;
        csv += csv_field(result.name) + "," + points(result.score) + "," + points(result.max_score) + "," +
               csv_field(result.status) + "," + csv_field(failed) + "\n";
    }
    return csv;
}

std::string format_batch_summary(const std::vector<SubmissionResult>& results) {
    std::ostringstream out;
    std::vector<double> percents;
    std::map<std::string, int> failures;
    int not_built = 0;
    for (const auto& result : results) {
        if (result.status != "graded") ++not_built;
        percents.push_back(result.max_score > 0 ? 100 * result.score / result.max_score : 0);
        for (const auto& test : result.failed_tests) ++failures[test];
    }
    out << "\n" << results.size() << " submissions: " << results.size() - not_built << " graded, " << not_built
        << " not built\n";
    if (!percents.empty()) {
        std::vector<double> sorted = percents;
        std::sort(sorted.begin(), sorted.end());
        double mean = 0;
        for (double p : sorted) mean += p / double(sorted.size());
        char line[160];
        std::snprintf(line, sizeof line, "score (%% of max): mean %.0f, median %.0f, min %.0f, max %.0f\n", mean,
                      sorted[sorted.size() / 2], sorted.front(), sorted.back());
        out << line << "distribution:\n";
        int buckets[11] = {};
        for (double p : percents) ++buckets[std::clamp(static_cast<int>(p / 10), 0, 10)];
        for (int b = 10; b >= 0; --b) {
            if (b == 10) std::snprintf(line, sizeof line, "  %8s %3d %s\n", "100", buckets[b], std::string(buckets[b], '#').c_str());
            else std::snprintf(line, sizeof line, "  %3d-%3d%% %3d %s\n", b * 10, b * 10 + 9, buckets[b],
                               std::string(buckets[b], '#').c_str());
            out << line;
        }
    }
    if (!failures.empty()) {
        std::vector<std::pair<std::string, int>> most(failures.begin(), failures.end());
        std::sort(most.begin(), most.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        out << "most failed tests:\n";
        for (std::size_t i = 0; i < most.size() && i < 5; ++i)
            out << "  " << most[i].second << "x  " << most[i].first << "\n";
    }
    return out.str();
}

}  // namespace c10k::grader
