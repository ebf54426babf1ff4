// TinyGate's exchange: the HTTP state machine that epoll.cpp and io_uring.cpp both drive --
// written once, here. exchange.hpp is the contract: what the models report (the public
// functions below) and the hooks they supply (send, update_reading, open_upstream, close).
// Until you write it, every request gets 501 and its connection closes.
#include "exchange.hpp"

namespace tinygate {

Client& Exchange::add(std::unique_ptr<Client> client) {
    Client& c = *client;
    connections_.emplace(&c, std::move(client));
    update_reading(c);
    return c;
}

void Exchange::received(Client& c, std::string_view bytes) {
    // TODO(student): the client's side of an exchange.
    //   1. Append @p bytes to c.in and feed c.requests as far as the exchange in progress
    //      allows: a malformed request gets 400, a head over 8 KiB 431 -- then close.
    //   2. A complete head starts an exchange: an origin connection from the pool (idle_) or
    //      a new one (open_upstream(); nullptr: 502), the head for it
    //      (http::upstream_request_head) queued in its `out`, sent once it is connected.
    //   3. Body bytes follow (http::chunk() them again if they came chunked, then
    //      http::kLastChunk). Requests after this one wait in c.in, unparsed, until its
    //      response is complete (pipelining: one exchange at a time keeps the order).
    //   4. No response head by c.answer_by (config_.upstream_timeout): 504 (awaiting_).
    (void)bytes;
    if (c.closed || c.closing) return;
    c.closing = true;
    c.out += http::proxy_error_response(501, true);
    send(c, {});
    sent(c);
}

void Exchange::received(Upstream& u, std::string_view bytes) {
    // TODO(student): the origin's side. Feed u.responses; once its head is complete, the
    // client's head (http::client_response_head) goes into the client's `out`, then the body
    // in the framing it chose -- as it came (the `borrowed` argument of send()), or
    // http::chunk()ed. A complete response frees the origin connection: back into the pool
    // if it may be reused (framed, keep-alive, nothing left over), else closed. Then the
    // client's next pipelined request. A parse error before the head: 502.
    (void)u;
    (void)bytes;
}

void Exchange::connected(Upstream& u) {
    // TODO(student): it may send now: the request queued while it connected.
    u.connected = true;
}

void Exchange::sent(Connection& c) {
    // TODO(student): room again -- read the side that feeds this one (update_reading).
    if (c.closed || c.side != Connection::Side::client) return;
    if (static_cast<Client&>(c).closing && c.queued() == 0) forget(c);
}

void Exchange::ended(Connection& c) {
    // TODO(student): a client that leaves abandons its exchange (and its origin connection,
    // which is mid-response: not reusable). An origin connection that closes ends a
    // close-delimited body (u.responses.finish()), or cuts a response short: 502 if nothing
    // was sent yet, else the client must not take it for complete -- close it.
    if (!c.closed) forget(c);
}

void Exchange::expire_slow_answers() {
    // TODO(student): 504 for every exchange still without a response head at its answer_by.
}

void Exchange::release_closed() {
    std::erase_if(closed_, [&](Connection* c) {
        if (in_use(*c)) return false;
        connections_.erase(c);  // frees it, and closes its socket
        return true;
    });
}

bool Exchange::may_read(const Connection& c) const {
    // TODO(student): backpressure. A client is not read while its unparsed requests, or the
    // bytes waiting for its origin connection, are over kBufferLimit; an origin connection
    // is not read before it is connected, nor while its client's queue is over the limit.
    return !c.closed;
}

void Exchange::discard_connections() {
    idle_.clear();
    awaiting_.clear();
    closed_.clear();
    connections_.clear();
}

void Exchange::forget(Connection& c) {
    c.closed = true;
    closed_.push_back(&c);
    close(c);
}

}  // namespace tinygate
