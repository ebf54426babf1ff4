// c10k-race-proxy (make race-proxy): TinyGate's three models, nginx and haproxy in front of
// one origin, interleaved rounds, wrk and the project's own load; one table, JSON, charts.
//
//   build/grader/c10k-race-proxy                      everything in grader/bench/race-proxy.toml
//   build/grader/c10k-race-proxy --only tinygate,nginx --rounds 1
//   build/grader/c10k-race-proxy --student 09       ...and your build of lab 09 beside them
//
// Exit status: 0 every run measured (a contestant not installed is skipped, and said),
// 1 some run failed, 2 bad arguments or config, or the origin could not start.

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "1-spec/spec_error.hpp"
#include "2-runner/escaped_children.hpp"
#include "c10k/open_files.hpp"
#include "race_proxy/proxy_race_charts.hpp"
#include "race_proxy/proxy_race_config.hpp"
#include "race_proxy/proxy_race_report.hpp"
#include "race_proxy/proxy_race_runner.hpp"
#include "tool_error.hpp"

using namespace c10k::grader;

int main(int argc, char** argv) {
    CLI::App app{"c10k-race-proxy: TinyGate against nginx and haproxy, in front of one origin"};
    std::filesystem::path config_file, output_dir;
    ProxyRaceOptions options;
    options.source_dir = C10K_SOURCE_DIR;
    options.build_dir = C10K_BUILD_DIR;
    bool no_charts = false;
    std::string student;
    app.add_option("--root", options.source_dir, "the repository")->capture_default_str();
    app.add_option("--build-dir", options.build_dir, "the build folder")->capture_default_str();
    app.add_option("--config", config_file, "contestants and loads (default: ROOT/grader/bench/race-proxy.toml)");
    app.add_option("--output-dir", output_dir, "results.json and the charts (default: BUILD/race-proxy)");
    app.add_option("--only", options.only, "comma-separated contestant prefixes, e.g. tinygate-io,nginx")
        ->delimiter(',');
    app.add_option("--counter", options.counter, "syscalls per request: auto (perf where it works), perf, none")
        ->check(CLI::IsMember({"auto", "perf", "none"}))->capture_default_str();
    app.add_option("--rounds", options.rounds, "interleaved rounds (default: the config's)")->check(CLI::Range(1, 99));
    app.add_option("--seconds", options.seconds, "wrk's seconds per run (default: the config's)")
        ->check(CLI::Range(1, 60));
    app.add_option("--student", student, "also race your build of lab 09 (its three models: yours-*)");
    app.add_flag("--no-charts", no_charts, "skip gnuplot");
    CLI11_PARSE(app, argc, argv);
    if (config_file.empty()) config_file = options.source_dir / "grader/bench/race-proxy.toml";
    if (output_dir.empty()) output_dir = options.build_dir / "race-proxy";

    if (!student.empty()) {
        if (student != "09" && student != "09-tinygate") {
            std::cerr << "c10k-race-proxy: --student " << student << ": make race-proxy races lab 09, TinyGate; "
                      << "an echo lab races with make race LAB=" << student << "\n";
            return 2;
        }
        options.student = true;
    }
    std::signal(SIGPIPE, SIG_IGN);
    become_subreaper();
    try {
        c10k::raise_open_file_limit();  // 500 client connections, and the origin's side
        ProxyRaceConfig config = load_proxy_race_config(config_file);
        int rounds = options.rounds > 0 ? options.rounds : config.rounds;
        int seconds = options.seconds > 0 ? options.seconds : config.seconds;
        std::cout << "c10k-race-proxy: " << config.loads.size() << " loads x " << config.contestants.size()
                  << " contestants x " << config.clients.size() << " clients, " << rounds << " rounds\n" << std::flush;
        options.on_run = [&](const ProxyRaceRun& run) {
            if (run.status != "ok")
                std::cout << "  round " << run.round << ", " << run.load.label() << ", " << run.contestant << " ("
                          << run.client << "): " << run.status << ": " << run.reason << "\n" << std::flush;
            else if (::isatty(STDOUT_FILENO))
                std::cout << "  round " << run.round << ": " << run.load.label() << ", " << run.contestant << " ("
                          << run.client << ")            \r" << std::flush;
        };
        ProxyRaceResults results = run_proxy_race(config, options);
        auto figures = proxy_race_figures(results.runs);
        auto checks = proxy_race_checks(figures);
        std::cout << "\n" << proxy_race_header(results.setup, rounds, seconds, config.load_seconds) << proxy_race_table(figures) << "\n"
                  << proxy_race_checks_text(checks);
        std::filesystem::create_directories(output_dir);
        std::ofstream(output_dir / "results.json") << proxy_race_json(results, figures, checks).dump(2) << "\n";
        std::cout << "\nresults: " << (output_dir / "results.json").string() << "\n";
        if (!no_charts) {
            auto problems = draw_proxy_race_charts(figures, output_dir);
            for (const auto& problem : problems) std::cout << "charts: " << problem << "\n";
            if (problems.empty()) std::cout << "charts:  " << output_dir.string() << "/proxy-{throughput,cpu,syscalls}.{svg,png}\n";
        }
        bool any_failed = std::ranges::any_of(results.runs, [](const auto& run) { return run.status == "failed"; });
        if (any_failed) std::cout << "some runs failed: see their lines above\n";
        if (options.student)
            std::cout << "your TinyGate: the yours-* rows; make grade LAB=09 says what a failed run means\n";
        return any_failed ? 1 : 0;
    } catch (const SpecError& error) {
        std::cerr << "c10k-race-proxy: " << error.what() << "\n";
    } catch (const UsageError& error) {
        std::cerr << "c10k-race-proxy: " << error.what() << "\n";
    } catch (const ToolError& error) {
        std::cerr << "c10k-race-proxy: " << error.describe() << "\n";
    } catch (const std::exception& error) {
        std::cerr << "c10k-race-proxy: " << error.what() << "\n";
    }
    return 2;
}
