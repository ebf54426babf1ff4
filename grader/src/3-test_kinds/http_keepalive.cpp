#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// `requests` requests on one client connection: every answer must come on it (no close in
// between), and the origin must have seen at most `max_origin_connections` -- the proxy
// keeps its connections to the origin open and reuses them (a pool), as nginx does.
void run_http_keepalive(TestContext& context) {
    if (!context.origin) throw TestFailure("grader: this test needs `[server] origin = true` in the spec");
    Deadline deadline = context.deadline();
    auto requests = static_cast<int>(context.param("requests"));
    HttpTestClient client = HttpTestClient::connect(context.server_address, deadline);
    for (int i = 1; i <= requests; ++i) {
        HttpResponse response = client.request(http_get("/bytes/100?seed=" + std::to_string(i)), deadline);
        if (!response.complete || response.closed)
            throw TestFailure("request " + std::to_string(i) + " of " + std::to_string(requests) +
                                  " on one connection: " + response.describe(),
                              "keep the client's connection open after a response unless it asked to close "
                              "(Connection: close) or is HTTP/1.0");
    }
    context.steps.push_back(std::to_string(requests) + " requests answered on one client connection");
    HttpTestClient counter = HttpTestClient::connect(make_socket_address("127.0.0.1", context.origin_port), deadline);
    HttpResponse count = counter.request(http_get("/count"), deadline);
    long origin_connections = count.complete ? std::stol(count.body) - 1 : -1;  // less this question's own
    context.steps.push_back("the origin accepted " + std::to_string(origin_connections) + " connections from the proxy");
    auto allowed = static_cast<long>(context.param("max_origin_connections"));
    if (origin_connections > allowed)
        throw TestFailure("the origin accepted " + std::to_string(origin_connections) + " connections for " +
                              std::to_string(requests) + " requests in a row (at most " + std::to_string(allowed) +
                              " expected)",
                          "keep upstream connections open and reuse them (a pool): the origin answers HTTP/1.1 "
                          "with keep-alive; put the connection back once a response is complete");
}

}  // namespace c10k::grader
