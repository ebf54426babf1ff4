#pragma once
/// @file race_runner.hpp
/// @brief make race: every server under every load, one after another, in one run.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "race/race_config.hpp"

namespace c10k::grader {

/// One server under one load: a row of the table.
struct RaceRun {
    std::string server;            ///< "06-epoll"
    std::string model;             ///< "epoll"
    std::string experiment;        ///< "load", "idle" (the O(n) experiment) or "round"
    int round = 0;                 ///< which interleaved round (experiment "round")
    int connections = 0;           ///< connections sending messages
    int idle = 0;                  ///< silent connections beside them
    std::size_t size = 0;          ///< bytes per message
    std::string status = "ok";     ///< "ok", "failed" or "skipped"
    std::string reason;            ///< why, when not ok
    long messages = 0;
    double seconds = 0;
    double msgs_per_s = 0;
    double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
    double cpu_us_per_msg = -1;     ///< server CPU time per message (-1: unknown)
    double syscalls_per_msg = -1;   ///< every syscall, per message (-1: unknown)
    std::map<std::string, double> per_msg;  ///< counted_syscalls() seen, per message
};

struct RaceOptions {
    std::filesystem::path build_dir;
    std::vector<std::string> only;           ///< run just these servers (empty: all)
    std::string student_lab;                 ///< also race build/labs/NN-name/server ("06-epoll")
    std::string counter = "auto";            ///< "auto", "perf" or "strace"
    double seconds = 0;                      ///< overrides the config's seconds (0: keep)
    bool idle_experiment = true;
    std::function<void(const RaceRun&)> on_run;  ///< after each run (for printing progress)
};

/// How the runs were made, for the table's header and the JSON.
struct RaceSetup {
    std::string counter;         ///< "perf" or "strace"
    std::string counter_note;    ///< why perf was not used, when it was not
    std::string tracefs_note;    ///< what was done to mount tracefs, when it was not mounted
    bool pinned = false;         ///< server and client on different CPUs
    int cpus = 1;
    bool namespaces = false;     ///< a fresh network namespace per server
};

struct RaceResults {
    RaceSetup setup;
    std::vector<RaceRun> runs;
};

/// Decides the counter and pinning, then runs everything. Never throws for a server's
/// misbehaviour (that run says "failed"); throws SpecError for a bad --only/--student.
RaceResults run_race(const RaceConfig& config, const RaceOptions& options);

}  // namespace c10k::grader
