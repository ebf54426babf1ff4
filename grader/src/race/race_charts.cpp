#include "race/race_charts.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "race/race_report.hpp"

namespace c10k::grader {
namespace {

// "06\nepoll": short enough for a bar group's label, in two lines.
std::string bar_label(const RaceRun& run) {
    bool numbered = run.server.size() > 2 && std::isdigit(static_cast<unsigned char>(run.server[0]));
    return (numbered ? run.server.substr(0, 2) : run.server) + "\\n" + run.model;
}

// Servers (rows) x connection counts (columns) of the 64-byte loads, for one field.
BarTable load_table(const std::vector<RaceRun>& runs, double RaceRun::*field, double scale = 1) {
    BarTable table{"server", {}, {}, {}};
    std::set<int> connections;
    for (const auto& run : runs) {
        if (run.experiment != "load" || run.size != 64 || run.status != "ok") continue;
        connections.insert(run.connections);
        std::string label = bar_label(run);
        if (std::ranges::find(table.rows, label) == table.rows.end()) table.rows.push_back(label);
        std::string column = std::to_string(run.connections) + (run.connections == 1 ? " connection" : " connections");
        table.values[{label, column}] = run.*field < 0 ? -1 : run.*field * scale;
    }
    for (int c : connections) table.columns.push_back(std::to_string(c) + (c == 1 ? " connection" : " connections"));
    return table;
}

}  // namespace

std::vector<ChartScript> race_chart_scripts(const std::vector<RaceRun>& runs) {
    std::vector<ChartScript> charts;
    BarTable throughput = load_table(runs, &RaceRun::msgs_per_s, 1e-3);
    if (!throughput.rows.empty()) {
        charts.push_back({"throughput", render("throughput", bars(throughput, "Echoed messages per second (64 B, ping-pong)",
                                                                  "thousand messages/s (higher is better)", false, KeyPlace::top_left))});
        charts.push_back({"syscalls", render("syscalls", bars(load_table(runs, &RaceRun::syscalls_per_msg),
                                                              "System calls per echoed message (64 B)",
                                                              "syscalls per message (log scale)", true, KeyPlace::below))});
        charts.push_back({"cpu", render("cpu", bars(load_table(runs, &RaceRun::cpu_us_per_msg),
                                                    "Server CPU time per echoed message (64 B)",
                                                    "microseconds per message (lower is better)", false, KeyPlace::below))});
    }
    // The O(n) experiment: one busy client, K idle connections beside it.
    BarTable idle{"idle connections", {}, {}, {}};
    for (const auto& point : idle_points(runs)) {  // medians of the rounds
        std::string k = std::to_string(point.idle);
        if (std::ranges::find(idle.rows, k) == idle.rows.end()) idle.rows.push_back(k);
        if (std::ranges::find(idle.columns, point.model) == idle.columns.end()) idle.columns.push_back(point.model);
        idle.values[{k, point.model}] = point.cpu_us_per_msg;
    }
    std::ranges::sort(idle.rows, [](const std::string& a, const std::string& b) { return std::stoi(a) < std::stoi(b); });
    if (!idle.rows.empty()) {
        std::string script = data_block(idle) +
                             preamble("One busy client beside K idle connections: server CPU per message",
                                      "microseconds per message (log scale)", true) +
                             "set key inside top left\nset offsets 0.25, 0.25, 0, 0\nset xlabel \"idle connections (K)\"\n";
        std::string plot = "plot for [i=2:" + std::to_string(idle.columns.size() + 1) +
                           "] $data using 0:i:xtic(1) with linespoints lw 3 pt 7 ps 1.5\n";
        charts.push_back({"idle", render("idle", script + plot)});
    }
    return charts;
}

std::vector<std::string> draw_race_charts(const std::vector<RaceRun>& runs, const std::filesystem::path& dir) {
    return draw_charts(race_chart_scripts(runs), dir, "make race");
}

}  // namespace c10k::grader
