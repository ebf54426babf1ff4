#include "2-runner/process_table.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace c10k::grader {

std::optional<ProcessEntry> read_process(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    // The command name in parentheses may hold spaces: the fields start after the last ')'.
    if (!std::getline(stat, text) || text.rfind(')') == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    ProcessEntry process;
    process.pid = pid;
    std::string state, skip;
    double user_ticks = 0, system_ticks = 0;
    // Fields 3-5: state, parent, group; 14 and 15: utime, stime (see proc(5)).
    if (!(fields >> state >> process.parent >> process.group)) return std::nullopt;
    for (int field = 6; field <= 13; ++field) fields >> skip;
    fields >> user_ticks >> system_ticks;
    process.zombie = state == "Z";
    process.cpu_seconds = (user_ticks + system_ticks) / double(::sysconf(_SC_CLK_TCK));
    return process;
}

std::vector<ProcessEntry> list_processes() {
    std::vector<ProcessEntry> processes;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
        std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        if (auto process = read_process(std::stoi(name))) processes.push_back(*process);
    }
    return processes;
}

double process_cpu_seconds(pid_t pid) {
    auto process = read_process(pid);
    return process ? process->cpu_seconds : -1;
}

bool group_has_live_members(pid_t group) {
    return std::ranges::any_of(list_processes(),
                               [&](const ProcessEntry& p) { return p.group == group && !p.zombie; });
}

int group_thread_count(pid_t group) {
    int tasks = 0;
    for (const ProcessEntry& process : list_processes()) {
        if (process.group != group) continue;
        std::error_code ignored;
        for ([[maybe_unused]] const auto& task :
             std::filesystem::directory_iterator("/proc/" + std::to_string(process.pid) + "/task", ignored))
            ++tasks;
    }
    return tasks;
}

int open_fd_count(pid_t pid) {
    std::error_code error;
    int count = 0;
    for ([[maybe_unused]] const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error))
        ++count;
    return error ? -1 : count;
}

namespace {

long status_kib(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with(field + ":")) return std::atol(line.c_str() + field.size() + 1);
    return 0;
}

// The command name and CPU seconds of one thread, from /proc/PID/task/TID/stat.
std::optional<std::pair<std::string, double>> read_task(const std::filesystem::path& stat_file) {
    std::ifstream stat(stat_file);
    std::string text;
    if (!std::getline(stat, text)) return std::nullopt;
    auto open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
    std::istringstream fields(text.substr(close + 2));
    std::string skip;
    for (int field = 3; field <= 13; ++field) fields >> skip;
    double user_ticks = 0, system_ticks = 0;
    if (!(fields >> user_ticks >> system_ticks)) return std::nullopt;
    return std::pair{text.substr(open + 1, close - open - 1), (user_ticks + system_ticks) / double(::sysconf(_SC_CLK_TCK))};
}

}  // namespace

long resident_kib(pid_t pid) { return status_kib(pid, "VmRSS"); }

long virtual_kib(pid_t pid) { return status_kib(pid, "VmSize"); }

long open_file_limit(pid_t pid) {
    rlimit limit{};
    if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &limit) != 0) return -1;
    return limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long>(limit.rlim_cur);
}

double group_cpu_seconds_without_sqpoll(pid_t group) {
    double total = 0;
    for (const ProcessEntry& process : list_processes()) {
        if (process.group != group || process.zombie) continue;
        total += process.cpu_seconds;
        std::error_code ignored;
        for (const auto& task :
             std::filesystem::directory_iterator("/proc/" + std::to_string(process.pid) + "/task", ignored))
            if (auto thread = read_task(task.path() / "stat"); thread && thread->first.starts_with("iou-sqp"))
                total -= thread->second;
    }
    return total;
}

}  // namespace c10k::grader
