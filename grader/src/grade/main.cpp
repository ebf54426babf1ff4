// c10k-grade: grades one lab's server and prints the report.
//
//   c10k-grade 01                      # the student's build of lab 01
//   c10k-grade 01 --server path/to/server --format gradescope --output results.json
//   c10k-grade batch submissions/ --lab 01 --jobs 2 --csv grades.csv
//
// Exit code: 0 full marks (or skipped), 1 points lost, 2 usage or spec error. With
// --output, a results file is written whatever happens, so an autograder always has one.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "1-spec/lab_locator.hpp"
#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/registry.hpp"
#include "grade/batch.hpp"
#include "grade/grading.hpp"

namespace {

constexpr int kFullMarks = 0;
constexpr int kPointsLost = 1;
constexpr int kUsageError = 2;

// Both commands (grade, batch) find the repository and the build alike...
void add_location_options(CLI::App& app, std::string& source_root, std::string& build_root) {
    app.add_option("--root", source_root, "the repository (where labs/ is)")->capture_default_str();
    app.add_option("--build-dir", build_root, "the build folder (the servers, build/common)")->capture_default_str();
}

// ...and answer --help with 0 and a bad command line with kUsageError; nullopt: go on.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return app.exit(error) == 0 ? 0 : kUsageError;
    }
    return std::nullopt;
}

// The lab's grade.toml, plus its instructor-only hidden.toml when present and wanted.
c10k::grader::LabSpec load_spec_with_hidden(const c10k::grader::LabLocation& location, bool with_hidden) {
    c10k::grader::LabSpec spec = c10k::grader::load_lab_spec(location.spec);
    if (with_hidden && std::filesystem::exists(location.hidden_tests))
        for (auto& test : c10k::grader::load_hidden_tests(location.hidden_tests)) spec.tests.push_back(std::move(test));
    return spec;
}

// The points a submission could have had; 0 when the lab or its spec cannot be read (the
// error report then says 0 of 0, which is still better than no report at all).
double lab_total(const std::string& lab, const std::string& source_root, const std::string& build_root,
                 bool with_hidden) {
    try {
        return load_spec_with_hidden(c10k::grader::locate_lab(lab, source_root, build_root), with_hidden).max_score();
    } catch (const std::exception&) {
        return 0;
    }
}

