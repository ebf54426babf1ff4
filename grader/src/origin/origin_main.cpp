// c10k-origin: the origin server lab 09's proxies stand in front of. A thread per
// connection (it is the grader's instrument, not a lesson), keep-alive, every route of
// routes.hpp, and a count of the connections it accepted.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "c10k/announce.hpp"
#include "c10k/detached_thread.hpp"
#include "c10k/fd.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "origin/body_pattern.hpp"
#include "origin/routes.hpp"

namespace {

using namespace c10k;

std::atomic<std::uint64_t> connections_accepted{0};

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Waits up to @p ms (or forever, -1) unless the client closes first.
void wait_unless_closed(int fd, int ms) {
    pollfd pfd{fd, POLLRDHUP, 0};
    ::poll(&pfd, 1, ms);
}

// Sends bytes [from, to) of the plan's body, in pieces; chunked framing when asked.
bool send_body(int fd, const origin::ResponsePlan& plan, std::uint64_t from, std::uint64_t to) {
    if (!plan.body.empty()) return send_all(fd, std::string_view(plan.body).substr(from, to - from));
    // Chunk sizes vary, so a proxy that assumes one chunk per read is caught.
    static constexpr std::size_t kPieces[] = {65536, 1000, 4096, 17, 32768};
    for (std::size_t i = 0; from < to; ++i) {
        std::size_t piece = std::min<std::uint64_t>(kPieces[i % std::size(kPieces)], to - from);
        std::string bytes = origin::body_bytes(plan.seed, from, piece);
        if (plan.framing == http::BodyFraming::chunked) {
            char size_line[32];
            std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece);
            bytes = size_line + bytes + "\r\n";
        }
        if (!send_all(fd, bytes)) return false;
        from += piece;
    }
    return true;
}

// Carries out one response; false when the connection must end.
bool answer(int fd, const origin::ResponsePlan& plan) {
    if (plan.never_answer) {
        wait_unless_closed(fd, -1);
        return false;
    }
    if (plan.delay_ms > 0) wait_unless_closed(fd, plan.delay_ms);
    std::uint64_t length = plan.body.empty() ? plan.generated_bytes : plan.body.size();
    std::string head = origin::response_head(plan, length);
    if (plan.omit_body || plan.framing == http::BodyFraming::none) return send_all(fd, head) && !plan.close_after;
    if (plan.framing == http::BodyFraming::content_length && !plan.reset_halfway && length <= 65536) {
        // A small answer leaves in one send: head and body together.
        std::string whole = head + (plan.body.empty() ? origin::body_bytes(plan.seed, 0, length) : plan.body);
        return send_all(fd, whole) && !plan.close_after;
    }
    if (!send_all(fd, head)) return false;
    if (plan.reset_halfway) {
        send_body(fd, plan, 0, length / 2);
        linger hard{1, 0};  // close with SO_LINGER 0: the peer gets a reset, mid-body
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        return false;
    }
    if (!send_body(fd, plan, 0, length)) return false;
    if (plan.framing == http::BodyFraming::chunked && !send_all(fd, "0\r\n\r\n")) return false;
    return !plan.close_after;
}

void refuse(int fd, int status, const char* reason) {
    std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                           "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    send_all(fd, response);
}

void serve(Fd client) {
    http::Parser parser(http::Parser::Kind::requests);
    std::string unparsed, body;
    char buffer[65536];
    for (;;) {
        auto progress = parser.feed(unparsed, [&](std::string_view bytes) { body += bytes; });
        unparsed.erase(0, progress.consumed);
        if (progress.error == http::ParseError::head_too_large) return refuse(client.get(), 431, "Request Header Fields Too Large");
        if (progress.error != http::ParseError::none) return refuse(client.get(), 400, "Bad Request");
        if (!progress.message_complete) {
            ssize_t n = ::recv(client.get(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            unparsed.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        origin::ResponsePlan plan = origin::plan_response(parser.head(), body, connections_accepted.load());
        parser.next_message();
        body.clear();
        if (!answer(client.get(), plan)) return;
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions options = parse_server_cli(argc, argv, "c10k-origin: the origin server behind lab 09's proxies");
    install_stop_signals();
    raise_open_file_limit();
    Fd listener = open_listener(options);
    announce_listening(listener.get());
    while (!stop_requested()) {
        Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
        if (!client) continue;  // EINTR (a stop signal) or a transient error
        connections_accepted.fetch_add(1);
        int one = 1;  // a response's last small piece must not wait for an ACK (Nagle)
        ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int fd = client.release();  // the thread owns it from here
        if (int error = start_detached_thread([fd] { serve(Fd{fd}); }); error != 0) {
            std::fprintf(stderr, "c10k-origin: no thread for a connection: %s\n", std::strerror(error));
            ::close(fd);
        }
    }
    return 0;
}
