// make race-proxy's arithmetic: wrk's report, the configuration templates, the plan file,
// the medians, the figures to reach and the charts -- no process started.

#include <unistd.h>

#include "c10k_catch.hpp"

#include <fstream>

#include "1-spec/lab_spec.hpp"
#include "race_proxy/contestant.hpp"
#include "race_proxy/proxy_race_charts.hpp"
#include "race_proxy/proxy_race_config.hpp"
#include "race_proxy/proxy_race_report.hpp"
#include "race_proxy/wrk_client.hpp"

using namespace c10k::grader;

namespace {

const char* kWrkReport = R"(Running 1s test @ http://127.0.0.1:40000/bytes/1024
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.13ms  312.55us   9.87ms   91.02%
    Req/Sec    22.31k     1.02k   23.90k    80.00%
  Latency Distribution
     50%    1.07ms
     75%    1.21ms
     90%    1.40ms
     99%  812.00us
  44620 requests in 1.00s, 54.13MB read
Requests/sec:  44611.98
Transfer/sec:     54.12MB
)";

std::filesystem::path write_temp(const std::string& text) {
    char name[] = "/tmp/c10k-race-proxy-test-XXXXXX.toml";
    int fd = ::mkstemps(name, 5);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(name) << text;
    return name;
}

ProxyRaceRun run_of(const std::string& contestant, int connections, const std::string& client, int round, double rate,
                    double cpu) {
    ProxyRaceRun run;
    run.contestant = contestant;
    run.load.connections = connections;
    run.load.size = 1024;
    run.client = client;
    run.round = round;
    run.requests = static_cast<long>(rate);
    run.requests_per_s = rate;
    run.cpu_us_per_request = cpu;
    return run;
}

}  // namespace

TEST_CASE("wrk's report gives requests per second and the latency percentiles", "[race-proxy]") {
    WrkResult result = parse_wrk_output(kWrkReport);
    CHECK(result.ok);
    CHECK(result.requests == 44620);
    CHECK(result.seconds == Approx(1.0));
    CHECK(result.requests_per_s == Approx(44611.98));
    CHECK(result.p50_us == Approx(1070));
    CHECK(result.p99_us == Approx(812));  // units differ line by line
}

