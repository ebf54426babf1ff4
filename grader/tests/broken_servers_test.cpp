// Each deliberately broken server (grader/tests/broken/) must get its own specific
// verdict, in bounded time, leaving nothing running. Specs are written inline so each
// case reads as: this server, this test, this verdict.

#include <cstdio>

#include "c10k_catch.hpp"

#include "1-spec/lab_spec.hpp"
#include "grade/grading.hpp"
#include "lab_grading.hpp"
#include "process_check.hpp"

using namespace c10k::grader;

namespace {

struct Graded {
    GradeReport report;
    double seconds;
    const TestResult& only() const { return report.tests.at(0); }
};

Graded grade_broken(const std::string& name, const std::string& tests_toml, const std::string& server_keys = "") {
    std::string toml = "[lab]\nid = '99'\ntitle = 'broken: " + name + "'\n[server]\nannounce_timeout = 1\n" +
                       server_keys + tests_toml;
    LabSpec spec = parse_lab_spec(toml, "inline spec for " + name);
    GradeOptions options;
    options.server = std::string(BROKEN_DIR) + "/" + name;
    options.seed = 7;
    auto start = Clock::now();
    GradeReport report = grade_lab(spec, options);
    double seconds = Seconds(Clock::now() - start).count();
    INFO(format_text_report(report, true));
    CHECK(test_support::processes_running(options.server.string()) == 0);  // each binary is used by one case
    CHECK(test_support::children_left() == 0);
    return {std::move(report), seconds};
}

const char* kEcho = "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\nsize = 1000\nmessages = 5\ntimeout = 2\n";

}  // namespace

TEST_CASE("broken: a server that crashes mid-echo is reported with the signal that killed it") {
    Graded graded = grade_broken("crash_mid_echo", kEcho);
    CHECK(graded.only().status == TestResult::Status::failed);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("server killed by SIGSEGV (Segmentation fault)"));
    CHECK_THAT(graded.only().hint, Catch::Contains("gdb"));
    CHECK(graded.seconds < 10);
}

TEST_CASE("broken: a server that never announces fails at the announce deadline") {
    Graded graded = grade_broken("never_announce", kEcho);
    CHECK_THAT(graded.only().reason, Catch::Contains("did not print 'listening on HOST:PORT' within 1.0 s"));
    CHECK_THAT(graded.only().hint, Catch::Contains("fflush"));
    CHECK(graded.seconds < 10);
}

TEST_CASE("broken: wrong bytes are reported at their offset") {
    Graded graded = grade_broken("wrong_bytes", kEcho);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("message 1 of 5: byte 100 differs: expected 0x"));
}

TEST_CASE("broken: a server that ignores SIGTERM fails the shutdown test and is still killed") {
    Graded graded = grade_broken(
        "ignore_sigterm", "[[test]]\nname = 'shutdown'\nkind = 'graceful_shutdown'\npoints = 1\ngrace = 0.5\n");
    CHECK_THAT(graded.only().reason, Catch::Equals("server still running 0.5 s after SIGTERM"));
    CHECK(graded.seconds < 10);
}

