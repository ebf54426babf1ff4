#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "c10k_catch.hpp"

#include "1-spec/lab_spec.hpp"

using c10k::grader::parse_lab_spec;
using c10k::grader::SpecError;

namespace {
const char* kGoodSpec = R"(
[lab]
id = "01"
title = "Blocking echo server"

[server]
announce_timeout = 3

[[test]]
name = "echo"
kind = "echo"
points = 10
size = 100

[[test]]
name = "big"
kind = "large_message"
points = 5.5
hint = "loop on write"

[syscalls]
required = ["accept", "read|recv"]
forbidden = ["poll"]
max_threads = 1
per_message_max = 2.5
load = { connections = 2, messages = 500 }
mechanism_points = 4
budget_points = 6
)";
}  // namespace

TEST_CASE("spec: a good spec is read with every default filled in") {
    auto spec = parse_lab_spec(kGoodSpec, "grade.toml");
    CHECK(spec.id == "01");
    CHECK(spec.title == "Blocking echo server");
    CHECK(spec.announce_timeout == 3);
    REQUIRE(spec.tests.size() == 2);
    CHECK(spec.tests[0].kind == "echo");
    CHECK(spec.tests[0].params.at("size") == 100);
    CHECK(spec.tests[0].params.at("messages") == 20);  // the kind's default
    CHECK(spec.tests[1].points == 5.5);
    CHECK(spec.tests[1].hint == "loop on write");
    REQUIRE(spec.syscalls.size() == 1);
    CHECK(spec.syscalls[0].required == std::vector<std::string>{"accept", "read|recv"});
    CHECK(spec.syscalls[0].load.connections == 2);
    CHECK(spec.syscalls[0].load.size == 64);
    CHECK(spec.syscalls[0].load.messages == 500);
    CHECK(spec.max_score() == Approx(10 + 5.5 + 4 + 6));
}

TEST_CASE("spec: the real lab specs all parse") {
    for (const char* lab : {"01-blocking", "02-threads", "03-select", "04-poll", "05-nonblocking", "06-epoll",
                            "07-io_uring", "08-io_uring-advanced"}) {
        INFO(lab);
        auto spec = c10k::grader::load_lab_spec(std::string(C10K_SOURCE_DIR) + "/labs/" + lab + "/grade.toml");
        CHECK(spec.max_score() == 100);
    }
}

TEST_CASE("spec: several audits, per-family budgets and extra credit") {
    auto spec = parse_lab_spec(R"(
[lab]
id = "06"
title = "epoll"
[[test]]
name = "workers"
kind = "echo"
points = 5
extra_credit = true
args = ["--workers", "2"]
[[syscalls]]
per_message_max = 2.5
budget_points = 5
max_per_message = { epoll_ctl = 0.1 }
[[syscalls]]
name = "--edge"
args = ["--edge"]
nonblocking_clients = true
per_message_max = 3.5
budget_points = 5
)", "g.toml");
    CHECK(spec.tests[0].extra_credit);
    CHECK(spec.tests[0].server_args == std::vector<std::string>{"--workers", "2"});
    REQUIRE(spec.syscalls.size() == 2);
    CHECK(spec.syscalls[0].family_max.at("epoll_ctl") == 0.1);
    CHECK(spec.syscalls[1].name == "--edge");
    CHECK(spec.syscalls[1].args == std::vector<std::string>{"--edge"});
    CHECK(spec.syscalls[1].nonblocking_clients);
    CHECK(spec.max_score() == 10);  // extra credit is not part of the maximum
}

TEST_CASE("spec: broken TOML names the file and line") {
    CHECK_THROWS_WITH(parse_lab_spec("[lab]\nid = \"01\"\ntitle = \n", "grade.toml"),
                      Catch::StartsWith("grade.toml:3: not valid TOML"));
}

TEST_CASE("spec: an unknown test kind lists the known ones") {
    CHECK_THROWS_WITH(parse_lab_spec("[lab]\nid='1'\ntitle='t'\n[[test]]\nname='x'\nkind='ecko'\npoints=1\n", "g.toml"),
                      Catch::Contains("g.toml:6") && Catch::Contains("unknown kind 'ecko'") &&
                          Catch::Contains("known: echo"));
}

TEST_CASE("spec: a misspelt parameter is an error, not silently ignored") {
    CHECK_THROWS_WITH(parse_lab_spec("[lab]\nid='1'\ntitle='t'\n[[test]]\nname='x'\nkind='echo'\npoints=1\nsizee=4\n",
                                     "g.toml"),
                      Catch::Contains("g.toml:8") && Catch::Contains("unknown key 'sizee'") &&
                          Catch::Contains("size"));
}

