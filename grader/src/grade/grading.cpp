#include "grade/grading.hpp"


#include <chrono>
#include <optional>
#include <algorithm>
#include <random>
#include <sstream>

#include "2-runner/environment_probe.hpp"
#include "2-runner/escaped_children.hpp"
#include "2-runner/network_namespace.hpp"
#include "2-runner/process_watch.hpp"
#include "grade/origin_process.hpp"
#include "grade/server_symptoms.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "4-audit/syscall_audit.hpp"
#include "5-report/leaderboard.hpp"
#include "c10k/open_files.hpp"
#include "c10k/syscall_error.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

// The server as it was at a failure: how it ended (if it did), what it said last, and
// the watch's last look at it.
ServerState server_state(SandboxedProcess& server, const ProcessWatch* watch, const LimitsSpec& limits,
                         const TestSpec& test) {
    ServerState state;
    state.exit = server.wait_exit(Deadline(Seconds(0.2)));
    state.last_words = server.stderr_tail(5) + " | " + server.stdout_tail(5);
    if (watch) {
        state.last = watch->last();
        state.peak_fds = watch->peak_fds();
    }
    state.address_space_limit_kib = static_cast<long>(limits.memory_mb * 1024);
    if (auto clients = test.params.find("clients"); clients != test.params.end())
        state.clients = static_cast<int>(clients->second);
    return state;
}

TestResult run_one_test(const LabSpec& spec, const TestSpec& test, const GradeOptions& options,
                        std::mt19937_64& random) {
    const TestKind& kind = *find_test_kind(test.kind);
    TestResult result;
    result.name = test.name;
    result.max_score = test.points;
    result.extra_credit = test.extra_credit;
    result.demonstration = test.demonstration();
    result.hidden = test.hidden;
    std::optional<SandboxedProcess> origin;  // declared first: stopped last
    std::optional<SandboxedProcess> server;
    std::optional<ProcessWatch> watch;
    try {
        std::vector<std::string> args = test.server_args;
        SandboxLimits limits = sandbox_limits(spec.limits, options.network_namespaces);
        std::uint16_t origin_port = 0;
        if (spec.origin) {  // lab 09: the origin first, in its own network; the proxy joins it
            origin_port = start_origin(origin, limits, args);
            result.steps.push_back("origin listening on port " + std::to_string(origin_port));
        }
        server.emplace(server_command(options.server, args), limits);
        std::uint16_t port = server->wait_for_announce(Deadline(Seconds(spec.announce_timeout)));
        result.steps.push_back("server announced port " + std::to_string(port));
        watch.emplace(server->pid(), /*watch_rings=*/!test.ring.empty());
        TestContext context{test, make_socket_address("127.0.0.1", port), *server, random, result.steps,
                            origin ? &*origin : nullptr, origin_port};
        {
            NetworkNamespaceGuard in_server_network(server->network_pid());
            kind.run(context);
        }
        if (!kind.ends_server) {
            if (auto status = server->poll_exit()) throw TestFailure("server " + status->describe() + " during the test");
            check_ring_features(test, *watch, result.steps);
            check_idle_cpu(context);
        }
        result.status = TestResult::Status::passed;
        result.score = test.points;
    } catch (const TestFailure& failure) {
        // The hint follows what happened: the symptom's own hint first, then the spec's
        // and the kind's usual advice.
        result.reason = failure.what();
        result.hint = !failure.hint().empty() ? failure.hint() : !test.hint.empty() ? test.hint : kind.hint;
        if (server && !kind.ends_server && watch) {
            ServerState state = server_state(*server, &*watch, spec.limits, test);
            // A dead server explains most failures better than the symptom the client saw.
            if (state.exit) {
                if (result.reason.find("server ") != 0)
                    result.reason = "server " + state.exit->describe() + " (" + result.reason + ")";
                result.hint = exit_hint(state);
            }
            if (auto symptom = resource_symptom(state)) {
                result.reason += symptom->reason;
                result.hint = symptom->hint;
            }
        }
    }
    watch.reset();
    if (server) {
        server->stop(Seconds(1));
        if (result.status != TestResult::Status::passed) {
            result.server_stderr = server->stderr_tail();
            // Some servers say everything on stdout: "accept error: -23, exiting".
            if (result.server_stderr.empty()) result.server_stdout = server->stdout_tail();
        }
    }
    if (int escaped = kill_escaped_descendants(); escaped > 0)
        result.steps.push_back("killed " + std::to_string(escaped) + " processes the server left outside its group");
    return result;
}

}  // namespace

TestSpec with_small_machine_figures(const TestSpec& test) {
    if (test.small_machine.empty()) return test;
    TestSpec small = test;
    std::string changes;
    for (const auto& [param, value] : test.small_machine) {
        small.params[param] = value;
        std::ostringstream figure;
        figure << param << " " << value;
        changes += (changes.empty() ? "" : ", ") + figure.str();
    }
    small.name += " [small machine: " + changes + "]";
    return small;
}