TEST_CASE("broken: a server killed by SIGPIPE when a client resets is named as such") {
    Graded graded = grade_broken("dies_of_sigpipe",
                                 "[[test]]\nname = 'reset'\nkind = 'client_reset'\npoints = 1\ntimeout = 2\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("killed by SIGPIPE"));
}

TEST_CASE("broken: a server that never closes after the client's EOF fails half-close") {
    Graded graded = grade_broken("never_closes",
                                 "[[test]]\nname = 'half'\nkind = 'half_close'\npoints = 1\ntimeout = 1\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("still open 1.0 s after the client's EOF"));
}

TEST_CASE("broken: one syscall per byte blows the budget with a hint about reads") {
    Graded graded = grade_broken("byte_at_a_time",
                                 "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\nmessages = 2\n"
                                 "[syscalls]\nper_message_max = 2.5\nbudget_points = 1\n"
                                 "load = { connections = 1, size = 64, messages = 50 }\n");
    CHECK(graded.report.tests.at(0).status == TestResult::Status::passed);  // the bytes are right
    const TestResult& budget = graded.report.tests.at(1);
    CHECK(budget.status == TestResult::Status::failed);
    CHECK(graded.report.syscalls.at(0).per_message_total == Approx(128).margin(1));  // 64 reads + 64 writes
    CHECK_THAT(budget.reason, Catch::Contains("per echoed message (budget 2.5); per message: read 64."));
    CHECK_THAT(budget.hint, Catch::Contains("several reads per message"));
}

TEST_CASE("broken: poll() in the blocking lab is caught as a forbidden mechanism") {
    Graded graded = grade_broken("uses_poll",
                                 "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\nmessages = 2\n"
                                 "[syscalls]\nrequired = ['accept', 'read', 'write']\nforbidden = ['poll']\n"
                                 "mechanism_points = 1\nload = { connections = 1, size = 64, messages = 50 }\n");
    const TestResult& mechanism = graded.report.tests.at(1);
    CHECK(mechanism.status == TestResult::Status::failed);
    CHECK_THAT(mechanism.reason, Catch::Contains("poll called"));
}

TEST_CASE("broken: a select server without the FD_SETSIZE check dies at fd 1024, named") {
    Graded graded = grade_broken("select_past_fd_setsize",
                                 "[[test]]\nname = '1100'\nkind = 'concurrent'\npoints = 1\nclients = 1100\n"
                                 "messages = 1\nmay_close = 100\ntimeout = 20\n");
    CHECK_THAT(graded.only().reason, Catch::StartsWith("server killed by SIGABRT"));
}

TEST_CASE("broken: a poll server with blocking writes stalls behind a never-reading client") {
    Graded graded = grade_broken("poll_blocking_writes",
                                 "[[test]]\nname = 'greedy'\nkind = 'never_reading_client'\npoints = 1\n"
                                 "stall_seconds = 2\n");
    CHECK_THAT(graded.only().reason, Catch::StartsWith("while one client was not reading: no echo completed within 2.0 s"));
    CHECK_THAT(graded.only().hint, Catch::Contains("nonblocking"));
}

TEST_CASE("broken: epoll_ctl on every event blows the per-family budget, with the right hint") {
    Graded graded = grade_broken("epoll_ctl_every_event",
                                 "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\nmessages = 2\n"
                                 "[syscalls]\nper_message_max = 3.5\nbudget_points = 1\n"
                                 "max_per_message = { epoll_ctl = 0.1 }\n"
                                 "load = { connections = 10, size = 64, messages = 500 }\n");
    const TestResult& budget = graded.report.tests.at(1);
    CHECK(budget.status == TestResult::Status::failed);
    CHECK_THAT(budget.reason, Catch::Contains("epoll_ctl 1.00 per message (at most 0.1)"));
    CHECK_THAT(budget.hint, Catch::Contains("register each fd once"));
}

TEST_CASE("broken: echoing in two small writes meets Nagle and delayed ACKs: the latency test says so") {
    // The server is iterative, so one client; 100 messages are enough to see 40 ms stalls.
    Graded graded = grade_broken("two_writes_nagle",
                                 "[[test]]\nname = 'latency'\nkind = 'latency'\npoints = 1\nclients = 1\n"
                                 "messages = 100\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("p99 must be under 20.0 ms (measured twice)"));
    CHECK_THAT(graded.only().hint, Catch::Contains("Nagle"));
}

TEST_CASE("broken: io_uring with an enter per operation blows the budget, with a hint about batching") {
    RETURN_IF_NO_IO_URING();
    Graded graded = grade_broken("uring_submit_per_operation",
                                 "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\nmessages = 2\n"
                                 "[syscalls]\nforbidden = ['read', 'write']\nmechanism_points = 1\n"
                                 "per_message_max = 0.5\nbudget_points = 1\n"
                                 "load = { connections = 1, size = 64, messages = 200 }\n");
    CHECK(graded.report.tests.at(1).status == TestResult::Status::passed);  // only io_uring calls
    const TestResult& budget = graded.report.tests.at(2);
    CHECK(budget.status == TestResult::Status::failed);
    CHECK(graded.report.syscalls.at(0).per_message_total > 1.5);
    CHECK_THAT(budget.hint, Catch::Contains("io_uring_submit_and_wait"));
}

TEST_CASE("broken: read(2) on the side of io_uring is a forbidden call") {
    RETURN_IF_NO_IO_URING();
    Graded graded = grade_broken("uring_reads_on_the_side",
                                 "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\nmessages = 2\n"
                                 "[syscalls]\nrequired = ['io_uring_enter']\nforbidden = ['read', 'write']\n"
                                 "mechanism_points = 1\nload = { connections = 1, size = 64, messages = 200 }\n");
    const TestResult& mechanism = graded.report.tests.at(1);
    CHECK(mechanism.status == TestResult::Status::failed);
    CHECK_THAT(mechanism.reason, Catch::Contains("read called"));
}

TEST_CASE("broken: a server that exits at once: its exit code, and its stderr shown") {
    Graded graded = grade_broken("exits_at_once", kEcho);
    CHECK(graded.only().reason == "server exited with code 3 before announcing");
    CHECK_THAT(graded.only().server_stderr, Catch::Contains("Address already in use"));
}

TEST_CASE("broken: half an echo: what arrived within the deadline") {
    Graded graded = grade_broken("partial_echo", kEcho);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("message 1 of 5: got 500 of 1000 bytes within 2.0 s"));
}

TEST_CASE("broken: a doubled echo shows up as bytes nobody sent") {
    Graded graded = grade_broken("duplicated_echo", kEcho);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("message 2 of 5: byte 0 differs") ||
                                         Catch::Contains("more than the 1000 sent"));
}

TEST_CASE("broken: a server that closes before echoing") {
    Graded graded = grade_broken("closes_early", kEcho);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("message 1 of 5:") && Catch::Contains("after 0 of 1000 bytes"));
}

