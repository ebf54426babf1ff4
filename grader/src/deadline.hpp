#pragma once
/// @file deadline.hpp
/// @brief Deadline: every wait in the grader has one.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

namespace c10k::grader {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

/// Wall-clock seconds since the epoch: the time base of `strace -ttt`, so a load's window
/// can be matched against a trace.
inline double wall_clock_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// "2.0": a duration as every message of the grader writes it ("within 2.0 s").
inline std::string seconds_text(Seconds seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", seconds.count());
    return text;
}

/// A point in time after which a wait gives up.
class Deadline {
public:
    /// A deadline @p budget from now.
    explicit Deadline(Seconds budget)
        : at_(Clock::now() + std::chrono::duration_cast<Clock::duration>(budget)),
          budget_(budget) {}

    [[nodiscard]] bool expired() const { return Clock::now() >= at_; }
    /// What the deadline allowed in total, for messages ("within 2.0 s").
    [[nodiscard]] Seconds budget() const { return budget_; }
    /// Milliseconds left, for poll()/epoll_wait(): 0 when expired, rounded up otherwise.
    [[nodiscard]] int remaining_ms() const {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(at_ - Clock::now()).count();
        return static_cast<int>(std::clamp<long long>(left, 0, 1'000'000'000));
    }

private:
    Clock::time_point at_;
    Seconds budget_;
};

}  // namespace c10k::grader
