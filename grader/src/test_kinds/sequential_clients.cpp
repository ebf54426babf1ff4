#include "../echo_checker.hpp"
#include "../lab_spec.hpp"
#include "../test_client.hpp"
#include "../test_failure.hpp"
#include "registry.hpp"

namespace c10k::grader {

// Clients one after another: each is served, closed by the server after its EOF,
// and only then does the next one connect.
void run_sequential_clients(TestContext& context) {
    auto clients = static_cast<int>(context.param("clients"));
    auto size = static_cast<std::size_t>(context.param("size"));
    for (int i = 1; i <= clients; ++i) {
        Deadline deadline = context.deadline();
        std::string label = "client " + std::to_string(i) + " of " + std::to_string(clients);
        TestClient client = TestClient::connect(context.server_address, deadline);
        Bytes message = random_bytes(size, context.random);
        Exchange echo = client.exchange(message, size, deadline, /*shutdown_after_send=*/true,
                                        /*until_eof=*/true);
        require_exact_echo(label, message, echo, deadline);
        if (!echo.eof)
            throw TestFailure(label + ": echo complete, but the server did not close the connection within " +
                                  seconds_text(deadline.budget()) + " s of the client's EOF",
                              "read() returning 0 means EOF: close the client socket, then accept() again");
        context.steps.push_back(label + ": echoed and closed");
    }
}

}  // namespace c10k::grader