TEST_CASE("broken: a server forking children, some escaping its group: none survive") {
    Graded graded = grade_broken("forks_children", kEcho);
    CHECK(graded.only().status == TestResult::Status::passed);  // the echo itself is right
    // Ten children call setsid(); one that had not run yet when the group was killed died
    // with the group (seen under load: 8). Whatever escaped was killed, and nothing is left.
    int escaped = 0;
    CHECK(std::sscanf(graded.only().steps.back().c_str(), "killed %d processes the server left outside its group",
                      &escaped) == 1);
    CHECK(escaped >= 1);
    CHECK(escaped <= 10);
    CHECK(test_support::children_left() == 0);
}

TEST_CASE("broken: a server spinning without accepting fails at the deadline, not later") {
    Graded graded = grade_broken("busy_loop", "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\ntimeout = 1\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("got 0 of 4096 bytes within 1.0 s; the server never accepted "
                                                     "this connection (it still waits in the listen queue)"));
    CHECK_THAT(graded.only().hint, Catch::Contains("accept() is failing or never called again"));
    CHECK(graded.seconds < 10);
}

TEST_CASE("broken: a server allocating gigabytes hits the memory limit and is reported dead") {
    Graded graded = grade_broken("allocates_gigabytes", std::string(kEcho) + "[limits]\nmemory_mb = 512\n");
    CHECK_THAT(graded.only().reason, Catch::StartsWith("server killed by SIGABRT"));
}

TEST_CASE("broken: a descriptor leaked per client is counted, long before EMFILE") {
    Graded graded = grade_broken("leaks_fds", "[[test]]\nname = 'many'\nkind = 'sequential_clients'\npoints = 1\n"
                                              "clients = 20\nsize = 16\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("open descriptors after 20 clients came and went") &&
                                         Catch::Contains("a descriptor leaks per client"));
}

TEST_CASE("broken: megabytes on stdout and stderr neither block the grader nor the grade") {
    Graded graded = grade_broken("floods_output", kEcho);
    CHECK(graded.only().status == TestResult::Status::passed);
    CHECK(graded.seconds < 10);
}

TEST_CASE("broken: an announced port without a listener is named as such") {
    Graded graded = grade_broken("announces_wrong_port", kEcho);
    CHECK(graded.only().reason == "could not connect: Connection refused");
    CHECK_THAT(graded.only().hint, Catch::Contains("nothing listens on the announced port"));
}

