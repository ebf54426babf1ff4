#pragma once
/// @file batch.hpp
/// @brief Class-scale grading: build and grade every submission of a folder, in parallel.
///
/// `c10k-grade batch SUBMISSIONS --lab NN --jobs N --csv grades.csv`: each subfolder of
/// SUBMISSIONS is one student's submission (their server.cpp and any other sources). Each
/// is compiled on its own against common/, then graded like `c10k-grade NN --server ...`;
/// a compile error is a result (0 points, the first compiler errors), never a crash.

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "1-spec/lab_spec.hpp"
#include "grade/grading.hpp"

namespace c10k::grader {

/// What a batch grades, and where.
struct BatchOptions {
    std::filesystem::path submissions;     ///< one subfolder per submission
    std::string lab_name;                  ///< "01-blocking"
    LabSpec spec;                          ///< hidden tests already merged, if wanted
    std::filesystem::path source_root;     ///< for common/include
    std::filesystem::path build_root;      ///< for build/common/libc10k_common.a
    std::filesystem::path work_dir;        ///< per submission: the binary and its reports
    int jobs = 1;                          ///< submissions graded at once
    bool network_namespaces = true;
};

/// One submission's outcome.
struct SubmissionResult {
    std::string name;                      ///< the subfolder's name
    std::string status;                    ///< "graded", "does not compile", "no server.cpp"
    double score = 0;
    double max_score = 0;
    std::vector<std::string> failed_tests;
    std::string detail;                    ///< compiler errors, when status says so
    double seconds = 0;
};

/// Grades every submission; one progress line per finished submission goes to @p progress.
/// Writes WORK_DIR/NAME/report.txt and results.json (Gradescope shape) for each.
std::vector<SubmissionResult> grade_batch(const BatchOptions& options, std::ostream& progress);

/// name,score,max_score,status,failed_tests — one row per submission, RFC 4180 quoting.
std::string format_batch_csv(const std::vector<SubmissionResult>& results);

/// For the instructor: how many, the score distribution, the most failed tests.
std::string format_batch_summary(const std::vector<SubmissionResult>& results);

}  // namespace c10k::grader