// `c10k-grade batch SUBMISSIONS --lab NN ...`: every subfolder built and graded.
int batch_main(int argc, char** argv) {
    using namespace c10k::grader;
    CLI::App app{"c10k-grade batch: build and grade every submission in a folder", "c10k-grade batch"};
    std::string submissions, lab, csv, work_dir;
    std::string source_root = C10K_SOURCE_DIR;
    std::string build_root = C10K_BUILD_DIR;
    int jobs = 1;
    bool no_hidden = false, no_netns = false;
    app.add_option("submissions", submissions, "a folder with one subfolder (server.cpp, ...) per submission")
        ->required()
        ->check(CLI::ExistingDirectory);
    app.add_option("--lab", lab, "the lab: 01 or 01-blocking")->required();
    app.add_option("--jobs,-j", jobs, "submissions graded at once")->check(CLI::Range(1, 64))->capture_default_str();
    app.add_option("--csv", csv, "write name,score,max_score,status,failed_tests here");
    app.add_option("--work-dir", work_dir, "per-submission binaries and reports (default build/batch/NN-name)");
    app.add_flag("--no-hidden", no_hidden, "leave out solutions/NN-name/hidden.toml");
    app.add_flag("--no-netns", no_netns, "run servers on the host's loopback even where network namespaces work");
    add_location_options(app, source_root, build_root);
    if (auto code = parse_command_line(app, argc, argv)) return *code;
    ::signal(SIGPIPE, SIG_IGN);
    try {
        LabLocation location = locate_lab(lab, source_root, build_root);
        BatchOptions options;
        options.submissions = submissions;
        options.lab_name = location.name;
        options.spec = load_spec_with_hidden(location, !no_hidden);
        options.source_root = source_root;
        options.build_root = build_root;
        options.work_dir = work_dir.empty() ? std::filesystem::path(build_root) / "batch" / location.name
                                            : std::filesystem::path(work_dir);
        options.jobs = jobs;
        options.network_namespaces = !no_netns;
        if (!std::filesystem::exists(options.build_root / "common" / "libc10k_common.a")) {
            std::cerr << "c10k-grade batch: no " << (options.build_root / "common" / "libc10k_common.a").string()
                      << ": build the project first (make)\n";
            return kUsageError;
        }
        std::vector<SubmissionResult> results = grade_batch(options, std::cerr);
        std::cout << format_batch_summary(results);
        std::cout << "reports: " << options.work_dir.string() << "/NAME/report.txt\n";
        if (!csv.empty()) {
            std::ofstream out(csv);
            out << format_batch_csv(results);
            if (!out) {
                std::cerr << "c10k-grade batch: cannot write " << csv << "\n";
                return kUsageError;
            }
            std::cout << "grades: " << csv << "\n";
        }
        return 0;
    } catch (const LabNotFound& error) {
        std::cerr << "c10k-grade batch: " << error.what() << "\n";
    } catch (const SpecError& error) {
        std::cerr << "c10k-grade batch: bad spec: " << error.what() << "\n";
    }
    return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace c10k::grader;
    if (argc > 1 && std::string(argv[1]) == "batch") return batch_main(argc - 1, argv + 1);
    CLI::App app{"c10k-grade: grade a C10K Labs echo server (or: c10k-grade batch --help)"};
    std::string lab;
    std::string server;
    std::string format = "text";
    std::string output;
    bool verbose = false;
    std::uint64_t seed = 0;
    std::string source_root = C10K_SOURCE_DIR;
    std::string build_root = C10K_BUILD_DIR;
    app.add_option("lab", lab, "the lab: 01, 01-blocking or labs/01-blocking");
    bool list_kinds = false;
    app.add_flag("--list-kinds", list_kinds, "list the test kinds a grade.toml can name, with their parameters");
    app.add_option("--server", server, "server binary to grade (default: the student's build of the lab)");
    bool no_hidden = false;
    std::string reference;
    app.add_option("--reference", reference,
                   "the lab's reference server: each audit runs on it too, and the report ranks yours against it "
                   "(Gradescope's leaderboard; labs with leaderboard = true)");
    app.add_option("--format", format,
                   "report format: text, json (ours), gradescope, prairielearn (results.json), autolab (scores on "
                   "the last line), classroom (GitHub's autograding reporter), junit (CodeGrade, CI)")
        ->check(CLI::IsMember({"text", "json", "gradescope", "prairielearn", "autolab", "classroom", "junit"}))
        ->capture_default_str();
    std::string machine = "auto";
    app.add_option("--machine", machine,
                   "which figures of the spec: full, small (each test's `small`), auto (small where the machine "
                   "has under 1.5 CPUs or 1 GB)")
        ->check(CLI::IsMember({"auto", "small", "full"}))
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
    add_location_options(app, source_root, build_root);
    if (auto code = parse_command_line(app, argc, argv)) return *code;

    if (list_kinds) {
        std::cout << list_test_kinds();
        return 0;
    }
    if (lab.empty()) {
        std::cerr << "c10k-grade: which lab? e.g. c10k-grade 01 (--help lists the options)\n";
        return kUsageError;
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
        write_output(format == "text" ? why + "\n"
                                      : format_error_report(format, lab, why, lab_total(lab, source_root, build_root, !no_hidden)));
        return kUsageError;
    }
    try {
        LabLocation location = locate_lab(lab, source_root, build_root);
        LabSpec spec = load_spec_with_hidden(location, !no_hidden);
        GradeOptions options;
        options.lab_name = location.name;
        options.server = server.empty() ? location.student_server : std::filesystem::path(server);
        options.seed = seed;
        options.network_namespaces = !no_netns;
        options.machine = machine == "small"  ? GradeOptions::Machine::small
                          : machine == "full" ? GradeOptions::Machine::full
                                              : GradeOptions::Machine::automatic;
        if (!std::filesystem::exists(options.server))
            return fail("no server at " + options.server.string() + ": build it first (make), or pass --server PATH");
        options.reference = reference;
        if (!reference.empty() && !std::filesystem::exists(options.reference))
            return fail("no reference server at " + reference + " (--reference): build it first (make)");
        if (!reference.empty() && !spec.leaderboard)  // graded as usual; say why nothing is ranked
            std::cerr << "c10k-grade: --reference ignored: lab " << location.name
                      << " has no leaderboard (leaderboard = true in its grade.toml's [lab] asks for one)\n";
        GradeReport report = grade_lab(spec, options);
        std::string text = format == "json"           ? format_json_report(report)
                           : format == "gradescope"   ? format_gradescope_report(report)
                           : format == "prairielearn" ? format_prairielearn_report(report)
                           : format == "autolab"      ? format_autolab_report(report)
                           : format == "classroom"    ? format_classroom_report(report)
                           : format == "junit"        ? format_junit_report(report)
                                                      : format_text_report(report, verbose);
        if (!write_output(text)) return kUsageError;
        return report.full_marks() ? kFullMarks : kPointsLost;
    } catch (const LabNotFound& error) {
        return fail(error.what());
    } catch (const SpecError& error) {
        return fail(std::string("bad spec: ") + error.what());
    }
}
