#include "4-audit/syscall_audit.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <unistd.h>
#include <fstream>
#include <set>
#include <sstream>

#include "2-runner/escaped_children.hpp"
#include "2-runner/network_namespace.hpp"
#include "2-runner/process_table.hpp"
#include "2-runner/program_path.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "4-audit/syscall_families.hpp"
#include "grade/origin_process.hpp"
#include "load/echo_load.hpp"
#include "load/http_load.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

std::string fixed(double value, int decimals = 2) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

long count_of(const std::map<std::string, long>& counts, const std::vector<std::string>& names) {
    long total = 0;
    for (const auto& name : names)
        if (auto it = counts.find(name); it != counts.end()) total += it->second;
    return total;
}

// The per-family table, most frequent first.
std::vector<SyscallRow> family_rows(const std::map<std::string, long>& by_name, long messages) {
    std::map<std::string, long> by_family;
    for (const auto& [name, count] : by_name) by_family[family_of(name)] += count;
    std::vector<SyscallRow> rows;
    for (const auto& [family, count] : by_family)
        rows.push_back({family, count, messages > 0 ? double(count) / double(messages) : 0});
    std::ranges::sort(rows, [](const SyscallRow& a, const SyscallRow& b) {
        return a.count != b.count ? a.count > b.count : a.family < b.family;
    });
    return rows;
}

// What to look at when the budget is blown, from the shape of the counts.
std::string budget_hint(const std::vector<SyscallRow>& rows) {
    // A lock in the message path shows as futex calls, whatever else the loop does.
    auto futex = std::ranges::find(rows, "futex", &SyscallRow::family);
    if (futex != rows.end() && futex->per_message > 0.5)
        return "futex " + fixed(futex->per_message) + " per message: a lock in the message path -- printf and "
               "std::cout lock stdout, a mutex or condition variable per message wakes another thread; log outside "
               "the loop, or not at all";
    for (const auto& row : rows) {
        if (row.family == "read" && row.per_message > 1.5)
            return "several reads per message: read into a buffer as large as the socket offers (e.g. 64 KiB)";
        if (row.family == "write" && row.per_message > 1.5)
            return "several writes per message: write everything you read in one call, loop only on a short write";
        if (row.family == "epoll_ctl" && row.per_message > 0.5)
            return "epoll_ctl on every event: register each fd once, change interest only when it changes";
        if (row.family == "io_uring_enter" && row.per_message > 0.5)
            return "an io_uring_enter per operation: queue SQEs, submit them together with the wait "
                   "(io_uring_submit_and_wait), then reap every CQE that is there before the next enter";
    }
    return "count what your loop calls per message (strace -f -c ./server --port 0) and drop what is not needed";
}

std::string audit_suffix(const SyscallSpec& spec) { return spec.name.empty() ? "" : " (" + spec.name + ")"; }

std::string mechanism_name(const SyscallSpec& spec) { return "syscalls: the lab's I/O mechanism" + audit_suffix(spec); }

// What the load counts: echoed messages, or requests answered through a proxy.
bool http_load(const SyscallSpec& spec) { return spec.load.protocol == "http"; }
std::string unit(const SyscallSpec& spec) { return http_load(spec) ? "request" : "message"; }

std::string budget_name(const SyscallSpec& spec) {
    return "syscalls: at most " + fixed(*spec.per_message_max, 1) + (http_load(spec) ? " per request" : " per echoed message") +
           audit_suffix(spec);
}

bool has_mechanism_checks(const SyscallSpec& spec) {
    return spec.mechanism_points > 0 || !spec.required.empty() || !spec.forbidden.empty() || spec.nonblocking_clients;
}

TestResult failed_audit(const std::string& name, double points, const std::string& reason,
                        const std::string& hint) {
    TestResult result;
    result.name = name;
    result.max_score = points;
    result.reason = reason;
    result.hint = hint;
    return result;
}

}  // namespace

