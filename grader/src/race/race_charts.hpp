#pragma once
/// @file race_charts.hpp
/// @brief make race's pictures: gnuplot scripts (kept beside the charts, so anyone can
/// restyle them) rendered to SVG for slides and web pages and PNG for everything else.

#include <filesystem>
#include <string>
#include <vector>

#include "race/bar_chart.hpp"
#include "race/race_runner.hpp"

namespace c10k::grader {

/// The gnuplot script of each chart, by file stem ("throughput", ...). Pure text: tested.
std::vector<ChartScript> race_chart_scripts(const std::vector<RaceRun>& runs);

/// Writes the scripts into @p dir and runs gnuplot on each. Returns one line per problem
/// (gnuplot missing, a script it rejected); empty when every chart was drawn.
std::vector<std::string> draw_race_charts(const std::vector<RaceRun>& runs, const std::filesystem::path& dir);

}  // namespace c10k::grader
