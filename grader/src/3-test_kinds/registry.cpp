#include "3-test_kinds/registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "test_failure.hpp"

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/test_client.hpp"

namespace c10k::grader {

double TestContext::param(const std::string& name) const { return spec.params.at(name); }

Deadline TestContext::deadline() const { return Deadline(Seconds(param("timeout"))); }

TestClient TestContext::connect(const Deadline& deadline) const {
    return TestClient::connect(server_address, deadline, server.pid());
}

LoadResult TestContext::run_load(LoadOptions load, const std::string& prefix) const {
    std::optional<StallDiagnosis> stall;
    load.on_stall = [&](std::uint16_t client_port) {
        auto port = server_address.family() == AF_INET6
                        ? ntohs(reinterpret_cast<const sockaddr_in6*>(server_address.get())->sin6_port)
                        : ntohs(reinterpret_cast<const sockaddr_in*>(server_address.get())->sin_port);
        stall = diagnose_stall(find_server_socket(server.pid(), port, client_port));
    };
    LoadResult result = grader::run_load(load);
    if (!result.ok) {
        if (stall) throw TestFailure(prefix + result.failure + stall->reason, stall->hint);
        throw TestFailure(prefix + result.failure);
    }
    return result;
}

const std::vector<TestKind>& test_kinds() {
    static const std::vector<TestKind> kinds = {
        {"echo", "one client sends `messages` messages of `size` random bytes, one at a time",
         {{"size", 4096}, {"messages", 20}, {"timeout", 5}},
         "read() returns as soon as *some* bytes arrive: write back exactly the n bytes it returned",
         run_echo},
        {"large_message", "one client sends `size` bytes at once while reading the echo",
         {{"size", 1 << 20}, {"timeout", 10}},
         "write() may take fewer bytes than asked: loop until every byte is written (write_all)",
         run_large_message},
        {"sequential_clients", "`clients` clients one after another, each echoes, closes, waits for EOF; no descriptor or memory kept per client",
         {{"clients", 600}, {"size", 1024}, {"timeout", 5}},
         "after a client's EOF, close its socket and go back to accept() for the next one",
         run_sequential_clients},
        {"half_close", "the client sends `size` bytes, shuts its write side, expects all back then EOF",
         {{"size", 65536}, {"timeout", 5}},
         "read() returning 0 means the client has finished sending: echo what is left, then close",
         run_half_close},
        {"client_reset", "`rounds` clients each send `size` bytes, shut down and reset (RST); then one is served",
         {{"rounds", 20}, {"size", 65536}, {"timeout", 5}},
         "ignore SIGPIPE and treat ECONNRESET/EPIPE as 'this client is gone', never as fatal",
         run_client_reset},
        {"graceful_shutdown", "SIGTERM with an idle client connected: exit code 0 within `grace` seconds",
         {{"grace", 1}, {"timeout", 5}},
         "on EINTR check c10k::stop_requested() and leave the loop; return 0 from main",
         run_graceful_shutdown, true},
        {"concurrent", "`clients` connections at once, each echoed, then `messages` more each (ping-pong)",
         {{"clients", 100}, {"messages", 2}, {"size", 64}, {"may_close", 0}, {"min_threads", 0}, {"timeout", 30}},
         "every connection must be served while all the others stay open",
         run_concurrent},
        {"churn", "`long_lived` clients stay while as many others come and go, `rounds` times; all are echoed",
         {{"long_lived", 10}, {"rounds", 20}, {"size", 64}, {"timeout", 10}},
         "every client still open must stay watched, whatever descriptors the newcomers got",
         run_churn},
        {"idle_clients", "`idle` clients connect and send nothing; `clients` others must be served meanwhile",
         {{"idle", 1}, {"clients", 5}, {"messages", 10}, {"timeout", 3}},
         "one client that sends nothing must not hold up the others: give each client its own thread (lab 02), "
         "or wait for readiness on all of them at once (lab 03 on)",
         run_idle_clients},
        {"latency", "`clients` connections ping-pong `size`-byte messages; p99 round trip under `p99_ms`",
         {{"clients", 20}, {"size", 4096}, {"messages", 2000}, {"p99_ms", 20}, {"timeout", 30}},
         "echo each message in one write, or set TCP_NODELAY: two small writes meet Nagle's algorithm "
         "and the client's delayed ACK (~40 ms stalls)",
         run_latency},
        {"never_reading_client", "one client sends `size` bytes and never reads; `clients` others must be served",
         {{"size", 64 << 20}, {"fill_seconds", 1}, {"clients", 10}, {"messages", 20}, {"stall_seconds", 3},
          {"max_rss_mb", 0}, {"timeout", 20}},
         "never block on one client: nonblocking sockets, a bounded buffer per connection, and stop reading a "
         "client whose echoes cannot be sent (backpressure)",
         run_never_reading_client},
        {"http_bodies", "through the proxy, one keep-alive client: bodies of 0 B, 1 KiB, 1 MiB, chunked, "
                        "close-delimited, HEAD, a 256 KiB POST echoed; byte for byte",
         {{"timeout", 10}},
         "relay exactly what the origin sent, in a framing the client can read",
         run_http_bodies},
        {"http_keepalive", "`requests` requests on one client connection; the origin must count at most "
                           "`max_origin_connections` from the proxy (a pool of upstream connections)",
         {{"requests", 100}, {"max_origin_connections", 2}, {"timeout", 10}},
         "keep both sides' connections open and reuse them",
         run_http_keepalive},
        {"http_pipelining", "`requests` requests in one write; every response complete and in order",
         {{"requests", 10}, {"timeout", 5}},
         "answer pipelined requests one at a time, in order",
         run_http_pipelining},
        {"http_upstream_errors", "a silent origin: 504 for that request, others served meanwhile; the origin "
                                 "stopped: 502 at once",
         {{"timeout", 5}},
         "time out the origin's answer (504), refuse at once when it is gone (502), and never block the others",
         run_http_upstream_errors},
        {"http_bad_input", "garbage, CL with TE, a 9 KiB header: 400, 400, 431; then a good request is served",
         {{"timeout", 5}},
         "refuse what cannot be parsed with its status, and keep serving",
         run_http_bad_input},
        {"http_headers", "GET /headers: hop-by-hop headers removed, others kept, X-Forwarded-For added; then "
                         "Connection: close honoured",
         {{"timeout", 5}},
         "forward end-to-end headers only, add X-Forwarded-For, and close when the client asks",
         run_http_headers},
        {"http_slow_client", "one client sends its request a byte every `byte_ms` ms; `clients` others make "
                             "`requests` requests each and must all be answered first",
         {{"byte_ms", 10}, {"clients", 10}, {"requests", 5}, {"timeout", 10}},
         "a slow client must not hold up the others",
         run_http_slow_client},
        {"http_client_abort", "`rounds` clients close after 10 KiB of 8 MiB, one never reads 8 MiB: others served, "
                              "memory growth under `max_growth_mb`, descriptors back within `fd_slack`",
         {{"rounds", 10}, {"fill_ms", 500}, {"max_growth_mb", 4}, {"fd_slack", 2}, {"timeout", 10}},
         "a client that leaves or stops reading costs the proxy nothing that stays",
         run_http_client_abort},
        {"http_clients", "`clients` keep-alive clients make `requests` requests in all (GET /bytes/`size`, every "
                         "body checked) beside `idle` silent connections; with `p99_ms`, a latency bound",
         {{"clients", 1000}, {"idle", 0}, {"size", 1024}, {"requests", 3000}, {"p99_ms", 0}, {"timeout", 30}},
         "every connection must be served while all the others stay open",
         run_http_clients},
        {"idle_cost", "measures one client's msgs/s alone and beside `idle` idle connections (never fails)",
         {{"idle", 2000}, {"messages", 3000}, {"timeout", 20}},
         "", run_idle_cost},
    };
    return kinds;
}

const TestKind* find_test_kind(std::string_view name) {
    const auto& kinds = test_kinds();
    auto found = std::ranges::find(kinds, name, &TestKind::name);
    return found == kinds.end() ? nullptr : &*found;
}

std::string parameters_text(const TestKind& kind) {
    std::string text;
    for (const auto& [name, value] : kind.defaults) {
        constexpr double mebibyte = 1 << 20;
        char number[32];
        if (name == "size" && value >= mebibyte && std::fmod(value, mebibyte) == 0)
            std::snprintf(number, sizeof number, "%.0f MiB", value / mebibyte);
        else
            std::snprintf(number, sizeof number, "%g", value);
        text += (text.empty() ? "" : ", ") + name + " (" + number + ")";
    }
    return text;
}

std::string list_test_kinds() {
    std::string text;
    for (const TestKind& kind : test_kinds())
        text += kind.name + "\n    " + kind.summary + "\n    parameters (default): " + parameters_text(kind) + "\n";
    return text;
}

}  // namespace c10k::grader
