#include <chrono>
#include <sstream>
#include <thread>

#include "c10k_catch.hpp"

#include "2-runner/network_namespace.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "process_check.hpp"
#include "test_failure.hpp"

using namespace c10k::grader;
using test_support::process_alive;

namespace {
SandboxedProcess shell(const std::string& script) {
    return SandboxedProcess({"/bin/sh", "-c", script}, SandboxLimits{});
}
double seconds_since(Clock::time_point start) { return Seconds(Clock::now() - start).count(); }
}  // namespace

TEST_CASE("runner: the port is read from the announce line, other stdout lines are skipped") {
    SandboxedProcess server = shell("echo starting up; echo 'listening on 127.0.0.1:4567'; sleep 30");
    CHECK(server.wait_for_announce(Deadline(Seconds(5))) == 4567);
    auto status = server.stop(Seconds(1));
    CHECK_FALSE(status.exited);  // sh does not handle SIGTERM: it is killed by it
    CHECK(status.describe() == "killed by SIGTERM (Terminated)");
}

TEST_CASE("runner: a server that never announces fails at the deadline, not later") {
    SandboxedProcess server = shell("echo 'booting...'; sleep 30");
    auto start = Clock::now();
    CHECK_THROWS_WITH(server.wait_for_announce(Deadline(Seconds(0.5))),
                      Catch::Contains("did not print 'listening on HOST:PORT' within 0.5 s") &&
                          Catch::Contains("booting..."));
    CHECK(seconds_since(start) < 3);
}

TEST_CASE("runner: a server that exits at once is reported with its code and stderr") {
    SandboxedProcess server = shell("echo 'bind: Address already in use' >&2; exit 3");
    CHECK_THROWS_WITH(server.wait_for_announce(Deadline(Seconds(5))),
                      Catch::Contains("exited with code 3 before announcing"));
    CHECK(server.stderr_tail() == "bind: Address already in use");
}

TEST_CASE("runner: a missing binary is a clear error") {
    CHECK_THROWS_WITH(SandboxedProcess({"/nonexistent/server"}, SandboxLimits{}),
                      Catch::Contains("cannot run /nonexistent/server"));
}

TEST_CASE("runner: a line that only looks like the announce is skipped, and named if no real one comes") {
    SandboxedProcess late = shell("echo 'listening on port:0'; sleep 0.2; echo 'listening on 127.0.0.1:4242'; sleep 30");
    CHECK(late.wait_for_announce(Deadline(Seconds(5))) == 4242);
    SandboxedProcess never = shell("echo 'listening on 127.0.0.1:http'; sleep 30");
    CHECK_THROWS_WITH(never.wait_for_announce(Deadline(Seconds(0.5))),
                      Catch::Contains("with a valid port within 0.5 s") &&
                          Catch::Contains("an earlier line looked like it but has no port after its last ':': "
                                          "'listening on 127.0.0.1:http'"));
}

TEST_CASE("runner: stop kills the whole process group, children included") {
    SandboxedProcess server = shell("sleep 60 & echo \"child $!\"; sleep 60 & echo \"child $!\"; "
                                 "echo 'listening on 127.0.0.1:1'; trap '' TERM; wait");
    server.wait_for_announce(Deadline(Seconds(5)));
    std::vector<pid_t> children;
    std::istringstream out(server.stdout_head());
    for (std::string word; out >> word;)
        if (word == "child") {
            pid_t pid;
            out >> pid;
            children.push_back(pid);
        }
    REQUIRE(children.size() == 2);
    for (pid_t child : children) CHECK(process_alive(child));
    auto start = Clock::now();
    server.stop(Seconds(0.5));  // sh ignores TERM: SIGKILL after the grace period
    CHECK(seconds_since(start) < 3);
    for (pid_t child : children) CHECK_FALSE(process_alive(child));
    CHECK_FALSE(process_alive(server.pid()));
}

TEST_CASE("runner: a server flooding stdout and stderr neither blocks nor bloats the grader") {
    SandboxedProcess server = shell("echo 'listening on 127.0.0.1:9'; "
                                 "yes 'spam spam spam' & yes 'noise on stderr' >&2 & wait");
    CHECK(server.wait_for_announce(Deadline(Seconds(5))) == 9);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it write a few MB
    CHECK(server.stdout_head().size() <= 4096);
    CHECK(server.stderr_tail(2) == "noise on stderr | noise on stderr");
    server.stop(Seconds(0.5));
}

TEST_CASE("runner: a process can join another's network namespace and reach its loopback port") {
    if (!network_namespaces_available()) {
        WARN("skipped: no network namespaces here (they need root or CAP_SYS_ADMIN)");
        return;
    }
    SandboxLimits in_own_network;
    in_own_network.own_network = true;
    SandboxedProcess origin({C10K_BUILD_DIR "/grader/c10k-origin", "--port", "0"}, in_own_network);
    std::uint16_t port = origin.wait_for_announce(Deadline(Seconds(5)));
    std::string fetch = "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
                        " && printf 'GET /count HTTP/1.1\\r\\nHost: o\\r\\nConnection: close\\r\\n\\r\\n' >&3 && cat <&3";
    SandboxLimits joined;
    joined.join_network_of = origin.pid();
    SandboxedProcess client({"/bin/bash", "-c", fetch}, joined);
    CHECK(client.wait_exit(Deadline(Seconds(5))).value_or(ExitStatus{}).clean());
    CHECK_THAT(client.stdout_head(), Catch::EndsWith("\r\n\r\n1\n"));
    CHECK(client.network_pid() == client.pid());  // its clients join it, and so reach the origin too
}
