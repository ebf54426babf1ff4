#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// One big message, sent in one go while the echo is read: it overflows every socket
// buffer on the way, so the server's partial writes (and reads) must be right.
void run_large_message(TestContext& context) {
    Deadline deadline = context.deadline();
    auto size = static_cast<std::size_t>(context.param("size"));
    TestClient client = context.connect(deadline);
    Bytes message = random_bytes(size, context.random);
    context.steps.push_back("sending " + std::to_string(size) + " random bytes");
    Exchange echo = client.exchange(message, size, deadline);
    require_exact_echo("", message, echo, deadline);
    context.steps.push_back("all " + std::to_string(size) + " bytes echoed intact");
}

}  // namespace c10k::grader
