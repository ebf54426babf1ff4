#pragma once
/// @file echo_load.hpp
/// @brief The one client that drives an echo server: the grader's test kinds and syscall
/// audit, c10k-bench and make race all measure with it.
///
/// N connections each keep D messages in flight (D = 1: ping-pong), split over T threads,
/// each thread with its own epoll instance, so the client is not the bottleneck. Every
/// echoed byte is checked against what was sent; every round trip inside the measurement
/// window goes into a latency histogram. The window opens once every connection has had
/// its first echo (connecting and accepting stay outside it) and closes after a number of
/// messages (a grading load) or after a duration (a benchmark). Bounded: every phase has a
/// deadline, and a server that stops echoing is named within `stall_timeout`.

#include <cstdint>
#include <functional>
#include <string>

#include "c10k/listener.hpp"
#include "deadline.hpp"
#include "load/latency_histogram.hpp"

namespace c10k::grader {

/// Progress during the measurement, for a terminal line.
struct LoadProgress {
    double elapsed_seconds = 0;
    long messages = 0;
};

struct LoadOptions {
    SocketAddress server;
    int connections = 1;          ///< connections that keep sending
    int idle_connections = 0;     ///< more connections: one echo while warming up, then silent
    std::size_t message_size = 64;
    int pipeline = 1;             ///< messages in flight per connection
    int threads = 1;
    /// How the window ends: after this many echoed messages over all connections (> 0),
    /// or, when 0, after `duration`.
    long messages = 0;
    Seconds duration{5};
    Seconds warmup_timeout{30};   ///< connecting + every connection's first echo
    Seconds timeout{0};           ///< the whole load stops by then (0: warm-up + duration + drain)
    Seconds stall_timeout{5};     ///< ...and fails sooner if no echo completes for this long
    Seconds drain_timeout{2};     ///< waiting for the echoes still in flight at the end
    int may_close = 0;            ///< connections the server may close before their first echo
    std::uint64_t seed = 1;       ///< what is sent: a pseudo-random stream from this seed
    /// Called on the caller's thread just before the measurement starts and just after it
    /// ends (make race switches its syscall counter on and off there).
    std::function<void()> on_window_open;
    std::function<void()> on_window_close;
    /// Called about twice a second during the measurement.
    std::function<void(const LoadProgress&)> on_progress;
    /// Called once when the load stalled (no echo for stall_timeout, warm-up or drain not
    /// done in time), with the local port of a connection still waiting for its echo,
    /// before any connection is closed: the grader looks at the server's end of it.
    std::function<void(std::uint16_t client_port)> on_stall;
};

struct LoadResult {
    bool ok = false;
    std::string failure;          ///< the first error, one line, when !ok
    bool stalled = false;         ///< ...and it was a stall: echoes stopped coming
    long errors = 0;              ///< connections that failed
    long messages = 0;            ///< messages echoed inside the window
    int closed_by_server = 0;     ///< connections closed before their first echo (up to may_close)
    LatencyHistogram latency;     ///< round trips of messages sent and echoed inside the window
    double window_start = 0;      ///< wall clock, seconds since the epoch (matches strace -ttt)
    double window_end = 0;
    [[nodiscard]] double seconds() const { return window_end - window_start; }
    [[nodiscard]] double messages_per_second() const { return seconds() > 0 ? double(messages) / seconds() : 0; }
};

/// Runs the load. Never throws for the server's misbehaviour: see LoadResult::failure.
LoadResult run_load(const LoadOptions& options);

}  // namespace c10k::grader
