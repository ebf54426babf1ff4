#include "race_proxy/proxy_race_charts.hpp"

#include <algorithm>

namespace c10k::grader {
namespace {

// "500 x 1 KiB\n2 workers": a group's label in two lines, so neighbours do not overlap.
std::string bar_label(const ProxyLoad& load) {
    std::string label = load.label();  // "500 x 1 KiB close, 2 workers"
    if (auto at = label.find(", "); at != std::string::npos) label.replace(at, 2, "\\n");
    if (auto at = label.find(" close"); at != std::string::npos) label.replace(at, 1, "\\n");
    return label;
}

// Loads (rows) x contestants (columns), one client's medians of one field.
BarTable figure_table(const std::vector<ProxyRaceFigure>& figures, const std::string& client,
                      double ProxyRaceFigure::*field, double scale) {
    BarTable table{"load", {}, {}, {}};
    for (const auto& figure : figures) {
        if (figure.client != client || figure.rounds == 0) continue;
        std::string row = bar_label(figure.load);
        if (std::ranges::find(table.rows, row) == table.rows.end()) table.rows.push_back(row);
        if (std::ranges::find(table.columns, figure.contestant) == table.columns.end())
            table.columns.push_back(figure.contestant);
        double value = figure.*field;
        table.values[{row, figure.contestant}] = value < 0 ? -1 : value * scale;
    }
    return table;
}

}  // namespace

std::vector<ChartScript> proxy_race_chart_scripts(const std::vector<ProxyRaceFigure>& figures) {
    std::vector<ChartScript> charts;
    // wrk's figures where wrk ran (the ones users know); else the project's load.
    std::string client = std::ranges::any_of(figures, [](const auto& f) { return f.client == "wrk" && f.rounds; })
                             ? "wrk" : "c10k-load";
    BarTable rate = figure_table(figures, client, &ProxyRaceFigure::requests_per_s, 1e-3);
    if (!rate.rows.empty()) {
        charts.push_back({"proxy-throughput",
                          render("proxy-throughput", bars(rate, "Requests per second through each proxy (" + client +
                                                                    ", medians of the rounds)",
                                                          "thousand requests/s (higher is better)", false, KeyPlace::right))});
        charts.push_back({"proxy-cpu", render("proxy-cpu", bars(figure_table(figures, client,
                                                                             &ProxyRaceFigure::cpu_us_per_request, 1),
                                                                "Proxy CPU time per request (" + client + ")",
                                                                "microseconds per request (lower is better)", false,
                                                                KeyPlace::right))});
    }
    BarTable calls = figure_table(figures, "c10k-load", &ProxyRaceFigure::syscalls_per_request, 1);
    std::erase_if(calls.columns, [](const std::string& c) { return c == "origin-direct"; });
    if (!calls.values.empty() && std::ranges::any_of(calls.values, [](const auto& v) { return v.second > 0; }))
        charts.push_back({"proxy-syscalls", render("proxy-syscalls", bars(calls, "System calls per request in the proxy (perf)",
                                                                          "syscalls per request (lower is better)",
                                                                          false, KeyPlace::right))});
    return charts;
}

std::vector<std::string> draw_proxy_race_charts(const std::vector<ProxyRaceFigure>& figures,
                                                const std::filesystem::path& dir) {
    return draw_charts(proxy_race_chart_scripts(figures), dir, "make race-proxy");
}

}  // namespace c10k::grader
