#include "race/syscall_counter.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "2-runner/program_path.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "4-audit/traced_calls.hpp"
#include "test_failure.hpp"
#include "tool_error.hpp"

namespace c10k::grader {
namespace {

std::filesystem::path make_temp_dir(const char* prefix) {
    std::string pattern = std::string("/tmp/") + prefix + "-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw ToolError(std::string("mkdtemp: ") + std::strerror(errno), "make /tmp writable");
    return pattern;
}

bool tracepoint_exists(const std::string& name) {
    for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
        std::error_code ignored;
        if (std::filesystem::exists(std::string(root) + "/events/syscalls/sys_enter_" + name, ignored)) return true;
    }
    return false;
}

std::string perf_events(const std::vector<std::string>& syscalls) {
    std::string events = "task-clock,raw_syscalls:sys_enter";
    for (const auto& name : syscalls)
        if (tracepoint_exists(name)) events += ",syscalls:sys_enter_" + name;
    return events;
}
}  // namespace

const std::vector<std::string>& counted_syscalls() {
    static const std::vector<std::string> names = {
        "read", "write", "recvfrom", "sendto", "recvmsg", "sendmsg", "readv", "writev",
        "select", "pselect6", "poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_ctl",
        "io_uring_enter", "accept4", "futex",
        // and what a proxy adds: its upstream connections, zero-copy relays
        "connect", "close", "shutdown", "setsockopt", "getsockopt", "splice", "sendfile64"};
    return names;
}

WindowCounts parse_perf_stat_csv(const std::string& text) {
    WindowCounts counts;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        // value,unit,event,run-time,percentage,...   ("<not counted>" when it never ran)
        std::vector<std::string> fields;
        std::istringstream parts(line);
        for (std::string field; std::getline(parts, field, ',');) fields.push_back(field);
        if (fields.size() < 3 || line.starts_with("#")) continue;
        const std::string& event = fields[2];
        double value = 0;
        if (fields[0].find_first_not_of("0123456789.") == std::string::npos && !fields[0].empty())
            value = std::strtod(fields[0].c_str(), nullptr);
        if (event == "task-clock") counts.cpu_seconds = fields[1] == "msec" ? value / 1e3 : value / 1e9;
        else if (event == "raw_syscalls:sys_enter") counts.syscalls = static_cast<long>(value);
        else if (event.starts_with("syscalls:sys_enter_"))
            counts.by_name[event.substr(std::strlen("syscalls:sys_enter_"))] = static_cast<long>(value);
    }
    return counts;
}

std::string mount_tracefs_if_missing() {
    if (tracepoint_exists("read")) return {};
    std::error_code error;
    if (!std::filesystem::is_directory(kTracefsPath, error))
        return std::string("this kernel has no ") + kTracefsPath + " to mount tracefs on";
    if (!std::filesystem::is_empty(kTracefsPath, error))
        return std::string(kTracefsPath) + " is not empty but has no syscall tracepoints";
    if (::geteuid() != 0) return std::string("tracefs is not mounted; as root run: ") + kMountTracefs;
    if (::mount("nodev", kTracefsPath, "tracefs", 0, nullptr) != 0)
        return std::string("could not mount tracefs (") + std::strerror(errno) + "; containers usually forbid it); " +
               "on the host, as root: " + kMountTracefs;
    return std::string("mounted tracefs at ") + kTracefsPath + " (perf counts syscalls through it)";
}

std::string perf_unavailable_reason() {
    auto perf = find_program("perf");
    if (!perf) return "perf is not installed (make deps-race installs linux-perf)";
    if (!tracepoint_exists("read"))
        return std::string("the kernel's syscall tracepoints are not visible (tracefs is not mounted); as root run: ") +
               kMountTracefs;
    try {
        SandboxedProcess probe({*perf, "stat", "-x,", "-e", "raw_syscalls:sys_enter", "--", "/bin/true"}, tool_limits());
        auto status = probe.wait_exit(Deadline(Seconds(20)));
        std::string output = probe.stderr_text();
        WindowCounts counts = parse_perf_stat_csv(output);
        if (status && status->clean() && counts.syscalls > 0) return {};
        std::string last;
        std::istringstream lines(output);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) last = line;
        return "perf cannot count syscall tracepoints here" + (last.empty() ? std::string() : ": " + last) +
               " (as root, or with kernel.perf_event_paranoid <= -1; containers usually forbid it)";
    } catch (const TestFailure& failure) {
        return std::string("perf cannot start: ") + failure.what();
    }
}

