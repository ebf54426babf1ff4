#pragma once
/// @file proxy_race_runner.hpp
/// @brief make race-proxy: TinyGate, nginx and haproxy in front of one origin, in
/// interleaved rounds, under wrk and the project's own HTTP load.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "race_proxy/proxy_race_config.hpp"

namespace c10k::grader {

/// One contestant under one load and one client, in one round: a row of results.json.
struct ProxyRaceRun {
    std::string contestant;     ///< "tinygate-epoll", "nginx", "origin-direct"
    ProxyLoad load;
    std::string client;         ///< "wrk" or "c10k-load"
    int round = 1;
    std::string status = "ok";  ///< "ok", "failed" or "skipped"
    std::string reason;         ///< why, when not ok
    long requests = 0;
    double seconds = 0;
    double requests_per_s = 0;
    double p50_us = -1, p99_us = -1;
    double cpu_us_per_request = -1;       ///< the proxy's CPU time (all its processes and threads)
    double syscalls_per_request = -1;     ///< perf, c10k-load's window only (-1: not counted)
    std::map<std::string, double> calls;  ///< counted_syscalls() seen, per request
};

struct ProxyRaceOptions {
    std::filesystem::path source_dir;
    std::filesystem::path build_dir;
    std::vector<std::string> only;  ///< contestant name prefixes (empty: the config's)
    bool student = false;           ///< also race the student's build of lab 09 (yours-threads, ...)
    std::string counter = "auto";   ///< "auto" (perf where it works), "perf", "none"
    int rounds = 0;                 ///< overrides the config's (0: keep)
    int seconds = 0;                ///< overrides wrk's seconds (0: keep)
    std::function<void(const ProxyRaceRun&)> on_run;  ///< after each run (progress)
};

/// How the runs were made, for the header and the JSON.
struct ProxyRaceSetup {
    std::string counter;          ///< "perf" or "none"
    std::string counter_note;     ///< why syscalls were not counted
    std::string tracefs_note;
    int cpus = 1;
    bool namespaces = false;      ///< everything in one fresh network namespace
    std::map<std::string, std::string> versions;  ///< "nginx" -> "nginx/1.22.1"
};

struct ProxyRaceResults {
    ProxyRaceSetup setup;
    std::vector<ProxyRaceRun> runs;
};

/// Starts the origin, then every contestant under every load, round after round. Never
/// throws for a contestant's misbehaviour (that run says "failed"); throws ToolError when
/// the origin cannot start and UsageError for a bad --only.
ProxyRaceResults run_proxy_race(const ProxyRaceConfig& config, const ProxyRaceOptions& options);

}  // namespace c10k::grader
