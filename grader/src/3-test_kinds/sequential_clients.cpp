#include "1-spec/lab_spec.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/registry.hpp"
#include "3-test_kinds/test_client.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

// Clients one after another: each is served, closed by the server after its EOF,
// and only then does the next one connect. Afterwards the server must not hold more
// descriptors, nor much more address space, than after the first client: a descriptor
// leaked per client shows here long before EMFILE, and a thread never joined nor
// detached (its 8 MiB stack stays mapped) long before the address space runs out.
void run_sequential_clients(TestContext& context) {
    auto clients = static_cast<int>(context.param("clients"));
    auto size = static_cast<std::size_t>(context.param("size"));
    int fds_after_first = -1;
    long kib_after_first = 0;
    for (int i = 1; i <= clients; ++i) {
        Deadline deadline = context.deadline();
        std::string label = "client " + std::to_string(i) + " of " + std::to_string(clients);
        TestClient client = context.connect(deadline);
        Bytes message = random_bytes(size, context.random);
        Exchange echo = client.exchange(message, size, deadline, /*shutdown_after_send=*/true,
                                        /*until_eof=*/true);
        require_exact_echo(label, message, echo, deadline);
        if (!echo.eof)
            throw TestFailure(label + ": echo complete, but the server did not close the connection within " +
                                  seconds_text(deadline.budget()) + " s of the client's EOF",
                              "read() returning 0 means EOF: close the client socket, then accept() again");
        context.steps.push_back(label + ": echoed and closed");
        if (i == 1) {
            fds_after_first = context.server.open_fd_count();
            kib_after_first = context.server.virtual_kib();
        }
    }
    int fds_now = context.server.open_fd_count();
    if (clients >= 4 && fds_after_first >= 0 && fds_now - fds_after_first >= clients / 2)
        throw TestFailure("the server holds " + std::to_string(fds_now) + " open descriptors after " +
                              std::to_string(clients) + " clients came and went (" +
                              std::to_string(fds_after_first) + " after the first): a descriptor leaks per client",
                          "close every descriptor you open for a client (an Fd does it for you); ls -l /proc/PID/fd");
    long kib_now = context.server.virtual_kib();
    constexpr long kMibPerClient = 1024;  // KiB: far above a buffer, far below a thread stack
    if (clients >= 50 && kib_after_first > 0 && kib_now - kib_after_first > kMibPerClient * (clients - 1))
        throw TestFailure("the server's address space grew from " + std::to_string(kib_after_first >> 10) + " to " +
                              std::to_string(kib_now >> 10) + " MiB over " + std::to_string(clients) +
                              " clients that came and went: memory is kept per client",
                          "a thread per client that is never joined or detached keeps its 8 MiB stack: detach it "
                          "(std::thread::detach, pthread_detach) or join it when it ends");
    context.steps.push_back("descriptors " + std::to_string(fds_after_first) + " -> " + std::to_string(fds_now) +
                            ", address space " + std::to_string(kib_after_first >> 10) + " -> " +
                            std::to_string(kib_now >> 10) + " MiB");
}

}  // namespace c10k::grader