void judge_syscalls(const SyscallSpec& spec, const TraceCounts& counts, long messages, GradeReport& report) {
    SyscallSummary& summary = report.syscalls.emplace_back();
    summary.name = spec.name;
    summary.load = std::to_string(spec.load.messages) +
                   (http_load(spec) ? " requests for " : " messages of ") + std::to_string(spec.load.size) + " B over " +
                   std::to_string(spec.load.connections) +
                   (spec.load.connections == 1 ? " connection" : " connections");
    summary.measured = true;
    summary.messages = messages;
    summary.unit = unit(spec);
    summary.tasks = counts.tasks;
    summary.rows = family_rows(counts.in_window, messages);
    long total = 0;
    for (const auto& row : summary.rows) total += row.count;
    summary.per_message_total = messages > 0 ? double(total) / double(messages) : 0;

    if (has_mechanism_checks(spec)) {
        TestResult mechanism;
        mechanism.name = mechanism_name(spec);
        mechanism.max_score = spec.mechanism_points;
        std::vector<std::string> problems;
        for (const auto& entry : spec.required)
            if (count_of(counts.whole_run, expand_syscall_alternatives(entry)) == 0)
                problems.push_back("required " + entry + " never called");
        for (const auto& entry : spec.forbidden) {
            for (const auto& name : expand_syscall_alternatives(entry))
                if (long n = count_of(counts.after_announce, {name}); n > 0)
                    problems.push_back(name + " called " + std::to_string(n) + " times (not allowed in this lab)");
        }
        if (spec.max_threads && counts.tasks > *spec.max_threads)
            problems.push_back("the server ran " + std::to_string(counts.tasks) + " threads/processes (this lab allows " +
                               std::to_string(*spec.max_threads) + ")");
        if (spec.nonblocking_clients && counts.accepted_nonblocking + counts.set_nonblocking < counts.accepted)
            problems.push_back("blocking client sockets: " + std::to_string(counts.accepted) + " accepted, " +
                               std::to_string(counts.accepted_nonblocking + counts.set_nonblocking) +
                               " made nonblocking (accept4 with SOCK_NONBLOCK, or fcntl F_SETFL O_NONBLOCK)");
        if (problems.empty()) {
            mechanism.status = TestResult::Status::passed;
            mechanism.score = spec.mechanism_points;
        } else {
            mechanism.reason = problems.front();
            for (std::size_t i = 1; i < problems.size(); ++i) mechanism.reason += "; " + problems[i];
            mechanism.hint = "this lab is about one I/O model: see the README's 'How it is graded'";
        }
        report.tests.push_back(std::move(mechanism));
    }

    if (spec.per_message_max) {
        TestResult budget;
        budget.name = budget_name(spec);
        budget.max_score = spec.budget_points;
        std::string breakdown = "per " + unit(spec) + ":";
        for (std::size_t i = 0; i < summary.rows.size() && i < 5; ++i)
            breakdown += (i ? ", " : " ") + summary.rows[i].family + " " + fixed(summary.rows[i].per_message);
        std::vector<std::string> over;
        if (summary.per_message_total > *spec.per_message_max)
            over.push_back(fixed(summary.per_message_total) + (http_load(spec) ? " per request" : " per echoed message") + " (budget " +
                           fixed(*spec.per_message_max, 1) + ")");
        for (const auto& [family, limit] : spec.family_max) {
            auto row = std::ranges::find(summary.rows, family, &SyscallRow::family);
            double per_message = row == summary.rows.end() ? 0 : row->per_message;
            if (per_message > limit)
                over.push_back(family + " " + fixed(per_message) + " per " + unit(spec) + " (at most " + fixed(limit, 1) + ")");
        }
        if (over.empty()) {
            budget.status = TestResult::Status::passed;
            budget.score = spec.budget_points;
            budget.steps.push_back(breakdown);
        } else {
            for (const auto& problem : over) budget.reason += problem + "; ";
            budget.reason += breakdown;
            budget.hint = budget_hint(summary.rows);
        }
        report.tests.push_back(std::move(budget));
    }
}

