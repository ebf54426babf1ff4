#include "race/race_runner.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "1-spec/lab_spec.hpp"
#include "2-runner/escaped_children.hpp"
#include "2-runner/network_namespace.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "c10k/io_uring_support.hpp"
#include "load/echo_load.hpp"
#include "race/syscall_counter.hpp"
#include "test_failure.hpp"
#include "tool_error.hpp"

namespace c10k::grader {
namespace {

constexpr int client_cpu = 0;
constexpr int server_cpu = 1;

bool pin_this_thread(int cpu) {
    cpu_set_t only{};
    CPU_SET(static_cast<unsigned>(cpu), &only);
    return ::sched_setaffinity(0, sizeof only, &only) == 0;
}

int usable_cpus() {
    cpu_set_t mask{};
    if (::sched_getaffinity(0, sizeof mask, &mask) != 0) return 1;
    return CPU_COUNT(&mask);
}

// One load against one server: start it, count around the bench window, stop it.
class SingleRun {
public:
    SingleRun(const RaceServer& server, const std::filesystem::path& binary, const RaceSetup& setup)
        : server_(server), binary_(binary), setup_(setup) {}

    RaceRun run(RaceRun row, double seconds) {
        try {
            measure(row, seconds);
        } catch (const TestFailure& failure) {
            row.status = "failed";
            row.reason = failure.what();
        } catch (const ToolError& failure) {
            row.status = "failed";
            row.reason = failure.describe();
        }
        kill_escaped_descendants();
        return row;
    }

private:
    void measure(RaceRun& row, double seconds) {
        std::optional<StraceCounter> strace;
        std::vector<std::string> command;
        if (setup_.counter == "strace") {
            strace.emplace();
            command = strace->command_prefix();
        }
        command.push_back(binary_.string());
        command.insert(command.end(), {"--port", "0"});
        command.insert(command.end(), server_.args.begin(), server_.args.end());

        SandboxLimits limits;
        limits.address_space_bytes = 0;  // a thread per connection reserves GBs of stacks
        limits.processes = 0;
        limits.own_network = setup_.namespaces;
        limits.cpu = setup_.pinned ? server_cpu : -1;
        SandboxedProcess process(command, limits);
        std::uint16_t port = 0;
        try {
            port = process.wait_for_announce(Deadline(Seconds(strace ? 15 : 5)));
        } catch (const TestFailure& failure) {
            std::string said = process.stderr_tail();
            throw TestFailure(std::string(failure.what()) + (said.empty() ? "" : "; it said: " + said));
        }
        PerfWindow perf;

        LoadOptions load;
        load.server = make_socket_address("127.0.0.1", port);
        load.connections = row.connections;
        load.idle_connections = row.idle;
        load.message_size = row.size;
        load.duration = Seconds(seconds);
        load.warmup_timeout = Seconds(30 + (row.connections + row.idle) / 200);
        // perf attaches only now, after the warm-up: `perf stat -p` counts the threads that
        // exist when it attaches, and a thread-per-connection server has just made them.
        // Nothing may throw out of these: the bench's threads are running.
        load.on_window_open = [&] {
            if (strace) return strace->window_opened(process.pid());
            perf.open([&] { return std::vector<pid_t>{process.pid()}; });
        };
        load.on_window_close = [&] {
            if (strace) return strace->window_closed(process.pid());
            perf.close();
        };
        LoadResult result;
        {
            NetworkNamespaceGuard in_server_network(process.network_pid());
            result = run_load(load);
        }
        WindowCounts counts = perf.finish();
        std::string counter_failure = perf.failure();
        auto status = process.stop(Seconds(2));
        if (strace) counts = strace->finish(result.window_start, result.window_end);

        row.messages = result.messages;
        row.seconds = result.seconds();
        row.msgs_per_s = result.messages_per_second();
        auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e3; };
        row.p50_us = us(result.latency.quantile(0.5));
        row.p99_us = us(result.latency.quantile(0.99));
        row.p999_us = us(result.latency.quantile(0.999));
        row.max_us = us(result.latency.max());
        if (!result.ok) {
            row.status = "failed";
            row.reason = result.failure;
            if (auto tail = process.stderr_tail(); !tail.empty()) row.reason += "; server said: " + tail;
            return;
        }
        if (!counter_failure.empty()) {
            row.status = "failed";
            row.reason = "counting syscalls: " + counter_failure;
            return;
        }
        if (!status.clean()) {
            row.status = "failed";
            row.reason = "the server " + status.describe() + " when asked to stop";
        }
        if (row.messages > 0) {
            double messages = static_cast<double>(row.messages);
            if (counts.cpu_seconds >= 0) row.cpu_us_per_msg = counts.cpu_seconds * 1e6 / messages;
            if (counts.syscalls >= 0) row.syscalls_per_msg = static_cast<double>(counts.syscalls) / messages;
            for (const auto& [name, count] : counts.by_name)
                if (count > 0) row.per_msg[name] = static_cast<double>(count) / messages;
        }
    }

