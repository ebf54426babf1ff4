#pragma once
// Test helpers: run a command (usually c10k-grade) and capture its exit code and output.

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "c10k_catch.hpp"

namespace test_support {

struct Run {
    int exit_code;
    std::string output;
};

/// Runs a shell command line, capturing its exit code and output (stderr included).
inline Run run_command(const std::string& command_line) {
    std::string command = command_line + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string output;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// Runs `PREFIX c10k-grade ARGS` (PREFIX: a wrapper such as no_io_uring, or "").
inline Run run_grader_with_prefix(const std::string& prefix, const std::string& args) {
    return run_command(prefix + " " + std::string(GRADER_BINARY) + " " + args);
}

inline Run run_grader(const std::string& args) { return run_grader_with_prefix("", args); }

}  // namespace test_support
