#include "2-runner/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "2-runner/network_namespace.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

constexpr std::size_t kStdoutHeadCap = 4096;   // enough for the announce line and a few more
constexpr std::size_t kStderrTailCap = 16384;  // the last lines, for failure messages

std::string errno_text(int err) { return std::strerror(err); }

void set_limit(int resource, rlim_t value) {
    if (value == 0) return;
    rlimit limit{value, value};
    rlimit current{};
    if (::getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY &&
        current.rlim_max < value)
        limit = {current.rlim_max, current.rlim_max};
    ::setrlimit(resource, &limit);
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(char* const argv[], const SandboxLimits& limits, int out_fd,
                             int err_fd, int exec_error_fd, pid_t grader) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // if the grader dies, the server dies with it
    if (::getppid() != grader) ::_exit(127);
    if (limits.own_network && !enter_fresh_network_namespace()) {
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

}  // namespace

double process_cpu_seconds(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text) || text.rfind(')') == std::string::npos) return -1;
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    double user = 0, system = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime (clock ticks)
        if (i == 14) user = std::stod(field);
        if (i == 15) system = std::stod(field);
    }
    return (user + system) / double(::sysconf(_SC_CLK_TCK));
}

std::optional<std::string> find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = dir + "/" + name;
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

namespace {
// Process groups of the servers (and compilers) running now, in any thread: parallel
// gradings must not take each other's live servers for escaped leftovers. The mutex is
// held from fork() until the new group is registered, and during a whole clean-up scan,
// so a scan can never see a child that is not registered yet.
std::mutex g_live_groups_mutex;
std::set<pid_t> g_live_groups;

// One process as /proc/PID/stat shows it: its state, parent and process group.
struct ProcessEntry {
    pid_t pid = 0, parent = 0, group = 0;
    bool zombie = false;
};

// Every process on the machine now (those that vanish while we read are skipped).
std::vector<ProcessEntry> list_processes() {
    std::vector<ProcessEntry> processes;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
        std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string text;
        // The command name in parentheses may hold spaces: the fields start after the last ')'.
        if (!std::getline(stat, text) || text.rfind(')') == std::string::npos) continue;
        std::istringstream fields(text.substr(text.rfind(')') + 2));
        ProcessEntry process;
        std::string state;
        if (!(fields >> state >> process.parent >> process.group)) continue;
        process.pid = std::stoi(name);
        process.zombie = state == "Z";
        processes.push_back(process);
    }
    return processes;
}

void unregister_live_group(pid_t group) {
    std::lock_guard lock(g_live_groups_mutex);
    g_live_groups.erase(group);
}
}  // namespace

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

int kill_escaped_descendants() {
    const pid_t self = ::getpid();
    const pid_t own_group = ::getpgrp();
    std::lock_guard lock(g_live_groups_mutex);
    int killed = 0;
    // Repeat: a killed escapee's own children are re-parented to us in turn.
    for (int round = 0; round < 5; ++round) {
        int found = 0;
        for (const ProcessEntry& process : list_processes()) {
            // Our own helpers (e.g. a popen'd command) share our group: leave them alone.
            if (process.parent != self || process.group == own_group || g_live_groups.contains(process.group))
                continue;
            if (!process.zombie) {  // a zombie is already dead: only reap it
                ::kill(process.pid, SIGKILL);
                ++found;
            }
            ::waitpid(process.pid, nullptr, 0);
        }
        killed += found;
        if (found == 0) break;
    }
    return killed;
}

std::string ExitStatus::describe() const {
    if (exited) return "exited with code " + std::to_string(code);
    const char* abbrev = ::sigabbrev_np(signal);
    return "killed by SIG" + std::string(abbrev ? abbrev : "?") + " (" + ::strsignal(signal) + ")";
}

// Drains stdout and stderr on a thread of its own until both close or stop is set.
struct ServerProcess::Output {
    std::mutex mutex;
    std::condition_variable changed;
    std::string stdout_head;
    std::string stderr_tail;
    bool stdout_closed = false;
    bool stderr_closed = false;
    std::atomic<bool> stop{false};
    std::thread thread;

    Output(int out_fd, int err_fd) : thread([this, out_fd, err_fd] { drain(out_fd, err_fd); }) {}
    ~Output() {
        stop = true;
        thread.join();
    }

