#include <chrono>
#include <thread>

#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "origin/body_pattern.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

// One request through the proxy; the response must be complete, with @p status.
HttpResponse fetch(HttpTestClient& client, const std::string& what, const std::string& request,
                   const Deadline& deadline, int status = 200, bool head_request = false) {
    HttpResponse response = client.request(request, deadline, head_request);
    if (!response.complete || response.head.status != status)
        throw TestFailure(what + ": " + response.describe() + (response.complete ? " (expected " + std::to_string(status) + ")" : ""),
                          "forward the request, then relay the response head and body as they come; the origin "
                          "answers this route as the test says");
    return response;
}

void require_body(const std::string& what, const HttpResponse& response, std::uint64_t seed, std::size_t size) {
    std::string expected = origin::body_bytes(seed, 0, size);
    if (response.body == expected) return;
    std::size_t at = 0;
    while (at < response.body.size() && at < expected.size() && response.body[at] == expected[at]) ++at;
    throw TestFailure(what + ": " + std::to_string(response.body.size()) + " of " + std::to_string(size) +
                          " body bytes, the first difference at byte " + std::to_string(at),
                      response.body.size() < size
                          ? "bytes went missing: a send that takes fewer bytes than offered leaves the rest to you"
                          : "relay the body's bytes exactly: binary, any size, whatever framing the origin used");
}

}  // namespace

// Bodies through the proxy, byte for byte: empty, 1 KiB, 1 MiB, chunked, close-delimited,
// HEAD (no body) and a 256 KiB POST echoed -- all on one keep-alive connection.
void run_http_bodies(TestContext& context) {
    Deadline deadline = context.deadline();
    HttpTestClient client = HttpTestClient::connect(context.server_address, deadline);
    std::uint64_t seed = context.random() % 1000000 + 1;
    auto with_seed = [&](const std::string& path) { return path + "?seed=" + std::to_string(seed); };
    for (std::size_t size : {std::size_t{0}, std::size_t{1024}, std::size_t{1} << 20}) {
        std::string what = "GET /bytes/" + std::to_string(size);
        require_body(what, fetch(client, what, http_get(with_seed("/bytes/" + std::to_string(size))), deadline), seed, size);
        context.steps.push_back(what + ": intact");
    }
    require_body("chunked 300000", fetch(client, "chunked", http_get(with_seed("/chunked/300000")), deadline), seed, 300000);
    context.steps.push_back("a chunked 300,000-byte body: intact");
    HttpResponse head = fetch(client, "HEAD /bytes/5000", "HEAD " + with_seed("/bytes/5000") + " HTTP/1.1\r\nHost: t\r\n\r\n",
                              deadline, 200, /*head_request=*/true);
    if (!head.body.empty() || !head.head.header("Content-Length") || *head.head.header("Content-Length") != "5000")
        throw TestFailure("HEAD /bytes/5000: the response must carry Content-Length: 5000 and no body",
                          "a response to HEAD has no body: tell your response parser (expect_no_body)");
    context.steps.push_back("HEAD: the length, no body");
    std::string payload = origin::body_bytes(seed + 1, 0, 256 * 1024);
    HttpResponse echo = fetch(client, "POST /echo (256 KiB)",
                              "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(payload.size()) +
                                  "\r\n\r\n" + payload, deadline);
    if (echo.body != payload)
        throw TestFailure("POST /echo: " + std::to_string(echo.body.size()) + " of " + std::to_string(payload.size()) +
                              " bytes came back as sent", "stream the request body to the origin, every byte of it");
    context.steps.push_back("POST 256 KiB: echoed intact");
    {
        // A client slower than the origin: it reads nothing for 100 ms, through a 16 KiB
        // receive buffer. The proxy's sends come back short or EAGAIN; every byte must
        // still arrive, in order.
        HttpTestClient slow = HttpTestClient::connect(context.server_address, deadline, /*receive_buffer=*/16384);
        if (!slow.send(http_get(with_seed("/bytes/4194304")), deadline))
            throw TestFailure("could not send GET /bytes/4194304");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        HttpResponse response = slow.read_response(deadline);
        if (!response.complete || response.head.status != 200)
            throw TestFailure("GET /bytes/4194304 to a client that reads late: " + response.describe(),
                              "a send to a slow client takes only part of the bytes (or none: EAGAIN): keep the "
                              "rest and send it when the client has room");
        require_body("GET /bytes/4194304 to a client that reads late", response, seed, 4194304);
        context.steps.push_back("4 MiB to a client that reads late, through a small buffer: intact");
    }
    HttpTestClient last = HttpTestClient::connect(context.server_address, deadline);
    require_body("close-delimited 70000", fetch(last, "close-delimited", http_get(with_seed("/close/70000")), deadline),
                 seed, 70000);
    context.steps.push_back("a close-delimited 70,000-byte body: intact");
}

}  // namespace c10k::grader
