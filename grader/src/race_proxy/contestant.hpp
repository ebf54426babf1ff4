#pragma once
/// @file contestant.hpp
/// @brief make race-proxy's contestants, started and stopped the same way: TinyGate's
/// reference (one binary, three models: tinygate-*), the student's build of lab 09 (yours-*,
/// make race-proxy LAB=09), nginx and haproxy from generated configurations
/// (grader/bench/proxy/*.in, never the system's services), and the origin itself.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "2-runner/sandboxed_process.hpp"

namespace c10k::grader {

/// Where the contestants come from, and the network they all share.
struct ContestantSetting {
    std::filesystem::path source_dir;  ///< for grader/bench/proxy/*.in
    std::filesystem::path build_dir;   ///< for solutions/09-tinygate/server and labs/09-tinygate/server
    std::uint16_t origin_port = 0;
    pid_t origin_pid = 0;              ///< the origin process (the "origin-direct" contestant)
    pid_t network_pid = 0;             ///< join this process's network namespace (0: the host's)
};

/// Empty when @p name can run here; otherwise one line saying why not and what to do
/// ("nginx is not installed: make deps-race").
std::string contestant_missing(const std::string& name, const ContestantSetting& setting);

/// One contestant, started and listening. The destructor stops it and removes its folder.
class RunningContestant {
public:
    /// Starts @p name with @p workers event loops. Throws TestFailure saying why it did
    /// not come up (its error log quoted).
    RunningContestant(const std::string& name, int workers, const ContestantSetting& setting);
    ~RunningContestant();
    RunningContestant(const RunningContestant&) = delete;
    RunningContestant& operator=(const RunningContestant&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    /// Every process doing the contestant's work (nginx: master and workers), for perf.
    [[nodiscard]] std::vector<pid_t> pids() const;
    /// CPU time (user + system) of those processes so far, threads that ended included.
    [[nodiscard]] double cpu_seconds() const;
    /// Empty while it runs; else how it ended, with its last words.
    [[nodiscard]] std::string died();
    /// SIGTERM, then SIGKILL; empty when it ended cleanly, else how it ended.
    std::string stop();

private:
    std::string name_;
    std::filesystem::path dir_;   ///< configuration, pid file, error log, temp folders
    std::optional<SandboxedProcess> process_;
    pid_t watched_ = 0;           ///< process_'s pid, or the origin's for origin-direct
    std::uint16_t port_ = 0;
};

/// Fills @p template_text's placeholders (an upper-case name between at-signs) from @p values. Throws SpecError naming a
/// placeholder left without a value.
std::string fill_template(std::string template_text, const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace c10k::grader