    const RaceServer& server_;
    std::filesystem::path binary_;
    const RaceSetup& setup_;
};

RaceSetup decide_setup(const RaceOptions& options) {
    RaceSetup setup;
    setup.cpus = usable_cpus();
    setup.pinned = setup.cpus >= 2 && pin_this_thread(client_cpu);  // the bench threads inherit it
    setup.namespaces = network_namespaces_available();
    setup.counter = options.counter == "auto" ? "perf" : options.counter;
    if (setup.counter == "strace") setup.counter_note = "strace was asked for (--counter strace)";
    if (setup.counter == "perf") {
        setup.tracefs_note = mount_tracefs_if_missing();
        std::string why_not = perf_unavailable_reason();
        if (!why_not.empty()) {
            if (options.counter == "perf") throw UsageError("--counter perf: " + why_not);
            setup.counter = "strace";
            setup.counter_note = why_not;
        }
    }
    return setup;
}

RaceRun race_row(const RaceServer& server, const char* experiment, int connections, int idle, std::size_t size) {
    RaceRun row;
    row.server = server.name;
    row.model = server.model;
    row.experiment = experiment;
    row.connections = connections;
    row.idle = idle;
    row.size = size;
    return row;
}

// The [[server]] called @p name (load_race_config made sure the names it refers to exist).
const RaceServer* find_server(const RaceConfig& config, const std::string& name) {
    auto found = std::ranges::find_if(config.servers, [&](const RaceServer& s) { return s.name == name; });
    return found == config.servers.end() ? nullptr : &*found;
}

bool wanted(const RaceOptions& options, const std::string& name) {
    if (options.only.empty()) return true;
    return std::ranges::any_of(options.only, [&](const std::string& only) { return name.starts_with(only); });
}

}  // namespace

RaceResults run_race(const RaceConfig& config, const RaceOptions& options) {
    RaceResults results;
    results.setup = decide_setup(options);
    std::vector<RaceServer> servers;
    for (const auto& server : config.servers)
        if (wanted(options, server.name)) servers.push_back(server);
    if (!options.student_lab.empty()) {
        const RaceServer* model = find_server(config, options.student_lab);
        if (!model)
            throw UsageError("--student " + options.student_lab + ": no such lab in race.toml");
        RaceServer student = *model;
        student.name = "yours: " + student.name;  // a failure here reads "make grade LAB=NN" for details
        student.binary = "labs/" + options.student_lab + "/server";
        servers.push_back(student);
    }
    if (servers.empty()) throw UsageError("no server in race.toml matches --only");

    std::optional<std::string> io_uring_problem = probe_io_uring();
    double seconds = options.seconds > 0 ? options.seconds : config.seconds;
    double idle_seconds = options.seconds > 0 ? options.seconds : config.idle_seconds;

    auto record = [&](const RaceRun& run) {
        results.runs.push_back(run);
        if (options.on_run) options.on_run(run);
    };
    // Returns an empty string when the server can run here, else the reason it cannot.
    auto cannot_run = [&](const RaceServer& server, const std::filesystem::path& binary) -> std::string {
        if (::access(binary.c_str(), X_OK) != 0) return "not built (" + binary.string() + "): run make";
        if (server.requires_feature == "io_uring" && io_uring_problem) return *io_uring_problem;
        return {};
    };

    for (const auto& server : servers) {
        std::filesystem::path binary = options.build_dir / server.binary;
        std::string problem = cannot_run(server, binary);
        for (std::size_t size : config.sizes) {
            for (int connections : config.connections) {
                if (connections > server.max_connections) continue;  // the model cannot serve it
                RaceRun row = race_row(server, "load", connections, 0, size);
                if (!problem.empty()) {
                    row.status = "skipped";
                    row.reason = problem;
                    record(row);
                    break;
                }
                record(SingleRun(server, binary, results.setup).run(row, seconds));
            }
            if (!problem.empty()) break;
        }
    }

    // The O(n) experiment, interleaved: every K and every server, round after round.
    if (options.idle_experiment) {
        std::set<std::string> skipped;
        for (int round = 1; round <= config.idle_rounds; ++round) {
            for (int idle : config.idle_counts) {
                for (const auto& name : config.idle_servers) {
                    if (!wanted(options, name) || skipped.contains(name)) continue;
                    const RaceServer& server = *find_server(config, name);
                    if (idle + 1 > server.max_connections) continue;
                    std::filesystem::path binary = options.build_dir / server.binary;
                    RaceRun row = race_row(server, "idle", 1, idle, 64);
                    row.round = round;
                    if (std::string problem = cannot_run(server, binary); !problem.empty()) {
                        row.status = "skipped";
                        row.reason = problem;
                        record(row);
                        skipped.insert(name);
                        continue;
                    }
                    record(SingleRun(server, binary, results.setup).run(row, idle_seconds));
                }
            }
        }
    }
    // Interleaved rounds: the servers take turns, round after round.
    for (int round = 1; round <= config.rounds; ++round) {
        for (int connections : config.round_connections) {
            for (const auto& name : config.round_servers) {
                if (!wanted(options, name)) continue;
                const RaceServer& server = *find_server(config, name);
                std::filesystem::path binary = options.build_dir / server.binary;
                if (connections > server.max_connections || !cannot_run(server, binary).empty()) continue;
                RaceRun row = race_row(server, "round", connections, 0, config.round_size);
                row.round = round;
                record(SingleRun(server, binary, results.setup).run(row, options.seconds > 0 ? options.seconds : config.round_seconds));
            }
        }
    }
    return results;
}

}  // namespace c10k::grader
