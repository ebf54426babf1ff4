#include <signal.h>

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// SIGTERM while a client is connected and idle (the server is blocked somewhere):
// the server must exit with code 0 within the grace period.
void run_graceful_shutdown(TestContext& context) {
    Deadline deadline = context.deadline();
    TestClient idle = context.connect(deadline);
    Bytes hello = random_bytes(16, context.random);
    idle.exchange(hello, hello.size(), Deadline(Seconds(1)));  // the server is now mid-connection
    context.steps.push_back("an idle client is connected; sending SIGTERM");

    Seconds grace(context.param("grace"));
    ::kill(context.server.pid(), SIGTERM);
    auto status = context.server.wait_exit(Deadline(grace));
    if (!status)
        throw TestFailure("server still running " + seconds_text(grace) + " s after SIGTERM");
    if (!status->clean())
        throw TestFailure("server " + status->describe() + " after SIGTERM (expected exit code 0)",
                          status->exited ? "return 0 from main after a requested stop"
                                         : "install a SIGTERM handler: c10k::install_stop_signals()");
    context.steps.push_back("server exited with code 0");
}

}  // namespace c10k::grader
