#include "c10k/stop_signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>

#include <atomic>

#include "c10k/syscall_error.hpp"

namespace c10k {
namespace {

// Lock-free atomics are async-signal-safe; a plain bool is not.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_stop_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

}  // namespace

void install_stop_signals() {
    struct sigaction ignore{};
    ignore.sa_handler = SIG_IGN;
    check_syscall(::sigaction(SIGPIPE, &ignore, nullptr), "sigaction(SIGPIPE)");

    struct sigaction stop{};
    stop.sa_handler = on_stop_signal;
    sigemptyset(&stop.sa_mask);
    stop.sa_flags = 0;  // no SA_RESTART: blocking calls must return EINTR
    check_syscall(::sigaction(SIGTERM, &stop, nullptr), "sigaction(SIGTERM)");
    check_syscall(::sigaction(SIGINT, &stop, nullptr), "sigaction(SIGINT)");
}

bool stop_requested() noexcept { return g_stop.load(std::memory_order_relaxed); }

sigset_t block_stop_signals() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigset_t previous;
    int error = ::pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    if (error) throw SyscallError("pthread_sigmask", error);
    sigdelset(&previous, SIGTERM);  // the mask to wait with: as before, minus the stop signals
    sigdelset(&previous, SIGINT);
    return previous;
}

Fd open_stop_signalfd() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    return Fd{check_syscall(::signalfd(-1, &stop_signals, SFD_CLOEXEC), "signalfd")};
}

}  // namespace c10k
