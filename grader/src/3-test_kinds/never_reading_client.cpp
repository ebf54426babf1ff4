#include <cstdio>

#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "load/echo_load.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// One client sends a lot and reads nothing. The server must not block on it (the
// others keep getting echoes), must not buffer without bound (its memory stays under
// `max_rss_mb`: stop reading a client whose echoes are not going out -- backpressure),
// and once the client finally reads, every byte it sent must come back in order
// (partial writes resumed correctly).
void run_never_reading_client(TestContext& context) {
    Deadline deadline = context.deadline();
    TestClient greedy = context.connect(deadline);
    Bytes flood = random_bytes(static_cast<std::size_t>(context.param("size")), context.random);
    std::size_t sent = greedy.send_without_reading(flood, Deadline(Seconds(context.param("fill_seconds"))));
    context.steps.push_back("one client sent " + std::to_string(sent >> 10) + " KiB and reads nothing");

    LoadOptions load;
    load.server = context.server_address;
    load.connections = static_cast<int>(context.param("clients"));
    load.messages = static_cast<long>(context.param("messages")) * load.connections;
    load.message_size = 64;
    load.timeout = load.warmup_timeout = Seconds(context.param("timeout"));
    load.stall_timeout = Seconds(context.param("stall_seconds"));
    load.seed = context.random();
    LoadResult result = run_load(load);
    if (!result.ok)
        throw TestFailure("while one client was not reading: " + result.failure,
                          "a blocking write() to a client that does not read stalls everyone: "
                          "make sockets nonblocking and keep what could not be written yet");
    context.steps.push_back(std::to_string(load.connections) + " other clients kept getting echoes");

    if (double max_mb = context.param("max_rss_mb"); max_mb > 0) {
        double rss_mb = double(context.server.resident_kib()) / 1024;
        char line[128];
        std::snprintf(line, sizeof line, "server resident memory %.1f MiB (limit %.0f MiB)", rss_mb, max_mb);
        context.steps.push_back(line);
        if (rss_mb > max_mb)
            throw TestFailure(line, "cap each connection's buffer; when it is full, stop reading that client "
                                    "until its echo drains (backpressure)");
    }

    Exchange echo = greedy.exchange({}, sent, deadline);
    require_exact_echo("the slow client, once it read", std::span(flood).first(sent), echo, deadline);
    context.steps.push_back("the slow client then got all " + std::to_string(sent >> 10) + " KiB back, in order");
}

}  // namespace c10k::grader
