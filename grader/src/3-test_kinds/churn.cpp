#include <chrono>
#include <thread>
#include <vector>

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

void echo_once(TestContext& context, TestClient& client, const std::string& label, const Deadline& deadline) {
    auto size = static_cast<std::size_t>(context.param("size"));
    Bytes message = random_bytes(size, context.random);
    Exchange echo = client.exchange(message, size, deadline);
    require_exact_echo(label, message, echo, deadline);
}

// Until the server has closed its side of the clients that left (at most 1 s: a server
// that never closes them is the sequential test's business, not this one's).
void wait_for_fds_at_most(const SandboxedProcess& server, int wanted) {
    Deadline deadline(Seconds(1));
    while (server.open_fd_count() > wanted && !deadline.expired())
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

}  // namespace

// Long-lived clients must keep being served while others come and go. Each round the
// passing clients leave and new ones arrive, taking the lowest free descriptors --
// below the long-lived clients' ones. A server that takes its highest descriptor from
// the newest client (select's nfds) or loses track when a slot is reused stops
// watching the long-lived clients, and only this order of events shows it.
void run_churn(TestContext& context) {
    auto long_lived = static_cast<int>(context.param("long_lived"));
    auto rounds = static_cast<int>(context.param("rounds"));
    Deadline deadline = context.deadline();
    std::vector<TestClient> lasting, passing;
    // Interleaved, so each long-lived client sits between passing ones in fd order.
    for (int i = 0; i < long_lived; ++i) {
        passing.push_back(context.connect(deadline));
        echo_once(context, passing.back(), "first passing clients", deadline);
        lasting.push_back(context.connect(deadline));
        echo_once(context, lasting.back(), "long-lived client " + std::to_string(i + 1), deadline);
    }
    int fds_with_lasting_only = context.server.open_fd_count() - long_lived;
    context.steps.push_back(std::to_string(long_lived) + " long-lived and " + std::to_string(long_lived) +
                            " passing clients connected and echoed");
    for (int round = 1; round <= rounds; ++round) {
        std::string when = "round " + std::to_string(round) + " of " + std::to_string(rounds);
        passing.clear();  // they leave...
        wait_for_fds_at_most(context.server, fds_with_lasting_only);
        for (int i = 0; i < long_lived; ++i) {  // ...and others take their descriptors
            passing.push_back(context.connect(deadline));
            echo_once(context, passing.back(), when + ", a new client", deadline);
        }
        for (int i = 0; i < long_lived; ++i) {
            try {
                echo_once(context, lasting[i],
                          when + ", long-lived client " + std::to_string(i + 1) + " of " + std::to_string(long_lived),
                          deadline);
            } catch (const TestFailure& failure) {
                // Bytes unread by a server that served this client before: it stopped watching it.
                if (std::string(failure.what()).find("unread") == std::string::npos) throw;
                throw TestFailure(failure.what(),
                                  "the server stopped watching a client it served before, once other clients came "
                                  "and went: compute select's nfds as 1 + the highest descriptor still open (not "
                                  "the newest), and rebuild the watch list from every open client");
            }
        }
    }
    context.steps.push_back(std::to_string(rounds) + " rounds: the long-lived clients were served each time");
}

}  // namespace c10k::grader
