#include <chrono>

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// An origin that says nothing costs its own request a 504 after the proxy's
// --upstream-timeout, and nobody else anything; an origin that is gone costs a 502 at once.
void run_http_upstream_errors(TestContext& context) {
    if (!context.origin) throw TestFailure("grader: this test needs `[server] origin = true` in the spec");
    Deadline deadline = context.deadline();
    HttpTestClient waiting = HttpTestClient::connect(context.server_address, deadline);
    if (!waiting.send(http_get("/silent"), deadline)) throw TestFailure("could not send GET /silent");
    auto asked = std::chrono::steady_clock::now();

    HttpTestClient other = HttpTestClient::connect(context.server_address, deadline);
    HttpResponse served = other.request(http_get("/bytes/1000"), Deadline(Seconds(1)));
    if (!served.complete || served.head.status != 200)
        throw TestFailure("while one request waited for a silent origin, another got " + served.describe(),
                          "a request waiting for the origin must not hold up anyone else");
    context.steps.push_back("another client was served while /silent waited");

    HttpResponse timed_out = waiting.read_response(deadline);
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
    if (!timed_out.complete || timed_out.head.status != 504)
        throw TestFailure("GET /silent (the origin never answers): " + timed_out.describe() + " instead of 504",
                          "give the origin --upstream-timeout seconds for the response head, then answer 504");
    context.steps.push_back("GET /silent: 504 after " + seconds_text(Seconds(waited)) + " s");

    context.origin->stop(Seconds(0));
    HttpResponse refused = HttpTestClient::connect(context.server_address, deadline)
                               .request(http_get("/bytes/10"), Deadline(Seconds(2)));
    if (!refused.complete || refused.head.status != 502)
        throw TestFailure("with the origin gone: " + refused.describe() + " instead of 502",
                          "a refused or failed connection to the origin is answered with 502 at once");
    context.steps.push_back("origin gone: 502");
}

}  // namespace c10k::grader