    void drain(int out_fd, int err_fd) {
        pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
        char buffer[8192];
        while (!stop && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
            if (::poll(fds, 2, 50) <= 0) continue;
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || fds[i].revents == 0) continue;
                ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
                if (n < 0 && errno == EINTR) continue;
                std::lock_guard lock(mutex);
                if (n <= 0) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    (i == 0 ? stdout_closed : stderr_closed) = true;
                } else if (i == 0) {
                    std::size_t room = kStdoutHeadCap - std::min(kStdoutHeadCap, stdout_head.size());
                    stdout_head.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(n)));
                } else {
                    stderr_tail.append(buffer, static_cast<std::size_t>(n));
                    if (stderr_tail.size() > kStderrTailCap)
                        stderr_tail.erase(0, stderr_tail.size() - kStderrTailCap);
                }
                changed.notify_all();
            }
        }
        for (auto& fd : fds)
            if (fd.fd >= 0) ::close(fd.fd);
        std::lock_guard lock(mutex);
        stdout_closed = stderr_closed = true;
        changed.notify_all();
    }

    // Waits until both pipes reached EOF (everything the server wrote is read) or
    // @p deadline passes: an escaped child may still hold a pipe open.
    void wait_until_drained(const Deadline& deadline) {
        std::unique_lock lock(mutex);
        while (!(stdout_closed && stderr_closed) && !deadline.expired())
            changed.wait_for(lock, std::chrono::milliseconds(std::max(1, std::min(deadline.remaining_ms(), 20))));
    }
};

ServerProcess::ServerProcess(const std::vector<std::string>& command, const SandboxLimits& limits) {
    if (command.empty()) throw TestFailure("no server command given");
    if (::access(command[0].c_str(), X_OK) != 0)
        throw TestFailure("cannot run " + command[0] + ": " + errno_text(errno),
                          "build it first (make), or pass the right --server path");
    std::vector<char*> argv;
    for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    int out_pipe[2], err_pipe[2], exec_error[2];
    if (::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC) || ::pipe2(exec_error, O_CLOEXEC))
        throw TestFailure("pipe: " + errno_text(errno));
    pid_t grader = ::getpid();
    std::unique_lock live_groups(g_live_groups_mutex);
    pid_ = ::fork();
    if (pid_ < 0) throw TestFailure("fork: " + errno_text(errno));
    if (pid_ == 0) exec_child(argv.data(), limits, out_pipe[1], err_pipe[1], exec_error[1], grader);

    ::setpgid(pid_, pid_);  // also here, so the group exists before we ever signal it
    g_live_groups.insert(pid_);
    live_groups.unlock();
    own_network_ = limits.own_network;
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ::close(exec_error[1]);
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    output_ = std::make_unique<Output>(out_pipe[0], err_pipe[0]);

    int exec_errno = 0;
    ssize_t n = ::read(exec_error[0], &exec_errno, sizeof exec_errno);  // EOF once exec succeeded
    ::close(exec_error[0]);
    if (n == sizeof exec_errno) {
        stop(Seconds(0));
        throw TestFailure("cannot run " + command[0] + ": " + errno_text(exec_errno));
    }
}

ServerProcess::~ServerProcess() {
    if (!status_) stop(Seconds(0));
    output_.reset();
    if (pidfd_ >= 0) ::close(pidfd_);
}

void ServerProcess::signal_group(int signal) const {
    if (!status_) ::kill(-pid_, signal);
}

namespace {
// True while a process of group @p group is alive (zombies do not count): a SIGKILLed
// process still runs until the kernel has torn it down.
bool group_has_live_members(pid_t group) {
    return std::ranges::any_of(list_processes(),
                               [&](const ProcessEntry& p) { return p.group == group && !p.zombie; });
}
}  // namespace

void ServerProcess::reap_after_exit() {
    // The leader is a zombie now, which keeps its pid (= the group id) reserved:
    // kill whatever it left in its group before reaping it, and wait (bounded) until it
    // is gone, so that "stopped" means nothing of the server runs any more.
    ::kill(-pid_, SIGKILL);
    Deadline teardown(Seconds(2));
    while (group_has_live_members(pid_) && !teardown.expired())
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {}
    unregister_live_group(pid_);
    // The exit can be seen before the drain thread read the server's last words (e.g.
    // "bind: Address already in use"): every report of an exit comes after them.
    output_->wait_until_drained(Deadline(Seconds(0.5)));
    ExitStatus status;
    status.exited = WIFEXITED(raw);
    status.code = status.exited ? WEXITSTATUS(raw) : 0;
    status.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
    status_ = status;
}

