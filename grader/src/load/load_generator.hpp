#pragma once
/// @file load_generator.hpp
/// @brief A bounded ping-pong load: N connections, each sending one message and
/// waiting for its echo before the next. One thread and epoll, so it scales to
/// thousands of connections without being the bottleneck. Every echoed byte is checked.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "c10k/listener.hpp"
#include "deadline.hpp"

namespace c10k::grader {

/// What to send.
struct LoadOptions {
    int connections = 1;
    std::size_t message_size = 64;
    long messages = 1000;            ///< echoed messages to count, over all connections
    Seconds timeout{30};             ///< the whole load, connecting included, stops by then
    Seconds stall_timeout{5};        ///< ...and sooner if no echo completes for this long
    std::uint64_t seed = 1;          ///< payloads are random bytes from this seed
    int max_pending_connects = 256;  ///< connects in flight at once (the backlog is finite)
    int may_close = 0;               ///< connections the server may close before their first echo
    bool record_latency = false;     ///< keep each window message's round trip
};

/// Round-trip figures of the messages inside the window, in microseconds.
struct LatencySummary {
    double p50 = 0, p99 = 0, max = 0;
};

/// What happened. The measurement window starts once every connection has had one
/// message echoed (so connecting and accepting are outside it) and ends with the last echo.
struct LoadResult {
    bool completed = false;
    std::string failure;          ///< one line when !completed
    long echoed = 0;              ///< messages echoed inside the window
    int closed_by_server = 0;     ///< connections closed before their first echo (up to may_close)
    std::vector<double> latencies_us;  ///< with record_latency: one per window message
    double window_start = 0;      ///< wall-clock seconds since the epoch (matches strace -ttt)
    double window_end = 0;
    [[nodiscard]] double window_seconds() const { return window_end - window_start; }
    /// p50/p99/max of latencies_us (zeros when none were recorded).
    [[nodiscard]] LatencySummary latency() const;
};

/// Runs the load against @p server. Never throws for server misbehaviour: it is
/// reported in LoadResult::failure.
LoadResult run_ping_pong_load(const SocketAddress& server, const LoadOptions& options);

}  // namespace c10k::grader
