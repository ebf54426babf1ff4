#pragma once
// The exchange: what happens to one request between a client and the origin -- parse it,
// take an origin connection from the pool, forward the request, relay the response, then
// the next request. It is written once (exchange.cpp) and both event models drive it:
// epoll.cpp and io_uring.cpp report what their sockets did (received, sent, connected,
// ended) and supply the hooks below (how to send, when to read, how to connect, how to
// close). So the two model files differ only in how they wait, as Redis's ae.c runs over
// ae_epoll.c or ae_select.c. (The threads model needs none of this: a blocked thread keeps
// its place in the protocol by itself.)
//
// The rules between the two halves:
// - The exchange owns every Connection; the model creates them (its own types, derived
//   from Client and Upstream, with its bookkeeping added) and hands them over.
// - A hook never calls back into the exchange: the model reports what happened from its
//   own event handlers, after the kernel said so.
// - A connection the exchange closed is freed at release_closed(), once the model says it
//   no longer uses it (in_use), never earlier: a completion may still point at it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "c10k/fd.hpp"
#include "c10k/http/forwarding.hpp"
#include "c10k/http/parser.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

namespace tinygate {

namespace http = c10k::http;
using Clock = std::chrono::steady_clock;

/// Per direction: once this many bytes wait to be sent, the side that sends them is not
/// read any more until they drain (backpressure). A bounded buffer, never a whole body.
inline constexpr std::size_t kBufferLimit = 256 * 1024;

/// One socket: a client's, or one to the origin.
struct Connection {
    enum class Side { client, upstream };
    Connection(Side s, c10k::Fd f) : side(s), fd(std::move(f)) {}
    virtual ~Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    const Side side;
    c10k::Fd fd;
    std::string out;             ///< to send, in order: the model takes bytes from the front
    std::size_t in_flight = 0;   ///< bytes the model gave the kernel that it has not confirmed yet
    bool closed = false;         ///< the exchange is done with it (the model was told: close())
    /// Bytes this connection still has to send.
    [[nodiscard]] std::size_t queued() const { return out.size() + in_flight; }
};

struct Upstream;

struct Client : Connection {
    explicit Client(c10k::Fd f) : Connection(Side::client, std::move(f)), address(peer_address(fd.get())) {}
    std::string address;                                  ///< for X-Forwarded-For
    http::Parser requests{http::Parser::Kind::requests};
    std::string in;                                       ///< received, not parsed yet (pipelined requests wait here)
    bool closing = false;                                 ///< close once everything is sent
    // The exchange in progress -- one at a time, so responses keep the requests' order.
    bool exchanging = false;
    bool request_done = false;                            ///< the whole request went to the parser
    bool response_started = false;                        ///< the response head went into `out`
    http::MessageHead request;
    Upstream* upstream = nullptr;                         ///< the origin connection serving it
    http::ClientResponse response;                        ///< the head and framing the client gets
    Clock::time_point answer_by;                          ///< no response head by then: 504
};

struct Upstream : Connection {
    explicit Upstream(c10k::Fd f) : Connection(Side::upstream, std::move(f)) {}
    bool connected = false;                               ///< its connect finished: it may send
    http::Parser responses{http::Parser::Kind::responses};
    Client* client = nullptr;                             ///< the exchange it serves; nullptr while idle in the pool
};

class Exchange {
public:
    explicit Exchange(const ProxyConfig& config) : config_(config) {}
    virtual ~Exchange() = default;
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    // ---- What the model reports ------------------------------------------------------
    /// A client the model accepted (its own type, derived from Client).
    Client& add(std::unique_ptr<Client> client);
    /// Bytes from a client, or from the origin. The view is valid during the call only
    /// (unless the model keeps the buffer it points into, see send()).
    void received(Client& c, std::string_view bytes);
    void received(Upstream& u, std::string_view bytes);
    /// An origin connection's connect succeeded.
    void connected(Upstream& u);
    /// Some of @p c's bytes went out (the kernel said so): room again, or done.
    void sent(Connection& c);
    /// The peer is gone: EOF, a reset, a failed send -- or, for an origin connection, a
    /// failed connect. The end of a close-delimited response, or the end of an exchange.
    void ended(Connection& c);

    /// True while a request waits for its response head; then call expire_slow_answers()
    /// at least every 50 ms, and it answers 504 where --upstream-timeout has passed.
    [[nodiscard]] bool waiting_for_answer() const { return !awaiting_.empty(); }
    void expire_slow_answers();
    /// Frees the connections closed since the last call that the model no longer uses.
    /// Call once per turn of the loop, after the events of that turn.
    void release_closed();

    /// Backpressure: may this connection be read now? Not while the bytes it would add
    /// for the other side (or, for a client, its own unparsed requests) are over the limit.
    [[nodiscard]] bool may_read(const Connection& c) const;

protected:
    // ---- The hooks: how this model does it -------------------------------------------
    /// Send @p c's `out`, then @p borrowed: body bytes that go on as they came, which point
    /// into the buffer the model passed to received() (valid until that call returns --
    /// longer only if the model keeps that buffer until its send completes). Send now, or
    /// when the socket can take it; what is not sent yet stays queued (out, in_flight).
    virtual void send(Connection& c, std::string_view borrowed) = 0;
    /// may_read(c) may have changed: read @p c, or stop reading it.
    virtual void update_reading(Connection& c) = 0;
    /// A new connection to config_.upstream, its connect under way (the model reports
    /// connected() or ended()); nullptr when not even a socket could be had (the client
    /// gets 502).
    virtual std::unique_ptr<Upstream> open_upstream() = 0;
    /// The exchange is done with @p c: close its socket (it is freed later, see in_use).
    virtual void close(Connection& c) = 0;
    /// True while the kernel may still use @p c's memory (a request in flight that points
    /// at it): release_closed() then leaves it for a later turn.
    [[nodiscard]] virtual bool in_use(const Connection& c) const { (void)c; return false; }

    const ProxyConfig& config_;

    /// For the model's destructor, once the kernel holds nothing of theirs: frees every connection.
    void discard_connections();

    // What follows is one way to write exchange.cpp (the reference's); yours may differ.
private:
    void advance(Client& c);
    bool start_exchange(Client& c);
    void start_response(Client& c, Upstream& u);
    void forward_body(Client& c, Upstream& u, std::string_view body, std::string_view& verbatim);
    void complete_response(Client& c, Upstream& u, bool nothing_left_over);
    void finish_with_error(Client& c, int status);
    void reply_and_close(Client& c, int status);
    void end_exchange(Client& c);
    void close_client(Client& c);
    void flush(Connection& c, std::string_view borrowed = {});
    void after_progress(Connection& c);
    void queue_upstream(Upstream& u, std::string_view bytes);
    Upstream* take_upstream();
    void drop_upstream(Upstream& u);
    void forget(Connection& c);

    std::unordered_map<const Connection*, std::unique_ptr<Connection>> connections_;  // every one, owned
    std::vector<Upstream*> idle_;               // the pool: keep-alive connections to the origin, free
    std::unordered_set<Client*> awaiting_;      // exchanges with no response head yet (504 candidates)
    std::vector<Connection*> closed_;           // closed, not freed yet
};

}  // namespace tinygate