TEST_CASE("spec: missing pieces are named") {
    CHECK_THROWS_WITH(parse_lab_spec("[[test]]\nname='x'\nkind='echo'\npoints=1\n", "g.toml"),
                      Catch::Contains("missing table [lab]"));
    CHECK_THROWS_WITH(parse_lab_spec("[lab]\nid='1'\ntitle='t'\n", "g.toml"), Catch::Contains("no tests"));
    CHECK_THROWS_WITH(parse_lab_spec("[lab]\nid='1'\ntitle='t'\n[[test]]\nname='x'\nkind='echo'\n", "g.toml"),
                      Catch::Contains("test 'x': missing 'points'"));
}

TEST_CASE("spec: wrong types and impossible values are rejected") {
    const std::string head = "[lab]\nid='1'\ntitle='t'\n[[test]]\nname='x'\nkind='echo'\npoints=1\n";
    CHECK_THROWS_WITH(parse_lab_spec(head + "[syscalls]\nper_message_max='two'\n", "g.toml"),
                      Catch::Contains("'per_message_max' must be a number"));
    CHECK_THROWS_WITH(parse_lab_spec(head + "[syscalls]\nrequired='read'\n", "g.toml"),
                      Catch::Contains("'required' must be a list of strings"));
    CHECK_THROWS_WITH(parse_lab_spec(head + "[syscalls]\nload={connections=0}\n", "g.toml"),
                      Catch::Contains("'connections' must be at least 1"));
    CHECK_THROWS_WITH(parse_lab_spec(head + "[syscalls]\nbudget_points=5\n", "g.toml"),
                      Catch::Contains("budget_points needs per_message_max"));
}

TEST_CASE("spec: a missing file says so") {
    CHECK_THROWS_AS(c10k::grader::load_lab_spec("/nonexistent/grade.toml"), SpecError);
}

TEST_CASE("spec: hidden tests are [[test]] tables only, each marked hidden") {
    auto dir = std::filesystem::temp_directory_path() / ("c10k-hidden-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "hidden.toml") << "[[test]]\nname = 'secret'\nkind = 'echo'\npoints = 3\n";
    auto tests = c10k::grader::load_hidden_tests(dir / "hidden.toml");
    REQUIRE(tests.size() == 1);
    CHECK(tests[0].hidden);
    CHECK(tests[0].points == 3);
    std::ofstream(dir / "bad.toml") << "[lab]\nid = '01'\n[[test]]\nname = 'x'\nkind = 'echo'\npoints = 1\n";
    CHECK_THROWS_WITH(c10k::grader::load_hidden_tests(dir / "bad.toml"), Catch::Contains("unknown key 'lab'"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("spec: a test's small-machine figures, and what a lab does where io_uring is missing") {
    std::string text = std::string(kGoodSpec) + "[[test]]\nname = 'many'\nkind = 'concurrent'\npoints = 1\n"
                                                "clients = 10000\nsmall = { clients = 2000, timeout = 120 }\n";
    auto spec = parse_lab_spec(text, "grade.toml");
    CHECK(spec.tests.back().params.at("clients") == 10000);
    CHECK(spec.tests.back().small_machine == std::map<std::string, double>{{"clients", 2000}, {"timeout", 120}});
    CHECK_FALSE(spec.fail_when_missing);  // skip, unless the spec says otherwise
    CHECK_THROWS_WITH(parse_lab_spec(std::string(kGoodSpec) + "[[test]]\nname = 'x'\nkind = 'echo'\npoints = 1\n"
                                                               "small = { clients = 5 }\n",
                                     "grade.toml"),
                      Catch::Contains("small: unknown key 'clients'"));
    std::string failing = kGoodSpec;
    failing.replace(failing.find("title"), 0, "requires = ['io_uring']\nwhen_missing = 'fail'\n");
    CHECK(parse_lab_spec(failing, "grade.toml").fail_when_missing);
    failing.replace(failing.find("'fail'"), 6, "'ignore'");
    CHECK_THROWS_WITH(parse_lab_spec(failing, "grade.toml"), Catch::Contains("when_missing must be \"skip\" or \"fail\""));
}

TEST_CASE("spec: leaderboard = true in [lab] asks for a ranking against the reference, and is off by default") {
    CHECK_FALSE(parse_lab_spec(kGoodSpec, "grade.toml").leaderboard);
    std::string ranked = kGoodSpec;
    ranked.replace(ranked.find("title"), 0, "leaderboard = true\n");
    CHECK(parse_lab_spec(ranked, "grade.toml").leaderboard);
    ranked.replace(ranked.find("true"), 4, "'yes'");
    CHECK_THROWS_WITH(parse_lab_spec(ranked, "grade.toml"), Catch::Contains("'leaderboard' must be true or false"));
    CHECK(c10k::grader::load_lab_spec(std::string(C10K_SOURCE_DIR) + "/labs/09-tinygate/grade.toml").leaderboard);
}