std::optional<ExitStatus> ServerProcess::poll_exit() { return wait_exit(Deadline(Seconds(0))); }

std::optional<ExitStatus> ServerProcess::wait_exit(const Deadline& deadline) {
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

ExitStatus ServerProcess::stop(Seconds grace) {
    if (status_) return *status_;
    if (grace.count() > 0) {
        signal_group(SIGTERM);
        if (auto status = wait_exit(Deadline(grace))) return *status;
    }
    signal_group(SIGKILL);
    while (!wait_exit(Deadline(Seconds(5)))) signal_group(SIGKILL);
    return *status_;
}

std::uint16_t ServerProcess::wait_for_announce(const Deadline& deadline) {
    const std::string prefix = "listening on ";
    for (;;) {
        std::string head;
        bool closed = false;
        {
            std::unique_lock lock(output_->mutex);
            output_->changed.wait_for(lock, std::chrono::milliseconds(20));
            head = output_->stdout_head;
            closed = output_->stdout_closed;
        }
        for (std::size_t start = 0; start < head.size();) {
            std::size_t end = head.find('\n', start);
            if (end == std::string::npos) break;  // an incomplete line: wait for the rest
            std::string line = head.substr(start, end - start);
            start = end + 1;
            if (!line.starts_with(prefix)) continue;
            auto colon = line.rfind(':');
            unsigned port = 0;
            auto [ptr, ec] = std::from_chars(line.data() + colon + 1, line.data() + line.size(), port);
            if (colon == std::string::npos || ec != std::errc{} || ptr != line.data() + line.size() ||
                port == 0 || port > 65535)
                throw TestFailure("announce line '" + line + "' has no valid port after the last ':'",
                                  "print the port the kernel chose: getsockname() after bind()");
            return static_cast<std::uint16_t>(port);
        }
        auto exited = poll_exit();
        if (exited || closed) {
            if (!exited) exited = wait_exit(Deadline(Seconds(1)));
            std::string what = exited ? exited->describe() : "closed its stdout";
            throw TestFailure("server " + what + " before announcing",
                              "run it by hand: ./server --port 0 — it must print 'listening on HOST:PORT'");
        }
        if (deadline.expired()) {
            std::string seen = head.empty() ? "nothing" : "'" + head.substr(0, 80) + "'";
            char budget[32];
            std::snprintf(budget, sizeof budget, "%.1f", deadline.budget().count());
            throw TestFailure("server did not print 'listening on HOST:PORT' within " +
                                  std::string(budget) + " s (its stdout so far: " + seen + ")",
                              "announce after listen(), and fflush(stdout): stdout to a pipe is buffered");
        }
    }
}

std::string ServerProcess::stderr_tail(std::size_t max_lines) const {
    std::string text;
    {
        std::lock_guard lock(output_->mutex);
        text = output_->stderr_tail;
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::vector<std::string> lines;
    std::size_t end = text.size();
    while (end > 0 && lines.size() < max_lines) {
        std::size_t start = text.rfind('\n', end - 1);
        start = start == std::string::npos ? 0 : start + 1;
        if (end > start) lines.insert(lines.begin(), text.substr(start, std::min<std::size_t>(end - start, 200)));
        if (start == 0) break;
        end = start - 1;
    }
    std::string joined;
    for (const auto& line : lines) joined += (joined.empty() ? "" : " | ") + line;
    return joined;
}

int ServerProcess::task_count() const {
    if (status_) return 0;
    int tasks = 0;
    for (const ProcessEntry& process : list_processes()) {
        if (process.group != pid_) continue;
        std::error_code ignored;
        for ([[maybe_unused]] const auto& task :
             std::filesystem::directory_iterator("/proc/" + std::to_string(process.pid) + "/task", ignored))
            ++tasks;
    }
    return tasks;
}

int ServerProcess::open_fd_count() const {
    std::error_code error;
    int count = 0;
    for ([[maybe_unused]] const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", error))
        ++count;
    return error ? -1 : count;
}

long ServerProcess::resident_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::atol(line.c_str() + 6);
    return 0;
}

std::string ServerProcess::stderr_text() const {
    std::lock_guard lock(output_->mutex);
    return output_->stderr_tail;
}

std::string ServerProcess::stdout_head() const {
    std::lock_guard lock(output_->mutex);
    return output_->stdout_head;
}

}  // namespace c10k::grader
