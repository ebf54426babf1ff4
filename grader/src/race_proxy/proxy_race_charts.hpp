#pragma once
/// @file proxy_race_charts.hpp
/// @brief make race-proxy's pictures: req/s, proxy CPU per request and syscalls per
/// request, one group of bars per load, one bar per contestant (medians of the rounds).

#include <filesystem>
#include <string>
#include <vector>

#include "race/bar_chart.hpp"
#include "race_proxy/proxy_race_report.hpp"

namespace c10k::grader {

/// The scripts of proxy-throughput, proxy-cpu and proxy-syscalls. Pure text: tested.
std::vector<ChartScript> proxy_race_chart_scripts(const std::vector<ProxyRaceFigure>& figures);

/// Draws them into @p dir; one line per problem, empty when every chart was drawn.
std::vector<std::string> draw_proxy_race_charts(const std::vector<ProxyRaceFigure>& figures,
                                                const std::filesystem::path& dir);

}  // namespace c10k::grader