TEST_CASE("broken: a watchdog thread in a single-thread lab is counted") {
    Graded graded = grade_broken("extra_thread", std::string(kEcho) +
                                                     "[syscalls]\nmax_threads = 1\nmechanism_points = 1\n"
                                                     "load = { connections = 1, size = 64, messages = 50 }\n");
    CHECK_THAT(graded.report.tests.at(1).reason, Catch::Contains("the server ran 2 threads/processes (this lab allows 1)"));
}

TEST_CASE("spec limits: the whole-lab deadline turns the remaining tests into 'not run'") {
    Graded graded = grade_broken("busy_loop", "[limits]\nlab_seconds = 1\n"
                                              "[[test]]\nname = 'a'\nkind = 'echo'\npoints = 1\ntimeout = 2\n"
                                              "[[test]]\nname = 'b'\nkind = 'echo'\npoints = 1\ntimeout = 2\n");
    REQUIRE(graded.report.tests.size() == 2);
    CHECK_THAT(graded.report.tests[1].reason, Catch::StartsWith("not run: the lab's time limit of 1.0 s had passed"));
    CHECK(graded.seconds < 6);
}

// Issue 14's zoo: each shape a real server showed, with the verdict and the hint it must get.

TEST_CASE("broken: a banner in the announce's write does not charge start-up to the I/O model") {
    Graded graded = grade_broken("banner_then_announce",
                                 std::string(kEcho) + "[syscalls]\nforbidden = ['openat', 'mmap', 'brk']\n"
                                                      "mechanism_points = 1\n"
                                                      "load = { connections = 1, size = 64, messages = 50 }\n");
    CHECK(graded.report.tests.at(0).status == TestResult::Status::passed);
    CHECK(graded.report.tests.at(1).status == TestResult::Status::passed);  // the loader's calls came before
}

TEST_CASE("broken: a leftover 'listening on port:0' line is skipped, the real announce graded") {
    Graded graded = grade_broken("debug_line_before_announce", kEcho);
    CHECK(graded.only().status == TestResult::Status::passed);
}

TEST_CASE("broken: threads never joined nor detached: the address space grows per client, named") {
    Graded graded = grade_broken("threads_never_joined", "[[test]]\nname = 'many'\nkind = 'sequential_clients'\n"
                                                         "points = 1\nclients = 100\nsize = 16\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("address space grew from") &&
                                         Catch::Contains("over 100 clients that came and went"));
    CHECK_THAT(graded.only().hint, Catch::Contains("never joined or detached"));
}

TEST_CASE("broken: a thread spinning on EBADF after a reset fails on its idle CPU") {
    Graded graded = grade_broken("spins_after_reset",
                                 "[[test]]\nname = 'reset'\nkind = 'client_reset'\npoints = 1\ntimeout = 3\n");
    CHECK_THAT(graded.only().reason, Catch::StartsWith("after the test, with every client gone, the server used"));
    CHECK_THAT(graded.only().hint, Catch::Contains("EBADF"));
}

TEST_CASE("broken: select with nfds from the newest client loses long-lived clients in the churn") {
    Graded graded = grade_broken("select_maxfd_newest",
                                 "[[test]]\nname = 'churn'\nkind = 'churn'\npoints = 1\ntimeout = 3\n");
    CHECK_THAT(graded.only().reason, Catch::StartsWith("round 1 of 20, long-lived client") &&
                                         Catch::Contains("sit unread in the server's receive queue"));
    CHECK_THAT(graded.only().hint, Catch::Contains("1 + the highest descriptor still open"));
}

