// c10k-race (make race): every reference solution under the same loads, one table.
//
//   build/grader/c10k-race                    everything in grader/bench/race.toml
//   build/grader/c10k-race --only 06,07       just those servers
//   build/grader/c10k-race --student 06-epoll ...and your build of lab 06 beside them
//
// Exit status: 0 every run measured, 1 some run failed, 2 bad arguments or config.

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "1-spec/lab_spec.hpp"
#include "2-runner/escaped_children.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "c10k/open_files.hpp"
#include "c10k/stop_signals.hpp"
#include "race/race_charts.hpp"
#include "race/race_config.hpp"
#include "race/race_report.hpp"
#include "race/race_runner.hpp"
#include "tool_error.hpp"

using namespace c10k::grader;

int main(int argc, char** argv) {
    CLI::App app{"c10k-race: the ladder of I/O models, measured side by side"};
    std::filesystem::path source_root = C10K_SOURCE_DIR, build_root = C10K_BUILD_DIR, config_file, output_dir;
    RaceOptions options;
    bool no_idle = false, no_charts = false, redraw = false;
    app.add_option("--root", source_root, "the repository")->capture_default_str();
    app.add_option("--build-dir", build_root, "the build folder (where the servers are)")->capture_default_str();
    app.add_option("--config", config_file, "servers and loads (default: ROOT/grader/bench/race.toml)");
    app.add_option("--output-dir", output_dir, "results.json and the charts (default: BUILD/race)");
    app.add_option("--only", options.only, "comma-separated server name prefixes, e.g. 06,07,yardstick")
        ->delimiter(',');
    app.add_option("--student", options.student_lab, "also race your build of this lab, e.g. 06-epoll");
    app.add_option("--counter", options.counter, "how syscalls are counted: auto (perf, else strace), perf, strace")
        ->check(CLI::IsMember({"auto", "perf", "strace"}))->capture_default_str();
    app.add_option("--seconds", options.seconds, "measure each load this long (default: race.toml's)")
        ->check(CLI::Range(0.1, 60.0));
    app.add_flag("--no-idle-experiment", no_idle, "skip the one-busy-client-plus-K-idle experiment");
    app.add_flag("--no-charts", no_charts, "skip gnuplot");
    app.add_flag("--redraw", redraw, "run nothing: reprint the table and redraw the charts from OUTPUT-DIR/results.json");
    CLI11_PARSE(app, argc, argv);

    if (config_file.empty()) config_file = source_root / "grader/bench/race.toml";
    if (output_dir.empty()) output_dir = build_root / "race";
    options.build_dir = build_root;
    options.idle_experiment = !no_idle;

    std::signal(SIGPIPE, SIG_IGN);
    become_subreaper();
    try {
        c10k::raise_open_file_limit();  // 10,000 client connections
        if (redraw) {
            std::ifstream file(output_dir / "results.json");
            if (!file) throw UsageError((output_dir / "results.json").string() + ": not found; run make race first");
            RaceResults results = race_results_from_json(nlohmann::json::parse(file));
            std::cout << race_table_head();
            for (const auto& run : results.runs)
                if (run.round == 0 || run.status != "ok") std::cout << race_table_row(run);
            std::map<std::string, double> budgets;
            if (std::filesystem::exists(config_file)) budgets = load_race_config(config_file).syscall_budgets;
            std::cout << "\n" << race_idle_text(results.runs) << "\n" << race_rounds_text(results.runs) << "\n"
                      << race_checks_text(race_checks(results.runs, budgets));
            for (const auto& problem : draw_race_charts(results.runs, output_dir)) std::cout << "charts: " << problem << "\n";
            return 0;
        }
        RaceConfig config = load_race_config(config_file);
        bool header_printed = false;
        RaceSetup setup_seen;
        options.on_run = [&](const RaceRun& run) {
            if (!header_printed) {
                std::cout << race_table_head();
                header_printed = true;
            }
            // A round's row is summarised (medians) at the end; only a failure is shown now.
            if (run.round > 0 && run.status == "ok") {
                if (::isatty(STDOUT_FILENO))
                    std::cout << "  " << run.experiment << " round " << run.round << ": " << run.server << " x "
                              << run.connections << (run.idle ? " +" + std::to_string(run.idle) + " idle" : "")
                              << "      \r" << std::flush;
            } else {
                std::cout << race_table_row(run) << std::flush;
            }
        };
        std::cout << "c10k-race: " << config.servers.size() << " servers in " << config_file.filename().string()
                  << "; checking perf, pinning and namespaces ...\n" << std::flush;
        RaceResults results = run_race(config, options);
        std::vector<RaceCheck> checks = race_checks(results.runs, config.syscall_budgets);
        std::cout << "\n" << race_header(results.setup, options.seconds > 0 ? options.seconds : config.seconds)
                  << "\n" << race_idle_text(results.runs) << "\n" << race_rounds_text(results.runs) << "\n"
                  << race_checks_text(checks);

        std::filesystem::create_directories(output_dir);
        std::ofstream(output_dir / "results.json") << race_json(results, checks).dump(2) << "\n";
        std::cout << "\nresults: " << (output_dir / "results.json").string() << "\n";
        if (!no_charts) {
            auto problems = draw_race_charts(results.runs, output_dir);
            for (const auto& problem : problems) std::cout << "charts: " << problem << "\n";
            if (problems.empty()) std::cout << "charts:  " << output_dir.string() << "/{throughput,syscalls,cpu,idle}.{svg,png}\n";
        }
        bool any_failed = false;
        for (const auto& run : results.runs) any_failed = any_failed || run.status == "failed";
        if (any_failed) {
            std::cout << "some runs failed: see their lines above";
            if (!options.student_lab.empty())
                std::cout << " (for your server: make grade LAB=" << options.student_lab.substr(0, 2)
                          << " says what goes wrong)";
            std::cout << "\n";
        }
        return any_failed ? 1 : 0;
    } catch (const SpecError& error) {
        std::cerr << "c10k-race: " << error.what() << "\n";
        return 2;
    } catch (const UsageError& error) {
        std::cerr << "c10k-race: " << error.what() << "\n";
        return 2;
    } catch (const ToolError& error) {
        std::cerr << "c10k-race: " << error.describe() << "\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "c10k-race: " << error.what() << "\n";
        return 2;
    }
}