TEST_CASE("wrk's socket errors and non-2xx answers fail the run, quoted", "[race-proxy]") {
    std::string report = std::string(kWrkReport) +
                         "  Socket errors: connect 0, read 3, write 0, timeout 0\n  Non-2xx or 3xx responses: 12\n";
    WrkResult result = parse_wrk_output(report);
    CHECK_FALSE(result.ok);
    CHECK(result.errors == 15);
    CHECK(result.failure == "wrk saw errors: Socket errors: connect 0, read 3, write 0, timeout 0; "
                            "Non-2xx or 3xx responses: 12");
    CHECK(parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused\n").failure == "wrk printed no report");
}

TEST_CASE("a configuration template gets every placeholder filled, or names the one left", "[race-proxy]") {
    CHECK(fill_template("listen 127.0.0.1:@PORT@; # user@host stays\nworkers @WORKERS@ @PORT@",
                        {{"PORT", "8080"}, {"WORKERS", "2"}}) == "listen 127.0.0.1:8080; # user@host stays\nworkers 2 8080");
    CHECK_THROWS_WITH(fill_template("pid @DIR@/nginx.pid", {{"PORT", "1"}}), "template placeholder @DIR@ has no value");
}

TEST_CASE("the shipped configurations of nginx and haproxy use only the placeholders the race fills", "[race-proxy]") {
    for (const char* name : {"nginx.conf.in", "haproxy.cfg.in"}) {
        std::ifstream file(std::filesystem::path(C10K_SOURCE_DIR) / "grader/bench/proxy" / name);
        std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        REQUIRE_FALSE(text.empty());
        std::string filled = fill_template(text, {{"DIR", "/tmp/x"}, {"PORT", "1"}, {"ORIGIN_PORT", "2"}, {"WORKERS", "1"},
                                                  {"POOL", "1024"}});
        CHECK(filled.find("127.0.0.1:2") != std::string::npos);  // the origin
        CHECK(filled.find("127.0.0.1:1") != std::string::npos);  // where clients come
    }
}

TEST_CASE("race-proxy.toml: the shipped plan loads, a mistake is named with its line", "[race-proxy]") {
    ProxyRaceConfig shipped = load_proxy_race_config(std::filesystem::path(C10K_SOURCE_DIR) / "grader/bench/race-proxy.toml");
    CHECK(shipped.loads.size() >= 5);
    CHECK(shipped.contestants.size() == 6);
    CHECK(shipped.loads[0].label() == "50 x 1 KiB");

    auto bad = write_temp("rounds = 3\nclients = [\"ab\"]\n[[load]]\nconnections = 5\n");
    CHECK_THROWS_WITH(load_proxy_race_config(bad), Catch::Contains(":2: 'clients' must be a list from: wrk, c10k-load"));
    std::ofstream(bad) << "[[load]]\nconnections = 50\nsize = \"big\"\n";
    CHECK_THROWS_WITH(load_proxy_race_config(bad), Catch::Contains(":3: 'size' must be a whole number"));
    std::ofstream(bad) << "rounds = 2\n";
    CHECK_THROWS_WITH(load_proxy_race_config(bad), Catch::Contains("no [[load]] entries"));
    std::filesystem::remove(bad);
    ProxyLoad load{500, 65536, true, 2};
    CHECK(load.label() == "500 x 64 KiB close, 2 workers");
}

TEST_CASE("medians and ranges over the rounds, and the figures to reach compare wrk's medians", "[race-proxy]") {
    std::vector<ProxyRaceRun> runs;
    for (int round = 1; round <= 3; ++round) {
        runs.push_back(run_of("tinygate-io_uring", 50, "wrk", round, 40000 + 1000 * round, 20));
        runs.push_back(run_of("nginx", 50, "wrk", round, 38000 + 500 * round, 25));
        runs.push_back(run_of("haproxy", 50, "wrk", round, 45000, 22));
        runs.push_back(run_of("tinygate-epoll", 50, "wrk", round, 36000, 24));
    }
    runs[6].status = "failed";  // haproxy, round 2
    runs[6].reason = "wrk saw errors";
    for (int round = 1; round <= 3; ++round) {  // at 500 clients nginx failed every round
        runs.push_back(run_of("tinygate-io_uring", 500, "wrk", round, 30000, 20));
        runs.push_back(run_of("nginx", 500, "wrk", round, 0, 0));
        runs.back().status = "failed";
        runs.back().reason = "wrk saw errors";
    }
    auto figures = proxy_race_figures(runs);
    REQUIRE(figures.size() == 6);
    CHECK(figures[0].requests_per_s == Approx(42000));
    CHECK(figures[0].low == Approx(41000));
    CHECK(figures[0].high == Approx(43000));
    CHECK(figures[2].rounds == 2);
    CHECK(figures[2].failure == "failed: wrk saw errors");

    auto checks = proxy_race_checks(figures);
    auto find = [&](const std::string& goal) {
        for (const auto& check : checks)
            if (check.goal == goal) return check;
        FAIL("no check " << goal);
        return ProxyRaceCheck{};
    };
    auto nginx = find("tinygate-io_uring >= 1.0x nginx req/s at 50 x 1 KiB (wrk)");
    CHECK(nginx.met);
    CHECK(nginx.measured.starts_with("1.08x (42.0k vs 39.0k req/s"));
    CHECK_FALSE(find("tinygate-io_uring >= 1.0x haproxy req/s at 50 x 1 KiB (wrk)").met);
    CHECK(find("tinygate-io_uring CPU per request <= haproxy's at 50 x 1 KiB (wrk)").met);
    auto epoll = find("tinygate-epoll >= 0.9x nginx req/s at 50 x 1 KiB (wrk)");
    CHECK(epoll.met);  // 36.0k / 39.0k = 0.92
    auto missing = find("tinygate-io_uring >= 1.0x nginx req/s at 500 x 1 KiB (wrk)");
    CHECK_FALSE(missing.measured_ok);
    // ... and so is its CPU goal: the same lines whether or not the peer could run (make deps-race).
    auto missing_cpu = find("tinygate-io_uring CPU per request <= nginx's at 500 x 1 KiB (wrk)");
    CHECK_FALSE(missing_cpu.measured_ok);
    CHECK(missing_cpu.measured.starts_with("not measured"));
    // A contestant the plan did not race has no check: haproxy and epoll ran at 50 clients only.
    CHECK(std::ranges::none_of(checks, [](const auto& c) { return c.goal.find("haproxy req/s at 500") != std::string::npos; }));
    CHECK(std::ranges::none_of(checks, [](const auto& c) { return c.goal.starts_with("yours-"); }));
    CHECK(proxy_race_checks_text(checks).find("[MISS] tinygate-io_uring >= 1.0x haproxy") != std::string::npos);

    auto json = proxy_race_json({{}, runs}, figures, checks);
    CHECK(json["runs"].size() == 18);
    CHECK(json["medians"][0]["requests_per_s"] == 42000);
    CHECK(json["runs"][0]["syscalls_per_request"].is_null());  // not counted

    auto charts = proxy_race_chart_scripts(figures);
    REQUIRE(charts.size() == 2);  // no syscall counts: no syscall chart
    CHECK(charts[0].stem == "proxy-throughput");
    CHECK(charts[0].script.find("\"50 x 1 KiB\" 42 39 45 36") != std::string::npos);
    CHECK(charts[0].script.find("set output \"proxy-throughput.svg\"") != std::string::npos);
}

TEST_CASE("a chart's load labels take two lines where they would run into their neighbours", "[race-proxy]") {
    ProxyRaceRun run = run_of("nginx", 500, "wrk", 1, 30000, 30);
    run.load.workers = 2;
    ProxyRaceRun closing = run_of("nginx", 50, "wrk", 1, 15000, 40);
    closing.load.close = true;
    auto charts = proxy_race_chart_scripts(proxy_race_figures({run, closing}));
    REQUIRE_FALSE(charts.empty());
    CHECK(charts[0].script.find("\"500 x 1 KiB\\n2 workers\" 30") != std::string::npos);
    CHECK(charts[0].script.find("\"50 x 1 KiB\\nclose\" 15") != std::string::npos);
}