SandboxLimits sandbox_limits(const LimitsSpec& limits, bool own_network) {
    SandboxLimits sandbox;
    sandbox.own_network = own_network;
    sandbox.cpu_seconds = static_cast<rlim_t>(limits.cpu_seconds);
    sandbox.address_space_bytes = static_cast<rlim_t>(limits.memory_mb * 1024 * 1024);
    sandbox.open_files_soft = static_cast<rlim_t>(limits.open_files);
    sandbox.processes = static_cast<rlim_t>(limits.processes);
    return sandbox;
}

std::vector<std::string> server_command(const std::filesystem::path& server,
                                        const std::vector<std::string>& extra) {
    std::vector<std::string> command = {server.string(), "--port", "0", "--host", "127.0.0.1"};
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
}

GradeReport grade_lab(const LabSpec& spec, const GradeOptions& options) {
    try {
        c10k::raise_open_file_limit();  // the clients of a 10,000-connection test need as many fds
    } catch (const c10k::SyscallError&) {
        // Then a big test's clients fail with EMFILE, and the report says so.
    }
    become_subreaper();       // so a server's escaped children come back to us, to be killed
    auto started = std::chrono::steady_clock::now();
    GradeReport report;
    report.lab = options.lab_name.empty() ? spec.id : options.lab_name;
    report.title = spec.title;
    report.server = options.server.string();
    GradeOptions effective = options;
    effective.network_namespaces = options.network_namespaces && network_namespaces_available();
    report.network = network_description(effective.network_namespaces);
    std::mt19937_64 random(options.seed ? options.seed : std::random_device{}());

    EnvironmentProbe environment = probe_environment();
    report.environment = environment.summary();
    bool small = options.machine == GradeOptions::Machine::small ||
                 (options.machine == GradeOptions::Machine::automatic && environment.small_machine());

    // A lab the machine cannot run is skipped (or failed, if its spec says when_missing =
    // "fail"), with the reason and the fix.
    bool needs_io_uring =
        std::ranges::find(spec.required_features, "io_uring") != spec.required_features.end();
    if (needs_io_uring && environment.io_uring_missing) {
        const std::string& reason = *environment.io_uring_missing;
        if (!spec.fail_when_missing) report.skipped = reason;
        for (const TestSpec& test : spec.tests) {
            TestResult& result = report.tests.emplace_back();
            result.name = test.name;
            result.max_score = test.points;
            result.extra_credit = test.extra_credit;
            result.status = spec.fail_when_missing ? TestResult::Status::failed : TestResult::Status::skipped;
            result.reason = reason;
            result.hidden = test.hidden;
        }
        for (const SyscallSpec& audit : spec.syscalls) {
            TestResult& result = report.tests.emplace_back();
            result.name = "syscalls" + (audit.name.empty() ? "" : " (" + audit.name + ")");
            result.max_score = audit.mechanism_points + audit.budget_points;
            result.status = spec.fail_when_missing ? TestResult::Status::failed : TestResult::Status::skipped;
            result.reason = reason;
        }
        return report;
    }

    // A whole-lab deadline: whatever the server does, grading ends in bounded time.
    Deadline lab_deadline{Seconds(spec.limits.lab_seconds)};
    auto not_run = [&](const std::string& name, double points) {
        TestResult& result = report.tests.emplace_back();
        result.name = name;
        result.max_score = points;
        result.reason = "not run: the lab's time limit of " + seconds_text(lab_deadline.budget()) + " s had passed";
        result.hint = "earlier tests waited out their deadlines: fix those first";
    };
    for (const TestSpec& test : spec.tests) {
        if (lab_deadline.expired()) not_run(test.name, test.points);
        else report.tests.push_back(run_one_test(spec, small ? with_small_machine_figures(test) : test, effective, random));
    }
    // With a reference (the leaderboard), each audit runs on it right after, on the same
    // machine: interleaved, so a slow moment of a shared machine hits both alike.
    bool ranked = spec.leaderboard && !options.reference.empty();
    GradeOptions reference = effective;
    reference.server = options.reference;
    GradeReport reference_report;
    for (const SyscallSpec& audit : spec.syscalls) {
        if (lab_deadline.expired()) {
            not_run("syscalls" + (audit.name.empty() ? "" : " (" + audit.name + ")"),
                    audit.mechanism_points + audit.budget_points);
            continue;
        }
        audit_syscalls(spec, audit, effective, report);
        if (ranked) audit_syscalls(spec, audit, reference, reference_report);
    }
    if (ranked) {
        report.leaderboard = leaderboard_entries(report.syscalls, reference_report.syscalls);
        if (report.leaderboard.empty())
            report.leaderboard_note = "no leaderboard: the reference's audits measured nothing (" +
                                      options.reference.string() + ")";
    }

    report.execution_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

}  // namespace c10k::grader
