#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "c10k_catch.hpp"

#include "c10k/stop_signals.hpp"

// One test case: the handlers are process-wide, so the steps run in order.
TEST_CASE("stop signals: SIGPIPE is ignored, SIGTERM interrupts a blocking call and sets the flag") {
    c10k::install_stop_signals();
    REQUIRE_FALSE(c10k::stop_requested());

    // 1. Writing to a socket whose peer is gone fails with EPIPE instead of killing us.
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    ::close(pair[1]);
    char byte = 'x';
    CHECK(::write(pair[0], &byte, 1) == -1);
    CHECK(errno == EPIPE);

    // 2. A blocked read() returns EINTR when SIGTERM arrives (no SA_RESTART).
    int idle[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, idle) == 0);
    pthread_t self = ::pthread_self();
    std::thread killer([self] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ::pthread_kill(self, SIGTERM);
    });
    ssize_t n = ::read(idle[0], &byte, 1);
    int err = errno;
    killer.join();
    CHECK(n == -1);
    CHECK(err == EINTR);
    CHECK(c10k::stop_requested());
    for (int fd : {pair[0], idle[0], idle[1]}) ::close(fd);

    // 3. block_stop_signals: outside the wait SIGTERM stays pending; the wait mask lets it in.
    sigset_t wait_mask = c10k::block_stop_signals();
    CHECK_FALSE(sigismember(&wait_mask, SIGTERM));
    ::raise(SIGTERM);
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGTERM));
    timespec no_wait{0, 0};
    CHECK(::ppoll(nullptr, 0, &no_wait, &wait_mask) == -1);  // the pending SIGTERM interrupts at once
    CHECK(errno == EINTR);
}
