// The benchmark's arithmetic: histogram, payload stream, perf's output, race.toml, charts.

#include <unistd.h>

#include "c10k_catch.hpp"

#include <cmath>
#include <fstream>
#include <random>

#include "1-spec/lab_spec.hpp"
#include "load/echo_pattern.hpp"
#include "load/latency_histogram.hpp"
#include "race/race_charts.hpp"
#include "race/race_config.hpp"
#include "race/race_report.hpp"
#include "race/syscall_counter.hpp"

using namespace c10k::grader;

TEST_CASE("histogram: values below 64 ns are exact, buckets tile the range without gaps") {
    for (std::uint64_t v = 0; v < 64; ++v) CHECK(LatencyHistogram::bucket_lowest(LatencyHistogram::bucket_of(v)) == v);
    for (std::size_t b = 0; b < 1000; ++b)
        CHECK(LatencyHistogram::bucket_highest(b) + 1 == LatencyHistogram::bucket_lowest(b + 1));
    for (std::uint64_t v : {64ull, 100ull, 4095ull, 4096ull, 123456789ull, 1ull << 39}) {
        std::size_t b = LatencyHistogram::bucket_of(v);
        CHECK(LatencyHistogram::bucket_lowest(b) <= v);
        CHECK(v <= LatencyHistogram::bucket_highest(b));
    }
}

TEST_CASE("histogram: every percentile is within 1/32 of the exact one") {
    std::mt19937_64 random(7);
    std::lognormal_distribution<double> latency(11.0, 1.5);  // ~60 us median, long tail
    std::vector<std::uint64_t> samples;
    LatencyHistogram histogram;
    for (int i = 0; i < 100000; ++i) {
        auto ns = static_cast<std::uint64_t>(latency(random));
        samples.push_back(ns);
        histogram.record(ns);
    }
    std::sort(samples.begin(), samples.end());
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
        double exact = double(samples[static_cast<std::size_t>(std::ceil(q * samples.size())) - 1]);
        double got = double(histogram.quantile(q));
        INFO("q=" << q << " exact=" << exact << " got=" << got);
        CHECK(got >= exact);
        CHECK(got <= exact * (1 + 1.0 / 32));
    }
    CHECK(histogram.quantile(1.0) == samples.back());
    CHECK(histogram.max() == samples.back());
    CHECK(histogram.count() == samples.size());
}

TEST_CASE("histogram: empty is all zeros, merge adds counts and keeps extremes") {
    LatencyHistogram a, b;
    CHECK(a.quantile(0.99) == 0);
    CHECK(a.mean() == 0);
    a.record(100);
    a.record(300);
    b.record(5'000'000);
    a.merge(b);
    CHECK(a.count() == 3);
    CHECK(a.min() == 100);
    CHECK(a.max() == 5'000'000);
    CHECK(a.quantile(0.5) >= 300);  // the top of 300's bucket, at most 1/32 above
    CHECK(a.quantile(0.5) <= 300 + 300 / 32);
    CHECK(a.mean() == Approx((100 + 300 + 5'000'000) / 3.0));
}

TEST_CASE("echo pattern: streams are reproducible, differ per connection, and wrap around") {
    EchoPattern pattern(1, 1000);
    auto whole = pattern.bytes(3, 0, 5000);
    CHECK(whole.size() <= 1000);  // stops at the block's end
    std::vector<std::uint8_t> stream;
    while (stream.size() < 2500) {
        auto more = pattern.bytes(3, stream.size(), 2500 - stream.size());
        stream.insert(stream.end(), more.begin(), more.end());
    }
    CHECK_FALSE(pattern.first_mismatch(3, 0, stream));
    CHECK_FALSE(pattern.first_mismatch(3, 1234, std::span(stream).subspan(1234)));
    CHECK(pattern.first_mismatch(4, 0, stream).has_value());  // another connection's stream
    stream[1700] ^= 0x40;
    CHECK(pattern.first_mismatch(3, 0, stream) == 1700u);
    CHECK(pattern.first_mismatch(3, 1000, std::span(stream).subspan(1000)) == 700u);
}

TEST_CASE("echo pattern: bytes that repeat an earlier stretch of the stream are found") {
    EchoPattern pattern(1);
    std::vector<std::uint8_t> stream;
    auto first = pattern.bytes(2, 0, 64);
    stream.assign(first.begin(), first.end());
    // Echoed twice: offset 64 expects the next message but gets byte 0 again.
    CHECK(pattern.repeats_from(2, 64, stream) == 0u);
    CHECK(pattern.repeats_from(2, 64, std::span(stream).subspan(10)) == 10u);
    auto next = pattern.bytes(2, 64, 64);
    CHECK_FALSE(pattern.repeats_from(2, 64, next));                              // new bytes repeat nothing
    CHECK_FALSE(pattern.repeats_from(2, 64, std::span(stream).first(3)));        // too few to tell
    CHECK_FALSE(pattern.repeats_from(2, 0, stream));                             // nothing earlier
}

