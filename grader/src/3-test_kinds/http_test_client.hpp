#pragma once
/// @file http_test_client.hpp
/// @brief HttpTestClient: one HTTP/1.1 client connection whose every wait has a deadline,
/// reading responses with the same parser the proxies use (c10k/http/parser.hpp).

#include <string>
#include <string_view>

#include "c10k/fd.hpp"
#include "c10k/http/message.hpp"
#include "c10k/listener.hpp"
#include "deadline.hpp"

namespace c10k::grader {

/// What came back for one request.
struct HttpResponse {
    http::MessageHead head;
    std::string body;             ///< decoded (chunk framing removed)
    bool complete = false;        ///< the whole message arrived
    bool timed_out = false;       ///< the deadline passed first
    bool closed = false;          ///< the server closed the connection (after or instead of a response)
    int error = 0;                ///< errno of a failed recv (ECONNRESET), else 0
    std::string parse_error;      ///< the bytes were not HTTP: llhttp's reason

    /// "HTTP 200, 1024 body bytes" or why there is no complete response, in one line.
    [[nodiscard]] std::string describe() const;
};

class HttpTestClient {
public:
    /// Connects to @p server; throws TestFailure("could not connect: ...") on failure.
    /// @p receive_buffer > 0: SO_RCVBUF before connecting, a slow client's small window.
    /// (Set after the handshake, a window below the MSS makes the sender wait for TCP's
    /// persist timer, 0.2 s per window: a kernel quirk, not the proxy's fault.)
    static HttpTestClient connect(const SocketAddress& server, const Deadline& deadline, int receive_buffer = 0);

    /// Sends @p bytes, all of them, unless the deadline passes or the server resets;
    /// returns false then.
    bool send(std::string_view bytes, const Deadline& deadline);
    /// Reads one response. @p head_request: it answers a HEAD, so it has no body.
    HttpResponse read_response(const Deadline& deadline, bool head_request = false);
    /// send() then read_response().
    HttpResponse request(const std::string& request, const Deadline& deadline, bool head_request = false);

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

private:
    explicit HttpTestClient(Fd fd) : fd_(std::move(fd)) {}
    Fd fd_;
    std::string unparsed_;  // bytes read past the end of the last response (pipelining)
};

/// "GET /target HTTP/1.1" with a Host header (and @p extra_headers, each ending in CRLF).
std::string http_get(const std::string& target, const std::string& extra_headers = "");

}  // namespace c10k::grader
