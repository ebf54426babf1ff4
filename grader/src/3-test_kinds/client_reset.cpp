#include <thread>

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// Rude clients: each sends a chunk, shuts its write side (FIN) and resets at once (RST),
// without reading the echo. The server is left holding unread data from a connection
// that is already gone: its write() fails with EPIPE or ECONNRESET -- and EPIPE raises
// SIGPIPE, which kills a server that did not ignore it. Repeated because which error
// comes first depends on timing. Afterwards a polite client must still be served.
void run_client_reset(TestContext& context) {
    Deadline deadline = context.deadline();
    auto rounds = static_cast<int>(context.param("rounds"));
    Bytes chunk = random_bytes(static_cast<std::size_t>(context.param("size")), context.random);
    for (int round = 1; round <= rounds; ++round) {
        TestClient rude = context.connect(deadline);
        rude.send_without_reading(chunk, deadline);
        rude.shutdown_write();
        rude.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let the server meet the RST
        if (auto status = context.server.poll_exit())
            throw TestFailure("server " + status->describe() + " after rude client " + std::to_string(round) +
                              " sent " + std::to_string(chunk.size()) + " bytes and reset the connection");
    }
    context.steps.push_back(std::to_string(rounds) + " clients sent data, shut down and reset without reading");

    TestClient polite = context.connect(deadline);
    Bytes message = random_bytes(1024, context.random);
    Exchange echo = polite.exchange(message, message.size(), deadline);
    require_exact_echo("the next client after the resets", message, echo, deadline);
    context.steps.push_back("the next client was served normally");
}

}  // namespace c10k::grader