TEST_CASE("broken: an epoll server that shutdown()s but never close()s leaks a descriptor per client") {
    Graded graded = grade_broken("epoll_shutdown_no_close", "[[test]]\nname = 'many'\nkind = 'sequential_clients'\n"
                                                            "points = 1\nclients = 50\nsize = 16\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("a descriptor leaks per client"));
}

TEST_CASE("broken: --sqpoll and --zc accepted but ignored earn nothing") {
    RETURN_IF_NO_IO_URING();
    Graded graded = grade_broken("uring_ignores_flags",
                                 "[[test]]\nname = 'sqpoll'\nkind = 'echo'\npoints = 1\nargs = ['--sqpoll']\n"
                                 "ring = ['sqpoll']\n"
                                 "[[test]]\nname = 'zc'\nkind = 'large_message'\npoints = 1\nargs = ['--zc']\n"
                                 "ring = ['send_zc']\n");
    CHECK_THAT(graded.report.tests.at(0).reason, Catch::Contains("no SQPOLL thread"));
    CHECK_THAT(graded.report.tests.at(0).hint, Catch::Contains("IORING_SETUP_SQPOLL"));
    CHECK_THAT(graded.report.tests.at(1).reason,
               Catch::StartsWith("no zero-copy send was submitted") && Catch::Contains("SEND"));
    CHECK_THAT(graded.report.tests.at(1).hint, Catch::Contains("io_uring_prep_send_zc"));
}

TEST_CASE("broken: EPOLLET with one read per wake-up: a stall with bytes unread, not a write_all or Nagle hint") {
    Graded graded = grade_broken("edge_triggered_reads_once",
                                 "[[test]]\nname = 'large'\nkind = 'large_message'\npoints = 1\ntimeout = 2\n"
                                 "[[test]]\nname = 'latency'\nkind = 'latency'\npoints = 1\nmessages = 200\n"
                                 "timeout = 4\n");
    const TestResult& large = graded.report.tests.at(0);
    CHECK_THAT(large.reason, Catch::Contains("sit unread in the server's receive queue"));
    CHECK_THAT(large.hint, Catch::Contains("with EPOLLET read until EAGAIN"));
    const TestResult& latency = graded.report.tests.at(1);
    CHECK_THAT(latency.reason, Catch::StartsWith("the latency run did not complete"));
    CHECK_THAT(latency.hint, Catch::Contains("EPOLLET") && !Catch::Contains("Nagle"));
}

TEST_CASE("broken: a short send's rest dropped: bytes missing at an offset, with the short-write hint") {
    Graded graded = grade_broken("short_send_dropped",
                                 "[[test]]\nname = 'large'\nkind = 'large_message'\npoints = 1\ntimeout = 3\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("bytes missing at offset") &&
                                         Catch::Contains("the echo goes on with byte"));
    CHECK_THAT(graded.only().hint, Catch::Contains("short write()/send() whose remainder was never sent"));
}

TEST_CASE("broken: accept() failing (uninitialised addrlen): closed at byte 0, and its stdout is shown") {
    Graded graded = grade_broken("accept_addrlen_uninit",
                                 "[[test]]\nname = 'echo'\nkind = 'echo'\npoints = 1\ntimeout = 1\n");
    // Linux takes the connection, fails to copy the address out, and drops it: the client
    // sees a reset, or a plain close when its bytes had not arrived yet.
    CHECK_THAT(graded.only().reason, Catch::Contains("the connection after 0 of 4096 bytes"));
    CHECK_THAT(graded.only().hint, Catch::Contains("uninitialised addrlen"));
    CHECK(graded.only().server_stderr.empty());
    CHECK_THAT(graded.only().server_stdout, Catch::Contains("Accepted: -1"));
}

TEST_CASE("broken: EMFILE at the 1024 soft limit, fatal: the hint is to raise RLIMIT_NOFILE") {
    Graded graded = grade_broken("emfile_exits", "[[test]]\nname = '1100'\nkind = 'concurrent'\npoints = 1\n"
                                                 "clients = 1100\nmessages = 1\ntimeout = 10\n");
    CHECK_THAT(graded.only().reason, Catch::StartsWith("server exited with code 1"));
    CHECK_THAT(graded.only().hint, Catch::StartsWith("raise RLIMIT_NOFILE"));
    CHECK_THAT(graded.only().server_stderr, Catch::Contains("Too many open files"));
}

TEST_CASE("broken: a pollfd array of 1024 indexed by fd, under a raised limit: named as such") {
    Graded graded = grade_broken("pollfd_array_by_fd", "[[test]]\nname = '1100'\nkind = 'concurrent'\npoints = 1\n"
                                                       "clients = 1100\nmessages = 1\ntimeout = 10\n");
    CHECK_THAT(graded.only().reason, Catch::StartsWith("server killed by SIGABRT"));
    CHECK_THAT(graded.only().hint, Catch::StartsWith("an array of 1024 indexed by fd overflowed"));
}

TEST_CASE("broken: a lock in the message path shows as futex calls, with the hint that says so") {
    Graded graded = grade_broken("futex_per_message",
                                 std::string(kEcho) + "[syscalls]\nper_message_max = 2.5\nbudget_points = 1\n"
                                                      "load = { connections = 1, size = 64, messages = 200 }\n");
    const TestResult& budget = graded.report.tests.at(1);
    CHECK(budget.status == TestResult::Status::failed);
    CHECK_THAT(budget.hint, Catch::StartsWith("futex") && Catch::Contains("a lock in the message path"));
}

TEST_CASE("broken: closing on EPOLLRDHUP with bytes unread: a reset, and the hint says RDHUP is not EOF") {
    Graded graded = grade_broken("closes_on_rdhup",
                                 "[[test]]\nname = 'half'\nkind = 'half_close'\npoints = 1\ntimeout = 2\n");
    CHECK_THAT(graded.only().reason, Catch::Contains("the server reset the connection after 0 of 65536 bytes"));
    CHECK_THAT(graded.only().hint, Catch::Contains("EPOLLRDHUP or EPOLLHUP is not the end of the data"));
}

// Lab 09's broken proxies: the origin starts first, as in the lab's own spec.
namespace {
const char* kOrigin = "origin = true\n";
}

TEST_CASE("broken proxy: no upstream pool -- the origin counts a connection per request") {
    Graded graded = grade_broken("proxy_no_pool", "[[test]]\nname = 'pool'\nkind = 'http_keepalive'\npoints = 1\n", kOrigin);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("the origin accepted 100 connections for 100 requests in a row"));
    CHECK_THAT(graded.only().hint, Catch::Contains("(a pool)"));
}

