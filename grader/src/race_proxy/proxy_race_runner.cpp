#include "race_proxy/proxy_race_runner.hpp"

#include <sched.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "2-runner/escaped_children.hpp"
#include "2-runner/network_namespace.hpp"
#include "2-runner/program_path.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "grade/origin_process.hpp"
#include "load/http_load.hpp"
#include "race/syscall_counter.hpp"
#include "race_proxy/contestant.hpp"
#include "race_proxy/wrk_client.hpp"
#include "test_failure.hpp"
#include "tool_error.hpp"

namespace c10k::grader {
namespace {

constexpr int kClientThreads = 2;  // wrk -t2 and the own load alike

std::string body_path(const ProxyLoad& load) { return "/bytes/" + std::to_string(load.size); }

// The project's load: verified bodies, a latency histogram; perf counts the proxy's
// syscalls inside its window (after every connection's first answer, as make race does).
// @p names: the calls perf counts one by one (every call still counts in the total).
void run_own_load(ProxyRaceRun& row, RunningContestant& proxy, const ContestantSetting& setting, bool count,
                  double seconds, const std::vector<std::string>& names) {
    HttpLoadOptions load;
    load.server = make_socket_address("127.0.0.1", proxy.port());
    load.connections = row.load.connections;
    load.body_size = row.load.size;
    load.close_each = row.load.close;
    load.threads = kClientThreads;
    load.duration = Seconds(seconds);
    load.warmup_timeout = Seconds(30);
    PerfWindow perf;
    double cpu_before = 0, cpu_after = 0;
    // Nothing may throw out of these: the load's threads are running.
    load.on_window_open = [&] {
        cpu_before = proxy.cpu_seconds();
        // A thread per connection under `Connection: close` may lose a thread between the
        // listing and perf's attaching: three tries.
        if (count) perf.open([&] { return proxy.pids(); }, 3, names);
    };
    load.on_window_close = [&] {
        cpu_after = proxy.cpu_seconds();
        perf.close();
    };
    LoadResult result;
    {
        NetworkNamespaceGuard in_race_network(setting.network_pid);
        result = run_http_load(load);
    }
    WindowCounts counts = perf.finish();
    std::string counter_failure = perf.failure();
    row.requests = result.messages;
    row.seconds = result.seconds();
    row.requests_per_s = result.messages_per_second();
    row.p50_us = static_cast<double>(result.latency.quantile(0.5)) / 1e3;
    row.p99_us = static_cast<double>(result.latency.quantile(0.99)) / 1e3;
    if (!result.ok) {
        row.status = "failed";
        row.reason = result.failure;
        return;
    }
    if (row.requests <= 0) return;
    // The request figures stand; only the syscall count is missing, and the row says why.
    if (!counter_failure.empty()) row.reason = "syscalls not counted: " + counter_failure;
    double requests = static_cast<double>(row.requests);
    row.cpu_us_per_request = (cpu_after - cpu_before) * 1e6 / requests;
    if (counts.syscalls >= 0) row.syscalls_per_request = static_cast<double>(counts.syscalls) / requests;
    for (const auto& [name, calls] : counts.by_name)
        if (calls > 0) row.calls[name] = static_cast<double>(calls) / requests;
}

// wrk: the figures everybody knows. CPU is the proxy's, from before wrk starts to after it ends.
void run_wrk_load(ProxyRaceRun& row, RunningContestant& proxy, const ContestantSetting& setting, int seconds) {
    WrkRun run;
    run.port = proxy.port();
    run.path = body_path(row.load);
    run.connections = row.load.connections;
    run.threads = kClientThreads;
    run.seconds = seconds;
    run.close = row.load.close;
    run.network_pid = setting.network_pid;
    double cpu_before = proxy.cpu_seconds();
    WrkResult result = run_wrk(run);
    double cpu_after = proxy.cpu_seconds();
    row.requests = result.requests;
    row.seconds = result.seconds;
    row.requests_per_s = result.requests_per_s;
    row.p50_us = result.p50_us;
    row.p99_us = result.p99_us;
    if (!result.ok) {
        row.status = "failed";
        row.reason = result.failure;
        return;
    }
    if (row.requests > 0) row.cpu_us_per_request = (cpu_after - cpu_before) * 1e6 / static_cast<double>(row.requests);
}

// Workers are a proxy's own setting: a thread per connection has none, nor has the origin.
bool takes_workers(const std::string& contestant) {
    return !contestant.ends_with("-threads") && contestant != "origin-direct";
}

// The contestants in the order they take their turns: the plan's, with the student's three
// models (make race-proxy LAB=09) right after the reference's.
std::vector<std::string> contestants_of(const ProxyRaceConfig& config, const ProxyRaceOptions& options) {
    std::vector<std::string> contestants;
    for (const auto& name : config.contestants)
        if (options.only.empty() ||
            std::ranges::any_of(options.only, [&](const std::string& prefix) { return name.starts_with(prefix); }))
            contestants.push_back(name);
    if (options.student) {
        auto after = std::ranges::find_if(contestants.rbegin(), contestants.rend(),
                                          [](const std::string& name) { return name.starts_with("tinygate-"); });
        contestants.insert(after.base(), {"yours-threads", "yours-epoll", "yours-io_uring"});
    }
    return contestants;
}

std::string version_of(const std::string& program, const ContestantSetting& setting) {
    if (!contestant_missing(program, setting).empty()) return {};
    try {
        auto path = program == "nginx" ? std::string("nginx") : std::string("haproxy");
        for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/"}) {
            if (::access((dir + path).c_str(), X_OK) != 0) continue;
            SandboxedProcess process({dir + path, "-v"}, tool_limits());
            process.wait_exit(Deadline(Seconds(5)));
            std::string text = process.stdout_head() + process.stderr_text();
            auto slash = text.find(program == "nginx" ? "nginx/" : "version ");
            if (slash == std::string::npos) return {};
            auto end = text.find_first_of(" \n", slash + (program == "nginx" ? 0 : 8));
            return text.substr(slash, end - slash);
        }
    } catch (const TestFailure&) {
    }
    return {};
}

}  // namespace

