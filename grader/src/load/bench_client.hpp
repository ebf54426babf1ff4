#pragma once
/// @file bench_client.hpp
/// @brief The benchmark client behind c10k-bench and make race.
///
/// N connections each keep D messages in flight (D = 1: ping-pong) for a fixed time.
/// Every echoed byte is checked against what was sent, every round trip goes into a
/// latency histogram. Connections are split over T threads, each with its own epoll
/// instance, so the client is not the bottleneck. Bounded: connecting and the first echo
/// have a deadline, the measurement stops after `duration`, the drain after `drain_timeout`.

#include <cstdint>
#include <functional>
#include <string>

#include "c10k/listener.hpp"
#include "deadline.hpp"
#include "load/latency_histogram.hpp"

namespace c10k::grader {

/// Progress during the measurement, for a terminal line.
struct BenchProgress {
    double elapsed_seconds = 0;
    long messages = 0;
};

struct BenchOptions {
    SocketAddress server;
    int connections = 50;         ///< connections that keep sending
    int idle_connections = 0;     ///< more connections: one echo while warming up, then silent
    std::size_t message_size = 64;
    int pipeline = 1;             ///< messages in flight per connection
    int threads = 1;
    Seconds duration{5};          ///< length of the measurement
    Seconds warmup_timeout{30};   ///< connecting + every connection's first echo
    Seconds drain_timeout{2};     ///< waiting for the echoes still in flight at the end
    std::uint64_t seed = 1;
    /// Called on the caller's thread just before the measurement starts and just after it
    /// ends (make race switches its syscall counter on and off there).
    std::function<void()> on_window_open;
    std::function<void()> on_window_close;
    /// Called about twice a second during the measurement.
    std::function<void(const BenchProgress&)> on_progress;
};

struct BenchResult {
    bool ok = false;
    std::string failure;          ///< the first error, one line, when !ok
    long errors = 0;              ///< connections that failed
    long messages = 0;            ///< messages echoed inside the window
    LatencyHistogram latency;     ///< round trips of messages sent and echoed inside it
    double window_start = 0;      ///< wall clock, seconds since the epoch
    double window_end = 0;
    [[nodiscard]] double seconds() const { return window_end - window_start; }
    [[nodiscard]] double messages_per_second() const { return seconds() > 0 ? double(messages) / seconds() : 0; }
};

/// Runs the benchmark. Never throws for the server's misbehaviour: see BenchResult::failure.
BenchResult run_bench(const BenchOptions& options);

/// Empty when @p address may be benchmarked: loopback (127.0.0.0/8, ::1), or any address
/// inside a network namespace other than the machine's own. Otherwise says why not.
std::string refuse_non_local_address(const SocketAddress& address);

}  // namespace c10k::grader
