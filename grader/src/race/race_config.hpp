#pragma once
/// @file race_config.hpp
/// @brief grader/bench/race.toml: the servers make race runs and the loads it runs them under.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace c10k::grader {

/// One server in the race.
struct RaceServer {
    std::string name;              ///< "06-epoll", "yardstick"
    std::string model;             ///< what the table calls it: "epoll"
    std::string binary;            ///< relative to the build folder; default solutions/NAME/server
    std::vector<std::string> args; ///< extra server flags
    int max_connections = 100000;  ///< loads above this are skipped: the model cannot serve them
    std::string requires_feature;  ///< "io_uring" or empty
};

struct RaceConfig {
    std::vector<int> connections;
    std::vector<std::size_t> sizes;
    double seconds = 1;
    std::vector<std::string> idle_servers;  ///< names of servers in the O(n) experiment
    std::vector<int> idle_counts;
    double idle_seconds = 1;
    /// The experiment is repeated, interleaved (every K, every server, then again), and
    /// shown as medians: one busy client makes few messages, and one run is noisy.
    int idle_rounds = 1;
    /// Interleaved rounds: these servers take turns under these loads, `rounds` times, so a
    /// slow moment of a shared machine hits them all alike; comparisons use the medians.
    int rounds = 0;
    std::vector<std::string> round_servers;
    std::vector<int> round_connections;
    std::size_t round_size = 64;
    double round_seconds = 0.5;
    std::vector<RaceServer> servers;
    /// [checks] syscalls_per_message: a server's budget of syscalls per message at 50 x 64 B.
    std::map<std::string, double> syscall_budgets;
};

/// Reads @p file. Throws SpecError ("race.toml:12: ...") when it cannot be used.
RaceConfig load_race_config(const std::filesystem::path& file);

}  // namespace c10k::grader
