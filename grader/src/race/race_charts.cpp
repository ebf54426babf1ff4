#include "race/race_charts.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "2-runner/program_path.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "race/race_report.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

// A table of numbers: one row per category (a server, or an idle count), one column per
// series; NaN where nothing was measured (gnuplot skips "-").
struct Table {
    std::string row_title;
    std::vector<std::string> columns;
    std::vector<std::string> rows;
    std::map<std::pair<std::string, std::string>, double> values;
};

// Built piece by piece: GCC 12 at -O3 reports a false -Wrestrict on "\"" + text + "\"".
std::string quoted(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    out += text;
    out += '"';
    return out;
}

std::string data_block(const Table& table) {
    std::string out = "$data << EOD\n";
    out += quoted(table.row_title);
    for (const auto& column : table.columns) {
        out += ' ';
        out += quoted(column);
    }
    out += "\n";
    for (const auto& row : table.rows) {
        out += quoted(row);
        for (const auto& column : table.columns) {
            auto it = table.values.find({row, column});
            char value[32] = "-";
            if (it != table.values.end() && std::isfinite(it->second) && it->second >= 0)
                std::snprintf(value, sizeof value, "%.6g", it->second);
            out += std::string(" ") + value;
        }
        out += "\n";
    }
    return out + "EOD\n";
}

std::string preamble(const std::string& title, const std::string& ylabel, bool log_y) {
    std::string out = "set title " + quoted(title) + "\n";
    out += "set ylabel " + quoted(ylabel) + "\n";
    out += "set datafile missing \"-\"\nset grid ytics lc rgb \"#cccccc\"\nset border 3\nset tics nomirror\n";
    out += "set key outside right top vertical autotitle columnhead\n";
    if (log_y) out += "set logscale y\n";
    else out += "set yrange [0:*]\n";
    return out;
}

// The plot is drawn twice: once per format, same script.
std::string render(const std::string& stem, const std::string& plot) {
    return "set terminal svg size 1280,640 dynamic noenhanced font \"sans,19\" background rgb \"white\"\n"
           "set output " + quoted(stem + ".svg") + "\n" + plot +
           "set terminal pngcairo size 1800,900 noenhanced font \"sans,20\" background rgb \"white\"\n"
           "set output " + quoted(stem + ".png") + "\n" + plot;
}

// The key goes where the bars are low: top left for throughput (the blocking server's one
// short bar), under the plot where the first bars are the tallest.
std::string bars(const Table& table, const std::string& title, const std::string& ylabel, bool log_y,
                 bool key_top_left) {
    std::string script = data_block(table) + preamble(title, ylabel, log_y);
    script += key_top_left ? "set key inside top left\n" : "set key below horizontal\n";
    script += "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n";
    script += "set xtics scale 0\nset bmargin 4\n";
    std::string plot = "plot for [i=2:" + std::to_string(table.columns.size() + 1) + "] $data using i:xtic(1)\n";
    return script + plot;
}

// "06\nepoll": short enough for a bar group's label, in two lines.
std::string bar_label(const RaceRun& run) {
    bool numbered = run.server.size() > 2 && std::isdigit(static_cast<unsigned char>(run.server[0]));
    return (numbered ? run.server.substr(0, 2) : run.server) + "\\n" + run.model;
}

// Servers (rows) x connection counts (columns) of the 64-byte loads, for one field.
Table load_table(const std::vector<RaceRun>& runs, double RaceRun::*field, double scale = 1) {
    Table table{"server", {}, {}, {}};
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
    Table throughput = load_table(runs, &RaceRun::msgs_per_s, 1e-3);
    if (!throughput.rows.empty()) {
        charts.push_back({"throughput", render("throughput", bars(throughput, "Echoed messages per second (64 B, ping-pong)",
                                                                  "thousand messages/s (higher is better)", false, true))});
        charts.push_back({"syscalls", render("syscalls", bars(load_table(runs, &RaceRun::syscalls_per_msg),
                                                              "System calls per echoed message (64 B)",
                                                              "syscalls per message (log scale)", true, false))});
        charts.push_back({"cpu", render("cpu", bars(load_table(runs, &RaceRun::cpu_us_per_msg),
                                                    "Server CPU time per echoed message (64 B)",
                                                    "microseconds per message (lower is better)", false, false))});
    }
    // The O(n) experiment: one busy client, K idle connections beside it.
    Table idle{"idle connections", {}, {}, {}};
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
    std::vector<std::string> problems;
    auto gnuplot = find_program("gnuplot");
    if (!gnuplot) return {"charts skipped: gnuplot is not installed (make deps-race installs gnuplot-nox)"};
    SandboxLimits limits;
    limits.address_space_bytes = 0;
    for (const auto& chart : race_chart_scripts(runs)) {
        auto script = dir / (chart.stem + ".gp");
        std::ofstream(script) << "# Drawn by make race; run `gnuplot " << chart.stem << ".gp` here to redraw.\n"
                              << chart.script;
        try {
            // gnuplot writes the outputs relative to its working folder: run it via sh -c cd.
            SandboxedProcess plot({"/bin/sh", "-c", "cd \"$0\" && exec \"$1\" \"$2\"", dir.string(), *gnuplot,
                                script.filename().string()},
                               limits);
            auto status = plot.wait_exit(Deadline(Seconds(30)));
            if (!status || !status->clean())
                problems.push_back("gnuplot failed on " + script.string() + ": " + plot.stderr_tail());
        } catch (const TestFailure& failure) {
            problems.push_back(std::string("gnuplot: ") + failure.what());
        }
    }
    return problems;
}

}  // namespace c10k::grader
