// c10k-grade: grades one lab's server and prints the report.
//
//   c10k-grade 01                      # the student's build of lab 01
//   c10k-grade 01 --server path/to/server --format gradescope --output results.json
//
// Exit code: 0 full marks (or skipped), 1 points lost, 2 usage or spec error. With
// --output, a results file is written whatever happens, so an autograder always has one.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

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
    bool no_hidden = false;
    app.add_option("--format", format, "report format: text, json (ours), gradescope (results.json), junit")
        ->check(CLI::IsMember({"text", "json", "gradescope", "junit"}))
        ->capture_default_str();
    app.add_flag("--no-hidden", no_hidden, "leave out solutions/NN-name/hidden.toml even when it exists");
    std::string compile_error;
    app.add_option("--compile-error", compile_error,
                   "the submission did not build: write a 0-point report quoting this build log, and exit 2");
    bool no_netns = false;
    app.add_flag("--no-netns", no_netns, "run servers on the host's loopback even where network namespaces work");
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

    auto write_output = [&](const std::string& text) {
        if (output.empty()) {
            std::cout << text << std::flush;
            return true;
        }
        std::ofstream out(output);
        out << text;
        if (!out) std::cerr << "c10k-grade: cannot write " << output << "\n";
        return static_cast<bool>(out);
    };
    // Could not grade at all: say why on stderr, and still leave a results file behind.
    auto fail = [&](const std::string& error) {
        std::cerr << "c10k-grade: " << error << "\n";
        if (!output.empty() && format != "text") write_output(format_error_report(format, lab, error));
        return kUsageError;
    };
    if (!compile_error.empty()) {
        std::ifstream log(compile_error);
        std::ostringstream text;
        text << log.rdbuf();
        std::string errors = text.str();
        // The first errors are the ones that matter; a template error can run for pages.
        if (errors.size() > 4000) errors = errors.substr(0, 4000) + "\n[... build log trimmed]";
        std::string why = "the submission does not compile:\n" + errors;
        std::cerr << "c10k-grade: " << why << "\n";
        write_output(format == "text" ? why + "\n" : format_error_report(format, lab, why));
        return kUsageError;
    }
    try {
        LabLocation location = locate_lab(lab, source_root, build_root);
        LabSpec spec = load_lab_spec(location.spec);
        if (!no_hidden && std::filesystem::exists(location.hidden_tests))
            for (TestSpec& test : load_hidden_tests(location.hidden_tests)) spec.tests.push_back(std::move(test));
        GradeOptions options;
        options.lab_name = location.name;
        options.server = server.empty() ? location.student_server : std::filesystem::path(server);
        options.seed = seed;
        options.network_namespaces = !no_netns;
        if (!std::filesystem::exists(options.server))
            return fail("no server at " + options.server.string() + ": build it first (make), or pass --server PATH");
        GradeReport report = grade_lab(spec, options);
        std::string text = format == "json"         ? format_json_report(report)
                           : format == "gradescope" ? format_gradescope_report(report)
                           : format == "junit"      ? format_junit_report(report)
                                                    : format_text_report(report, verbose);
        if (!write_output(text)) return kUsageError;
        return report.full_marks() ? kFullMarks : kPointsLost;
    } catch (const LabNotFound& error) {
        return fail(error.what());
    } catch (const SpecError& error) {
        return fail(std::string("bad spec: ") + error.what());
    }
}
