#include "2-runner/sandbox.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "2-runner/network_namespace.hpp"

namespace c10k::grader {
namespace {
void set_limit(int resource, rlim_t value) {
    if (value == 0) return;
    rlimit limit{value, value};
    rlimit current{};
    if (::getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY &&
        current.rlim_max < value)
        limit = {current.rlim_max, current.rlim_max};
    ::setrlimit(resource, &limit);
}
}  // namespace

void exec_in_sandbox(char* const argv[], const SandboxLimits& limits, int out_fd, int err_fd, int exec_error_fd,
                     pid_t grader, int network_fd) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // if the grader dies, the server dies with it
    if (::getppid() != grader) ::_exit(127);
    if (network_fd >= 0 && ::setns(network_fd, CLONE_NEWNET) != 0) {
        int err = errno;
        [[maybe_unused]] auto ignored = ::write(exec_error_fd, &err, sizeof err);
        ::_exit(127);
    }
    if (network_fd < 0 && limits.own_network && !enter_fresh_network_namespace()) {
        int err = errno ? errno : EPERM;
        [[maybe_unused]] auto ignored = ::write(exec_error_fd, &err, sizeof err);
        ::_exit(127);
    }
    // The grader ignores SIGPIPE; ignored signals survive exec, and a student server must
    // meet SIGPIPE's default (death) unless it ignores it itself.
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (limits.cpu >= 0) {
        cpu_set_t only{};
        CPU_SET(static_cast<unsigned>(limits.cpu), &only);
        ::sched_setaffinity(0, sizeof only, &only);
    }
    set_limit(RLIMIT_CPU, limits.cpu_seconds);
    set_limit(RLIMIT_AS, limits.address_space_bytes);
    set_limit(RLIMIT_NPROC, limits.processes);
    rlimit files{};
    if (limits.open_files_soft && ::getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = std::min(files.rlim_max, limits.open_files_soft);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);

    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);  // no grader socket leaks into the server
    ::fcntl(exec_error_fd, F_SETFD, FD_CLOEXEC);
    ::execv(argv[0], argv);
    int err = errno;
    [[maybe_unused]] auto ignored = ::write(exec_error_fd, &err, sizeof err);
    ::_exit(127);
}

SandboxLimits tool_limits() {
    SandboxLimits limits;
    limits.cpu_seconds = 0;
    limits.address_space_bytes = 0;
    limits.processes = 0;
    limits.open_files_soft = 0;
    return limits;
}

}  // namespace c10k::grader