TEST_CASE("perf stat -x, output: task-clock, the total and each tracepoint") {
    std::ifstream file(TEST_DATA_DIR "/perf_stat.csv");
    std::stringstream text;
    text << file.rdbuf();
    WindowCounts counts = parse_perf_stat_csv(text.str());
    CHECK(counts.cpu_seconds == Approx(0.50232));
    CHECK(counts.syscalls == 918863);
    CHECK(counts.by_name.at("write") == 918865);
    CHECK(counts.by_name.at("epoll_wait") == 0);  // <not counted>
    CHECK(counts.by_name.at("io_uring_enter") == 12);
    CHECK(parse_perf_stat_csv("").syscalls == -1);
}

namespace {
std::filesystem::path write_config(const std::string& text) {
    // One file per test process: ctest -j runs these test cases in parallel processes.
    static const struct TempFile {
        std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("c10k-race-test-" + std::to_string(::getpid()) + ".toml");
        ~TempFile() { std::filesystem::remove(path); }
    } file;
    std::ofstream(file.path) << text;
    return file.path;
}
}  // namespace

TEST_CASE("race.toml: the project's own file loads") {
    RaceConfig config = load_race_config(C10K_SOURCE_DIR "/grader/bench/race.toml");
    CHECK(config.connections == std::vector<int>{1, 50, 500, 10000});
    CHECK(config.servers.size() >= 9);
    CHECK(config.servers.front().binary == "solutions/01-blocking/server");
    CHECK(config.idle_servers.size() == 3);
}

TEST_CASE("race.toml: mistakes are named with their line") {
    const std::string loads = "[loads]\nconnections = [1]\nsizes = [64]\n";
    CHECK_THROWS_WITH(load_race_config(write_config("[loads]\nconnections = 5\n")),
                      Catch::Contains(":2: 'connections' must be a list"));
    CHECK_THROWS_WITH(load_race_config(write_config(loads + "[[server]]\nname = \"x\"\nmodel = \"y\"\ncolour = 1\n")),
                      Catch::Contains(":7: unknown key 'colour'"));
    CHECK_THROWS_WITH(load_race_config(write_config(loads + "[[server]]\nname = \"x\"\n")),
                      Catch::Contains("missing 'model'"));
    CHECK_THROWS_WITH(load_race_config(write_config(loads)), Catch::Contains("no [[server]] entries"));
    CHECK_THROWS_WITH(load_race_config(write_config(loads + "[idle_experiment]\nservers = [\"z\"]\nidle = [0]\n"
                                                            "[[server]]\nname = \"x\"\nmodel = \"y\"\n")),
                      Catch::Contains("names 'z', which is no [[server]]"));
    CHECK_THROWS_WITH(load_race_config(write_config("[loads\n")), Catch::Contains("not valid TOML"));
}

namespace {
RaceRun run(const std::string& server, int connections, std::size_t size, double msgs, double cpu, double calls) {
    RaceRun r;
    r.server = server;
    r.model = server;
    r.experiment = "load";
    r.connections = connections;
    r.size = size;
    r.msgs_per_s = msgs;
    r.cpu_us_per_msg = cpu;
    r.syscalls_per_msg = calls;
    r.messages = 1000;
    r.p99_us = size == 4096 ? 900 : 300;
    return r;
}
}  // namespace

TEST_CASE("race checks: ratios from the same run, unmet and unmeasured told apart") {
    std::vector<RaceRun> runs = {run("06-epoll", 50, 64, 100000, 8, 2.0), run("07-io_uring", 50, 64, 120000, 7, 0.1),
                                 run("yardstick", 50, 64, 125000, 7, 2.0), run("06-epoll", 50, 4096, 90000, 9, 2.0)};
    auto checks = race_checks(runs, {{"07-io_uring", 0.5}, {"08-io_uring-advanced", 0.5}});
    auto find = [&](const std::string& start) {
        for (const auto& c : checks)
            if (c.goal.starts_with(start)) return c;
        FAIL("no check " << start);
        return RaceCheck{};
    };
    auto uring = find("07-io_uring >= 1.0x 06-epoll msgs/s, less server CPU per message at 50");
    CHECK(uring.measured_ok);
    CHECK(uring.met);
    CHECK(uring.measured.starts_with("1.20x"));
    auto yardstick = find("06-epoll >= 0.9x the yardstick's msgs/s at 50");
    CHECK(yardstick.measured_ok);
    CHECK_FALSE(yardstick.met);  // 0.80x
    CHECK_FALSE(find("08-io_uring-advanced >= 1.0x 06-epoll msgs/s, less server CPU per message at 50").measured_ok);
    CHECK(find("every reference: 4 KiB p99").met);
    CHECK(find("07-io_uring <= 0.5 syscalls").met);
    CHECK_FALSE(find("08-io_uring-advanced <= 0.5 syscalls").measured_ok);  // a budget, but no run
}

