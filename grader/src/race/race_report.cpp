#include "race/race_report.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <cstdio>
#include <ctime>
#include <sys/utsname.h>

#include "load/load_figures.hpp"

namespace c10k::grader {
namespace {

std::string size_text(std::size_t size) {
    return size % 1024 == 0 ? std::to_string(size / 1024) + " KiB" : std::to_string(size) + " B";
}

std::string latency_text(double us) {
    return duration_text(static_cast<std::uint64_t>(us * 1e3));
}

// The three syscalls a message costs most, e.g. "read 1.00 write 1.00 epoll_wait 0.02".
std::string top_calls(const RaceRun& run) {
    std::vector<std::pair<std::string, double>> calls(run.per_msg.begin(), run.per_msg.end());
    std::ranges::sort(calls, [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string out;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, calls.size()); ++i)
        out += (i ? " " : "") + calls[i].first + formatted(" %.2f", calls[i].second);
    return out;
}

double median(std::vector<double> values) {
    if (values.empty()) return -1;
    std::ranges::sort(values);
    std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::vector<const RaceRun*> rounds_of(const std::vector<RaceRun>& runs, const std::string& server, int connections,
                                      std::size_t size) {
    std::vector<const RaceRun*> out;
    for (const auto& run : runs)
        if (run.experiment == "round" && run.server == server && run.connections == connections && run.size == size &&
            run.status == "ok")
            out.push_back(&run);
    return out;
}

// The figure to compare: the median of the interleaved rounds where there are some,
// else the single run of the load matrix. `round` holds how many rounds it summarises.
std::optional<RaceRun> figure(const std::vector<RaceRun>& runs, const std::string& server, int connections,
                              std::size_t size) {
    auto rounds = rounds_of(runs, server, connections, size);
    if (rounds.empty()) {
        for (const auto& run : runs)
            if (run.experiment == "load" && run.server == server && run.connections == connections && run.size == size &&
                run.status == "ok")
                return run;
        return std::nullopt;
    }
    RaceRun summary = *rounds.front();
    auto field = [&](double RaceRun::*member) {
        std::vector<double> values;
        for (const RaceRun* run : rounds) values.push_back(run->*member);
        return median(values);
    };
    summary.msgs_per_s = field(&RaceRun::msgs_per_s);
    summary.cpu_us_per_msg = field(&RaceRun::cpu_us_per_msg);
    summary.syscalls_per_msg = field(&RaceRun::syscalls_per_msg);
    summary.p99_us = field(&RaceRun::p99_us);
    summary.round = static_cast<int>(rounds.size());
    return summary;
}

}  // namespace

std::string race_header(const RaceSetup& setup, double seconds) {
    std::string out = "make race: every load measured for " + formatted("%.1f", seconds) + " s after warm-up; ";
    out += setup.counter == "perf" ? "syscalls and server CPU counted by perf stat (exact, cheap)\n"
                                   : "syscalls counted by STRACE\n";
    if (!setup.tracefs_note.empty()) out += "  tracefs: " + setup.tracefs_note + "\n";
    if (setup.counter != "perf") {
        out += "  WARNING: " + setup.counter_note + ".\n"
               "  strace slows every traced call by tens of microseconds and changes io_uring's batching:\n"
               "  msgs/s, latency and CPU below are NOT benchmark figures, only the call mix is.\n";
    }
    out += setup.pinned ? "  server on CPU 1, client on CPU 0"
                        : "  not pinned (" + std::to_string(setup.cpus) + " CPU): server and client share";
    out += setup.namespaces ? "; each server in a fresh network namespace\n" : "; host loopback\n";
    return out;
}

std::string race_table_head() {
    char line[256];
    std::snprintf(line, sizeof line, "%-22s %-19s %13s %7s %10s %9s %9s %8s %9s  %s\n", "server", "model", "connections",
                  "size", "msgs/s", "p50", "p99", "CPU/msg", "calls/msg", "most frequent calls per message");
    return line;
}

std::string race_table_row(const RaceRun& run) {
    std::string connections = std::to_string(run.connections);
    if (run.idle) connections += " +" + std::to_string(run.idle) + " idle";
    char line[512];
    if (run.status != "ok" && run.messages == 0) {
        std::snprintf(line, sizeof line, "%-22s %-19s %13s %7s  %s: %s\n", run.server.c_str(), run.model.c_str(),
                      connections.c_str(), size_text(run.size).c_str(), run.status.c_str(), run.reason.c_str());
        return line;
    }
    std::snprintf(line, sizeof line, "%-22s %-19s %13s %7s %10s %9s %9s %8s %9s  %s\n", run.server.c_str(),
                  run.model.c_str(), connections.c_str(), size_text(run.size).c_str(),
                  grouped(static_cast<long long>(run.msgs_per_s)).c_str(), latency_text(run.p50_us).c_str(),
                  latency_text(run.p99_us).c_str(),
                  run.cpu_us_per_msg < 0 ? "?" : formatted("%.1f us", run.cpu_us_per_msg).c_str(),
                  run.syscalls_per_msg < 0 ? "?" : formatted("%.2f", run.syscalls_per_msg).c_str(), top_calls(run).c_str());
    std::string out = line;
    if (run.status != "ok") out += "    " + run.status + ": " + run.reason + "\n";
    return out;
}

std::vector<RaceCheck> race_checks(const std::vector<RaceRun>& runs, const std::map<std::string, double>& syscall_budgets) {
    std::vector<RaceCheck> checks;
    auto ratio_check = [&](const std::string& goal, const std::string& a, const std::string& b, int connections,
                           double at_least, bool also_cpu) {
        RaceCheck check{goal, "not measured", false, false};
        auto x = figure(runs, a, connections, 64);
        auto y = figure(runs, b, connections, 64);
        if (x && y && y->msgs_per_s > 0) {
            double ratio = x->msgs_per_s / y->msgs_per_s;
            check.measured_ok = true;
            check.met = ratio >= at_least;
            check.measured = formatted("%.2fx msgs/s", ratio);
            if (x->round) check.measured += " (medians of " + std::to_string(std::min(x->round, y->round)) + " rounds)";
            if (also_cpu && x->cpu_us_per_msg >= 0 && y->cpu_us_per_msg >= 0) {
                check.measured += formatted(", CPU %.1f", x->cpu_us_per_msg) + formatted(" vs %.1f us/msg", y->cpu_us_per_msg);
                check.met = check.met && x->cpu_us_per_msg < y->cpu_us_per_msg;
            }
        }
        checks.push_back(check);
    };
    for (int connections : {50, 500}) {
        std::string at = " at " + std::to_string(connections) + " x 64 B";
        for (const char* uring : {"07-io_uring", "08-io_uring-advanced"})
            ratio_check(std::string(uring) + " >= 1.0x 06-epoll msgs/s, less server CPU per message" + at, uring,
                        "06-epoll", connections, 1.0, true);
        ratio_check("06-epoll >= 0.9x the yardstick's msgs/s" + at, "06-epoll", "yardstick", connections, 0.9, false);
    }
    for (const auto& [server, budget] : syscall_budgets) {
        RaceCheck check{server + formatted(" <= %.2g syscalls per message at 50 x 64 B", budget),
                        "not measured", false, false};
        if (auto run = figure(runs, server, 50, 64); run && run->syscalls_per_msg >= 0) {
            check.measured_ok = true;
            check.met = run->syscalls_per_msg <= budget;
            check.measured = formatted("%.3f", run->syscalls_per_msg);
        }
        checks.push_back(check);
    }
    // The O(n) lesson: a scan of every fd costs select and poll CPU per message in
    // proportion to K; epoll's ready list does not. Medians of the idle rounds.
    auto points = idle_points(runs);
    for (const auto& low : points) {
        if (low.idle != 0) continue;
        const IdlePoint* high = nullptr;
        for (const auto& point : points)
            if (point.server == low.server && point.idle > 0 && (!high || point.idle > high->idle)) high = &point;
        bool scans = low.model == "select" || low.model == "poll";
        if (!high || !(scans || low.model == "epoll") || low.cpu_us_per_msg <= 0) continue;
        double growth = high->cpu_us_per_msg / low.cpu_us_per_msg;
        std::string k = std::to_string(high->idle);
        RaceCheck check{low.server + (scans ? ": CPU per message at K = " + k + " idle >= 3x K = 0 (O(n) scan)"
                                            : ": CPU per message at K = " + k + " idle <= 1.5x K = 0 (O(1) ready list)"),
                        formatted("%.1fx", growth) + " (medians of " + std::to_string(std::min(low.rounds, high->rounds)) +
                            " rounds)",
                        scans ? growth >= 3 : growth <= 1.5, true};
        checks.push_back(check);
    }

    RaceCheck stall{"every reference: 4 KiB p99 < 5 ms at 50 connections", "not measured", true, false};
    double worst = -1;
    std::string worst_server;
    for (const auto& run : runs) {
        if (run.experiment != "load" || run.size != 4096 || run.connections != 50 || run.status != "ok") continue;
        if (run.server.starts_with("yours")) continue;
        stall.measured_ok = true;
        if (run.p99_us > worst) {
            worst = run.p99_us;
            worst_server = run.server;
        }
    }
    if (stall.measured_ok) {
        stall.met = worst < 5000;
        stall.measured = "worst " + latency_text(worst) + " (" + worst_server + ")";
    } else {
        stall.met = false;
    }
    checks.push_back(stall);
    return checks;
}

std::string race_rounds_text(const std::vector<RaceRun>& runs) {
    std::set<std::tuple<int, std::size_t, std::string>> seen;
    std::vector<std::tuple<int, std::size_t, std::string>> order;
    for (const auto& run : runs)
        if (run.experiment == "round" && seen.insert({run.connections, run.size, run.server}).second)
            order.push_back({run.connections, run.size, run.server});
    if (order.empty()) return {};
    std::string out = "interleaved rounds (the servers take turns; median, and the range over the rounds):\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-22s %13s %7s %10s %21s %12s %10s\n", "server", "connections", "size", "msgs/s",
                  "range", "CPU/msg", "calls/msg");
    out += line;
    for (const auto& [connections, size, server] : order) {
        auto rounds = rounds_of(runs, server, connections, size);
        if (rounds.empty()) continue;
        auto summary = *figure(runs, server, connections, size);
        double low = rounds.front()->msgs_per_s, high = low;
        for (const RaceRun* run : rounds) {
            low = std::min(low, run->msgs_per_s);
            high = std::max(high, run->msgs_per_s);
        }
        std::string range = grouped(static_cast<long long>(low)) + "-" + grouped(static_cast<long long>(high));
        std::snprintf(line, sizeof line, "  %-22s %13d %7s %10s %21s %9.1f us %10.2f\n", server.c_str(), connections,
                      size_text(size).c_str(), grouped(static_cast<long long>(summary.msgs_per_s)).c_str(), range.c_str(),
                      summary.cpu_us_per_msg, summary.syscalls_per_msg);
        out += line;
    }
    return out;
}

std::vector<IdlePoint> idle_points(const std::vector<RaceRun>& runs) {
    std::vector<IdlePoint> points;
    std::map<std::pair<int, std::string>, std::vector<const RaceRun*>> rounds;
    std::vector<std::string> servers;
    for (const auto& run : runs) {
        if (run.experiment != "idle" || run.status != "ok") continue;
        rounds[{run.idle, run.server}].push_back(&run);
        if (std::ranges::find(servers, run.server) == servers.end()) servers.push_back(run.server);
    }
    for (const auto& [key, of_point] : rounds) {
        IdlePoint point{key.second, of_point.front()->model, key.first, static_cast<int>(of_point.size())};
        std::vector<double> cpu, calls;
        for (const RaceRun* run : of_point) {
            if (run->cpu_us_per_msg >= 0) cpu.push_back(run->cpu_us_per_msg);
            if (run->syscalls_per_msg >= 0) calls.push_back(run->syscalls_per_msg);
        }
        point.cpu_us_per_msg = median(cpu);
        if (!cpu.empty()) {
            point.cpu_low = *std::ranges::min_element(cpu);
            point.cpu_high = *std::ranges::max_element(cpu);
        }
        point.syscalls_per_msg = median(calls);
        points.push_back(point);
    }
    std::ranges::stable_sort(points, [&](const IdlePoint& a, const IdlePoint& b) {
        auto rank = [&](const std::string& name) { return std::ranges::find(servers, name) - servers.begin(); };
        return std::pair(a.idle, rank(a.server)) < std::pair(b.idle, rank(b.server));
    });
    return points;
}

std::string race_idle_text(const std::vector<RaceRun>& runs) {
    auto points = idle_points(runs);
    if (points.empty()) return {};
    std::string out = "one busy client beside K idle connections (server CPU per message: median and range over "
                      "the rounds, interleaved):\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-22s %-12s %6s %7s %12s %21s %10s\n", "server", "model", "K", "rounds",
                  "CPU/msg", "range", "calls/msg");
    out += line;
    for (const auto& point : points) {
        std::string range = formatted("%.1f", point.cpu_low) + "-" + formatted("%.1f us", point.cpu_high);
        std::snprintf(line, sizeof line, "  %-22s %-12s %6d %7d %9.1f us %21s %10.2f\n", point.server.c_str(),
                      point.model.c_str(), point.idle, point.rounds, point.cpu_us_per_msg, range.c_str(),
                      point.syscalls_per_msg);
        out += line;
    }
    return out;
}

