// c10k-origin, the server behind lab 09's proxies: every route, byte for byte, read back
// with the same HTTP parser the proxies use.

#include <poll.h>
#include <sys/socket.h>

#include <string>

#include <catch2/catch.hpp>

#include "2-runner/sandboxed_process.hpp"
#include "c10k/fd.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/listener.hpp"
#include "origin/body_pattern.hpp"
#include "origin/routes.hpp"

using namespace c10k;
using namespace c10k::grader;

namespace {

struct Response {
    http::MessageHead head;
    std::string body;
    bool complete = false;
    bool reset = false;
};

// One keep-alive connection to the origin; every wait bounded by 5 s.
class Connection {
public:
    explicit Connection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        SocketAddress origin = make_socket_address("127.0.0.1", port);
        REQUIRE(::connect(fd_.get(), origin.get(), origin.length) == 0);
    }
    Response get(const std::string& request, bool head_request = false, int timeout_ms = 5000) {
        REQUIRE(::send(fd_.get(), request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
        http::Parser parser(http::Parser::Kind::responses);
        if (head_request) parser.expect_no_body();
        Response response;
        auto sink = [&](std::string_view bytes) { response.body += bytes; };
        char buffer[65536];
        for (;;) {
            if (!unparsed_.empty()) {
                auto progress = parser.feed(unparsed_, sink);
                unparsed_.erase(0, progress.consumed);
                REQUIRE(progress.error == http::ParseError::none);
                if (progress.message_complete) break;
            }
            pollfd pfd{fd_.get(), POLLIN, 0};
            if (::poll(&pfd, 1, timeout_ms) <= 0) return response;  // timed out: not complete
            ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
            if (n < 0) {
                response.reset = errno == ECONNRESET;
                return response;
            }
            if (n == 0) {
                response.complete = parser.finish(sink).message_complete;
                response.head = parser.head();
                return response;
            }
            unparsed_.append(buffer, static_cast<std::size_t>(n));
        }
        response.complete = true;
        response.head = parser.head();
        return response;
    }

private:
    Fd fd_;
    std::string unparsed_;
};

struct Origin {
    SandboxedProcess process{{C10K_BUILD_DIR "/grader/c10k-origin", "--port", "0"}, SandboxLimits{}};
    std::uint16_t port = process.wait_for_announce(Deadline(Seconds(5)));
};

std::string get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: origin\r\n\r\n"; }

}  // namespace

TEST_CASE("origin: bodies of 0 B, 1 KiB and 1 MiB, byte for byte; chunked and close-delimited carry the same") {
    Origin origin;
    Connection connection(origin.port);
    for (std::uint64_t size : {0ULL, 1024ULL, 1048576ULL}) {
        Response plain = connection.get(get("/bytes/" + std::to_string(size) + "?seed=9"));
        REQUIRE(plain.complete);
        CHECK(plain.head.framing == (size ? http::BodyFraming::content_length : http::BodyFraming::none));
        CHECK(plain.body == origin::body_bytes(9, 0, size));
    }
    Response chunked = connection.get(get("/chunked/200000?seed=9"));
    CHECK(chunked.head.framing == http::BodyFraming::chunked);
    CHECK(chunked.body == origin::body_bytes(9, 0, 200000));
    Response closing = connection.get(get("/close/70000?seed=9"));
    CHECK(closing.complete);
    CHECK(closing.head.framing == http::BodyFraming::until_close);
    CHECK(closing.body == origin::body_bytes(9, 0, 70000));
}

TEST_CASE("origin: HEAD, echo, the request's headers, statuses and unknown routes") {
    Origin origin;
    Connection connection(origin.port);
    Response head = connection.get("HEAD /bytes/5000 HTTP/1.1\r\nHost: origin\r\n\r\n", /*head_request=*/true);
    CHECK(*head.head.header("Content-Length") == "5000");
    CHECK(head.body.empty());
    std::string payload(300000, 'x');
    payload[12345] = '\0';
    Response echo = connection.get("POST /echo HTTP/1.1\r\nHost: origin\r\nContent-Length: 300000\r\n\r\n" + payload);
    CHECK(echo.body == payload);
    Response headers = connection.get("GET /headers HTTP/1.1\r\nHost: origin\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
    CHECK(headers.body == "Host: origin\nX-Forwarded-For: 10.0.0.1\n");
    Response empty = connection.get(get("/status/204"));
    CHECK(empty.head.status == 204);
    CHECK(empty.body.empty());
    CHECK(connection.get(get("/nowhere")).head.status == 404);
}

TEST_CASE("origin: it counts connections, not requests (keep-alive)") {
    Origin origin;
    {
        Connection connection(origin.port);
        for (int i = 0; i < 100; ++i) REQUIRE(connection.get(get("/bytes/10")).complete);
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
    CHECK_FALSE(silent.get(get("/silent"), false, 300).complete);
    Connection reset(origin.port);
    Response cut = reset.get(get("/reset/1000000"));
    CHECK_FALSE(cut.complete);
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