TEST_CASE("race charts: one script per chart, missing figures as '-', both formats") {
    std::vector<RaceRun> runs = {run("06-epoll", 1, 64, 5000, 100, 3), run("06-epoll", 50, 64, 100000, 8, 2),
                                 run("01-blocking", 1, 64, 6000, 90, 2)};
    RaceRun idle = run("03-select", 1, 64, 4000, 150, 2);
    idle.experiment = "idle";
    idle.idle = 1000;
    runs.push_back(idle);
    auto charts = race_chart_scripts(runs);
    REQUIRE(charts.size() == 4);
    CHECK(charts[0].stem == "throughput");
    CHECK_THAT(charts[0].script, Catch::Contains("\"server\" \"1 connection\" \"50 connections\""));
    CHECK_THAT(charts[0].script, Catch::Contains("\"01\\n01-blocking\" 6 -"));  // thousands
    CHECK_THAT(charts[0].script, Catch::Contains("\"06\\n06-epoll\" 5 100"));
    CHECK_THAT(charts[0].script, Catch::Contains("set output \"throughput.svg\""));
    CHECK_THAT(charts[0].script, Catch::Contains("set output \"throughput.png\""));
    CHECK_THAT(charts[1].script, Catch::Contains("set logscale y"));
    CHECK(charts[3].stem == "idle");
    CHECK_THAT(charts[3].script, Catch::Contains("\"1000\" 150"));
}

TEST_CASE("idle experiment: rounds summarised by their median, the O(n) story checked") {
    std::vector<RaceRun> runs;
    auto idle_run = [&](const std::string& model, int k, int round, double cpu) {
        RaceRun r = run("0x-" + model, 1, 64, 4000, cpu, 3);
        r.model = model;
        r.experiment = "idle";
        r.idle = k;
        r.round = round;
        runs.push_back(r);
    };
    // poll: a noisy round at K = 5000 (3000 us) must not move the median.
    for (auto [round, k0, k5000] : {std::tuple{1, 28.0, 700.0}, {2, 30.0, 3000.0}, {3, 26.0, 900.0}}) {
        idle_run("poll", 0, round, k0);
        idle_run("poll", 5000, round, k5000);
        idle_run("epoll", 0, round, 27);
        idle_run("epoll", 5000, round, 29);
    }
    runs.back().status = "failed";  // a failed round is left out
    auto points = idle_points(runs);
    REQUIRE(points.size() == 4);
    CHECK(points[0].idle == 0);
    CHECK(points[0].model == "poll");
    CHECK(points[0].cpu_us_per_msg == 28);
    CHECK(points[2].cpu_us_per_msg == 900);
    CHECK(points[2].cpu_low == 700);
    CHECK(points[2].cpu_high == 3000);
    CHECK(points[3].rounds == 2);
    CHECK_THAT(race_idle_text(runs), Catch::Contains("0x-poll") && Catch::Contains("700.0-3000.0 us"));
    CHECK_THAT(race_chart_scripts(runs).back().script, Catch::Contains("\"5000\" 900 29"));

    auto checks = race_checks(runs);
    auto find = [&](const std::string& start) {
        for (const auto& c : checks)
            if (c.goal.starts_with(start)) return c;
        FAIL("no check " << start);
        return RaceCheck{};
    };
    CHECK(find("0x-poll: CPU per message at K = 5000 idle >= 3x").met);
    CHECK(find("0x-epoll: CPU per message at K = 5000 idle <= 1.5x").met);
}

TEST_CASE("race.toml: idle rounds, 1 by default, 1 to 99") {
    const std::string head = "[loads]\nconnections = [1]\nsizes = [64]\n[idle_experiment]\nservers = [\"x\"]\nidle = [0]\n";
    const std::string server = "[[server]]\nname = \"x\"\nmodel = \"y\"\n";
    CHECK(load_race_config(write_config(head + server)).idle_rounds == 1);
    CHECK(load_race_config(write_config(head + "rounds = 7\n" + server)).idle_rounds == 7);
    CHECK_THROWS_WITH(load_race_config(write_config(head + "rounds = 0\n" + server)),
                      Catch::Contains(":7: 'rounds' must be a number from 1 to 99"));
    CHECK(load_race_config(C10K_SOURCE_DIR "/grader/bench/race.toml").idle_rounds == 5);
}

TEST_CASE("race.toml: [checks] syscall budgets name known servers") {
    const std::string head = "[loads]\nconnections = [1]\nsizes = [64]\n";
    const std::string server = "[[server]]\nname = \"x\"\nmodel = \"y\"\n";
    CHECK(load_race_config(write_config(head + "[checks]\nsyscalls_per_message = { x = 0.5 }\n" + server))
              .syscall_budgets.at("x") == 0.5);
    CHECK_THROWS_WITH(load_race_config(write_config(head + "[checks]\nsyscalls_per_message = { z = 0.5 }\n" + server)),
                      Catch::Contains(":5: [checks] names 'z', which is no [[server]]"));
    CHECK_THROWS_WITH(load_race_config(write_config(head + "[checks]\nsyscalls_per_message = { x = -1 }\n" + server)),
                      Catch::Contains("must be a number > 0"));
    auto budgets = load_race_config(C10K_SOURCE_DIR "/grader/bench/race.toml").syscall_budgets;
    CHECK(budgets.at("07-io_uring") == 0.5);
    CHECK(budgets.at("08-io_uring-advanced") == 0.5);
}