std::string race_checks_text(const std::vector<RaceCheck>& checks) {
    std::string out = "figures to reach (benchmarks, this run only):\n";
    int unmeasured = 0;
    for (const auto& check : checks) {
        if (!check.measured_ok) {
            ++unmeasured;
            continue;
        }
        out += std::string("  ") + (check.met ? "✓" : "✗") + " " + check.goal + ": " + check.measured + "\n";
    }
    if (unmeasured)
        out += "  (" + std::to_string(unmeasured) + " more need runs this one did not make or that failed)\n";
    return out;
}

nlohmann::json race_json(const RaceResults& results, const std::vector<RaceCheck>& checks) {
    utsname machine{};
    ::uname(&machine);
    std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    nlohmann::json out;
    out["date"] = date;
    out["machine"] = {{"kernel", std::string(machine.release)}, {"arch", std::string(machine.machine)},
                      {"cpus", results.setup.cpus}};
    out["setup"] = {{"counter", results.setup.counter}, {"counter_note", results.setup.counter_note},
                    {"tracefs_note", results.setup.tracefs_note},
                    {"pinned", results.setup.pinned}, {"network_namespaces", results.setup.namespaces}};
    out["runs"] = nlohmann::json::array();
    for (const auto& run : results.runs) {
        nlohmann::json row = {
            {"server", run.server}, {"model", run.model}, {"experiment", run.experiment}, {"round", run.round},
            {"connections", run.connections}, {"idle", run.idle}, {"size", run.size}, {"status", run.status},
            {"messages", run.messages}, {"seconds", run.seconds}, {"msgs_per_s", run.msgs_per_s},
            {"latency_us", {{"p50", run.p50_us}, {"p99", run.p99_us}, {"p999", run.p999_us}, {"max", run.max_us}}},
            {"server_cpu_us_per_msg", run.cpu_us_per_msg < 0 ? nlohmann::json() : nlohmann::json(run.cpu_us_per_msg)},
            {"syscalls_per_msg", run.syscalls_per_msg < 0 ? nlohmann::json() : nlohmann::json(run.syscalls_per_msg)},
            {"syscalls_per_msg_by_name", run.per_msg}};
        if (!run.reason.empty()) row["reason"] = run.reason;
        out["runs"].push_back(row);
    }
    out["checks"] = nlohmann::json::array();
    for (const auto& check : checks)
        out["checks"].push_back({{"goal", check.goal}, {"measured", check.measured},
                                 {"met", check.measured_ok ? nlohmann::json(check.met) : nlohmann::json()}});
    return out;
}

