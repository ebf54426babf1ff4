#pragma once
/// @file bar_chart.hpp
/// @brief gnuplot scripts for the races' charts (make race, make race-proxy): a table of
/// numbers as clustered bars, drawn to SVG (slides, web pages) and PNG, with the script
/// kept beside them so anyone can restyle a chart.

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace c10k::grader {

/// A table of numbers: one row per category (a server, or an idle count), one column per
/// series; a negative or missing value is drawn as nothing (gnuplot skips "-").
struct BarTable {
    std::string row_title;
    std::vector<std::string> columns;
    std::vector<std::string> rows;
    std::map<std::pair<std::string, std::string>, double> values;
};

/// One chart: its file stem ("throughput") and its whole gnuplot script. Pure text: tested.
struct ChartScript {
    std::string stem;
    std::string script;
};

/// @p text in double quotes.
std::string quoted(const std::string& text);
/// The table as gnuplot's inline data block `$data`.
std::string data_block(const BarTable& table);
/// Title, axis label, grid and key; a log scale or a y range from 0.
std::string preamble(const std::string& title, const std::string& ylabel, bool log_y);
/// The script that draws @p plot twice: STEM.svg and STEM.png.
std::string render(const std::string& stem, const std::string& plot);
/// Where a chart's key goes: where the bars are low (top left), under the plot (where the
/// first bars are the tallest), or beside it (labels in two lines leave no room under it).
enum class KeyPlace { top_left, below, right };
/// The table as clustered bars.
std::string bars(const BarTable& table, const std::string& title, const std::string& ylabel, bool log_y,
                 KeyPlace key);

/// Writes each script into @p dir (STEM.gp, headed "Drawn by @p drawn_by") and runs gnuplot
/// on it. Returns one line per problem (gnuplot missing, a script it rejected); empty when
/// every chart was drawn.
std::vector<std::string> draw_charts(const std::vector<ChartScript>& charts, const std::filesystem::path& dir,
                                     const std::string& drawn_by);

}  // namespace c10k::grader
