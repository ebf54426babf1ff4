#pragma once
/// @file output_drain.hpp
/// @brief A child's stdout and stderr, read on a thread of its own into capped buffers, so
/// a chatty server can never block on a full pipe nor fill the grader's memory.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "deadline.hpp"

namespace c10k::grader {

class OutputDrain {
public:
    /// Takes ownership of the read ends @p out_fd and @p err_fd.
    OutputDrain(int out_fd, int err_fd);
    ~OutputDrain();
    OutputDrain(const OutputDrain&) = delete;
    OutputDrain& operator=(const OutputDrain&) = delete;

    struct Stdout {
        std::string head;  ///< the first few KiB
        bool closed = false;
    };
    /// Waits up to @p wait for more output, then returns stdout as read so far.
    Stdout wait_for_stdout(std::chrono::milliseconds wait);

    /// Waits until both pipes reached EOF (everything the child wrote is read) or
    /// @p deadline passes: an escaped child may still hold a pipe open.
    void wait_until_drained(const Deadline& deadline);

    [[nodiscard]] std::string stdout_head() const;
    /// The last 16 KiB written to stdout, as written.
    [[nodiscard]] std::string stdout_tail() const;
    /// The last 16 KiB written to stderr, as written.
    [[nodiscard]] std::string stderr_text() const;

private:
    void drain(int out_fd, int err_fd);

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string stdout_head_;
    std::string stdout_tail_;
    std::string stderr_tail_;
    bool stdout_closed_ = false;
    bool stderr_closed_ = false;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// The last @p max_lines lines of @p text (each cut at 200 characters), joined with " | ".
std::string last_lines(std::string text, std::size_t max_lines);

}  // namespace c10k::grader
