#include <vector>

#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "load/echo_load.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// Clients that connect and send nothing must not delay anybody else.
void run_idle_clients(TestContext& context) {
    Deadline deadline = context.deadline();
    std::vector<TestClient> idle;
    auto idle_count = static_cast<int>(context.param("idle"));
    for (int i = 0; i < idle_count; ++i) idle.push_back(context.connect(deadline));
    context.steps.push_back(std::to_string(idle_count) + " idle clients connected, sending nothing");

    LoadOptions load;
    load.server = context.server_address;
    load.connections = static_cast<int>(context.param("clients"));
    load.messages = static_cast<long>(context.param("messages")) * load.connections;
    load.message_size = 64;
    load.timeout = load.warmup_timeout = load.stall_timeout = Seconds(context.param("timeout"));
    load.seed = context.random();
    context.run_load(load, "with " + std::to_string(idle_count) + " idle client(s) connected: ");
    context.steps.push_back(std::to_string(load.connections) + " active clients were served alongside them");
}

}  // namespace c10k::grader
