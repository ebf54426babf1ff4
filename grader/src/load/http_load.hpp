#pragma once
/// @file http_load.hpp
/// @brief The client that drives a proxy: lab 09's load tests and syscall audit, and the
/// proxy race. The HTTP sibling of echo_load.hpp, with the same result.
///
/// N connections each send `GET /bytes/SIZE` to the proxy (which asks the origin) and check
/// the answer -- status 200, SIZE body bytes equal to the origin's pattern -- before sending
/// the next request; with `close_each`, every request goes on a new connection. The window
/// opens once every connection has had its first response and closes after a number of
/// responses (a grading load) or a duration (a benchmark). Bounded: every phase has a
/// deadline, and a proxy that stops answering is named within `stall_timeout`.

#include <cstdint>
#include <functional>
#include <string>

#include "c10k/listener.hpp"
#include "deadline.hpp"
#include "load/echo_load.hpp"

namespace c10k::grader {

struct HttpLoadOptions {
    SocketAddress server;
    int connections = 1;           ///< connections that keep requesting
    int idle_connections = 0;      ///< more connections: connected, then silent for the whole load
    std::size_t body_size = 1024;  ///< each request is GET /bytes/body_size
    bool close_each = false;       ///< `Connection: close`: a new connection per request
    int threads = 1;
    /// How the window ends: after this many responses over all connections (> 0), or,
    /// when 0, after `duration`.
    long requests = 0;
    Seconds duration{5};
    Seconds warmup_timeout{30};    ///< connecting + every connection's first response
    Seconds stall_timeout{5};      ///< fails if no response completes for this long
    std::function<void()> on_window_open;   ///< just before the window opens (caller's thread)
    std::function<void()> on_window_close;  ///< just after it closes
    std::function<void(const LoadProgress&)> on_progress;  ///< about twice a second
};

/// Runs the load; LoadResult::messages counts the responses inside the window. Never throws
/// for the proxy's misbehaviour: see LoadResult::failure.
LoadResult run_http_load(const HttpLoadOptions& options);

/// The request the load sends, exactly (tests send it by hand too).
std::string http_load_request(std::size_t body_size, bool close);

}  // namespace c10k::grader
