#include <catch2/catch.hpp>

#include "grader_run.hpp"

using test_support::Run;
using test_support::run_grader;
using test_support::run_grader_with_prefix;

TEST_CASE("c10k-grade: exit 1 when points are lost (the starter)") {
    Run run = run_grader("01-blocking");
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.output, Catch::Contains("✗") && Catch::Contains("hint:") && Catch::Contains("score: 0/100"));
}

TEST_CASE("c10k-grade: exit 2 with a clear message on usage errors") {
    Run unknown = run_grader("42");
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.output, Catch::Contains("no lab '42'") && Catch::Contains("01-blocking"));

    Run missing = run_grader("01 --server /nonexistent/server");
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::Contains("no server at /nonexistent/server"));

    Run format = run_grader("01 --format xml");
    CHECK(format.exit_code == 2);
    CHECK_THAT(format.output, Catch::Contains("--format"));
}

TEST_CASE("c10k-grade: with io_uring blocked by seccomp, lab 07 is skipped with the reason and the fix") {
    Run run = run_grader_with_prefix(NO_IO_URING, "07 --server /bin/true");
    INFO(run.output);
    CHECK(run.exit_code == 0);  // skipped is not failed
    CHECK_THAT(run.output, Catch::Contains("SKIPPED: io_uring_setup: Function not implemented") &&
                               Catch::Contains("seccomp-io_uring.json") && Catch::Contains("skipped"));
    CHECK_THAT(run.output, !Catch::Contains("✗"));
}
