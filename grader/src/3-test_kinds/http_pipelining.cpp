#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "origin/body_pattern.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// `requests` requests in a single write; the answers must come back complete and in the
// order asked. Each asks for a body of a different size and seed, so an answer given to
// the wrong request shows.
void run_http_pipelining(TestContext& context) {
    Deadline deadline = context.deadline();
    auto requests = static_cast<int>(context.param("requests"));
    std::string all;
    for (int i = 1; i <= requests; ++i) all += http_get("/bytes/" + std::to_string(100 * i) + "?seed=" + std::to_string(i));
    HttpTestClient client = HttpTestClient::connect(context.server_address, deadline);
    if (!client.send(all, deadline)) throw TestFailure("could not send " + std::to_string(requests) + " requests in one write");
    context.steps.push_back(std::to_string(requests) + " requests sent in one write");
    for (int i = 1; i <= requests; ++i) {
        HttpResponse response = client.read_response(deadline);
        std::string label = "response " + std::to_string(i) + " of " + std::to_string(requests);
        if (!response.complete)
            throw TestFailure(label + ": " + response.describe(),
                              "after a response, parse what is left of what the client sent: the next request is "
                              "often already there, with no new readiness to announce it");
        if (response.body != origin::body_bytes(static_cast<std::uint64_t>(i), 0, static_cast<std::size_t>(100 * i)))
            throw TestFailure(label + ": a body of " + std::to_string(response.body.size()) + " bytes that is not the "
                                  "answer to request " + std::to_string(i),
                              "answer pipelined requests one at a time, in the order they came");
    }
    context.steps.push_back("all answered, in order");
}

}  // namespace c10k::grader
