#pragma once
/// @file proxy_race_report.hpp
/// @brief make race-proxy's outputs: the rounds' medians as a table, the comparisons
/// TinyGate aims for, results.json.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "race_proxy/proxy_race_runner.hpp"

namespace c10k::grader {

/// One contestant under one load and one client, over its rounds.
struct ProxyRaceFigure {
    std::string contestant;
    ProxyLoad load;
    std::string client;
    int rounds = 0;                      ///< successful rounds summarised
    double requests_per_s = -1;          ///< median
    double low = -1, high = -1;          ///< its range over the rounds
    double p50_us = -1, p99_us = -1;     ///< medians
    double cpu_us_per_request = -1;      ///< median
    double syscalls_per_request = -1;    ///< median (c10k-load rows, where perf counted)
    std::map<std::string, double> calls; ///< medians per request
    std::string failure;                 ///< the first failure, when a round failed
};

/// Medians per (load, contestant, client), in the order they first ran.
std::vector<ProxyRaceFigure> proxy_race_figures(const std::vector<ProxyRaceRun>& runs);

/// The header: how the figures were made (machine, counter, network, peers' versions).
std::string proxy_race_header(const ProxyRaceSetup& setup, int rounds, int wrk_seconds, double load_seconds);
/// The table of medians, one block per load.
std::string proxy_race_table(const std::vector<ProxyRaceFigure>& figures);

/// One comparison: "tinygate-io_uring >= 1.0x nginx req/s at 50 x 1 KiB (wrk)".
struct ProxyRaceCheck {
    std::string goal;
    std::string measured;        ///< "1.07x (46.1k vs 43.0k req/s)" / "not measured: ..."
    bool met = false;
    bool measured_ok = false;    ///< false: a run it needs is missing or failed
};
/// The figures to reach, from wrk's medians, at every load of the plan: io_uring TinyGate
/// at least nginx's and haproxy's req/s with no more CPU per request, epoll at least 0.9x
/// nginx's; the student's TinyGate (yours-*), where it raced, aims at the same.
std::vector<ProxyRaceCheck> proxy_race_checks(const std::vector<ProxyRaceFigure>& figures);
std::string proxy_race_checks_text(const std::vector<ProxyRaceCheck>& checks);

nlohmann::json proxy_race_json(const ProxyRaceResults& results, const std::vector<ProxyRaceFigure>& figures,
                               const std::vector<ProxyRaceCheck>& checks);

}  // namespace c10k::grader