RaceResults race_results_from_json(const nlohmann::json& json) {
    RaceResults results;
    const auto& setup = json.at("setup");
    results.setup.counter = setup.at("counter");
    results.setup.counter_note = setup.value("counter_note", "");
    results.setup.tracefs_note = setup.value("tracefs_note", "");
    results.setup.pinned = setup.value("pinned", false);
    results.setup.namespaces = setup.value("network_namespaces", false);
    results.setup.cpus = json.at("machine").value("cpus", 1);
    auto number = [](const nlohmann::json& value) { return value.is_null() ? -1.0 : value.get<double>(); };
    for (const auto& row : json.at("runs")) {
        RaceRun run;
        run.server = row.at("server");
        run.model = row.at("model");
        run.experiment = row.at("experiment");
        run.round = row.value("round", 0);
        run.connections = row.at("connections");
        run.idle = row.at("idle");
        run.size = row.at("size");
        run.status = row.at("status");
        run.reason = row.value("reason", "");
        run.messages = row.at("messages");
        run.seconds = row.at("seconds");
        run.msgs_per_s = row.at("msgs_per_s");
        const auto& latency = row.at("latency_us");
        run.p50_us = latency.at("p50");
        run.p99_us = latency.at("p99");
        run.p999_us = latency.at("p999");
        run.max_us = latency.at("max");
        run.cpu_us_per_msg = number(row.at("server_cpu_us_per_msg"));
        run.syscalls_per_msg = number(row.at("syscalls_per_msg"));
        run.per_msg = row.at("syscalls_per_msg_by_name").get<std::map<std::string, double>>();
        results.runs.push_back(run);
    }
    return results;
}

}  // namespace c10k::grader