PerfCounter::PerfCounter(const std::vector<pid_t>& pids, const std::vector<std::string>& names)
    : dir_(make_temp_dir("c10k-perf")) {
    auto perf = find_program("perf");
    if (!perf) throw ToolError("perf is not installed", "make deps-race");
    std::string pid_list;
    for (pid_t pid : pids) pid_list += (pid_list.empty() ? "" : ",") + std::to_string(pid);
    auto control = dir_ / "control", ack = dir_ / "ack";
    if (::mkfifo(control.c_str(), 0600) != 0 || ::mkfifo(ack.c_str(), 0600) != 0)
        throw ToolError(std::string("mkfifo: ") + std::strerror(errno), "make /tmp writable");
    // O_RDWR: opening a fifo this way never blocks, whether or not perf has opened its end yet.
    control_ = ::open(control.c_str(), O_RDWR | O_CLOEXEC);
    ack_ = ::open(ack.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    try {
        perf_ = std::make_unique<SandboxedProcess>(
            std::vector<std::string>{*perf, "stat", "-x,", "--delay=-1", "--control",
                                     "fifo:" + control.string() + "," + ack.string(), "-e",
                                     perf_events(names), "-p", pid_list, "-o",
                                     (dir_ / "counts.csv").string()},
            tool_limits());
    } catch (const TestFailure& failure) {
        throw ToolError(std::string("perf cannot start: ") + failure.what(), "make deps-race");
    }
}

PerfCounter::~PerfCounter() {
    perf_.reset();
    if (control_ >= 0) ::close(control_);
    if (ack_ >= 0) ::close(ack_);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void PerfCounter::command(const char* what) {
    std::string line = std::string(what) + "\n";
    if (::write(control_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw ToolError(std::string("perf control fifo: ") + std::strerror(errno));
    Deadline deadline(Seconds(10));  // perf attaching to thousands of threads takes a while
    std::string reply;
    while (reply.find('\n') == std::string::npos) {
        pollfd ready{ack_, POLLIN, 0};
        if (::poll(&ready, 1, std::min(deadline.remaining_ms(), 100)) > 0) {
            char buffer[64];
            ssize_t n = ::read(ack_, buffer, sizeof buffer);
            if (n > 0) reply.append(buffer, static_cast<std::size_t>(n));
        }
        if (auto status = perf_->poll_exit())
            throw ToolError("perf stopped (" + status->describe() + "): " + perf_->stderr_tail());
        if (deadline.expired()) throw ToolError(std::string("perf did not acknowledge '") + what + "' within 10 s");
    }
}

void PerfCounter::enable() { command("enable"); }
void PerfCounter::disable() { command("disable"); }

WindowCounts PerfCounter::finish() {
    perf_->signal_group(SIGINT);  // perf prints its counts and exits on SIGINT
    auto status = perf_->wait_exit(Deadline(Seconds(10)));
    if (!status) perf_->stop(Seconds(0));
    std::ifstream file(dir_ / "counts.csv");
    std::stringstream text;
    text << file.rdbuf();
    WindowCounts counts = parse_perf_stat_csv(text.str());
    if (counts.syscalls < 0) throw ToolError("perf counted nothing: " + perf_->stderr_tail());
    return counts;
}

void PerfWindow::open(const std::function<std::vector<pid_t>()>& list_pids, int attempts,
                      const std::vector<std::string>& names) {
    for (int attempt = 0; attempt < attempts && !perf_; ++attempt) {
        try {
            perf_ = std::make_unique<PerfCounter>(list_pids(), names);
            perf_->enable();
            failure_.clear();
        } catch (const ToolError& failure) {
            failure_ = failure.describe();
            perf_.reset();
        }
    }
}

void PerfWindow::close() {
    try {
        if (perf_) perf_->disable();
    } catch (const ToolError& failure) {
        failure_ = failure.describe();
        perf_.reset();
    }
}

WindowCounts PerfWindow::finish() {
    WindowCounts counts;
    try {
        if (perf_) counts = perf_->finish();
    } catch (const ToolError& failure) {
        failure_ = failure.describe();
    }
    perf_.reset();
    return counts;
}

StraceCounter::StraceCounter() : dir_(make_temp_dir("c10k-race-trace")) {}

StraceCounter::~StraceCounter() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::vector<std::string> StraceCounter::command_prefix() const {
    auto strace = find_strace();
    if (!strace) throw ToolError("strace is not installed", "make deps");
    return strace_command(*strace, dir_ / "trace", 0);
}

void StraceCounter::window_opened(pid_t strace_pid) { cpu_before_ = traced_server_cpu_seconds(strace_pid); }
void StraceCounter::window_closed(pid_t strace_pid) { cpu_after_ = traced_server_cpu_seconds(strace_pid); }

WindowCounts StraceCounter::finish(double window_start, double window_end) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) files.push_back(entry.path());
    TraceCounts traced = count_traced_calls(files, window_start, window_end);
    WindowCounts counts;
    counts.syscalls = 0;
    for (const auto& [name, count] : traced.in_window) {
        counts.syscalls += count;
        counts.by_name[name] = count;
    }
    if (cpu_before_ >= 0 && cpu_after_ >= 0) counts.cpu_seconds = cpu_after_ - cpu_before_;
    return counts;
}

}  // namespace c10k::grader