ProxyRaceResults run_proxy_race(const ProxyRaceConfig& config, const ProxyRaceOptions& options) {
    ProxyRaceResults results;
    ProxyRaceSetup& setup = results.setup;
    cpu_set_t mask{};
    setup.cpus = ::sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask) : 1;
    setup.namespaces = network_namespaces_available();
    setup.counter = options.counter == "none" ? "none" : "perf";
    if (setup.counter == "perf") {
        setup.tracefs_note = mount_tracefs_if_missing();
        if (std::string why_not = perf_unavailable_reason(); !why_not.empty()) {
            if (options.counter == "perf") throw UsageError("--counter perf: " + why_not);
            setup.counter = "none";
            setup.counter_note = why_not;
        }
    } else {
        setup.counter_note = "not asked for (--counter none)";
    }

    std::vector<std::string> contestants = contestants_of(config, options);
    if (contestants.empty()) throw UsageError("no contestant matches --only");
    int rounds = options.rounds > 0 ? options.rounds : config.rounds;
    int seconds = options.seconds > 0 ? options.seconds : config.seconds;

    // One origin for the whole race, in a network of its own where the machine allows.
    SandboxLimits origin_limits = tool_limits();
    origin_limits.own_network = setup.namespaces;
    std::optional<SandboxedProcess> origin;
    ContestantSetting setting;
    setting.source_dir = options.source_dir;
    setting.build_dir = options.build_dir;
    try {
        origin.emplace(std::vector<std::string>{origin_binary().string(), "--port", "0"}, origin_limits);
        setting.origin_port = origin->wait_for_announce(Deadline(Seconds(5)));
    } catch (const TestFailure& failure) {
        throw ToolError(std::string("the origin (c10k-origin) did not start: ") + failure.what(), "make all");
    }
    setting.origin_pid = origin->pid();
    setting.network_pid = origin->network_pid();
    for (const char* program : {"nginx", "haproxy"})
        if (auto version = version_of(program, setting); !version.empty()) setup.versions[program] = version;

    std::string wrk_missing;
    if (std::ranges::find(config.clients, "wrk") != config.clients.end() && !find_program("wrk"))
        wrk_missing = "wrk is not installed: make deps-race installs it";
    // Each tracepoint perf attaches costs the kernel a grace period (about 35 ms here), so
    // all 25 cost a second a run. Round 1 counts them all; later rounds count one by one
    // only the calls round 1 saw for that contestant and load -- the total still counts all.
    std::map<std::string, std::vector<std::string>> calls_seen;  // by contestant and load
    auto calls_to_count = [&](const std::string& key) -> const std::vector<std::string>& {
        auto seen = calls_seen.find(key);
        return seen == calls_seen.end() ? counted_syscalls() : seen->second;
    };
    auto record = [&](const ProxyRaceRun& run) {
        results.runs.push_back(run);
        if (options.on_run) options.on_run(run);
    };
    for (int round = 1; round <= rounds; ++round) {
        for (const auto& load : config.loads) {
            for (const auto& name : contestants) {
                if (load.workers > 1 && !takes_workers(name)) continue;
                const std::string seen_key = name + " " + load.label();
                std::vector<ProxyRaceRun> rows;
                for (const auto& client : config.clients) {
                    // The ceiling is wrk's figure; the origin's own syscalls are not the race's.
                    if (name == "origin-direct" && client == "c10k-load" && config.clients.size() > 1) continue;
                    ProxyRaceRun row;
                    row.contestant = name;
                    row.load = load;
                    row.client = client;
                    row.round = round;
                    rows.push_back(row);
                }
                if (std::string missing = contestant_missing(name, setting); !missing.empty()) {
                    if (round > 1) continue;  // said once
                    for (auto& row : rows) {
                        row.status = "skipped";
                        row.reason = missing;
                        record(row);
                    }
                    continue;
                }
                // Without wrk its rows are skipped, said once, and the project's load still runs.
                if (!wrk_missing.empty()) {
                    for (auto& row : rows)
                        if (row.client == "wrk") row.status = "skipped", row.reason = wrk_missing;
                    if (round > 1) std::erase_if(rows, [](const ProxyRaceRun& row) { return row.client == "wrk"; });
                }
                try {
                    RunningContestant proxy(name, load.workers, setting);
                    std::string died;
                    for (auto& row : rows) {
                        if (row.status == "skipped") continue;
                        if (died.empty() && row.client == "wrk") run_wrk_load(row, proxy, setting, seconds);
                        else if (died.empty())
                            run_own_load(row, proxy, setting, setup.counter == "perf" && name != "origin-direct",
                                         config.load_seconds, calls_to_count(seen_key));
                        if (died.empty()) died = proxy.died();
                        if (!died.empty()) row.status = "failed", row.reason = name + " " + died;
                    }
                    if (std::string problem = proxy.stop(); !problem.empty())
                        for (auto& row : rows)
                            if (row.status == "ok") row.status = "failed", row.reason = problem;
                } catch (const TestFailure& failure) {
                    for (auto& row : rows)
                        if (row.status != "skipped") row.status = "failed", row.reason = failure.what();
                } catch (const ToolError& failure) {
                    for (auto& row : rows)
                        if (row.status != "skipped") row.status = "failed", row.reason = failure.describe();
                }
                kill_escaped_descendants();
                if (name.starts_with("yours-"))  // the student's: where to learn more
                    for (auto& row : rows)
                        if (row.status == "failed") row.reason += " (make grade LAB=09 says what goes wrong)";
                for (const auto& row : rows) {
                    if (row.client != "wrk" && row.syscalls_per_request >= 0 && !calls_seen.contains(seen_key))
                        for (const auto& [call, per_request] : row.calls) calls_seen[seen_key].push_back(call);
                    record(row);
                }
            }
        }
    }
    if (auto died = origin->poll_exit())
        throw ToolError("the origin ended during the race (" + died->describe() + "): " + origin->stderr_tail());
    origin->stop(Seconds(2));
    return results;
}

}  // namespace c10k::grader
