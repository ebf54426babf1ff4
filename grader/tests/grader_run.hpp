#pragma once
// Test helper: runs the c10k-grade binary and captures its exit code and output.

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

namespace test_support {

struct Run {
    int exit_code;
    std::string output;
};

inline Run run_grader(const std::string& args) {
    std::string command = std::string(GRADER_BINARY) + " " + args + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string output;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace test_support
