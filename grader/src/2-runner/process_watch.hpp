#pragma once
/// @file process_watch.hpp
/// @brief A look at a running server every few milliseconds while a test runs: descriptors, address
/// space, its descriptor limit. A failure is then explained by the state the server was
/// in -- at its limit of 1024 descriptors, or far below it -- even after it died.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>

#include "2-runner/io_uring_view.hpp"
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
    /// With @p watch_rings, also what the server's io_uring rings show (io_uring_view.hpp).
    explicit ProcessWatch(pid_t pid, bool watch_rings = false);
    ~ProcessWatch();
    ProcessWatch(const ProcessWatch&) = delete;
    ProcessWatch& operator=(const ProcessWatch&) = delete;

    /// Takes a sample now (the thread takes one every 5 ms or more): a short test may end between two.
    void sample();
    /// The last sample taken while the process was alive.
    [[nodiscard]] ProcessSample last() const;
    /// The most descriptors it held at any sample.
    [[nodiscard]] int peak_fds() const;
    /// With watch_rings: whether an SQPOLL thread was seen, and every opcode seen submitted.
    [[nodiscard]] bool sqpoll_seen() const;
    /// Every opcode seen in the rings; rings_seen: any ring mapped; ring_unreadable: one
    /// could not be read (the platform forbids it).
    [[nodiscard]] RingEntries ring_entries() const;

private:

    pid_t pid_;
    bool watch_rings_;
    bool sqpoll_seen_ = false;
    RingEntries ring_entries_{0, true, {}};
    mutable std::mutex mutex_;
    ProcessSample last_;
    int peak_fds_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace c10k::grader
