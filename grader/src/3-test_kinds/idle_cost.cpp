#include <cstdio>
#include <vector>

#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "load/echo_load.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

double messages_per_second(const SocketAddress& server, const TestContext& context) {
    LoadOptions load;
    load.server = server;
    load.connections = 1;
    load.messages = static_cast<long>(context.param("messages"));
    load.timeout = load.warmup_timeout = Seconds(context.param("timeout"));
    load.seed = context.random();
    LoadResult result = context.run_load(load);
    return double(result.messages) / std::max(result.seconds(), 1e-6);
}

}  // namespace

// A measurement, not a verdict: one client's ping-pong rate alone, then beside `idle`
// connections that do nothing. With select/poll every wait hands the kernel the whole
// set, so idle connections make the active one slower; with epoll they cost nothing.
void run_idle_cost(TestContext& context) {
    double alone = messages_per_second(context.server_address, context);
    Deadline deadline = context.deadline();
    std::vector<TestClient> idle;
    auto idle_count = static_cast<int>(context.param("idle"));
    for (int i = 0; i < idle_count; ++i) idle.push_back(context.connect(deadline));
    double crowded = messages_per_second(context.server_address, context);

    char line[200];
    std::snprintf(line, sizeof line, "1 client alone: %.0f msgs/s; beside %d idle connections: %.0f msgs/s (%.1fx)",
                  alone, idle_count, crowded, alone / std::max(crowded, 1.0));
    context.steps.push_back(line);
}

}  // namespace c10k::grader
