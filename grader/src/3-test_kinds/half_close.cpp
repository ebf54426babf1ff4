#include "1-spec/lab_spec.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// The client sends everything, then shutdown(SHUT_WR): the server sees EOF while it
// may still owe echoed bytes. Every byte must come back before the server closes.
void run_half_close(TestContext& context) {
    Deadline deadline = context.deadline();
    auto size = static_cast<std::size_t>(context.param("size"));
    TestClient client = context.connect(deadline);
    Bytes message = random_bytes(size, context.random);
    context.steps.push_back("sent " + std::to_string(size) + " bytes, then shutdown(SHUT_WR)");
    Exchange echo = client.exchange(message, size, deadline, /*shutdown_after_send=*/true,
                                    /*until_eof=*/true);
    require_exact_echo("after the client's EOF", message, echo, deadline);
    if (!echo.eof)
        throw TestFailure("all bytes echoed, but the connection was still open " +
                          seconds_text(deadline.budget()) + " s after the client's EOF");
    context.steps.push_back("all bytes echoed, then the server closed");
}

}  // namespace c10k::grader
