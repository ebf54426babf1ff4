#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "c10k_catch.hpp"
#include <nlohmann/json.hpp>

#include "2-runner/network_namespace.hpp"
#include "grader_run.hpp"

using test_support::Run;
using test_support::run_grader;
using test_support::run_grader_with_prefix;

TEST_CASE("c10k-grade: exit 1 when points are lost (the starter)") {
    Run run = run_grader("01-blocking --no-hidden");
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

TEST_CASE("c10k-grade: --list-kinds lists the test kinds without grading anything") {
    Run run = run_grader("--list-kinds");
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, Catch::Contains("echo\n    one client") &&
                               Catch::Contains("parameters (default): size (64 MiB), fill_seconds (1)"));
    Run no_lab = run_grader("");
    CHECK(no_lab.exit_code == 2);
    CHECK_THAT(no_lab.output, Catch::Contains("which lab?"));
}

TEST_CASE("c10k-grade: with io_uring blocked by seccomp, lab 07 is skipped with the reason and the fix") {
    Run run = run_grader_with_prefix(NO_IO_URING, "07 --server /bin/true");
    INFO(run.output);
    CHECK(run.exit_code == 0);  // skipped is not failed
    CHECK_THAT(run.output, Catch::Contains("SKIPPED: io_uring_setup: Function not implemented") &&
                               Catch::Contains("seccomp-io_uring.json") && Catch::Contains("skipped"));
    CHECK_THAT(run.output, !Catch::Contains("✗"));
}

TEST_CASE("c10k-grade --format junit: one testcase per test, failures counted") {
    Run run = run_grader("01 --format junit --no-hidden");
    CHECK(run.exit_code == 1);
    // 8 tests, all failed, after the environment probe's entry (never a failure).
    CHECK_THAT(run.output, Catch::StartsWith("<?xml") && Catch::Contains("<testsuite name=\"lab 01-blocking\" tests=\"9\" failures=\"8\"") &&
                               Catch::Contains("name=\"environment (informational") &&
                               Catch::Contains("<failure message=\"server exited with code 1 before announcing\""));
}

TEST_CASE("c10k-grade --output: a results file is written even when grading cannot start") {
    std::string file = std::filesystem::temp_directory_path() / ("c10k-results-" + std::to_string(::getpid()) + ".json");
    Run run = run_grader("42 --format gradescope --output " + file);
    CHECK(run.exit_code == 2);
    std::ifstream in(file);
    REQUIRE(in);
    auto json = nlohmann::json::parse(in);
    CHECK(json["score"] == 0);
    CHECK_THAT(json["output"].get<std::string>(), Catch::Contains("grading could not run: no lab '42'"));
    std::filesystem::remove(file);
}

TEST_CASE("c10k-grade: the report says which network the servers ran in") {
    Run isolated = run_grader("01 --no-hidden");
    bool namespaces = c10k::grader::network_namespaces_available();
    CHECK_THAT(isolated.output, Catch::Contains(namespaces ? "network: a fresh network namespace per server"
                                                           : "network: the host's loopback"));
    Run host = run_grader("01 --no-hidden --no-netns");
    CHECK_THAT(host.output, Catch::Contains("network: the host's loopback, --port 0"));
}
