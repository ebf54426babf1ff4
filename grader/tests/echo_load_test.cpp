// The one load engine (grader test kinds, audit, c10k-bench, make race) against real servers
// on 127.0.0.1: the yardstick measures cleanly, a grading load stops after exactly its
// messages, and every way a server can get the echo wrong ends the run with the reason, in
// bounded time.

#include "c10k_catch.hpp"

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "2-runner/sandboxed_process.hpp"
#include "load/echo_load.hpp"
#include "load/local_only.hpp"
#include "process_check.hpp"

using namespace c10k::grader;

namespace {

const std::string yardstick = C10K_BUILD_DIR "/grader/bench/yardstick_epoll_server";

struct RunningServer {
    explicit RunningServer(const std::string& binary)
        : process(std::make_unique<SandboxedProcess>(std::vector<std::string>{binary, "--port", "0"}, SandboxLimits{})),
          port(process->wait_for_announce(Deadline(Seconds(5)))) {}
    std::unique_ptr<SandboxedProcess> process;
    std::uint16_t port;
};

LoadOptions options_for(const RunningServer& server, int connections, std::size_t size) {
    LoadOptions options;
    options.server = c10k::make_socket_address("127.0.0.1", server.port);
    options.connections = connections;
    options.message_size = size;
    options.duration = Seconds(0.3);
    options.warmup_timeout = Seconds(10);
    return options;
}

std::string run_command(const std::string& command, int& status) {
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    status = WEXITSTATUS(::pclose(pipe));
    return output;
}

}  // namespace

TEST_CASE("c10k-bench: ping-pong against the yardstick: every message timed, window opened and closed once") {
    RunningServer server(yardstick);
    LoadOptions options = options_for(server, 20, 64);
    int opened = 0, closed = 0;
    options.on_window_open = [&] { ++opened; };
    options.on_window_close = [&] { ++closed; };
    LoadResult result = run_load(options);
    INFO(result.failure);
    REQUIRE(result.ok);
    CHECK(result.errors == 0);
    CHECK(result.messages > 100);
    CHECK(result.latency.count() == static_cast<std::uint64_t>(result.messages));
    CHECK(result.latency.quantile(0.5) <= result.latency.quantile(0.99));
    CHECK(result.latency.quantile(0.99) <= result.latency.max());
    CHECK(result.seconds() == Approx(0.3).margin(0.1));
    CHECK(opened == 1);
    CHECK(closed == 1);
    CHECK(server.process->stop(Seconds(2)).clean());
}

TEST_CASE("c10k-bench: pipelined 4 KiB messages on 3 threads, idle connections beside them") {
    RunningServer server(yardstick);
    LoadOptions options = options_for(server, 10, 4096);
    options.pipeline = 8;
    options.threads = 3;
    options.idle_connections = 30;
    int server_fds_during_window = 0;  // counted while every connection is open
    options.on_window_open = [&] { server_fds_during_window = server.process->open_fd_count(); };
    LoadResult result = run_load(options);
    INFO(result.failure);
    REQUIRE(result.ok);
    CHECK(result.messages > 100);
    CHECK(server_fds_during_window >= 40);  // the idle ones were accepted too (echoed once)
}

TEST_CASE("c10k-bench: a corrupted byte is found and named") {
    RunningServer server(BROKEN_DIR "/wrong_bytes");
    LoadResult result = run_load(options_for(server, 2, 128));
    CHECK_FALSE(result.ok);
    CHECK_THAT(result.failure, Catch::Contains("byte 100 of the stream differs"));
}

TEST_CASE("c10k-bench: more bytes back than were sent is an error") {
    RunningServer server(BROKEN_DIR "/duplicated_echo");
    LoadResult result = run_load(options_for(server, 1, 64));
    CHECK_FALSE(result.ok);
    CHECK_THAT(result.failure, Catch::Contains("were sent"));
}

