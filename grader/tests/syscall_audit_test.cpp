#include <filesystem>
#include <fstream>

#include "c10k_catch.hpp"

#include "4-audit/syscall_audit.hpp"
#include "4-audit/syscall_families.hpp"

using namespace c10k::grader;

namespace {

// Writes one -ff trace file per thread into a fresh folder.
struct TraceFolder {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("c10k-audit-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::vector<std::filesystem::path> files;
    static inline int counter = 0;
    TraceFolder() { std::filesystem::create_directories(dir); }
    ~TraceFolder() { std::filesystem::remove_all(dir); }
    void add(const std::string& text) {
        files.push_back(dir / ("trace." + std::to_string(files.size() + 100)));
        std::ofstream(files.back()) << text;
    }
};

const char* kMainThread =
    "10.0 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
    "10.1 write(1, \"listening on 127\"..., 29) = 29\n"
    "10.2 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 4\n"
    "11.0 read(4, \"abc\", 65536) = 3\n"
    "11.1 write(4, \"abc\", 3) = 3\n"
    "11.2 recvfrom(4, \"abc\", 65536, 0, NULL, NULL) = 3\n"
    "11.3 sendto(4, \"abc\", 3, 0, NULL, 0) = 3\n"
    "12.5 close(4) = 0\n";

}  // namespace

TEST_CASE("audit: families group every spelling of an operation") {
    CHECK(family_of("recvfrom") == "read");
    CHECK(family_of("ppoll") == "poll");
    CHECK(family_of("epoll_pwait2") == "epoll_wait");
    CHECK(family_of("futex") == "futex");
    auto names = expand_syscall_alternatives("epoll_wait|select");
    CHECK(std::find(names.begin(), names.end(), "epoll_pwait") != names.end());
    CHECK(std::find(names.begin(), names.end(), "pselect6") != names.end());
    CHECK(expand_syscall_alternatives("futex") == std::vector<std::string>{"futex"});
}

TEST_CASE("audit: only calls inside the window count towards the budget") {
    TraceFolder traces;
    traces.add(kMainThread);
    TraceCounts counts = count_traced_calls(traces.files, 10.9, 11.9);
    CHECK(counts.in_window == std::map<std::string, long>{{"read", 1}, {"recvfrom", 1}, {"sendto", 1}, {"write", 1}});
    CHECK(counts.after_announce.at("accept4") == 1);
    CHECK_FALSE(counts.after_announce.contains("socket"));  // start-up is before the announce
    CHECK(counts.tasks == 1);
}

TEST_CASE("audit: 2 calls per message within a 2.5 budget passes, with the table filled") {
    TraceFolder traces;
    traces.add(kMainThread);
    SyscallSpec spec;
    spec.required = {"accept", "read", "write"};
    spec.forbidden = {"poll", "epoll_wait"};
    spec.max_threads = 1;
    spec.per_message_max = 2.5;
    spec.mechanism_points = 5;
    spec.budget_points = 5;
    GradeReport report;
    judge_syscalls(spec, count_traced_calls(traces.files, 10.9, 11.9), 2, report);
    REQUIRE(report.tests.size() == 2);
    CHECK(report.tests[0].status == TestResult::Status::passed);
    CHECK(report.tests[1].status == TestResult::Status::passed);
    CHECK(report.score() == 10);
    CHECK(report.syscalls.at(0).per_message_total == Approx(2.0));
    REQUIRE(report.syscalls.at(0).rows.size() == 2);
    CHECK(report.syscalls.at(0).rows[0].per_message == Approx(1.0));
}

TEST_CASE("audit: forbidden calls, missing required ones and extra threads are all named") {
    TraceFolder traces;
    traces.add(std::string(kMainThread) + "11.5 poll([{fd=4, events=POLLIN}], 1, -1) = 1\n");
    traces.add("11.6 futex(0x1, FUTEX_WAIT, 0) = 0\n");  // a second thread
    SyscallSpec spec;
    spec.required = {"epoll_wait"};
    spec.forbidden = {"poll"};
    spec.max_threads = 1;
    spec.mechanism_points = 5;
    GradeReport report;
    judge_syscalls(spec, count_traced_calls(traces.files, 10.9, 11.9), 2, report);
    REQUIRE(report.tests.size() == 1);
    const TestResult& verdict = report.tests[0];
    CHECK(verdict.status == TestResult::Status::failed);
    CHECK_THAT(verdict.reason, Catch::Contains("required epoll_wait never called") &&
                                   Catch::Contains("poll called 1 times") && Catch::Contains("2 threads/processes"));
}

TEST_CASE("audit: a blown budget shows the per-message breakdown and a hint that fits") {
    TraceFolder traces;
    std::string text = "10.1 write(1, \"listening on 127\"..., 29) = 29\n";
    for (int i = 0; i < 64; ++i) text += "11.0 read(4, \"a\", 1) = 1\n11.0 write(4, \"a\", 1) = 1\n";
    traces.add(text);
    SyscallSpec spec;
    spec.per_message_max = 2.5;
    spec.budget_points = 5;
    GradeReport report;
    judge_syscalls(spec, count_traced_calls(traces.files, 10.5, 11.5), 1, report);
    REQUIRE(report.tests.size() == 1);
    CHECK(report.tests[0].status == TestResult::Status::failed);
    CHECK_THAT(report.tests[0].reason, Catch::StartsWith("128.00 per echoed message (budget 2.5)") &&
                                           Catch::Contains("read 64.00"));
    CHECK_THAT(report.tests[0].hint, Catch::Contains("several reads per message"));
}

TEST_CASE("audit: a banner sharing the announce's write is found by the time the runner saw the line") {
    // strace -s 16 shows only the banner; the last write to stdout before the runner read
    // the announce is the announce, so the loader's read at start-up is not charged.
    TraceFolder traces;
    traces.add("10.0 read(3, \"\\177ELF\\2\\1\\1\"..., 832) = 832\n"
               "10.1 write(1, \"TinyEcho 1.0\\nlis\"..., 42) = 42\n"
               "10.2 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 4\n"
               "11.0 read(4, \"abc\", 65536) = 3\n");
    TraceCounts seen = count_traced_calls(traces.files, 10.9, 11.9, /*announce_seen_at=*/10.15);
    CHECK(seen.after_announce.at("read") == 1);
    CHECK_FALSE(seen.after_announce.contains("write"));
    // Without the runner's time the banner hides it, and start-up counts too.
    TraceCounts blind = count_traced_calls(traces.files, 10.9, 11.9);
    CHECK(blind.after_announce.at("read") == 2);
}

TEST_CASE("audit: a leftover debug line before the announce is not taken for it") {
    TraceFolder traces;
    traces.add("10.0 write(1, \"listening on por\"..., 20) = 20\n"
               "10.1 write(1, \"listening on 127\"..., 29) = 29\n"
               "10.2 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 4\n");
    TraceCounts counts = count_traced_calls(traces.files, 10.9, 11.9, 10.12);
    CHECK_FALSE(counts.after_announce.contains("write"));
    CHECK(counts.whole_run.at("write") == 1);  // the debug line, at start-up
}

TEST_CASE("audit: futex calls in the message path get the lock hint, whatever comes first") {
    TraceFolder traces;
    std::string text = "10.1 write(1, \"listening on 127\"..., 29) = 29\n";
    for (int i = 0; i < 10; ++i)
        text += "11.0 read(4, \"a\", 64) = 1\n11.0 write(4, \"a\", 1) = 1\n11.0 futex(0x1, FUTEX_WAKE_PRIVATE, 1) = 1\n";
    traces.add(text);
    SyscallSpec spec;
    spec.per_message_max = 2.5;
    spec.budget_points = 5;
    GradeReport report;
    judge_syscalls(spec, count_traced_calls(traces.files, 10.5, 11.5), 10, report);
    CHECK_THAT(report.tests.at(0).hint, Catch::StartsWith("futex 1.00 per message: a lock in the message path"));
}
