// TinyGate's exchange, written once: the HTTP state machine that epoll.cpp and io_uring.cpp
// drive (exchange.hpp says how). A client connection carries one exchange at a time, so
// responses keep the order of the requests; pipelined requests wait, unparsed, in `in`. An
// origin connection serves one client at a time and goes back to the pool when its response
// ended cleanly -- the keep-alive without which nobody comes near nginx.
#include "exchange.hpp"

#include <algorithm>

namespace tinygate {

// ---- What the model reports --------------------------------------------------------

Client& Exchange::add(std::unique_ptr<Client> client) {
    Client& c = *client;
    connections_.emplace(&c, std::move(client));
    update_reading(c);
    return c;
}

void Exchange::received(Client& c, std::string_view bytes) {
    if (c.closed) return;
    c.in.append(bytes);
    advance(c);
}

// slide-begin: relay
void Exchange::received(Upstream& u, std::string_view bytes) {
    if (u.closed) return;
    if (!u.client) return drop_upstream(u);  // bytes on an idle connection: not ours to relay
    Client& c = *u.client;
    std::string_view verbatim;  // body bytes that go to the client as they came: no copy of ours
    auto progress = u.responses.feed(bytes, [&](std::string_view body) {
        forward_body(c, u, body, verbatim);
    });
    start_response(c, u);
    flush(c, verbatim);
    if (c.closed) return;
    if (progress.error != http::ParseError::none) {
        if (!c.response_started) return finish_with_error(c, 502);
        return close_client(c);  // cut mid-body: the client must not take it for complete
    }
    bool nothing_left_over = progress.consumed == bytes.size();
    if (progress.message_complete) return complete_response(c, u, nothing_left_over);
    update_reading(u);
}
// slide-end: relay

void Exchange::connected(Upstream& u) {
    if (u.closed) return;
    u.connected = true;
    flush(u);  // the request queued while it connected
    update_reading(u);
}

void Exchange::sent(Connection& c) {
    if (!c.closed) after_progress(c);
}

void Exchange::ended(Connection& c) {
    if (c.closed) return;
    if (c.side == Connection::Side::client) return close_client(static_cast<Client&>(c));
    auto& u = static_cast<Upstream&>(c);
    if (!u.client) return drop_upstream(u);  // an idle one the origin closed (its keep-alive ran out)
    Client& client = *u.client;
    // The origin closed: the end of a close-delimited body -- or a response cut short.
    std::string_view verbatim;
    auto progress = u.responses.finish([&](std::string_view body) { forward_body(client, u, body, verbatim); });
    client.out.append(verbatim);
    if (progress.message_complete) return complete_response(client, u, false);
    if (!client.response_started) return finish_with_error(client, 502);  // refused, reset, nothing said
    close_client(client);
}

void Exchange::expire_slow_answers() {
    auto now = Clock::now();
    std::vector<Client*> late;
    for (Client* c : awaiting_)
        if (now >= c->answer_by) late.push_back(c);
    for (Client* c : late)
        if (awaiting_.contains(c)) finish_with_error(*c, 504);  // one 504 may have closed another
}

void Exchange::release_closed() {
    std::erase_if(closed_, [&](Connection* c) {
        if (in_use(*c)) return false;
        connections_.erase(c);  // frees it, and closes its socket
        return true;
    });
}

bool Exchange::may_read(const Connection& c) const {
    if (c.closed) return false;
    if (c.side == Connection::Side::client) {
        const auto& client = static_cast<const Client&>(c);
        return !client.closing && client.in.size() < kBufferLimit &&
               (!client.upstream || client.upstream->queued() < kBufferLimit);
    }
    const auto& u = static_cast<const Upstream&>(c);
    return u.connected && (!u.client || u.client->queued() < kBufferLimit);
}

void Exchange::discard_connections() {
    idle_.clear();
    awaiting_.clear();
    closed_.clear();
    connections_.clear();
}

// ---- The client's side ---------------------------------------------------------------

// Parses what the client sent, as far as the exchange in progress allows.
void Exchange::advance(Client& c) {
    while (!c.closed && !c.closing && !c.in.empty() && !c.request_done) {
        std::string body;
        auto progress = c.requests.feed(c.in, [&](std::string_view bytes) { body += bytes; });
        c.in.erase(0, progress.consumed);
        if (progress.error != http::ParseError::none) {
            if (c.exchanging) return close_client(c);  // half a request went upstream: nothing to answer
            return reply_and_close(c, progress.error == http::ParseError::head_too_large ? 431 : 400);
        }
        if (c.requests.head_complete() && !c.exchanging && !start_exchange(c)) return;
        bool chunked = c.request.framing == http::BodyFraming::chunked;
        if (c.upstream && !body.empty()) queue_upstream(*c.upstream, chunked ? http::chunk(body) : body);
        if (progress.message_complete) {
            c.request_done = true;
            if (c.upstream && chunked) queue_upstream(*c.upstream, http::kLastChunk);
        }
        if (progress.consumed == 0) break;
    }
    if (!c.closed) update_reading(c);
}

bool Exchange::start_exchange(Client& c) {
    c.exchanging = true;
    c.request = c.requests.head();
    c.response_started = false;
    c.answer_by = Clock::now() + config_.upstream_timeout;
    Upstream* u = take_upstream();
    if (!u) {
        finish_with_error(c, 502);
        return false;
    }
    awaiting_.insert(&c);
    u->client = &c;
    c.upstream = u;
    u->responses.next_message();
    if (c.request.method == "HEAD") u->responses.expect_no_body();
    queue_upstream(*u, http::upstream_request_head(c.request, c.address));
    update_reading(*u);
    return true;
}

void Exchange::start_response(Client& c, Upstream& u) {
    if (c.response_started || !u.responses.head_complete()) return;
    c.response_started = true;
    awaiting_.erase(&c);
    c.response = http::client_response_head(u.responses.head(), c.request);
    c.out += c.response.head;
}

// Body bytes for the client, in its framing: chunked ones copied with their framing, the
// others handed on as they came (@p verbatim, sent after `out`).
void Exchange::forward_body(Client& c, Upstream& u, std::string_view body, std::string_view& verbatim) {
    start_response(c, u);
    if (c.response.framing == http::BodyFraming::chunked) {
        c.out += http::chunk(body);
    } else if (verbatim.empty()) {
        verbatim = body;
    } else if (verbatim.data() + verbatim.size() == body.data()) {
        verbatim = {verbatim.data(), verbatim.size() + body.size()};  // the parser's next piece of the same bytes
    } else {  // pieces apart: copy both, in order
        c.out.append(verbatim);
        c.out.append(body);
        verbatim = {};
    }
}

void Exchange::complete_response(Client& c, Upstream& u, bool nothing_left_over) {
    start_response(c, u);
    if (c.response.framing == http::BodyFraming::chunked) c.out += http::kLastChunk;
    const http::MessageHead& response = u.responses.head();
    bool reusable = response.keep_alive && nothing_left_over && c.request_done &&
                    response.framing != http::BodyFraming::until_close;
    u.client = nullptr;
    c.upstream = nullptr;
    if (reusable && idle_.size() < config_.pool_size) {
        idle_.push_back(&u);
        update_reading(u);  // idle, but read: the origin closing it shows as EOF
    } else {
        drop_upstream(u);
    }
    if (c.response.close_after) c.closing = true;
    end_exchange(c);
    flush(c);
    if (!c.closed) advance(c);  // the next pipelined request, if one is waiting
}

// An exchange that failed before any of the response went out: the status, then the next
// request -- unless the request was not read to its end, and the connection cannot go on.
void Exchange::finish_with_error(Client& c, int status) {
    if (c.upstream) drop_upstream(*c.upstream);
    bool whole_request_read = c.request_done || c.request.framing == http::BodyFraming::none;
    end_exchange(c);
    if (!whole_request_read) return reply_and_close(c, status);
    c.out += http::proxy_error_response(status, false);
    flush(c);
    if (!c.closed) advance(c);
}

// The proxy answers by itself (400, 431, 502, 504), and the connection ends.
void Exchange::reply_and_close(Client& c, int status) {
    c.closing = true;
    c.out += http::proxy_error_response(status, true);
    flush(c);
}

void Exchange::end_exchange(Client& c) {
    c.exchanging = c.request_done = c.response_started = false;
    c.upstream = nullptr;
    awaiting_.erase(&c);
    c.requests.next_message();
}

void Exchange::close_client(Client& c) {
    if (c.closed) return;
    if (c.upstream) drop_upstream(*c.upstream);  // mid-exchange: that origin connection is not reusable
    awaiting_.erase(&c);
    forget(c);
}

// ---- Sending, and what it frees up -----------------------------------------------------

void Exchange::flush(Connection& c, std::string_view borrowed) {
    if (c.closed) return;
    send(c, borrowed);
    after_progress(c);
}

// Bytes went out (or were queued): a closing client may be done, and the side that feeds
// this one may be read again.
void Exchange::after_progress(Connection& c) {
    if (c.side == Connection::Side::client) {
        auto& client = static_cast<Client&>(c);
        if (client.closing && client.queued() == 0) return close_client(client);
        if (client.upstream) update_reading(*client.upstream);
    } else if (auto& u = static_cast<Upstream&>(c); u.client) {
        update_reading(*u.client);
    }
}

// ---- The origin's side -----------------------------------------------------------------

void Exchange::queue_upstream(Upstream& u, std::string_view bytes) {
    u.out.append(bytes);
    if (u.connected) flush(u);  // else connected() sends it
}

// slide-begin: pool
Upstream* Exchange::take_upstream() {
    if (!idle_.empty()) {  // one the origin closed was dropped when its EOF came in
        Upstream* u = idle_.back();
        idle_.pop_back();
        return u;
    }
    std::unique_ptr<Upstream> fresh = open_upstream();
    if (!fresh) return nullptr;
    Upstream* u = fresh.get();
    connections_.emplace(u, std::move(fresh));
    return u;
}
// slide-end: pool

void Exchange::drop_upstream(Upstream& u) {
    if (u.client) u.client->upstream = nullptr;
    u.client = nullptr;
    std::erase(idle_, &u);
    if (!u.closed) forget(u);
}

void Exchange::forget(Connection& c) {
    c.closed = true;
    closed_.push_back(&c);
    close(c);
}

}  // namespace tinygate
