#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

struct BadRequest {
    const char* what;
    std::string bytes;
    int status;
};

}  // namespace

// What a client may send that is not a request the proxy can forward: each gets its
// status (400, or 431 for a head over 8 KiB), and the proxy goes on serving others.
void run_http_bad_input(TestContext& context) {
    Deadline deadline = context.deadline();
    const BadRequest cases[] = {
        {"garbage instead of a request line", "HELLO THERE\r\n\r\n", 400},
        {"Content-Length together with Transfer-Encoding (RFC 9112 6.3)",
         "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"a 9 KiB header", http_get("/bytes/1", "X-Big: " + std::string(9 * 1024, 'a') + "\r\n"), 431},
    };
    for (const BadRequest& bad : cases) {
        HttpTestClient client = HttpTestClient::connect(context.server_address, deadline);
        HttpResponse response = client.request(bad.bytes, deadline);
        if (!response.complete || response.head.status != bad.status)
            throw TestFailure(std::string(bad.what) + ": " + response.describe() + ", expected " +
                                  std::to_string(bad.status),
                              "answer what cannot be parsed yourself (400; 431 for a head over 8 KiB), then close "
                              "that connection: the parser says which");
        context.steps.push_back(std::string(bad.what) + ": " + std::to_string(bad.status));
    }
    HttpResponse after = HttpTestClient::connect(context.server_address, deadline).request(http_get("/bytes/10"), deadline);
    if (!after.complete || after.head.status != 200)
        throw TestFailure("after the bad requests, a good one got " + after.describe(),
                          "a bad request ends its own connection, never the proxy");
    context.steps.push_back("a good request afterwards: 200");
}

}  // namespace c10k::grader
