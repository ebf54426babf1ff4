// What TinyGate changes on the way through, as RFC 9110 section 7.6 asks.

#include "c10k_catch.hpp"

#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"

using namespace c10k::http;

namespace {

MessageHead parse(Parser::Kind kind, const std::string& wire, bool head_request = false) {
    Parser parser(kind);
    if (head_request) parser.expect_no_body();
    auto progress = parser.feed(wire, {});
    if (!progress.message_complete) progress = parser.finish({});
    REQUIRE(parser.head_complete());
    return parser.head();
}

MessageHead request(const std::string& wire) { return parse(Parser::Kind::requests, wire); }

}  // namespace

TEST_CASE("forwarding: hop-by-hop headers stay behind, X-Forwarded-For names the client") {
    MessageHead get = request("GET /a HTTP/1.1\r\nHost: shop\r\nConnection: close, X-Secret\r\nKeep-Alive: 5\r\n"
                              "X-Secret: 1\r\nUpgrade: h2c\r\nTE: trailers\r\nAccept: */*\r\n\r\n");
    std::string head = upstream_request_head(get, "127.0.0.7");
    CHECK(head == "GET /a HTTP/1.1\r\nHost: shop\r\nAccept: */*\r\nX-Forwarded-For: 127.0.0.7\r\n\r\n");

    MessageHead relayed = request("GET / HTTP/1.1\r\nX-Forwarded-For: 10.1.1.1\r\n\r\n");
    CHECK_THAT(upstream_request_head(relayed, "127.0.0.1"),
               Catch::Contains("X-Forwarded-For: 10.1.1.1, 127.0.0.1\r\n"));
}

TEST_CASE("forwarding: a request body keeps its framing upstream, HTTP/1.0 becomes 1.1 and persistent") {
    MessageHead post = request("POST /echo HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(upstream_request_head(post, "::1") ==
          "POST /echo HTTP/1.1\r\nX-Forwarded-For: ::1\r\nContent-Length: 5\r\n\r\n");
    MessageHead chunked = request("PUT /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    CHECK_THAT(upstream_request_head(chunked, "::1"), Catch::EndsWith("Transfer-Encoding: chunked\r\n\r\n"));
}

TEST_CASE("forwarding: each client gets a framing it can read") {
    MessageHead get11 = request("GET / HTTP/1.1\r\n\r\n");
    MessageHead get10 = request("GET / HTTP/1.0\r\n\r\n");
    MessageHead closing = parse(Parser::Kind::responses, "HTTP/1.0 200 OK\r\nContent-Type: a/b\r\n\r\nbody");
    ClientResponse to11 = client_response_head(closing, get11);
    CHECK(to11.framing == BodyFraming::chunked);  // so the client's connection can stay open
    CHECK_FALSE(to11.close_after);
    CHECK(to11.head == "HTTP/1.1 200 OK\r\nContent-Type: a/b\r\nTransfer-Encoding: chunked\r\n\r\n");
    ClientResponse to10 = client_response_head(closing, get10);
    CHECK(to10.framing == BodyFraming::until_close);
    CHECK(to10.close_after);

    MessageHead sized = parse(Parser::Kind::responses, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nKeep-Alive: x\r\n\r\nabc");
    ClientResponse plain = client_response_head(sized, get11);
    CHECK(plain.head == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
    CHECK(plain.framing == BodyFraming::content_length);
    MessageHead asked_close = request("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    CHECK_THAT(client_response_head(sized, asked_close).head, Catch::Contains("Connection: close\r\n"));
}

TEST_CASE("forwarding: a HEAD response keeps its Content-Length and carries no body") {
    MessageHead head_request = request("HEAD /x HTTP/1.1\r\n\r\n");
    MessageHead response = parse(Parser::Kind::responses, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", true);
    ClientResponse out = client_response_head(response, head_request);
    CHECK(out.framing == BodyFraming::none);
    CHECK_THAT(out.head, Catch::Contains("Content-Length: 5000\r\n"));
}

TEST_CASE("forwarding: the proxy's own errors and chunk framing") {
    CHECK(proxy_error_response(502, true) == "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
                                             "Content-Length: 16\r\nConnection: close\r\n\r\n502 Bad Gateway\n");
    CHECK_THAT(proxy_error_response(431, false), Catch::StartsWith("HTTP/1.1 431 Request Header Fields Too Large"));
    CHECK(chunk("hello world!!!!!!") == "11\r\nhello world!!!!!!\r\n");
    CHECK(kLastChunk == "0\r\n\r\n");
}

TEST_CASE("forwarding: an empty body is announced as Content-Length: 0, except where no body is allowed") {
    MessageHead get = request("GET / HTTP/1.1\r\n\r\n");
    MessageHead empty = parse(Parser::Kind::responses, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    CHECK(client_response_head(empty, get).head == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    MessageHead no_content = parse(Parser::Kind::responses, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(client_response_head(no_content, get).head == "HTTP/1.1 204 No Content\r\n\r\n");
}
