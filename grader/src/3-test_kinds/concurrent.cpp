#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "load/echo_load.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// Many clients connected at once: every one gets its first echo while all the others
// are still open, then `messages` more echoes each, ping-pong.
void run_concurrent(TestContext& context) {
    LoadOptions load;
    load.server = context.server_address;
    load.connections = static_cast<int>(context.param("clients"));
    load.message_size = static_cast<std::size_t>(context.param("size"));
    load.messages = static_cast<long>(context.param("messages")) * load.connections;
    load.timeout = load.warmup_timeout = Seconds(context.param("timeout"));
    load.may_close = static_cast<int>(context.param("may_close"));
    load.seed = context.random();
    LoadResult result = context.run_load(load);

    int served = load.connections - result.closed_by_server;
    context.steps.push_back(std::to_string(served) + " of " + std::to_string(load.connections) +
                            " connections echoed at once, then " + std::to_string(result.messages) +
                            " more messages in " + seconds_text(Seconds(result.seconds())) + " s");
    if (result.closed_by_server > 0) {
        context.steps.push_back(std::to_string(result.closed_by_server) + " connections closed by the server (allowed: " +
                                std::to_string(load.may_close) + ")");
        if (context.server.stderr_tail().empty())
            throw TestFailure("the server closed " + std::to_string(result.closed_by_server) +
                                  " connections without a word on stderr",
                              "log one line per refused connection, naming the reason");
    }
    if (int wanted = static_cast<int>(context.param("min_threads")); wanted > 0) {
        int tasks = context.server.task_count();
        context.steps.push_back("server threads/processes: " + std::to_string(tasks));
        if (tasks < wanted)
            throw TestFailure("the server ran " + std::to_string(tasks) + " threads/processes; this test wants at least " +
                                  std::to_string(wanted),
                              "--workers N must start N threads (or processes), each running its own event loop: "
                              "one listener per worker with SO_REUSEPORT, or one shared listener added with "
                              "EPOLLEXCLUSIVE");
    }
}

}  // namespace c10k::grader
