// TinyGate, threads model: a thread per client connection, every call blocking. It reads
// like the protocol -- read a request, forward it, relay the answer -- and pays for it in
// threads: 10,000 idle clients are 10,000 stacks. The origin connections are pooled
// (keep-alive): without that every request would pay a connect, and nginx would win by far.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <vector>

#include "c10k/detached_thread.hpp"
#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"
#include "c10k/stop_signals.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {
namespace {

using c10k::Fd;
namespace http = c10k::http;

// Idle keep-alive connections to the origin, shared by every client thread.
class UpstreamPool {
public:
    explicit UpstreamPool(ProxyConfig config) : config_(std::move(config)) {}

    std::optional<Fd> take(UpstreamFailure& failure) {
        {
            std::lock_guard lock(mutex_);
            while (!idle_.empty()) {
                Fd fd = std::move(idle_.back());
                idle_.pop_back();
                if (still_open(fd.get())) return fd;
            }
        }
        auto fd = connect_with_timeout(config_.upstream, config_.upstream_timeout, failure);
        if (fd) {
            // From here on the thread blocks; a silent origin ends in a time-out (then 504).
            ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) & ~O_NONBLOCK);
            timeval wait{static_cast<time_t>(config_.upstream_timeout.count() / 1000),
                         static_cast<suseconds_t>(config_.upstream_timeout.count() % 1000 * 1000)};
            ::setsockopt(fd->get(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
        }
        return fd;
    }

    void give_back(Fd fd) {
        std::lock_guard lock(mutex_);
        if (idle_.size() < config_.pool_size) idle_.push_back(std::move(fd));
    }

private:
    const ProxyConfig config_;
    std::mutex mutex_;
    std::vector<Fd> idle_;
};

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// One client connection, request after request.
class ClientSession {
public:
    // The head and the body go out in separate sends: the client socket has TCP_NODELAY
    // from the listener (main.cpp), or the body would wait for the client's delayed ACK.
    ClientSession(Fd client, std::shared_ptr<UpstreamPool> pool)
        : client_(std::move(client)), pool_(std::move(pool)), address_(peer_address(client_.get())) {}

