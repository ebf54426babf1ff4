#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "c10k/http/message.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

// "name: value" lines, as the origin's /headers route lists what it received.
bool lists_header(const std::string& listing, const std::string& name) {
    std::size_t start = 0;
    while (start < listing.size()) {
        std::size_t end = listing.find('\n', start);
        if (end == std::string::npos) end = listing.size();
        std::string_view line(listing.data() + start, end - start);
        if (auto colon = line.find(':'); colon != std::string_view::npos &&
                                         http::equals_ignoring_case(line.substr(0, colon), name))
            return true;
        start = end + 1;
    }
    return false;
}

}  // namespace

// What the origin receives (its /headers route echoes them): hop-by-hop headers removed
// (RFC 9110 7.6.1: the fixed ones, and any the client's Connection header names),
// end-to-end ones kept, X-Forwarded-For added. Then `Connection: close` is honoured: the
// proxy answers and closes the client's connection.
void run_http_headers(TestContext& context) {
    if (!context.origin) throw TestFailure("grader: this test needs `[server] origin = true` in the spec");
    Deadline deadline = context.deadline();
    HttpTestClient client = HttpTestClient::connect(context.server_address, deadline);
    HttpResponse seen = client.request(http_get("/headers", "Connection: keep-alive, X-Private\r\nX-Private: 1\r\n"
                                                            "Keep-Alive: timeout=5\r\nTE: trailers\r\n"
                                                            "Upgrade: h2c\r\nX-Kept: yes\r\n"),
                                       deadline);
    if (!seen.complete || seen.head.status != 200)
        throw TestFailure("GET /headers: " + seen.describe(), "relay the origin's answer as for any other path");
    for (const char* hop : {"X-Private", "Keep-Alive", "TE", "Upgrade"})
        if (lists_header(seen.body, hop))
            throw TestFailure(std::string("the origin received the hop-by-hop header ") + hop,
                              "remove Connection, Keep-Alive, TE, Upgrade, Proxy-Connection, Transfer-Encoding "
                              "and every header the Connection header names (http::upstream_request_head does)");
    if (!lists_header(seen.body, "X-Kept"))
        throw TestFailure("the origin did not receive the end-to-end header X-Kept", "forward every other header as is");
    if (!lists_header(seen.body, "X-Forwarded-For"))
        throw TestFailure("the origin received no X-Forwarded-For", "add X-Forwarded-For: the client's address");
    context.steps.push_back("hop-by-hop headers removed, X-Kept kept, X-Forwarded-For added");

    HttpResponse last = client.request(http_get("/bytes/100", "Connection: close\r\n"), deadline);
    if (!last.complete || last.head.status != 200)
        throw TestFailure("GET with Connection: close: " + last.describe());
    HttpResponse after = client.read_response(Deadline(Seconds(1)));
    if (!after.closed)
        throw TestFailure("the client asked for Connection: close, but the proxy kept the connection open for 1 s",
                          "after answering a request with Connection: close (or an HTTP/1.0 one), close the "
                          "client's connection");
    context.steps.push_back("Connection: close honoured");
}

}  // namespace c10k::grader
