#include <filesystem>

#include "c10k_catch.hpp"

#include "1-spec/lab_spec.hpp"
#include "grade/grading.hpp"
#include "lab_grading.hpp"
#include "process_check.hpp"

using namespace c10k::grader;

namespace {
// The untouched starter of `lab` runs, loses points with a reason and a hint for every
// failed test, and the grader survives it and leaves nothing behind.
void check_starter(const std::string& lab) {
    GradeReport report = test_support::grade_build("labs", lab);
    INFO(format_text_report(report, true));
    CHECK_FALSE(report.full_marks());
    CHECK(report.score() < report.max_score());
    for (const auto& test : report.tests) {
        if (test.status == TestResult::Status::passed || test.demonstration) continue;
        CHECK_FALSE(test.reason.empty());
        CHECK_FALSE(test.hint.empty());
    }
    CHECK(test_support::children_left() == 0);
}
}  // namespace

TEST_CASE("starter 01-blocking: runs, scores below full marks, every failure explained") { check_starter("01-blocking"); }
TEST_CASE("starter 02-threads: runs, scores below full marks, every failure explained") { check_starter("02-threads"); }
TEST_CASE("starter 03-select: runs, scores below full marks, every failure explained") { check_starter("03-select"); }
TEST_CASE("starter 04-poll: runs, scores below full marks, every failure explained") { check_starter("04-poll"); }
TEST_CASE("starter 05-nonblocking: runs, scores below full marks, every failure explained") { check_starter("05-nonblocking"); }
TEST_CASE("starter 06-epoll: runs, scores below full marks, every failure explained") { check_starter("06-epoll"); }
TEST_CASE("starter 07-io_uring: runs, scores below full marks, every failure explained") {
    RETURN_IF_NO_IO_URING();
    check_starter("07-io_uring");
}

TEST_CASE("starter 08-io_uring-advanced: runs, scores below full marks, every failure explained") {
    RETURN_IF_NO_IO_URING();
    check_starter("08-io_uring-advanced");
}

TEST_CASE("starter 09-tinygate: runs, scores below full marks, every failure explained") {
    RETURN_IF_NO_IO_URING();
    check_starter("09-tinygate");
}

