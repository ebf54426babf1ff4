#pragma once
/// @file demo_report.hpp
/// @brief What every demonstration prints and keeps: its tables on the terminal, the same
/// tables and its raw figures in DIR/NAME.json (the decks read them), and charts drawn by
/// gnuplot beside them. One Demo per program; main() ends with `return demo.finish();`.

#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "race/bar_chart.hpp"

namespace c10k::demo {

/// A table as printed and as a deck shows it: every cell already formatted.
struct Table {
    std::string title;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
};

class Demo {
public:
    /// Parses the common options: --small (the tests' short version), --out DIR (where
    /// NAME.json and the charts go; default build/demos). Exits 2 on bad arguments.
    Demo(std::string name, std::string claim, int argc, char** argv);
    /// Removes the scratch folder, whichever way the demo ended.
    ~Demo();
    Demo(const Demo&) = delete;
    Demo& operator=(const Demo&) = delete;

    [[nodiscard]] bool small() const { return small_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    /// A scratch folder of the demo's own under DIR (temporary files), made on first use.
    [[nodiscard]] std::filesystem::path scratch() const;

    /// Starts a table; add rows with add_row(). The reference stays valid as more tables come.
    Table& table(std::string title, std::vector<std::string> columns);
    /// A line printed under the tables: what the figures mean, or why a row is missing.
    void note(std::string line);
    /// Raw figures for the JSON (numbers, not text).
    nlohmann::json& figures() { return figures_; }
    /// A chart drawn as DIR/NAME-STEM.svg/.png when gnuplot is there.
    void chart(const std::string& stem, const std::string& plot);

    /// Prints the tables and notes, writes the JSON, draws the charts. Returns the exit status.
    int finish();
    /// The demo cannot run here: one line naming what is missing and how to get it, in the
    /// JSON too (the tests report it as skipped). Returns the exit status (0: not an error).
    int unavailable(const std::string& what_is_missing);

private:
    void write_json(const nlohmann::json& extra) const;
    std::string name_, claim_;
    bool small_ = false;
    std::filesystem::path out_;
    std::deque<Table> tables_;  // a deque: table() hands out references that must stay valid
    std::vector<std::string> notes_;
    std::vector<grader::ChartScript> charts_;
    nlohmann::json figures_ = nlohmann::json::object();
};

void add_row(Table& table, std::vector<std::string> cells);

/// 12,345 / 1.23 / 0.0123: a figure as a table shows it (@p digits after the point; -1: "?").
std::string number(double value, int digits = 0);
/// 40.1 ms / 230 µs.
std::string duration_us(double us);
/// 1.5 GiB / 320 MiB / 12 KiB.
std::string bytes(double bytes);

/// "EACCES" for EACCES: what a kernel interface returns, as its manual page names it.
std::string errno_name(int error);

/// Seconds on the monotonic clock.
double now_s();
/// CPU time of the calling thread, of the whole process, in seconds.
double thread_cpu_s();
double process_cpu_s();

}  // namespace c10k::demo
