#pragma once
/// @file wrk_client.hpp
/// @brief wrk, the HTTP load everybody knows, run and read: requests per second and the
/// latency percentiles of `wrk --latency`.

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace c10k::grader {

struct WrkRun {
    std::uint16_t port = 0;
    std::string path = "/bytes/1024";
    int connections = 50;
    int threads = 2;
    int seconds = 1;
    bool close = false;     ///< send `Connection: close`: wrk reconnects for every request
    pid_t network_pid = 0;  ///< run in this process's network namespace (0: the host's)
};

struct WrkResult {
    bool ok = false;
    std::string failure;  ///< one line, when !ok
    long requests = 0;
    double seconds = 0;
    double requests_per_s = 0;
    double p50_us = -1, p99_us = -1;
    long errors = 0;      ///< socket errors and non-2xx answers
};

/// Runs wrk and reads its report. Never throws; a missing wrk is a failure saying so.
WrkResult run_wrk(const WrkRun& run);

/// Reads `wrk --latency`'s report (tested on its own).
WrkResult parse_wrk_output(const std::string& text);

}  // namespace c10k::grader