TEST_CASE("c10k-bench: a server that closes early is named, one that never echoes times out") {
    {
        RunningServer server(BROKEN_DIR "/closes_early");
        LoadResult result = run_load(options_for(server, 3, 64));
        CHECK_FALSE(result.ok);
        CHECK_THAT(result.failure, Catch::Contains("the server closed the connection"));
    }
    RunningServer server(BROKEN_DIR "/partial_echo");
    LoadOptions options = options_for(server, 4, 64);
    options.warmup_timeout = Seconds(1);
    auto started = Clock::now();
    LoadResult result = run_load(options);
    CHECK_FALSE(result.ok);
    CHECK_THAT(result.failure, Catch::Contains("of 4 connections connected and got their first echo within 1.0 s"));
    CHECK(Clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("load: a grading load stops after exactly its messages, each one timed") {
    RunningServer server(yardstick);
    LoadOptions options = options_for(server, 7, 100);
    options.messages = 500;
    options.pipeline = 2;
    LoadResult result = run_load(options);
    INFO(result.failure);
    REQUIRE(result.ok);
    CHECK(result.messages == 500);
    CHECK(result.latency.count() == 500);
    CHECK(result.window_end > result.window_start);
}

TEST_CASE("load: connections closed before their first echo are allowed up to may_close") {
    RunningServer server(BROKEN_DIR "/closes_early");
    LoadOptions options = options_for(server, 3, 64);
    options.messages = 10;
    options.may_close = 1;
    LoadResult result = run_load(options);
    CHECK_FALSE(result.ok);
    CHECK(result.closed_by_server == 1);
    CHECK_THAT(result.failure, Catch::Contains("the server closed the connection"));
}

TEST_CASE("load: a server that stops echoing is named after the stall timeout") {
    RunningServer server(BROKEN_DIR "/partial_echo");
    LoadOptions options = options_for(server, 2, 64);
    options.messages = 10;
    options.stall_timeout = Seconds(1);
    auto started = Clock::now();
    LoadResult result = run_load(options);
    CHECK_FALSE(result.ok);
    CHECK_THAT(result.failure, Catch::StartsWith("no echo completed within 1.0 s: 0 of 2 connections got their first echo"));
    CHECK(Clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("c10k-bench: loopback only") {
    CHECK(refuse_non_local_address(c10k::make_socket_address("127.0.0.1", 1)).empty());
    CHECK(refuse_non_local_address(c10k::make_socket_address("127.9.8.7", 1)).empty());
    CHECK(refuse_non_local_address(c10k::make_socket_address("::1", 1)).empty());
    CHECK_THAT(refuse_non_local_address(c10k::make_socket_address("192.0.2.1", 1)),
               Catch::Contains("only loopback addresses"));
    int status = 0;
    std::string output = run_command(BENCH_BINARY " --host 192.0.2.1 --port 9 2>&1", status);
    CHECK(status == 2);
    CHECK_THAT(output, Catch::Contains("only loopback addresses"));
}

TEST_CASE("c10k-bench: the command prints JSON, and exits 1 when the server misbehaves") {
    {
        RunningServer server(yardstick);
        int status = 0;
        std::string output = run_command(BENCH_BINARY " --port " + std::to_string(server.port) +
                                             " -c 5 --duration 0.2 --json", status);
        CHECK(status == 0);
        auto json = nlohmann::json::parse(output);
        CHECK(json["ok"] == true);
        CHECK(json["messages"].get<long>() > 0);
        CHECK(json["latency_us"]["p99"].get<double>() > 0);
    }
    {
        RunningServer broken(BROKEN_DIR "/wrong_bytes");
        int status = 0;
        std::string output = run_command(
            BENCH_BINARY " --port " + std::to_string(broken.port) + " -c 2 --size 200 --duration 0.2", status);
        CHECK(status == 1);
        CHECK_THAT(output, Catch::Contains("errors    1"));
    }
    CHECK(test_support::children_left() == 0);  // neither the servers nor the commands stay behind
}
