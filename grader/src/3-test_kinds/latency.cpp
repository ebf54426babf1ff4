#include <cstdio>

#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "load/echo_load.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

struct LatencyRun {
    std::string figures;  // "round trip p50 ..., p99 ..., max ..."
    bool within_limit = false;
};

LatencyRun measure_latency(TestContext& context) {
    LoadOptions load;
    load.server = context.server_address;
    load.connections = static_cast<int>(context.param("clients"));
    load.message_size = static_cast<std::size_t>(context.param("size"));
    load.messages = static_cast<long>(context.param("messages"));
    load.timeout = load.warmup_timeout = Seconds(context.param("timeout"));
    load.seed = context.random();
    LoadResult result;
    try {
        result = context.run_load(load);
    } catch (const TestFailure& failure) {
        // Not a slow run: an unfinished one. Nagle has nothing to do with it.
        throw TestFailure(std::string("the latency run did not complete: ") + failure.what(),
                          failure.hint().empty() ? "fix the failures of the echo tests first: this one needs every "
                                                   "message echoed"
                                                 : failure.hint());
    }

    auto ms = [](std::uint64_t nanoseconds) { return double(nanoseconds) / 1e6; };
    double p99_ms = ms(result.latency.quantile(0.99));
    char figures[160];
    std::snprintf(figures, sizeof figures, "round trip p50 %.2f ms, p99 %.2f ms, max %.2f ms over %ld messages",
                  ms(result.latency.quantile(0.50)), p99_ms, ms(result.latency.max()), result.messages);
    return {figures, p99_ms <= context.param("p99_ms")};
}

}  // namespace

// Stalls that byte checks cannot see: `clients` connections ping-pong `size`-byte
// messages; the 99th percentile round trip must stay under `p99_ms`. A server that
// echoes one message in two writes meets Nagle's algorithm and the peer's delayed ACK,
// and waits ~40 ms for nothing. Such stalls are systematic; a busy machine's hiccups are
// not: so a run over the limit is measured once more, and the better run counts.
void run_latency(TestContext& context) {
    LatencyRun run;
    for (int attempt = 1; attempt <= 2 && !run.within_limit; ++attempt) {
        run = measure_latency(context);
        context.steps.push_back(run.figures);
    }
    if (!run.within_limit)
        throw TestFailure(run.figures + "; p99 must be under " + seconds_text(Seconds(context.param("p99_ms"))) +
                          " ms (measured twice)");
}

}  // namespace c10k::grader
