#include <chrono>
#include <cstdio>
#include <thread>

#include "2-runner/process_table.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/registry.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// With every client gone, a server has nothing to do. A thread that keeps retrying a
// failed recv() (EBADF, ECONNRESET) or polls with a zero timeout shows here as CPU time;
// no byte check can see it. A busy moment (closing 10,000 connections) is not a spin:
// only two windows in a row over the limit fail.
void check_idle_cpu(TestContext& context) {
    constexpr double kWindow = 0.5, kLimit = 0.25;  // seconds: half a core
    double used = 0;
    for (int window = 1; window <= 2; ++window) {
        double before = group_cpu_seconds_without_sqpoll(context.server.pid());
        std::this_thread::sleep_for(std::chrono::duration<double>(kWindow));
        used = group_cpu_seconds_without_sqpoll(context.server.pid()) - before;
        if (before < 0 || used <= kLimit) return;
    }
    char line[200];
    std::snprintf(line, sizeof line,
                  "after the test, with every client gone, the server used %.2f s of CPU in %.1f s (twice in a row)",
                  used, kWindow);
    throw TestFailure(line, "a loop is spinning with nobody to serve: a read() or recv() that failed (EBADF, "
                            "ECONNRESET) or returned 0 must end that client's loop, not be retried; and wait "
                            "with a timeout of -1, not 0");
}

}  // namespace c10k::grader