TEST_CASE("broken proxy: one client at a time -- a silent origin holds up everybody") {
    Graded graded = grade_broken("proxy_blocks_in_loop",
                                 "[[test]]\nname = 'errors'\nkind = 'http_upstream_errors'\npoints = 1\n", kOrigin);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("while one request waited for a silent origin, another got no "
                                                       "complete response"));
    CHECK_THAT(graded.only().hint, Catch::Contains("must not hold up anyone else"));
    CHECK(graded.seconds < 15);
}

TEST_CASE("broken proxy: a short send's rest dropped -- bytes missing for a client that reads late") {
    Graded graded = grade_broken("proxy_short_write_dropped",
                                 "[[test]]\nname = 'bodies'\nkind = 'http_bodies'\npoints = 1\ntimeout = 4\n", kOrigin);
    CHECK_THAT(graded.only().reason, Catch::Contains("to a client that reads late"));
    CHECK_THAT(graded.only().hint, Catch::Contains("send"));
}

TEST_CASE("broken proxy: the newest pipelined request answered first -- named as the wrong answer") {
    Graded graded = grade_broken("proxy_pipelined_out_of_order",
                                 "[[test]]\nname = 'pipelining'\nkind = 'http_pipelining'\npoints = 1\n", kOrigin);
    CHECK_THAT(graded.only().reason, Catch::StartsWith("response 1 of 10: "));
    CHECK_THAT(graded.only().reason, Catch::Contains("not the answer to request 1"));
}

TEST_CASE("broken proxy: sockets never closed when a client leaves mid-response -- descriptors counted") {
    Graded graded = grade_broken("proxy_leaks_on_abort",
                                 "[[test]]\nname = 'abort'\nkind = 'http_client_abort'\npoints = 1\n", kOrigin);
    CHECK_THAT(graded.only().reason, Catch::Contains("descriptors after 11 clients left mid-response"));
    CHECK_THAT(graded.only().hint, Catch::Contains("close its socket and the origin connection"));
}

