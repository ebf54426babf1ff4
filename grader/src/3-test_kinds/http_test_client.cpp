#include "3-test_kinds/http_test_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "c10k/http/parser.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

std::string HttpResponse::describe() const {
    if (complete)
        return "HTTP " + std::to_string(head.status) + ", " + std::to_string(body.size()) + " body bytes";
    std::string got = head.status ? "after the head (HTTP " + std::to_string(head.status) + ") and " +
                                        std::to_string(body.size()) + " body bytes"
                                  : "before a complete response head";
    if (!parse_error.empty()) return "not HTTP: " + parse_error;
    if (error) return std::string("connection failed ") + got + ": " + std::strerror(error);
    if (closed) return "the server closed the connection " + got;
    return "no complete response within the deadline, " + got;
}

HttpTestClient HttpTestClient::connect(const SocketAddress& server, const Deadline& deadline, int receive_buffer) {
    Fd fd{::socket(server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!fd) throw TestFailure(std::string("grader: socket: ") + std::strerror(errno));
    int on = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (receive_buffer > 0) ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    if (::connect(fd.get(), server.get(), server.length) < 0 && errno != EINPROGRESS)
        throw TestFailure(std::string("could not connect: ") + std::strerror(errno));
    pollfd pfd{fd.get(), POLLOUT, 0};
    int ready;
    while ((ready = ::poll(&pfd, 1, deadline.remaining_ms())) < 0 && errno == EINTR) {}
    int err = 0;
    socklen_t length = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &length);
    if (ready <= 0) throw TestFailure("could not connect within " + seconds_text(deadline.budget()) + " s");
    if (err) throw TestFailure(std::string("could not connect: ") + std::strerror(err));
    return HttpTestClient(std::move(fd));
}

bool HttpTestClient::send(std::string_view bytes, const Deadline& deadline) {
    while (!bytes.empty()) {
        if (deadline.expired()) return false;
        pollfd pfd{fd_.get(), POLLOUT, 0};
        if (::poll(&pfd, 1, std::max(1, deadline.remaining_ms())) <= 0) continue;
        ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) bytes.remove_prefix(static_cast<std::size_t>(n));
        else if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    }
    return true;
}

HttpResponse HttpTestClient::read_response(const Deadline& deadline, bool head_request) {
    http::Parser parser(http::Parser::Kind::responses);
    if (head_request) parser.expect_no_body();
    HttpResponse response;
    auto sink = [&](std::string_view bytes) { response.body += bytes; };
    auto finish = [&] {
        response.head = parser.head();
        return response;
    };
    char buffer[65536];
    for (;;) {
        if (!unparsed_.empty()) {
            auto progress = parser.feed(unparsed_, sink);
            unparsed_.erase(0, progress.consumed);
            if (progress.error != http::ParseError::none) {
                response.parse_error = progress.error_text;
                return finish();
            }
            if (progress.message_complete) {
                response.complete = true;
                return finish();
            }
        }
        if (deadline.expired()) {
            response.timed_out = true;
            return finish();
        }
        pollfd pfd{fd_.get(), POLLIN, 0};
        if (::poll(&pfd, 1, std::max(1, deadline.remaining_ms())) <= 0) continue;
        ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n < 0) {
            response.error = errno;
            return finish();
        }
        if (n == 0) {
            response.closed = true;
            auto progress = parser.finish(sink);  // a close-delimited body ends here
            response.complete = progress.message_complete;
            return finish();
        }
        unparsed_.append(buffer, static_cast<std::size_t>(n));
    }
}

HttpResponse HttpTestClient::request(const std::string& request, const Deadline& deadline, bool head_request) {
    HttpResponse response;
    if (!send(request, deadline)) {
        response.error = errno ? errno : ETIMEDOUT;
        return response;
    }
    return read_response(deadline, head_request);
}

std::string http_get(const std::string& target, const std::string& extra_headers) {
    return "GET " + target + " HTTP/1.1\r\nHost: c10k-grader\r\n" + extra_headers + "\r\n";
}

}  // namespace c10k::grader
