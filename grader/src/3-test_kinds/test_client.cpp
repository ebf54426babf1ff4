#include "3-test_kinds/test_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "c10k/syscall_error.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

StallDiagnosis Exchange::explain_shortfall(std::size_t expected, const Deadline& deadline) const {
    std::string got = std::to_string(received.size()) + " of " + std::to_string(expected) + " bytes";
    if (error == ECONNRESET && received.empty())
        return {"the server reset the connection after " + got,
                "reset before a single byte was echoed: the server closed the connection with the client's bytes "
                "unread -- read until read() returns 0 before closing (EPOLLRDHUP or EPOLLHUP is not the end of "
                "the data) -- or accept() failed after taking it (an uninitialised addrlen gives EINVAL)"};
    if (error == ECONNRESET)
        return {"the server reset the connection after " + got,
                "a socket closed with unread data in it sends a reset: read until read() returns 0 before closing "
                "(EPOLLRDHUP or EPOLLHUP is not the end of the data)"};
    if (error) return {"connection failed after " + got + ": " + std::strerror(error), ""};
    if (eof && received.empty())
        return {"server closed the connection after " + got,
                "closed before a single byte was echoed: check accept()'s result before using it (an "
                "uninitialised addrlen gives EINVAL; EMFILE means out of descriptors), and what the server logs"};
    if (eof)
        return {"server closed the connection after " + got,
                "close a client only after read() returned 0 and everything it sent was written back"};
    StallDiagnosis stall = diagnose_stall(server_side);
    return {"got " + got + " within " + seconds_text(deadline.budget()) + " s" + stall.reason, stall.hint};
}

void require_exact_echo(const std::string& label, std::span<const std::uint8_t> expected,
                        const Exchange& echo, const Deadline& deadline) {
    auto mismatch = describe_echo_mismatch(expected, echo.received);
    if (!mismatch) return;
    // A correct but short prefix is best explained by why the rest never came.
    bool short_prefix = echo.received.size() < expected.size() && !first_difference(expected, echo.received);
    StallDiagnosis why = short_prefix ? echo.explain_shortfall(expected.size(), deadline)
                                      : StallDiagnosis{mismatch->reason, mismatch->hint};
    throw TestFailure(label.empty() ? why.reason : label + ": " + why.reason, why.hint);
}

TestClient TestClient::connect(const SocketAddress& server, const Deadline& deadline, pid_t server_pid) {
    Fd fd{::socket(server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!fd) throw TestFailure(std::string("grader: socket: ") + std::strerror(errno));
    int on = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    const char* refused_hint =
        "nothing listens on the announced port: announce the port you bound (getsockname after bind, as "
        "c10k::announce_listening does), and keep the listening socket open";
    if (::connect(fd.get(), server.get(), server.length) < 0 && errno != EINPROGRESS)
        throw TestFailure(std::string("could not connect: ") + std::strerror(errno),
                          errno == ECONNREFUSED ? refused_hint : "is the server still listening?");
    pollfd pfd{fd.get(), POLLOUT, 0};
    int ready = 0;
    while ((ready = ::poll(&pfd, 1, deadline.remaining_ms())) < 0 && errno == EINTR) {}
    if (ready == 0)
        throw TestFailure("could not connect within " + seconds_text(deadline.budget()) + " s",
                          "the listen backlog is full: is the server accepting connections?");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err)
        throw TestFailure(std::string("could not connect: ") + std::strerror(err),
                          err == ECONNREFUSED ? refused_hint : "is the server still listening?");
    return TestClient(std::move(fd), server_pid);
}

Exchange TestClient::exchange(std::span<const std::uint8_t> data, std::size_t expect,
                              const Deadline& deadline, bool shutdown_after_send, bool until_eof) {
    Exchange result;
    bool write_shut = false;
    // A flooding server must not exhaust the grader: read at most this much.
    const std::size_t read_cap = expect + (1u << 20);
    std::uint8_t buffer[65536];
    for (;;) {
        bool all_sent = result.sent == data.size();
        if (all_sent && shutdown_after_send && !write_shut) {
            ::shutdown(fd_.get(), SHUT_WR);
            write_shut = true;
        }
        if (result.eof || result.error) return result;
        if (all_sent && !until_eof && result.received.size() >= expect) return result;
        if (result.received.size() >= read_cap) return result;
        if (deadline.expired()) {
            result.timed_out = true;
            result.server_side = find_server_socket(server_pid_, peer_port(fd_.get()), local_port(fd_.get()));
            return result;
        }
        pollfd pfd{fd_.get(), static_cast<short>(POLLIN | (all_sent ? 0 : POLLOUT)), 0};
        if (::poll(&pfd, 1, std::max(1, deadline.remaining_ms())) <= 0) continue;
        if (!all_sent && (pfd.revents & (POLLOUT | POLLERR))) {
            ssize_t n = ::send(fd_.get(), data.data() + result.sent, data.size() - result.sent, MSG_NOSIGNAL);
            if (n > 0) result.sent += static_cast<std::size_t>(n);
            else if (n < 0 && errno != EAGAIN && errno != EINTR) result.error = errno;
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            std::size_t room = std::min(sizeof buffer, read_cap - result.received.size());
            ssize_t n = ::recv(fd_.get(), buffer, room, 0);
            if (n > 0) result.received.insert(result.received.end(), buffer, buffer + n);
            else if (n == 0) result.eof = true;
            else if (errno != EAGAIN && errno != EINTR) result.error = errno;
        }
    }
}

std::size_t TestClient::send_without_reading(std::span<const std::uint8_t> data, const Deadline& deadline) {
    std::size_t sent = 0;
    while (sent < data.size() && !deadline.expired()) {
        pollfd pfd{fd_.get(), POLLOUT, 0};
        if (::poll(&pfd, 1, std::max(1, deadline.remaining_ms())) <= 0) continue;
        ssize_t n = ::send(fd_.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<std::size_t>(n);
        else if (n < 0 && errno != EAGAIN && errno != EINTR) break;
    }
    return sent;
}

void TestClient::shutdown_write() { ::shutdown(fd_.get(), SHUT_WR); }

void TestClient::reset() {
    linger hard{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    fd_.reset();
}

}  // namespace c10k::grader
