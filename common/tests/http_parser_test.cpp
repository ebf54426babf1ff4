// The HTTP layer every TinyGate model shares: what a proxy needs from a parser, as a spec.

#include <string>

#include "c10k_catch.hpp"

#include "c10k/http/parser.hpp"

using namespace c10k::http;

namespace {

// Feeds @p wire in pieces of @p piece bytes (1 = byte by byte), collecting the body.
struct Parsed {
    Parser::Progress progress;
    std::string body;
};

Parsed feed_in_pieces(Parser& parser, const std::string& wire, std::size_t piece) {
    Parsed parsed;
    std::size_t at = 0;
    auto sink = [&](std::string_view bytes) { parsed.body += bytes; };
    while (at < wire.size() && !parsed.progress.message_complete && parsed.progress.error == ParseError::none) {
        std::string_view chunk(wire.data() + at, std::min(piece, wire.size() - at));
        Parser::Progress step = parser.feed(chunk, sink);
        at += step.consumed;
        parsed.progress.message_complete = step.message_complete;
        parsed.progress.error = step.error;
        parsed.progress.error_text = step.error_text;
    }
    parsed.progress.consumed = at;
    return parsed;
}

}  // namespace

TEST_CASE("http: a GET's start line and headers, whole or byte by byte") {
    std::string wire = "GET /a?b=1 HTTP/1.1\r\nHost: origin\r\nX-Long:  spaced value \r\n\r\n";
    for (std::size_t piece : {wire.size(), std::size_t{1}, std::size_t{7}}) {
        Parser parser(Parser::Kind::requests);
        Parsed parsed = feed_in_pieces(parser, wire, piece);
        REQUIRE(parsed.progress.message_complete);
        CHECK(parsed.progress.consumed == wire.size());
        const MessageHead& head = parser.head();
        CHECK(head.method == "GET");
        CHECK(head.target == "/a?b=1");
        CHECK(head.version_minor == 1);
        CHECK(head.keep_alive);
        CHECK(head.framing == BodyFraming::none);
        REQUIRE(head.headers.size() == 2);
        CHECK(*head.header("host") == "origin");
        CHECK(*head.header("X-LONG") == "spaced value");
        CHECK(head.header("missing") == nullptr);
    }
}

TEST_CASE("http: pipelined requests come out one at a time, in order") {
    std::string wire = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                       "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                       "GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    Parser parser(Parser::Kind::requests);
    std::string_view rest = wire;
    std::vector<std::string> targets;
    std::string body;
    while (!rest.empty()) {
        Parser::Progress progress = parser.feed(rest, [&](std::string_view bytes) { body += bytes; });
        REQUIRE(progress.message_complete);
        targets.push_back(parser.head().target);
        if (parser.head().target == "/2") CHECK(parser.head().framing == BodyFraming::content_length);
        if (parser.head().target == "/3") CHECK_FALSE(parser.head().keep_alive);
        rest.remove_prefix(progress.consumed);
        parser.next_message();
    }
    CHECK(targets == std::vector<std::string>{"/1", "/2", "/3"});
    CHECK(body == "hello");
}

TEST_CASE("http: a chunked response is decoded, a close-delimited one ends at finish()") {
    Parser chunked(Parser::Kind::responses);
    Parsed parsed = feed_in_pieces(chunked, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                            "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 3);
    CHECK(parsed.progress.message_complete);
    CHECK(chunked.head().framing == BodyFraming::chunked);
    CHECK(parsed.body == "hello world");

    Parser closing(Parser::Kind::responses);
    std::string body;
    auto sink = [&](std::string_view bytes) { body += bytes; };
    Parser::Progress progress = closing.feed("HTTP/1.0 200 OK\r\n\r\nuntil the end", sink);
    CHECK_FALSE(progress.message_complete);
    CHECK(closing.head().framing == BodyFraming::until_close);
    CHECK_FALSE(closing.head().keep_alive);
    CHECK(closing.finish(sink).message_complete);
    CHECK(body == "until the end");
}

TEST_CASE("http: HEAD, 204 and 304 responses have no body, whatever their headers say") {
    Parser head(Parser::Kind::responses);
    head.expect_no_body();
    auto progress = head.feed("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", {});
    CHECK(progress.message_complete);
    CHECK(head.head().framing == BodyFraming::none);
    for (const char* status : {"204 No Content", "304 Not Modified"}) {
        Parser parser(Parser::Kind::responses);
        CHECK(parser.feed(std::string("HTTP/1.1 ") + status + "\r\n\r\n", {}).message_complete);
        CHECK(parser.head().framing == BodyFraming::none);
    }
}

TEST_CASE("http: malformed input, Content-Length with Transfer-Encoding, and huge heads are refused") {
    Parser garbage(Parser::Kind::requests);
    CHECK(garbage.feed("HELLO THERE\r\n\r\n", {}).error == ParseError::malformed);

    Parser smuggling(Parser::Kind::requests);  // RFC 9112 section 6.3: ambiguous framing
    auto both = smuggling.feed("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", {});
    CHECK(both.error == ParseError::malformed);
    CHECK_FALSE(both.error_text.empty());

    Parser huge(Parser::Kind::requests, 8192);
    std::string wire = "GET / HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
    Parsed parsed = feed_in_pieces(huge, wire, 1000);
    CHECK(parsed.progress.error == ParseError::head_too_large);

    Parser just_fits(Parser::Kind::requests, 8192);
    std::string fits = "GET / HTTP/1.1\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n";
    CHECK(feed_in_pieces(just_fits, fits, 1000).progress.message_complete);
}

TEST_CASE("http: a response cut short by the close is an error, not a message") {
    Parser parser(Parser::Kind::responses);
    auto progress = parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", {});
    CHECK_FALSE(progress.message_complete);
    CHECK(parser.finish({}).error == ParseError::malformed);
}
