#pragma once
/// @file proxy_race_config.hpp
/// @brief make race-proxy's plan (grader/bench/race-proxy.toml): who races, under which
/// loads, how many interleaved rounds.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace c10k::grader {

/// One load: every contestant runs it once per round, under both clients.
struct ProxyLoad {
    int connections = 50;
    std::size_t size = 1024;  ///< body bytes: GET /bytes/SIZE
    bool close = false;       ///< `Connection: close`: a new connection per request
    int workers = 1;          ///< event loops / worker processes / threads each proxy gets
    /// "50 x 1 KiB", "50 x 1 KiB close", "500 x 1 KiB, 2 workers".
    [[nodiscard]] std::string label() const;
};

/// The contestants, in the order they take their turns: TinyGate's three models, nginx,
/// haproxy, and the origin reached directly (the ceiling).
const std::vector<std::string>& proxy_contestant_names();

struct ProxyRaceConfig {
    int rounds = 3;
    int seconds = 1;            ///< wrk's run; whole seconds, because wrk measures in those
    double load_seconds = 0.5;  ///< c10k-load's window: it counts exactly the responses inside it
    std::vector<std::string> clients{"wrk", "c10k-load"};
    std::vector<std::string> contestants = proxy_contestant_names();
    std::vector<ProxyLoad> loads;
};

/// Reads @p file. Throws SpecError ("race-proxy.toml:12: ...") when it cannot be used.
ProxyRaceConfig load_proxy_race_config(const std::filesystem::path& file);

}  // namespace c10k::grader
