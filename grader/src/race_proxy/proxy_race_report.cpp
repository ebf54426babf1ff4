#include "race_proxy/proxy_race_report.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sys/utsname.h>

#include "load/load_figures.hpp"

namespace c10k::grader {
namespace {

double median(std::vector<double> values) {
    std::erase_if(values, [](double v) { return v < 0; });  // -1: not measured
    if (values.empty()) return -1;
    std::ranges::sort(values);
    std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

bool same_load(const ProxyLoad& a, const ProxyLoad& b) {
    return a.connections == b.connections && a.size == b.size && a.close == b.close && a.workers == b.workers;
}

std::string rate_text(double per_s) {
    if (per_s < 0) return "-";
    return per_s >= 1e4 ? formatted("%.1fk", per_s / 1e3) : formatted("%.0f", per_s);
}

std::string us_text(double us) {
    if (us < 0) return "-";
    return us >= 1e3 ? formatted("%.2f ms", us / 1e3) : formatted("%.0f us", us);
}

// The three calls a request costs most, e.g. "epoll_wait 1.02 writev 1.00 recvfrom 0.98".
std::string top_calls(const std::map<std::string, double>& calls) {
    std::vector<std::pair<std::string, double>> sorted(calls.begin(), calls.end());
    std::ranges::sort(sorted, [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string out;
    for (std::size_t i = 0; i < std::min<std::size_t>(4, sorted.size()); ++i)
        out += (i ? " " : "") + sorted[i].first + formatted(" %.2f", sorted[i].second);
    return out;
}

const ProxyRaceFigure* find_figure(const std::vector<ProxyRaceFigure>& figures, const std::string& contestant,
                                   const ProxyLoad& load, const std::string& client) {
    for (const auto& figure : figures)
        if (figure.contestant == contestant && same_load(figure.load, load) && figure.client == client) return &figure;
    return nullptr;
}

bool measured(const ProxyRaceFigure* figure) { return figure && figure->rounds > 0; }

}  // namespace

std::vector<ProxyRaceFigure> proxy_race_figures(const std::vector<ProxyRaceRun>& runs) {
    std::vector<ProxyRaceFigure> figures;
    for (const auto& run : runs) {
        auto known = std::ranges::find_if(figures, [&](const ProxyRaceFigure& f) {
            return f.contestant == run.contestant && f.client == run.client && same_load(f.load, run.load);
        });
        if (known != figures.end()) continue;
        ProxyRaceFigure figure;
        figure.contestant = run.contestant;
        figure.load = run.load;
        figure.client = run.client;
        std::vector<double> rate, p50, p99, cpu, syscalls;
        std::map<std::string, std::vector<double>> calls;
        for (const auto& other : runs) {
            if (other.contestant != run.contestant || other.client != run.client || !same_load(other.load, run.load))
                continue;
            if (other.status != "ok") {
                if (figure.failure.empty()) figure.failure = other.status + ": " + other.reason;
                continue;
            }
            ++figure.rounds;
            rate.push_back(other.requests_per_s);
            p50.push_back(other.p50_us);
            p99.push_back(other.p99_us);
            cpu.push_back(other.cpu_us_per_request);
            syscalls.push_back(other.syscalls_per_request);
            for (const auto& [name, value] : other.calls) calls[name].push_back(value);
        }
        if (!rate.empty()) {
            figure.requests_per_s = median(rate);
            figure.low = *std::ranges::min_element(rate);
            figure.high = *std::ranges::max_element(rate);
        }
        figure.p50_us = median(p50);
        figure.p99_us = median(p99);
        figure.cpu_us_per_request = median(cpu);
        figure.syscalls_per_request = median(syscalls);
        for (auto& [name, values] : calls) figure.calls[name] = median(values);
        figures.push_back(figure);
    }
    return figures;
}

std::string proxy_race_header(const ProxyRaceSetup& setup, int rounds, int wrk_seconds, double load_seconds) {
    utsname machine{};
    ::uname(&machine);
    std::string out = "make race-proxy: " + std::to_string(rounds) + " interleaved rounds; wrk " +
                      std::to_string(wrk_seconds) + " s and c10k-load " + formatted("%.1f", load_seconds) +
                      " s per run; kernel " + machine.release + ", " + std::to_string(setup.cpus) +
                      " CPUs shared by the client, the proxy and the origin (nobody pinned)\n";
    out += "  network: " + std::string(setup.namespaces ? "one fresh network namespace for the race (its own loopback)"
                                                        : "the host's loopback") + "\n";
    out += "  peers:";
    for (const auto& [name, version] : setup.versions) out += " " + name + " " + version;
    if (setup.versions.empty()) out += " none installed";
    out += " (configurations: grader/bench/proxy/)\n";
    out += "  proxy CPU per request: /proc utime+stime of its processes over the client's run\n";
    out += "  syscalls per request: " +
           (setup.counter == "perf" ? std::string("perf stat inside c10k-load's window")
                                    : "not counted (" + setup.counter_note + ")") + "\n";
    if (!setup.tracefs_note.empty()) out += "  tracefs: " + setup.tracefs_note + "\n";
    return out;
}

std::string proxy_race_table(const std::vector<ProxyRaceFigure>& figures) {
    std::string out;
    std::vector<ProxyLoad> loads;
    for (const auto& figure : figures)
        if (std::ranges::none_of(loads, [&](const ProxyLoad& l) { return same_load(l, figure.load); }))
            loads.push_back(figure.load);
    char line[512];
    for (const auto& load : loads) {
        out += "\n" + load.label() + " (median req/s [range over the rounds]):\n";
        std::snprintf(line, sizeof line, "  %-18s %-9s %8s %-17s %9s %9s %8s %8s  %s\n", "contestant", "client", "req/s",
                      "[range]", "p50", "p99", "CPU/req", "calls/req", "top calls per request");
        out += line;
        for (const auto& figure : figures) {
            if (!same_load(figure.load, load)) continue;
            if (figure.rounds == 0) {
                std::snprintf(line, sizeof line, "  %-18s %-9s %s\n", figure.contestant.c_str(), figure.client.c_str(),
                              figure.failure.c_str());
                out += line;
                continue;
            }
            std::string range = "[" + rate_text(figure.low) + "-" + rate_text(figure.high) + "]";
            std::string cpu = figure.cpu_us_per_request < 0 ? "-" : formatted("%.1f us", figure.cpu_us_per_request);
            std::string calls = figure.syscalls_per_request < 0 ? "-" : formatted("%.2f", figure.syscalls_per_request);
            std::snprintf(line, sizeof line, "  %-18s %-9s %8s %-17s %9s %9s %8s %8s  %s\n", figure.contestant.c_str(),
                          figure.client.c_str(), rate_text(figure.requests_per_s).c_str(), range.c_str(),
                          us_text(figure.p50_us).c_str(), us_text(figure.p99_us).c_str(), cpu.c_str(), calls.c_str(),
                          top_calls(figure.calls).c_str());
            out += line;
            if (!figure.failure.empty()) out += "    (a round " + figure.failure + ")\n";
        }
    }
    return out;
}

std::vector<ProxyRaceCheck> proxy_race_checks(const std::vector<ProxyRaceFigure>& figures) {
    std::vector<ProxyRaceCheck> checks;
    struct Goal {
        std::string ours, peer;
        double ratio;  // 1.0: at least the peer's req/s, and no more CPU per request
    };
    // The reference's goals; the student's TinyGate (make race-proxy LAB=09) aims at the same.
    std::vector<Goal> goals;
    for (const char* who : {"tinygate-", "yours-"})
        for (Goal goal : {Goal{"io_uring", "nginx", 1.0}, Goal{"io_uring", "haproxy", 1.0}, Goal{"epoll", "nginx", 0.9}})
            goals.push_back({who + goal.ours, goal.peer, goal.ratio});
    std::vector<ProxyLoad> loads;  // every load of the plan, in the order it ran
    for (const auto& figure : figures)
        if (std::ranges::none_of(loads, [&](const ProxyLoad& l) { return same_load(l, figure.load); }))
            loads.push_back(figure.load);
    for (const auto& load : loads) {
        for (const auto& goal : goals) {
            const ProxyRaceFigure* ours = find_figure(figures, goal.ours, load, "wrk");
            const ProxyRaceFigure* peer = find_figure(figures, goal.peer, load, "wrk");
            if (!ours || !peer) continue;  // one of them is not in this plan (a run that failed is)
            ProxyRaceCheck check;
            check.goal = goal.ours + " >= " + formatted("%.1f", goal.ratio) + "x " + goal.peer + " req/s at " +
                         load.label() + " (wrk)";
            // Every goal of the plan is listed, measured or not: the same lines whether or not
            // make deps-race has run, each saying what it could not measure.
            const bool both_ran = measured(ours) && measured(peer);
            if (!both_ran) {
                check.measured = "not measured (a run it needs is missing or failed)";
            } else {
                check.measured_ok = true;
                double ratio = ours->requests_per_s / peer->requests_per_s;
                check.met = ratio >= goal.ratio;
                check.measured = formatted("%.2fx", ratio) + " (" + rate_text(ours->requests_per_s) + " vs " +
                                 rate_text(peer->requests_per_s) + " req/s";
                const ProxyRaceFigure* own_ours = find_figure(figures, goal.ours, load, "c10k-load");
                const ProxyRaceFigure* own_peer = find_figure(figures, goal.peer, load, "c10k-load");
                if (measured(own_ours) && measured(own_peer))
                    check.measured +=
                        formatted("; c10k-load: %.2fx", own_ours->requests_per_s / own_peer->requests_per_s);
                check.measured += ")";
            }
            checks.push_back(check);
            if (goal.ratio < 1.0) continue;
            ProxyRaceCheck cpu;
            cpu.goal = goal.ours + " CPU per request <= " + goal.peer + "'s at " + load.label() + " (wrk)";
            if (!both_ran) {
                cpu.measured = "not measured (a run it needs is missing or failed)";
            } else if (ours->cpu_us_per_request < 0 || peer->cpu_us_per_request < 0) {
                cpu.measured = "not measured";
            } else {
                cpu.measured_ok = true;
                cpu.met = ours->cpu_us_per_request <= peer->cpu_us_per_request;
                cpu.measured = formatted("%.1f", ours->cpu_us_per_request) + " vs " +
                               formatted("%.1f us", peer->cpu_us_per_request);
            }
            checks.push_back(cpu);
        }
    }
    return checks;
}

std::string proxy_race_checks_text(const std::vector<ProxyRaceCheck>& checks) {
    std::string out = "figures to reach (medians of the rounds):\n";
    for (const auto& check : checks)
        out += std::string("  ") + (!check.measured_ok ? "[ -- ]" : check.met ? "[ ok ]" : "[MISS]") + " " + check.goal +
               ": " + check.measured + "\n";
    return out;
}

nlohmann::json proxy_race_json(const ProxyRaceResults& results, const std::vector<ProxyRaceFigure>& figures,
                               const std::vector<ProxyRaceCheck>& checks) {
    using nlohmann::json;
    auto number = [](double value) { return value < 0 ? json(nullptr) : json(value); };
    auto load_json = [](const ProxyLoad& load) {
        return json{{"connections", load.connections}, {"size", load.size}, {"close", load.close},
                    {"workers", load.workers}, {"label", load.label()}};
    };
    json out;
    const auto& setup = results.setup;
    out["setup"] = {{"cpus", setup.cpus}, {"namespaces", setup.namespaces}, {"counter", setup.counter},
                    {"counter_note", setup.counter_note}, {"tracefs_note", setup.tracefs_note},
                    {"versions", setup.versions}, {"time", std::time(nullptr)}};
    out["runs"] = json::array();
    for (const auto& run : results.runs)
        out["runs"].push_back({{"contestant", run.contestant}, {"load", load_json(run.load)}, {"client", run.client},
                               {"round", run.round}, {"status", run.status}, {"reason", run.reason},
                               {"requests", run.requests}, {"seconds", run.seconds},
                               {"requests_per_s", run.requests_per_s}, {"p50_us", number(run.p50_us)},
                               {"p99_us", number(run.p99_us)}, {"cpu_us_per_request", number(run.cpu_us_per_request)},
                               {"syscalls_per_request", number(run.syscalls_per_request)},
                               {"syscalls_per_request_by_name", run.calls}});
    out["medians"] = json::array();
    for (const auto& figure : figures)
        out["medians"].push_back({{"contestant", figure.contestant}, {"load", load_json(figure.load)},
                                  {"client", figure.client}, {"rounds", figure.rounds},
                                  {"requests_per_s", number(figure.requests_per_s)}, {"low", number(figure.low)},
                                  {"high", number(figure.high)}, {"p50_us", number(figure.p50_us)},
                                  {"p99_us", number(figure.p99_us)},
                                  {"cpu_us_per_request", number(figure.cpu_us_per_request)},
                                  {"syscalls_per_request", number(figure.syscalls_per_request)},
                                  {"syscalls_per_request_by_name", figure.calls}, {"failure", figure.failure}});
    out["checks"] = json::array();
    for (const auto& check : checks)
        out["checks"].push_back({{"goal", check.goal}, {"measured", check.measured}, {"met", check.met},
                                 {"measured_ok", check.measured_ok}});
    return out;
}

}  // namespace c10k::grader
