#include "2-runner/environment_probe.hpp"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "2-runner/network_namespace.hpp"
#include "4-audit/traced_calls.hpp"
#include "c10k/io_uring_support.hpp"

extern char** environ;

namespace c10k::grader {
namespace {

std::string read_first_line(const std::string& path) {
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    return line;
}

// The folders holding this process's cgroup limits for @p controller ("cpu", "memory"),
// from its own cgroup up to the root: a limit anywhere above applies too, the smallest
// wins. cgroup v2 has one tree ("0::/path"); v1 one per controller ("4:memory:/path").
std::vector<std::string> cgroup_folders(const std::string& controller) {
    std::ifstream file("/proc/self/cgroup");
    std::vector<std::string> folders;
    for (std::string line; std::getline(file, line);) {
        auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        std::string controllers = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        std::string root;
        if (controllers.empty()) root = "/sys/fs/cgroup";  // v2
        else if (("," + controllers + ",").find("," + controller + ",") != std::string::npos)
            root = "/sys/fs/cgroup/" + controller;  // v1: a link to "cpu,cpuacct" where they are joined
        else continue;
        while (true) {
            folders.push_back(root + (path == "/" ? "" : path));
            if (path == "/" || path.empty()) break;
            path = path.substr(0, path.rfind('/'));
            if (path.empty()) path = "/";
        }
    }
    return folders;
}

double usable_cpus() {
    cpu_set_t set;
    double cpus = ::sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    for (const auto& folder : cgroup_folders("cpu")) {
        auto quota = parse_cpu_max(read_first_line(folder + "/cpu.max"));  // v2
        if (!quota)  // v1: two files, "-1" when unlimited
            quota = parse_cpu_max(read_first_line(folder + "/cpu.cfs_quota_us") + " " +
                                  read_first_line(folder + "/cpu.cfs_period_us"));
        if (quota) cpus = std::min(cpus, *quota);
    }
    return cpus;
}

long memory_mb() {
    long megabytes = ::sysconf(_SC_PHYS_PAGES) / 1024 * ::sysconf(_SC_PAGESIZE) / 1024;
    for (const auto& folder : cgroup_folders("memory")) {
        auto limit = parse_memory_max(read_first_line(folder + "/memory.max"));                // v2
        if (!limit) limit = parse_memory_max(read_first_line(folder + "/memory.limit_in_bytes"));  // v1
        if (limit) megabytes = std::min(megabytes, *limit);
    }
    return megabytes;
}

// strace present is not enough: a platform may forbid ptrace. Trace `true` once.
std::optional<std::string> strace_problem() {
    auto strace = find_strace();
    if (!strace) return "strace is not installed (Debian/Ubuntu: apt-get install strace)";
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string program = strace->string();
    char* argv[] = {program.data(), const_cast<char*>("-f"), const_cast<char*>("-qq"),
                    const_cast<char*>("-e"), const_cast<char*>("trace=none"), const_cast<char*>("true"), nullptr};
    pid_t pid = -1;
    int error = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    ::posix_spawn_file_actions_destroy(&actions);
    if (error != 0) return "strace could not start";
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
    return "strace cannot trace here (ptrace is forbidden: a container's seccomp profile, or "
           "kernel.yama.ptrace_scope = 3): the syscall audits will fail";
}

std::string cpus_text(double cpus) {
    char text[32];
    std::snprintf(text, sizeof text, cpus == static_cast<int>(cpus) ? "%.0f" : "%.2g", cpus);
    return text;
}

}  // namespace

std::optional<double> parse_cpu_max(std::string_view text) {
    long quota = 0, period = 0;
    std::string copy(text);
    if (std::sscanf(copy.c_str(), "%ld %ld", &quota, &period) != 2 || quota <= 0 || period <= 0) return std::nullopt;
    return double(quota) / double(period);
}

std::optional<long> parse_memory_max(std::string_view text) {
    std::string copy(text);
    long long bytes = 0;
    if (copy.empty() || copy[0] < '0' || copy[0] > '9' || std::sscanf(copy.c_str(), "%lld", &bytes) != 1)
        return std::nullopt;
    return static_cast<long>(bytes >> 20);
}

EnvironmentProbe probe_environment() {
    EnvironmentProbe probe;
    probe.io_uring_missing = c10k::probe_io_uring();
    probe.strace_missing = strace_problem();
    probe.network_namespaces = network_namespaces_available();
    probe.cpus = usable_cpus();
    probe.memory_mb = memory_mb();
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0)
        probe.open_files = files.rlim_max == RLIM_INFINITY ? -1 : static_cast<long>(files.rlim_max);
    return probe;
}

std::string EnvironmentProbe::summary() const {
    std::ostringstream out;
    out << cpus_text(cpus) << (cpus == 1 ? " CPU, " : " CPUs, ") << memory_mb << " MB, "
        << (open_files < 0 ? std::string("unlimited") : std::to_string(open_files)) << " file descriptors"
        << (small_machine() ? " (a small machine: the spec's `small` figures apply)" : "") << "; "
        << "io_uring " << (io_uring_missing ? "no: " + *io_uring_missing : std::string("yes")) << "; "
        << "strace " << (strace_missing ? "no: " + *strace_missing : std::string("yes")) << "; "
        << "network namespaces " << (network_namespaces ? "yes" : "no (servers share the host's loopback)");
    return out.str();
}

}  // namespace c10k::grader
