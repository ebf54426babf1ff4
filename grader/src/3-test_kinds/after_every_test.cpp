#include <chrono>
#include <cstdio>
#include <thread>

#include <linux/io_uring.h>

#include "1-spec/lab_spec.hpp"
#include "2-runner/io_uring_view.hpp"
#include "2-runner/process_table.hpp"
#include "2-runner/process_watch.hpp"
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

// A flag the server accepts but ignores earns nothing: what the ring did is checked
// from outside, while the test ran (ProcessWatch with watch_rings).
void check_ring_features(const TestSpec& test, ProcessWatch& watch, std::vector<std::string>& steps) {
    if (test.ring.empty()) return;
    watch.sample();
    for (const std::string& feature : test.ring) {
        if (feature == "sqpoll" && !watch.sqpoll_seen())
            throw TestFailure("the server's ring had no SQPOLL thread while the test ran (no iou-sqp task)",
                              "with --sqpoll, set IORING_SETUP_SQPOLL in io_uring_params.flags and create the ring "
                              "with io_uring_queue_init_params");
        if (feature == "send_zc") {
            RingEntries ring = watch.ring_entries();
            if (ring.rings > 0 && !ring.readable) {
                steps.push_back("zero-copy sends not checked: this platform does not let the grader read the ring");
                continue;
            }
            if (ring.rings == 0)
                throw TestFailure("the server mapped no io_uring ring while the test ran", "this lab is about io_uring");
            const std::set<std::uint8_t>& seen = ring.opcodes;
            if (seen.contains(IORING_OP_SEND_ZC) || seen.contains(IORING_OP_SENDMSG_ZC)) continue;
            std::string names;
            for (std::uint8_t opcode : seen) names += (names.empty() ? "" : ", ") + opcode_name(opcode);
            throw TestFailure("no zero-copy send was submitted while the test ran (the ring carried: " +
                                  (names.empty() ? std::string("nothing readable") : names) + ")",
                              "with --zc, send with io_uring_prep_send_zc and keep each buffer until its "
                              "notification (a CQE with IORING_CQE_F_NOTIF)");
        }
    }
}

}  // namespace c10k::grader
