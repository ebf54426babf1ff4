#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/registry.hpp"
#include "load/http_load.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// `clients` keep-alive connections request `requests` responses in all, every body checked
// byte for byte; beside them `idle` connections stay open and silent -- the proxy must hold
// them (it has accepted them) without slowing the busy ones.
void run_http_clients(TestContext& context) {
    if (!context.origin) throw TestFailure("grader: this test needs `[server] origin = true` in the spec");
    HttpLoadOptions load;
    load.server = context.server_address;
    load.connections = static_cast<int>(context.param("clients"));
    load.idle_connections = static_cast<int>(context.param("idle"));
    load.body_size = static_cast<std::size_t>(context.param("size"));
    load.requests = static_cast<long>(context.param("requests"));
    load.threads = 2;
    load.warmup_timeout = Seconds(context.param("timeout"));
    int server_fds = 0;  // counted while every connection is open
    load.on_window_open = [&] { server_fds = context.server.open_fd_count(); };
    std::string what = std::to_string(load.connections) + " keep-alive clients" +
                       (load.idle_connections ? " beside " + std::to_string(load.idle_connections) + " idle ones" : "");
    LoadResult result = run_http_load(load);
    if (!result.ok) {
        std::string hint = result.stalled ? "some requests got no answer: is every client connection watched, and "
                                            "every origin connection?"
                           : result.failure.find(": status ") != std::string::npos
                               ? "the proxy answered by itself instead of relaying the origin: see its stderr, "
                                 "and whether it runs out of threads, descriptors or connections to the origin"
                               : "";
        throw TestFailure(what + ": " + result.failure, hint);
    }
    context.steps.push_back(what + ": " + std::to_string(result.messages) + " responses verified, p99 " +
                            std::to_string(result.latency.quantile(0.99) / 1000) + " us");
    if (double p99_ms = context.param("p99_ms"); p99_ms > 0 && double(result.latency.quantile(0.99)) > p99_ms * 1e6)
        throw TestFailure(what + ": p99 " + std::to_string(result.latency.quantile(0.99) / 1000000) + " ms (at most " +
                              std::to_string(static_cast<int>(p99_ms)) + " ms)",
                          "a response sent in two pieces (head, then body) meets Nagle's algorithm and the client's "
                          "delayed ACK, ~40 ms: send them together, or set TCP_NODELAY on the client's socket");
    if (load.idle_connections && server_fds < load.idle_connections)
        throw TestFailure("the proxy had " + std::to_string(server_fds) + " descriptors open beside " +
                              std::to_string(load.idle_connections) + " idle clients: it did not accept them all",
                          "accept every connection as it comes, and raise RLIMIT_NOFILE to its hard limit at start");
}

}  // namespace c10k::grader
