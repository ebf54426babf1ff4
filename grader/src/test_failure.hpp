#pragma once
/// @file test_failure.hpp
/// @brief TestFailure: how a test says what went wrong and what to look at.

#include <stdexcept>
#include <string>

namespace c10k::grader {

/// Thrown by test kinds and the runner: what() is the one-line reason shown in the
/// report ("got 0 of 64 bytes within 2.0 s"); hint() says what to look at.
class TestFailure : public std::runtime_error {
public:
    explicit TestFailure(const std::string& reason, std::string hint = {})
        : std::runtime_error(reason), hint_(std::move(hint)) {}
    [[nodiscard]] const std::string& hint() const noexcept { return hint_; }

private:
    std::string hint_;
};

}  // namespace c10k::grader