namespace {

// The load the audit measures: echo ping-pong, or HTTP requests through a proxy.
// @p on_window_open and @p on_window_close run as its measurement window opens and closes.
LoadResult run_audit_load(const LoadSpec& load, const SocketAddress& server, std::uint64_t seed,
                          const std::function<void()>& on_window_open, const std::function<void()>& on_window_close) {
    if (load.protocol == "http") {
        HttpLoadOptions http;
        http.on_window_open = on_window_open;
        http.on_window_close = on_window_close;
        http.server = server;
        http.connections = load.connections;
        http.body_size = load.size;
        http.requests = load.messages;
        http.warmup_timeout = Seconds(load.timeout);
        http.stall_timeout = Seconds(std::min(load.timeout, 10.0));
        return run_http_load(http);
    }
    LoadOptions echo;
    echo.on_window_open = on_window_open;
    echo.on_window_close = on_window_close;
    echo.server = server;
    echo.connections = load.connections;
    echo.message_size = load.size;
    echo.messages = load.messages;
    echo.timeout = echo.warmup_timeout = Seconds(load.timeout);
    echo.seed = seed;
    return run_load(echo);
}

}  // namespace

void audit_syscalls(const LabSpec& lab, const SyscallSpec& spec, const GradeOptions& options, GradeReport& report) {
    const LoadSpec& load = spec.load;
    std::string stderr_tail;
    auto fail_all = [&](const std::string& reason, const std::string& hint) {
        if (has_mechanism_checks(spec)) {
            report.tests.push_back(failed_audit(mechanism_name(spec), spec.mechanism_points, reason, hint));
            report.tests.back().server_stderr = stderr_tail;
        }
        if (spec.per_message_max) {
            report.tests.push_back(failed_audit(budget_name(spec), spec.budget_points, reason, hint));
            report.tests.back().server_stderr = stderr_tail;
        }
    };

    auto strace = find_strace();
    if (!strace) {
        fail_all("strace is not installed, so syscalls cannot be counted", "run `make deps` (installs strace)");
        return;
    }
    char pattern[] = "/tmp/c10k-trace-XXXXXX";
    if (!::mkdtemp(pattern)) {
        fail_all(std::string("grader: mkdtemp: ") + std::strerror(errno), "is /tmp writable?");
        return;
    }
    std::filesystem::path dir = pattern;
    std::vector<std::string> command = strace_command(*strace, dir / "trace", 16);
    std::vector<std::string> server_args = spec.args;
    SandboxLimits limits = sandbox_limits(lab.limits, options.network_namespaces);

    LoadResult result;
    double cpu_seconds = -1;
    double announce_seen_at = 0;
    std::optional<SandboxedProcess> origin;  // lab 09: declared first, stopped last
    try {
        if (lab.origin) start_origin(origin, limits, server_args);
        for (const auto& arg : server_command(options.server, server_args)) command.push_back(arg);
        SandboxedProcess server(command, limits);
        try {
            // strace slows start-up; give the announce more time than in the plain tests.
            std::uint16_t port = server.wait_for_announce(Deadline(Seconds(lab.announce_timeout + 5)));
            announce_seen_at = server.announce_seen_at();
            // The server's CPU time inside the window, as the counts: what one request costs.
            double cpu_before = -1, cpu_after = -1;
            NetworkNamespaceGuard in_server_network(server.network_pid());
            result = run_audit_load(load, make_socket_address("127.0.0.1", port), options.seed ? options.seed : 1,
                                    [&] { cpu_before = traced_server_cpu_seconds(server.pid()); },
                                    [&] { cpu_after = traced_server_cpu_seconds(server.pid()); });
            if (cpu_before >= 0 && cpu_after >= 0) cpu_seconds = cpu_after - cpu_before;
        } catch (const TestFailure& failure) {
            result.failure = std::string("under strace: ") + failure.what();
        }
        server.stop(Seconds(2));
        stderr_tail = server.stderr_tail();
    } catch (const TestFailure& failure) {
        result.failure = failure.what();
    }

    kill_escaped_descendants();
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
    if (result.ok) {
        judge_syscalls(spec, count_traced_calls(files, result.window_start, result.window_end, announce_seen_at),
                       result.messages, report);
        report.syscalls.back().cpu_seconds = cpu_seconds;
        report.syscalls.back().seconds = result.seconds();
    } else {
        std::string hint = http_load(spec) ? "the proxy tests above show what goes wrong without strace"
                                           : "the echo tests above show what goes wrong without strace";
        if (stderr_tail.find("strace:") != std::string::npos) {
            hint = "strace needs ptrace: in a container, allow it (the project's docker-shell does)";
        }
        fail_all("the audit load did not finish: " + result.failure, hint);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

}  // namespace c10k::grader
