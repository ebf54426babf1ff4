#include "2-runner/sandboxed_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <thread>

#include "2-runner/announce.hpp"
#include "2-runner/escaped_children.hpp"
#include "2-runner/output_drain.hpp"
#include "2-runner/process_table.hpp"
#include "test_failure.hpp"

namespace c10k::grader {

std::string ExitStatus::describe() const {
    if (exited) return "exited with code " + std::to_string(code);
    const char* abbrev = ::sigabbrev_np(signal);
    return "killed by SIG" + std::string(abbrev ? abbrev : "?") + " (" + ::strsignal(signal) + ")";
}

SandboxedProcess::SandboxedProcess(const std::vector<std::string>& command, const SandboxLimits& limits) {
    if (command.empty()) throw TestFailure("no server command given");
    if (::access(command[0].c_str(), X_OK) != 0)
        throw TestFailure("cannot run " + command[0] + ": " + std::strerror(errno),
                          "build it first (make), or pass the right --server path");
    std::vector<char*> argv;
    for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    int out_pipe[2], err_pipe[2], exec_error[2];
    if (::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC) || ::pipe2(exec_error, O_CLOEXEC))
        throw TestFailure(std::string("pipe: ") + std::strerror(errno));
    int network_fd = -1;
    if (limits.join_network_of > 0) {
        network_fd = ::open(("/proc/" + std::to_string(limits.join_network_of) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
        if (network_fd < 0) {
            for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_error[0], exec_error[1]}) ::close(fd);
            throw TestFailure("cannot join the network of process " + std::to_string(limits.join_network_of) + ": " +
                              std::strerror(errno));
        }
    }
    pid_t grader = ::getpid();
    LiveGroupRegistration live_groups;
    pid_ = ::fork();
    if (pid_ < 0) throw TestFailure(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) exec_in_sandbox(argv.data(), limits, out_pipe[1], err_pipe[1], exec_error[1], grader, network_fd);
    if (network_fd >= 0) ::close(network_fd);

    ::setpgid(pid_, pid_);  // also here, so the group exists before we ever signal it
    live_groups.add(pid_);
    live_groups.release();
    own_network_ = limits.own_network || limits.join_network_of > 0;
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ::close(exec_error[1]);
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    output_ = std::make_unique<OutputDrain>(out_pipe[0], err_pipe[0]);

    int exec_errno = 0;
    ssize_t n = ::read(exec_error[0], &exec_errno, sizeof exec_errno);  // EOF once exec succeeded
    ::close(exec_error[0]);
    if (n == sizeof exec_errno) {
        stop(Seconds(0));
        throw TestFailure("cannot run " + command[0] + ": " + std::strerror(exec_errno));
    }
}

SandboxedProcess::~SandboxedProcess() {
    if (!status_) stop(Seconds(0));
    output_.reset();
    if (pidfd_ >= 0) ::close(pidfd_);
}

void SandboxedProcess::signal_group(int signal) const {
    if (!status_) ::kill(-pid_, signal);
}

void SandboxedProcess::reap_after_exit() {
    // The leader is a zombie now, which keeps its pid (= the group id) reserved:
    // kill whatever it left in its group before reaping it, and wait (bounded) until it
    // is gone, so that "stopped" means nothing of the server runs any more.
    ::kill(-pid_, SIGKILL);
    Deadline teardown(Seconds(2));
    while (group_has_live_members(pid_) && !teardown.expired())
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {}
    forget_live_group(pid_);
    // The exit can be seen before the drain thread read the server's last words (e.g.
    // "bind: Address already in use"): every report of an exit comes after them.
    output_->wait_until_drained(Deadline(Seconds(0.5)));
    ExitStatus status;
    status.exited = WIFEXITED(raw);
    status.code = status.exited ? WEXITSTATUS(raw) : 0;
    status.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
    status_ = status;
}

std::optional<ExitStatus> SandboxedProcess::poll_exit() { return wait_exit(Deadline(Seconds(0))); }

