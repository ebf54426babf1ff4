#include <chrono>
#include <thread>

#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// One client sends its request a byte at a time (`byte_ms` apart) while `clients` others
// each make `requests` requests: the fast ones must all be answered before the slow one
// has even finished asking. A proxy that waits for one client's whole request before
// looking at anyone else fails here.
void run_http_slow_client(TestContext& context) {
    if (!context.origin) throw TestFailure("grader: this test needs `[server] origin = true` in the spec");
    using Clock = std::chrono::steady_clock;
    Deadline deadline = context.deadline();
    const std::string slow_request = http_get("/bytes/1024");
    const auto byte_gap = std::chrono::milliseconds(static_cast<int>(context.param("byte_ms")));

    HttpTestClient slow = HttpTestClient::connect(context.server_address, deadline);
    Clock::time_point slow_sent;
    bool slow_send_ok = true;
    std::jthread trickle([&] {
        for (char byte : slow_request) {
            if (!slow.send(std::string_view(&byte, 1), deadline)) {
                slow_send_ok = false;
                break;
            }
            std::this_thread::sleep_for(byte_gap);
        }
        slow_sent = Clock::now();
    });

    std::this_thread::sleep_for(3 * byte_gap);  // the slow one has started
    auto clients = static_cast<int>(context.param("clients"));
    auto requests = static_cast<int>(context.param("requests"));
    std::vector<HttpTestClient> fast;
    for (int i = 0; i < clients; ++i) fast.push_back(HttpTestClient::connect(context.server_address, deadline));
    for (int round = 1; round <= requests; ++round) {
        for (int i = 0; i < clients; ++i) {
            HttpResponse response = fast[i].request(http_get("/bytes/1024?seed=" + std::to_string(round)), deadline);
            if (!response.complete || response.head.status != 200 || response.body.size() != 1024)
                throw TestFailure("fast client " + std::to_string(i + 1) + ", request " + std::to_string(round) +
                                      " (while one client sends a byte every " + std::to_string(byte_gap.count()) +
                                      " ms): " + response.describe(),
                                  "read what a client has sent so far and come back when it sends more; never "
                                  "wait for one client's whole request while others are ready");
        }
    }
    auto fast_done = Clock::now();
    trickle.join();
    if (!slow_send_ok) throw TestFailure("the slow client's request could not be sent: the proxy closed or reset it");
    if (fast_done >= slow_sent)
        throw TestFailure("the fast clients' " + std::to_string(clients * requests) +
                              " requests were answered only after the slow client had sent its whole request",
                          "a slow client must not hold up the others: read what has arrived, keep the partial "
                          "request, and go back to the other connections");
    context.steps.push_back(std::to_string(clients * requests) + " fast requests answered while the slow one was sent");
    HttpResponse answer = slow.read_response(deadline);
    if (!answer.complete || answer.head.status != 200 || answer.body.size() != 1024)
        throw TestFailure("the slow client's request, sent a byte at a time: " + answer.describe(),
                          "keep a partial request until the rest arrives; the parser takes it in pieces");
    context.steps.push_back("the slow client got its 1024 bytes");
}

}  // namespace c10k::grader
