#include <fstream>
#include <map>

#include "c10k_catch.hpp"

#include "4-audit/strace_parser.hpp"

using c10k::grader::parse_strace_line;

TEST_CASE("strace line: a completed call with its result") {
    auto call = parse_strace_line("1795304474.210959 read(4, \"hello worldhello\"..., 65536) = 33");
    REQUIRE(call);
    CHECK(call->timestamp == Approx(1795304474.210959));
    CHECK(call->name == "read");
    CHECK(call->arguments == "4, \"hello worldhello\"..., 65536");
    CHECK(call->result == 33);
    CHECK(call->error.empty());
}

TEST_CASE("strace line: a failed call keeps its errno name") {
    auto call = parse_strace_line("1795304474.247508 read(5, 0x7ffd, 65536) = -1 EAGAIN (Resource temporarily unavailable)");
    REQUIRE(call);
    CHECK(call->result == -1);
    CHECK(call->error == "EAGAIN");
    auto restart = parse_strace_line("1795304474.2 accept4(3, NULL, NULL, SOCK_CLOEXEC) = ? ERESTARTSYS (To be restarted)");
    REQUIRE(restart);
    CHECK_FALSE(restart->result);
    CHECK(restart->error == "ERESTARTSYS");
}

TEST_CASE("strace line: ' = ' inside a string argument does not confuse the result") {
    auto call = parse_strace_line("1.5 write(4, \"a) = 7\", 6) = 6");
    REQUIRE(call);
    CHECK(call->result == 6);
    CHECK(call->arguments == "4, \"a) = 7\", 6");
}

TEST_CASE("strace line: pid prefixes of -f output are skipped") {
    CHECK(parse_strace_line("3630  1.25 close(4)        = 0")->name == "close");
    CHECK(parse_strace_line("[pid  3631] 1.25 clone3({flags=CLONE_VM}, 88) = 3632")->result == 3632);
}

TEST_CASE("strace line: a split call counts once, at its unfinished half") {
    auto entered = parse_strace_line("3631  1.0 read(5,  <unfinished ...>");
    REQUIRE(entered);
    CHECK(entered->name == "read");
    CHECK_FALSE(entered->result);
    CHECK_FALSE(parse_strace_line("3631  1.1 <... read resumed>\"abc\", 65536) = 3"));
}

TEST_CASE("strace line: signals, exits and junk are not calls") {
    CHECK_FALSE(parse_strace_line("1.0 --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER} ---"));
    CHECK_FALSE(parse_strace_line("1.0 +++ exited with 0 +++"));
    CHECK_FALSE(parse_strace_line(""));
    CHECK_FALSE(parse_strace_line("strace: Process 12 attached"));
    CHECK(parse_strace_line("1.0 exit_group(0)   = ?")->name == "exit_group");
}

TEST_CASE("strace file: the captured lab 01 trace reads as the expected calls") {
    std::ifstream in(TEST_DATA_DIR "/strace_blocking_f.txt");
    REQUIRE(in);
    std::map<std::string, int> counts;
    for (std::string line; std::getline(in, line);)
        if (auto call = parse_strace_line(line)) ++counts[call->name];
    CHECK(counts["accept4"] == 3);
    CHECK(counts["read"] == 4);
    CHECK(counts["write"] == 3);  // two echoes and the announce line
    CHECK(counts["exit_group"] == 1);
}
