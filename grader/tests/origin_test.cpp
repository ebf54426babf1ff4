// c10k-origin, the server behind lab 09's proxies: every route, byte for byte, read back
// with the same HTTP parser the proxies use.

#include <cerrno>
#include <string>

#include "c10k_catch.hpp"

#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/listener.hpp"
#include "origin/body_pattern.hpp"
#include "origin/routes.hpp"

using namespace c10k;
using namespace c10k::grader;

namespace {

// One keep-alive connection to the origin; every wait bounded by 5 s.
class Connection {
public:
    explicit Connection(std::uint16_t port)
        : client_(HttpTestClient::connect(make_socket_address("127.0.0.1", port), Deadline(Seconds(5)))) {}
    HttpResponse get(const std::string& request, bool head_request = false, double seconds = 5) {
        HttpResponse response = client_.request(request, Deadline(Seconds(seconds)), head_request);
        INFO(response.describe());
        CHECK(response.parse_error.empty());
        return response;
    }

private:
    HttpTestClient client_;
};

struct Origin {
    SandboxedProcess process{{C10K_BUILD_DIR "/grader/c10k-origin", "--port", "0"}, SandboxLimits{}};
    std::uint16_t port = process.wait_for_announce(Deadline(Seconds(5)));
    // Said with every failure: whether the origin is still there, and its last words.
    std::string state() {
        auto exited = process.poll_exit();
        return "origin " + (exited ? exited->describe() : std::string("running")) + "; stderr: " + process.stderr_tail();
    }
};

std::string get(const std::string& target) { return http_get(target); }

}  // namespace

TEST_CASE("origin: bodies of 0 B, 1 KiB and 1 MiB, byte for byte, and the same bytes chunked and close-delimited") {
    Origin origin;
    Connection connection(origin.port);
    for (std::uint64_t size : {0ULL, 1024ULL, 1048576ULL}) {
        HttpResponse plain = connection.get(get("/bytes/" + std::to_string(size) + "?seed=9"));
        REQUIRE(plain.complete);
        CHECK(plain.head.framing == (size ? http::BodyFraming::content_length : http::BodyFraming::none));
        CHECK(plain.body == origin::body_bytes(9, 0, size));
    }
    HttpResponse chunked = connection.get(get("/chunked/200000?seed=9"));
    CHECK(chunked.head.framing == http::BodyFraming::chunked);
    CHECK(chunked.body == origin::body_bytes(9, 0, 200000));
    HttpResponse closing = connection.get(get("/close/70000?seed=9"));
    CHECK(closing.complete);
    CHECK(closing.head.framing == http::BodyFraming::until_close);
    CHECK(closing.body == origin::body_bytes(9, 0, 70000));
}

TEST_CASE("origin: HEAD, echo, the request's headers, statuses and unknown routes") {
    Origin origin;
    Connection connection(origin.port);
    HttpResponse head = connection.get("HEAD /bytes/5000 HTTP/1.1\r\nHost: origin\r\n\r\n", /*head_request=*/true);
    CHECK(*head.head.header("Content-Length") == "5000");
    CHECK(head.body.empty());
    std::string payload(300000, 'x');
    payload[12345] = '\0';
    HttpResponse echo = connection.get("POST /echo HTTP/1.1\r\nHost: origin\r\nContent-Length: 300000\r\n\r\n" + payload);
    CHECK(echo.body == payload);
    HttpResponse headers = connection.get("GET /headers HTTP/1.1\r\nHost: origin\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
    CHECK(headers.body == "Host: origin\nX-Forwarded-For: 10.0.0.1\n");
    HttpResponse empty = connection.get(get("/status/204"));
    CHECK(empty.head.status == 204);
    CHECK(empty.body.empty());
    CHECK(connection.get(get("/nowhere")).head.status == 404);
}

TEST_CASE("origin: it counts connections, not requests (keep-alive)") {
    Origin origin;
    {
        Connection connection(origin.port);
        for (int i = 0; i < 100; ++i) {
            INFO("request " << i + 1 << " of 100");
            HttpResponse response = connection.get(get("/bytes/10"));
            INFO(origin.state());
            REQUIRE(response.complete);
        }
        CHECK(connection.get(get("/count")).body == "1\n");
    }
    Connection second(origin.port);
    CHECK(second.get(get("/count")).body == "2\n");
}

TEST_CASE("origin: slow answers late, silent never, reset cuts the body with a reset") {
    Origin origin;
    Connection slow(origin.port);
    auto started = std::chrono::steady_clock::now();
    CHECK(slow.get(get("/slow/300")).body == "slow\n");
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(300));
    Connection silent(origin.port);
    CHECK(silent.get(get("/silent"), false, 0.3).timed_out);
    Connection reset(origin.port);
    HttpResponse cut = reset.get(get("/reset/1000000"));
    CHECK_FALSE(cut.complete);
    CHECK((cut.error == ECONNRESET || cut.closed));
    CHECK(cut.body.size() <= 500000);
}

TEST_CASE("origin routes: a malformed or out-of-range number, or a wrong method, is a 404, never a crash") {
    http::MessageHead request;
    request.method = "GET";
    for (const char* target : {"/bytes/abc", "/bytes/", "/bytes/99999999999999", "/status/99", "/slow/999999", "/"}) {
        request.target = target;
        CHECK(origin::plan_response(request, "", 0).status == 404);
    }
    request.method = "DELETE";
    request.target = "/echo";
    CHECK(origin::plan_response(request, "", 0).status == 404);
}

TEST_CASE("origin: a body's bytes are the pattern's at every offset and length (words and single bytes)") {
    for (std::uint64_t offset = 0; offset < 19; ++offset)
        for (std::size_t length = 0; length < 41; ++length) {
            std::string bytes = origin::body_bytes(7, offset, length);
            REQUIRE(bytes.size() == length);
            for (std::size_t i = 0; i < length; ++i) REQUIRE(static_cast<std::uint8_t>(bytes[i]) == origin::body_byte(7, offset + i));
        }
    std::string big = origin::body_bytes(3, 5, 70001);
    for (std::size_t i = 0; i < big.size(); i += 997) CHECK(static_cast<std::uint8_t>(big[i]) == origin::body_byte(3, 5 + i));
    CHECK(static_cast<std::uint8_t>(big.back()) == origin::body_byte(3, 5 + 70000));
}