std::optional<ExitStatus> SandboxedProcess::wait_exit(const Deadline& deadline) {
    if (status_) return status_;
    for (;;) {
        siginfo_t info{};
        // WNOWAIT: look without reaping, so reap_after_exit can still kill the group.
        if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == pid_) {
            reap_after_exit();
            return status_;
        }
        if (deadline.expired()) return std::nullopt;
        pollfd pfd{pidfd_, POLLIN, 0};
        ::poll(&pfd, pidfd_ >= 0 ? 1 : 0, std::min(deadline.remaining_ms(), 20));
    }
}

ExitStatus SandboxedProcess::stop(Seconds grace) {
    if (status_) return *status_;
    if (grace.count() > 0) {
        signal_group(SIGTERM);
        if (auto status = wait_exit(Deadline(grace))) return *status;
    }
    signal_group(SIGKILL);
    while (!wait_exit(Deadline(Seconds(5)))) signal_group(SIGKILL);
    return *status_;
}

std::uint16_t SandboxedProcess::wait_for_announce(const Deadline& deadline) {
    // A line that only looks like the announce ("listening on port:0", a leftover debug
    // print) is skipped: the real one may follow. It is named only if none does.
    auto looked_like = [](const AnnounceScan& scan) {
        return scan.malformed.empty() ? std::string()
                                      : "; an earlier line looked like it but has no port after its last ':': '" +
                                            scan.malformed.substr(0, 80) + "'";
    };
    for (;;) {
        OutputDrain::Stdout out = output_->wait_for_stdout(std::chrono::milliseconds(20));
        AnnounceScan scan = scan_for_announce(out.head);
        if (scan.port) {
            // strace -ttt stamps calls with this clock: the audit finds the announce's write by it.
            announce_seen_at_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
            return *scan.port;
        }
        auto exited = poll_exit();
        if (exited || out.closed) {
            if (!exited) exited = wait_exit(Deadline(Seconds(1)));
            std::string what = exited ? exited->describe() : "closed its stdout";
            throw TestFailure("server " + what + " before announcing" + looked_like(scan),
                              "run it by hand: ./server --port 0 — it must print 'listening on HOST:PORT'");
        }
        if (deadline.expired()) {
            // Appended piece by piece: GCC 12 at -O3 warns (falsely) on "'" + text + "'" here.
            std::string seen = "nothing";
            if (!out.head.empty()) seen = std::string("'").append(out.head, 0, 80).append("'");
            if (!scan.malformed.empty())
                throw TestFailure("server did not print 'listening on HOST:PORT' with a valid port within " +
                                      seconds_text(deadline.budget()) + " s" + looked_like(scan),
                                  "print the port the kernel chose (getsockname() after bind()) after the last ':', "
                                  "and remove debug lines that start with 'listening on'");
            throw TestFailure("server did not print 'listening on HOST:PORT' within " +
                                  seconds_text(deadline.budget()) + " s (its stdout so far: " + seen + ")",
                              "announce after listen(), and fflush(stdout): stdout to a pipe is buffered");
        }
    }
}

int SandboxedProcess::task_count() const { return status_ ? 0 : group_thread_count(pid_); }
int SandboxedProcess::open_fd_count() const { return grader::open_fd_count(pid_); }
long SandboxedProcess::resident_kib() const { return grader::resident_kib(pid_); }
long SandboxedProcess::virtual_kib() const { return grader::virtual_kib(pid_); }
std::string SandboxedProcess::stderr_tail(std::size_t max_lines) const {
    return last_lines(output_->stderr_text(), max_lines);
}
std::string SandboxedProcess::stderr_text() const { return output_->stderr_text(); }
std::string SandboxedProcess::stdout_head() const { return output_->stdout_head(); }
std::string SandboxedProcess::stdout_tail(std::size_t max_lines) const {
    std::string text = output_->stdout_tail();
    if (auto announce = text.rfind("listening on "); announce != std::string::npos && announce_seen_at_ > 0) {
        auto line_end = text.find('\n', announce);
        text.erase(0, line_end == std::string::npos ? text.size() : line_end + 1);
    }
    return last_lines(text, max_lines);
}

}  // namespace c10k::grader
