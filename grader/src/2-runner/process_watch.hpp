#pragma once
/// @file process_watch.hpp
/// @brief A look at a running server every 25 ms while a test runs: descriptors, address
/// space, its descriptor limit. A failure is then explained by the state the server was
/// in -- at its limit of 1024 descriptors, or far below it -- even after it died.

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace c10k::grader {

/// One look at the server.
struct ProcessSample {
    int open_fds = -1;         ///< -1: unknown (it ended)
    long virtual_kib = 0;      ///< VmSize
    long open_file_limit = -1; ///< soft RLIMIT_NOFILE, as the server left it
};

class ProcessWatch {
public:
    explicit ProcessWatch(pid_t pid);
    ~ProcessWatch();
    ProcessWatch(const ProcessWatch&) = delete;
    ProcessWatch& operator=(const ProcessWatch&) = delete;

    /// The last sample taken while the process was alive.
    [[nodiscard]] ProcessSample last() const;
    /// The most descriptors it held at any sample.
    [[nodiscard]] int peak_fds() const;

private:
    void sample();

    pid_t pid_;
    mutable std::mutex mutex_;
    ProcessSample last_;
    int peak_fds_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace c10k::grader
