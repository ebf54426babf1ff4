#pragma once
/// @file race_report.hpp
/// @brief make race's outputs: the table, results.json, the headline comparisons.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "race/race_runner.hpp"

namespace c10k::grader {

/// The header lines: how the figures were made (counter, pinning, network).
std::string race_header(const RaceSetup& setup, double seconds);
/// The column titles, and one row of the table.
std::string race_table_head();
std::string race_table_row(const RaceRun& run);

/// One comparison the project aims for, e.g. "io_uring >= 1.0x epoll msgs/s at 50 x 64 B".
struct RaceCheck {
    std::string goal;
    std::string measured;   ///< "1.12x" / "not measured"
    bool met = false;
    bool measured_ok = false;  ///< false: a run it needs is missing or failed
};

/// The comparisons from issue 6's "figures to reach", as measured in this run, and the
/// syscall budgets of race.toml's [checks] (@p syscall_budgets: server -> calls per message
/// at 50 x 64 B). Uses the medians of the interleaved rounds where the run has them.
std::vector<RaceCheck> race_checks(const std::vector<RaceRun>& runs,
                                   const std::map<std::string, double>& syscall_budgets = {});
/// The rounds' medians and ranges, one line per server and load (empty without rounds).
std::string race_rounds_text(const std::vector<RaceRun>& runs);

/// One point of the O(n) experiment: a server at K idle connections, over its rounds.
struct IdlePoint {
    std::string server, model;
    int idle = 0;
    int rounds = 0;                ///< successful rounds summarised
    double cpu_us_per_msg = -1;    ///< median server CPU per message
    double cpu_low = -1, cpu_high = -1;  ///< its range over the rounds
    double syscalls_per_msg = -1;  ///< median
};
/// The idle experiment's medians, ordered by K, then by the servers' first appearance.
std::vector<IdlePoint> idle_points(const std::vector<RaceRun>& runs);
/// Those medians as a table (empty without the experiment).
std::string race_idle_text(const std::vector<RaceRun>& runs);
std::string race_checks_text(const std::vector<RaceCheck>& checks);

nlohmann::json race_json(const RaceResults& results, const std::vector<RaceCheck>& checks);
/// The runs and set-up back from race_json()'s output (for --redraw).
RaceResults race_results_from_json(const nlohmann::json& json);

}  // namespace c10k::grader
