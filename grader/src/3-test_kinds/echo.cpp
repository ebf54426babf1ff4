#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// One client, several messages of random bytes, each echoed before the next is sent.
void run_echo(TestContext& context) {
    Deadline deadline = context.deadline();
    auto size = static_cast<std::size_t>(context.param("size"));
    auto messages = static_cast<int>(context.param("messages"));
    TestClient client = context.connect(deadline);
    context.steps.push_back("connected");
    for (int i = 1; i <= messages; ++i) {
        Bytes message = random_bytes(size, context.random);
        Exchange echo = client.exchange(message, size, deadline);
        std::string label = "message " + std::to_string(i) + " of " + std::to_string(messages);
        require_exact_echo(label, message, echo, deadline);
        context.steps.push_back(label + ": " + std::to_string(size) + " bytes echoed");
    }
}

}  // namespace c10k::grader
