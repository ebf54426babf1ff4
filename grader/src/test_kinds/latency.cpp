#include <cstdio>

#include "../lab_spec.hpp"
#include "../test_client.hpp"
#include "../load_generator.hpp"
#include "../test_failure.hpp"
#include "registry.hpp"

namespace c10k::grader {

// Stalls that byte checks cannot see: `clients` connections ping-pong `size`-byte
// messages; the 99th percentile round trip must stay under `p99_ms`. A server that
// echoes one message in two writes meets Nagle's algorithm and the peer's delayed ACK,
// and waits ~40 ms for nothing.
void run_latency(TestContext& context) {
    LoadOptions load;
    load.connections = static_cast<int>(context.param("clients"));
    load.message_size = static_cast<std::size_t>(context.param("size"));
    load.messages = static_cast<long>(context.param("messages"));
    load.timeout = Seconds(context.param("timeout"));
    load.record_latency = true;
    load.seed = context.random();
    LoadResult result = run_ping_pong_load(context.server_address, load);
    if (!result.completed) throw TestFailure(result.failure);

    LatencySummary latency = result.latency();
    char figures[160];
    std::snprintf(figures, sizeof figures, "round trip p50 %.2f ms, p99 %.2f ms, max %.2f ms over %ld messages",
                  latency.p50 / 1000, latency.p99 / 1000, latency.max / 1000, result.echoed);
    context.steps.push_back(figures);
    double limit_ms = context.param("p99_ms");
    if (latency.p99 / 1000 > limit_ms)
        throw TestFailure(std::string(figures) + "; p99 must be under " + seconds_text(Seconds(limit_ms)) + " ms");
}

}  // namespace c10k::grader
