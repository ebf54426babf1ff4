#pragma once
// Shared frame of the deliberately broken proxies (lab 09): a small thread-per-client
// proxy that gets the contract right -- command line, announce, signals, HTTP through
// c10k/http, a pool of origin connections -- except for the one part a broken proxy
// replaces. Each part is a function in ProxyParts; each broken proxy's own file holds the
// faulty version of one, so a reader sees the bug and nothing else.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "c10k/announce.hpp"
#include "c10k/detached_thread.hpp"
#include "c10k/fd.hpp"
#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"

namespace broken {

using c10k::Fd;
namespace http = c10k::http;

/// Idle keep-alive connections to the origin.
class Pool {
public:
    explicit Pool(c10k::SocketAddress origin) : origin_(std::move(origin)) {}
    /// An idle connection, or a new one; an empty Fd when the origin cannot be reached.
    Fd take() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                Fd fd = std::move(idle_.back());
                idle_.pop_back();
                return fd;
            }
        }
        Fd fd{::socket(origin_.family(), SOCK_STREAM | SOCK_CLOEXEC, 0)};
        if (fd && ::connect(fd.get(), origin_.get(), origin_.length) != 0) fd.reset();
        return fd;
    }
    void put(Fd fd) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(fd));
    }

private:
    c10k::SocketAddress origin_;
    std::mutex mutex_;
    std::vector<Fd> idle_;
};

/// Every byte of @p bytes, blocking; false when the peer is gone.
inline bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// A parsed request waiting for its turn.
struct Request {
    http::MessageHead head;
    std::string body;
};

/// The parts a broken proxy may replace; the defaults are correct.
struct ProxyParts {
    /// Runs one client's session: on a thread of its own.
    std::function<void(std::function<void()>)> start_session = [](std::function<void()> session) {
        (void)c10k::start_detached_thread(std::move(session));
    };
    /// After a complete response the origin connection may be reused: back to the pool.
    std::function<void(Pool&, Fd)> reuse = [](Pool& pool, Fd upstream) { pool.put(std::move(upstream)); };
    /// Response bytes to the client; false when the client is gone.
    std::function<bool(int, std::string_view)> to_client = send_all;
    /// Which of the requests read so far (pipelined ones) to answer next.
    std::function<Request(std::deque<Request>&)> next_request = [](std::deque<Request>& waiting) {
        Request first = std::move(waiting.front());
        waiting.pop_front();
        return first;
    };
    /// The client went away mid-response: both connections end.
    std::function<void(Fd&, Fd&)> client_gone = [](Fd& client, Fd& upstream) {
        client.reset();
        upstream.reset();
    };
};

/// Relays the origin's answer to @p request; false when the client connection must end.
inline bool relay(Fd& client, Fd& upstream, const Request& request, Pool& pool, const ProxyParts& parts) {
    http::Parser responses(http::Parser::Kind::responses);
    if (request.head.method == "HEAD") responses.expect_no_body();
    http::ClientResponse out;
    bool head_sent = false, client_ok = true;
    auto send_head = [&] {
        if (head_sent || !responses.head_complete()) return;
        out = http::client_response_head(responses.head(), request.head);
        client_ok = parts.to_client(client.get(), out.head);
        head_sent = true;
    };
    auto body = [&](std::string_view bytes) {
        send_head();
        if (client_ok && !bytes.empty())
            client_ok = parts.to_client(client.get(), out.framing == http::BodyFraming::chunked ? http::chunk(bytes)
                                                                                                 : std::string(bytes));
    };
    char buffer[65536];
    http::Parser::Progress progress;
    while (!progress.message_complete) {
        ssize_t n = ::recv(upstream.get(), buffer, sizeof buffer, 0);
        if (n <= 0) {
            progress = responses.finish(body);
            send_head();
            if (!progress.message_complete) return send_all(client.get(), http::proxy_error_response(502, true)), false;
            break;
        }
        progress = responses.feed(std::string_view(buffer, static_cast<std::size_t>(n)), body);
        send_head();
        if (!client_ok) {
            parts.client_gone(client, upstream);
            return false;
        }
    }
    if (out.framing == http::BodyFraming::chunked) client_ok = parts.to_client(client.get(), http::kLastChunk);
    if (responses.head().keep_alive && responses.head().framing != http::BodyFraming::until_close)
        parts.reuse(pool, std::move(upstream));
    return client_ok && !out.close_after;
}

/// One client: read what it sends, parse every complete request, answer them one by one.
inline void serve(Fd client, Pool& pool, const ProxyParts& parts) {
    http::Parser requests(http::Parser::Kind::requests);
    std::deque<Request> waiting;
    Request current;
    std::string unparsed;
    char buffer[65536];
    while (client) {
        while (!waiting.empty()) {
            Request request = parts.next_request(waiting);
            Fd upstream = pool.take();
            if (!upstream) return (void)send_all(client.get(), http::proxy_error_response(502, true));
            std::string head = http::upstream_request_head(request.head, "127.0.0.1");
            if (!send_all(upstream.get(), head) ||
                !send_all(upstream.get(), request.head.framing == http::BodyFraming::chunked
                                              ? http::chunk(request.body) + std::string(http::kLastChunk)
                                              : request.body) ||
                !relay(client, upstream, request, pool, parts))
                return;
        }
        ssize_t n = ::recv(client.get(), buffer, sizeof buffer, 0);
        if (n <= 0) return;
        unparsed.append(buffer, static_cast<std::size_t>(n));
        for (;;) {  // every complete request in what has arrived
            auto progress = requests.feed(unparsed, [&](std::string_view bytes) { current.body += bytes; });
            unparsed.erase(0, progress.consumed);
            if (progress.error != http::ParseError::none)
                return (void)send_all(client.get(), http::proxy_error_response(
                                                        progress.error == http::ParseError::head_too_large ? 431 : 400, true));
            if (!progress.message_complete) break;
            current.head = requests.head();
            waiting.push_back(std::move(current));
            current = {};
            requests.next_message();
        }
    }
}

/// The proxy's main: TinyGate's command line (--model and --upstream-timeout accepted and
/// ignored), then a session per client.
inline int run_proxy(int argc, char** argv, ProxyParts parts = {}) {
    CLI::App app{"a deliberately broken proxy"};
    c10k::ServerOptions options;
    c10k::add_server_options(app, options);
    std::string upstream, model;
    double timeout = 5;
    app.add_option("--upstream", upstream)->required();
    app.add_option("--model", model);
    app.add_option("--upstream-timeout", timeout);
    CLI11_PARSE(app, argc, argv);
    auto colon = upstream.rfind(':');
    auto pool = std::make_shared<Pool>(
        c10k::make_socket_address(upstream.substr(0, colon), static_cast<std::uint16_t>(std::stoi(upstream.substr(colon + 1)))));
    c10k::install_stop_signals();
    c10k::raise_open_file_limit();
    Fd listener = c10k::open_listener(options);
    c10k::announce_listening(listener.get());
    while (!c10k::stop_requested()) {
        Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
        if (!client) continue;
        int fd = client.release();
        parts.start_session([fd, pool, &parts] { serve(Fd{fd}, *pool, parts); });
    }
    return 0;
}

}  // namespace broken
