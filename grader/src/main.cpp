// c10k-grade: grades one lab's server and prints the report.
//
//   c10k-grade 01                      # the student's build of lab 01
//   c10k-grade 01 --server path/to/server --format json --output results.json
//
// Exit code: 0 full marks, 1 points lost, 2 usage or spec error.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "grading.hpp"
#include "lab_locator.hpp"
#include "lab_spec.hpp"

namespace {

constexpr int kFullMarks = 0;
constexpr int kPointsLost = 1;
constexpr int kUsageError = 2;

}  // namespace

int main(int argc, char** argv) {
    using namespace c10k::grader;
    CLI::App app{"c10k-grade: grade a C10K Labs echo server"};
    std::string lab;
    std::string server;
    std::string format = "text";
    std::string output;
    bool verbose = false;
    std::uint64_t seed = 0;
    std::string source_root = C10K_SOURCE_DIR;
    std::string build_root = C10K_BUILD_DIR;
    app.add_option("lab", lab, "the lab: 01, 01-blocking or labs/01-blocking")->required();
    app.add_option("--server", server, "server binary to grade (default: the student's build of the lab)");
    app.add_option("--format", format, "report format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    app.add_option("--output,-o", output, "write the report to this file instead of stdout");
    app.add_flag("--verbose,-v", verbose, "show every step of every test");
    app.add_option("--seed", seed, "seed for the random payloads (0 = a fresh one)");
    app.add_option("--root", source_root, "the repository (where labs/ is)")->capture_default_str();
    app.add_option("--build-dir", build_root, "the build folder (where the servers are)")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        int code = app.exit(error);
        return code == 0 ? 0 : kUsageError;
    }

    ::signal(SIGPIPE, SIG_IGN);  // a server that closes early must not kill the grader
    try {
        LabLocation location = locate_lab(lab, source_root, build_root);
        LabSpec spec = load_lab_spec(location.spec);
        GradeOptions options;
        options.lab_name = location.name;
        options.server = server.empty() ? location.student_server : std::filesystem::path(server);
        options.seed = seed;
        if (!std::filesystem::exists(options.server)) {
            std::cerr << "c10k-grade: no server at " << options.server.string()
                      << ": build it first (make), or pass --server PATH\n";
            return kUsageError;
        }
        GradeReport report = grade_lab(spec, options);
        std::string text = format == "json" ? format_json_report(report) : format_text_report(report, verbose);
        if (output.empty()) {
            std::cout << text << std::flush;
        } else {
            std::ofstream out(output);
            out << text;
            if (!out) {
                std::cerr << "c10k-grade: cannot write " << output << "\n";
                return kUsageError;
            }
        }
        return report.full_marks() ? kFullMarks : kPointsLost;
    } catch (const LabNotFound& error) {
        std::cerr << "c10k-grade: " << error.what() << "\n";
    } catch (const SpecError& error) {
        std::cerr << "c10k-grade: bad spec: " << error.what() << "\n";
    }
    return kUsageError;
}