    void run() {
        while (!c10k::stop_requested() && serve_one_request()) requests_.next_message();
    }

private:
    // Reads more from the client into unparsed_; false at EOF or error.
    bool read_client() {
        char buffer[65536];
        ssize_t n;
        while ((n = ::recv(client_.get(), buffer, sizeof buffer, 0)) < 0 && errno == EINTR) {}
        if (n <= 0) return false;
        unparsed_.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    // Feeds what was read; body bytes go to @p body_out. false on a malformed request,
    // which has been answered (400/431).
    bool parse(std::string& body_out, http::Parser::Progress& progress) {
        progress = requests_.feed(unparsed_, [&](std::string_view bytes) { body_out += bytes; });
        unparsed_.erase(0, progress.consumed);
        if (progress.error == http::ParseError::none) return true;
        send_all(client_.get(), http::proxy_error_response(
                                    progress.error == http::ParseError::head_too_large ? 431 : 400, true));
        return false;
    }

    // One request in, one response out; false when the client connection ends.
    bool serve_one_request() {
        std::string body;
        http::Parser::Progress progress;
        // The head first: nothing can be forwarded before it.
        for (;;) {
            if (!unparsed_.empty() && !parse(body, progress)) return false;
            if (requests_.head_complete()) break;
            if (!read_client()) return false;
        }
        const http::MessageHead& request = requests_.head();
        UpstreamFailure failure{};
        std::optional<Fd> upstream = pool_->take(failure);
        if (!upstream) return send_all(client_.get(), http::proxy_error_response(failure.status, false));

        // The body streams through: what was parsed so far, then each read as it comes.
        std::string head = http::upstream_request_head(request, address_);
        bool chunked = request.framing == http::BodyFraming::chunked;
        auto forward = [&](std::string& bytes) {
            bool ok = bytes.empty() || send_all(upstream->get(), chunked ? http::chunk(bytes) : bytes);
            bytes.clear();
            return ok;
        };
        if (!send_all(upstream->get(), head) || !forward(body)) {
            send_all(client_.get(), http::proxy_error_response(502, true));
            return false;
        }
        while (!progress.message_complete) {
            if (!read_client()) return false;
            if (!parse(body, progress) || !forward(body)) return false;
        }
        if (chunked && !send_all(upstream->get(), http::kLastChunk)) return false;
        return relay_response(request, std::move(*upstream));
    }

    // Reads the origin's answer and writes it to the client in the client's framing.
    bool relay_response(const http::MessageHead& request, Fd upstream) {
        http::Parser responses(http::Parser::Kind::responses);
        if (request.method == "HEAD") responses.expect_no_body();
        http::ClientResponse out;
        bool head_sent = false, client_ok = true;
        std::string from_origin;
        auto to_client = [&](std::string_view bytes) {
            if (!client_ok || bytes.empty()) return;
            client_ok = out.framing == http::BodyFraming::chunked ? send_all(client_.get(), http::chunk(bytes))
                                                                   : send_all(client_.get(), bytes);
        };
        auto send_head_once = [&] {
            if (head_sent || !responses.head_complete()) return;
            out = http::client_response_head(responses.head(), request);
            client_ok = send_all(client_.get(), out.head);
            head_sent = true;
        };
        char buffer[65536];
        http::Parser::Progress progress;
        while (!progress.message_complete) {
            ssize_t n;
            while ((n = ::recv(upstream.get(), buffer, sizeof buffer, 0)) < 0 && errno == EINTR) {}
            if (n < 0 && !head_sent)  // SO_RCVTIMEO: the origin said nothing in time
                return send_all(client_.get(), http::proxy_error_response(504, false));
            if (n < 0) return false;
            if (n == 0) {  // the origin closed: the end of a close-delimited body, or a cut
                progress = responses.finish([&](std::string_view bytes) { send_head_once(), to_client(bytes); });
                send_head_once();
                if (!progress.message_complete) {
                    return head_sent ? false : send_all(client_.get(), http::proxy_error_response(502, false));
                }
                break;
            }
            progress = responses.feed(std::string_view(buffer, static_cast<std::size_t>(n)), [&](std::string_view bytes) {
                send_head_once();
                to_client(bytes);
            });
            send_head_once();
            if (progress.error != http::ParseError::none) {
                if (!head_sent) send_all(client_.get(), http::proxy_error_response(502, true));
                return false;
            }
            if (!client_ok) return false;  // the client went away mid-response: both connections end
        }
        if (out.framing == http::BodyFraming::chunked && !send_all(client_.get(), http::kLastChunk)) return false;
        if (responses.head().keep_alive && responses.head().framing != http::BodyFraming::until_close)
            pool_->give_back(std::move(upstream));
        return client_ok && !out.close_after;
    }

    Fd client_;
    std::shared_ptr<UpstreamPool> pool_;  // shared: detached threads may outlive run_threads
    std::string address_;
    http::Parser requests_{http::Parser::Kind::requests};
    std::string unparsed_;
};

}  // namespace

// slide-begin: accept-loop
int run_threads(Fd listener, const ProxyConfig& config) {
    auto pool = std::make_shared<UpstreamPool>(config);
    while (!c10k::stop_requested()) {
        Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
        if (!client) continue;  // EINTR from a stop signal, or a client that left early
        // A small stack: a thousand clients are a thousand threads (see detached_thread.hpp).
        int fd = client.release();
        if (c10k::start_detached_thread([fd, pool] { ClientSession(Fd{fd}, pool).run(); }) != 0)
            ::close(fd);  // no thread to be had: this client is refused, the others go on
    }
    return 0;
}
// slide-end: accept-loop

}  // namespace tinygate
