#pragma once
/// @file tool_error.hpp
/// @brief Errors that are nobody's test result: a tool the grader needs is missing or
/// failed, or a command line cannot be run as typed. Each names the cause and the next step.

#include <stdexcept>
#include <string>

namespace c10k::grader {

/// A tool the grader or the race needs (perf, strace, g++, gnuplot, /tmp) is missing or
/// failed: not the student's fault, and never shown as a failed test. what() says what
/// went wrong, next_step() what to do ("make deps-race").
class ToolError : public std::runtime_error {
public:
    explicit ToolError(const std::string& what, std::string next_step = {})
        : std::runtime_error(what), next_step_(std::move(next_step)) {}
    [[nodiscard]] const std::string& next_step() const noexcept { return next_step_; }
    /// "perf is not installed (next: make deps-race)".
    [[nodiscard]] std::string describe() const {
        return next_step_.empty() ? what() : std::string(what()) + " (next: " + next_step_ + ")";
    }

private:
    std::string next_step_;
};

/// A command line that cannot be run as typed (c10k-race --only xyz, --counter perf where
/// perf cannot count). The programs exit 2 with the message.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace c10k::grader
