#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/http_test_client.hpp"
#include "3-test_kinds/registry.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

// Reads and drops at least @p bytes from @p fd; false if the deadline passes or it closes first.
bool read_some(int fd, std::size_t bytes, const Deadline& deadline) {
    char buffer[16384];
    std::size_t got = 0;
    while (got < bytes && !deadline.expired()) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, std::max(1, deadline.remaining_ms())) <= 0) continue;
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return got >= bytes;
}

std::string mib(long kib) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", double(kib) / 1024);
    return text;
}

}  // namespace

// Clients that leave: `rounds` clients each ask for 8 MiB and close after 10 KiB, and one
// asks for 8 MiB and never reads. (8 MiB, not 1: on loopback the proxy's send buffer alone
// grows to ~1.3 MB, so a 1 MiB answer is all written before the client leaves and the
// proxy never sees it go mid-response -- a leaking proxy passed that 1 run in 80.) Others must still be served; the proxy's memory must
// stay bounded (it may not hold a response the client does not take); and once they are
// gone, its descriptors must come back to where they were (each abort closes both ends).
void run_http_client_abort(TestContext& context) {
    if (!context.origin) throw TestFailure("grader: this test needs `[server] origin = true` in the spec");
    Deadline deadline = context.deadline();
    auto serve_one = [&](const std::string& when) {
        HttpResponse response =
            HttpTestClient::connect(context.server_address, deadline).request(http_get("/bytes/1024"), deadline);
        if (!response.complete || response.head.status != 200)
            throw TestFailure(when + ", a new client's GET /bytes/1024: " + response.describe(),
                              "a client that leaves or stops reading is that client's problem only");
    };
    serve_one("before anything else");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int baseline_fds = context.server.open_fd_count();
    const long baseline_kib = context.server.resident_kib();

    auto rounds = static_cast<int>(context.param("rounds"));
    for (int i = 0; i < rounds; ++i) {
        HttpTestClient leaving = HttpTestClient::connect(context.server_address, deadline, /*receive_buffer=*/16384);
        if (!leaving.send(http_get("/bytes/8388608"), deadline) || !read_some(leaving.fd(), 10240, deadline))
            throw TestFailure("GET /bytes/8388608: not even 10 KiB came back");
        // Closing with unread bytes sends a reset: the proxy's next send to it fails.
    }
    context.steps.push_back(std::to_string(rounds) + " clients closed after 10 KiB of an 8 MiB response");

    // A small window: the proxy, not the kernel, must hold the response back.
    std::optional<HttpTestClient> stuck = HttpTestClient::connect(context.server_address, deadline, 16384);
    if (!stuck->send(http_get("/bytes/8388608"), deadline)) throw TestFailure("could not send GET /bytes/8388608");
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(context.param("fill_ms"))));
    serve_one("with one client not reading an 8 MiB response");

    const long grown_kib = context.server.resident_kib() - baseline_kib;
    const double max_growth_mb = context.param("max_growth_mb");
    context.steps.push_back("resident memory grew by " + mib(grown_kib) + " with the 8 MiB response unread");
    if (double(grown_kib) > max_growth_mb * 1024)
        throw TestFailure("the proxy's resident memory grew by " + mib(grown_kib) + " while a client did not read " +
                              "an 8 MiB response (at most " + mib(static_cast<long>(max_growth_mb * 1024)) + ")",
                          "stop reading the origin while the client's buffer is full (backpressure): keep one "
                          "bounded buffer per connection, never the whole response");

    stuck.reset();  // the one that never read leaves too
    const int allowed = baseline_fds + static_cast<int>(context.param("fd_slack"));
    int fds = context.server.open_fd_count();
    for (Deadline settle(Seconds(2)); fds > allowed && !settle.expired(); fds = context.server.open_fd_count())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    context.steps.push_back("descriptors: " + std::to_string(baseline_fds) + " before, " + std::to_string(fds) +
                            " after the clients left");
    if (fds > allowed)
        throw TestFailure("the proxy holds " + std::to_string(fds) + " descriptors after " + std::to_string(rounds + 1) +
                              " clients left mid-response (" + std::to_string(baseline_fds) + " before)",
                          "when a client goes away (send fails with EPIPE/ECONNRESET, or recv returns 0), close "
                          "its socket and the origin connection of its unfinished response");
    serve_one("after the clients left");
}

}  // namespace c10k::grader
