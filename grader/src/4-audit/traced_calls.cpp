#include "4-audit/traced_calls.hpp"

#include <fstream>

#include "2-runner/process_table.hpp"
#include "2-runner/program_path.hpp"
#include "4-audit/strace_parser.hpp"

namespace c10k::grader {

// The traced server is strace's only child; its CPU time (all its threads, the kernel's
// SQPOLL thread included) in seconds, or -1 when unknown.
double traced_server_cpu_seconds(pid_t strace_pid) {
    std::ifstream children("/proc/" + std::to_string(strace_pid) + "/task/" + std::to_string(strace_pid) + "/children");
    pid_t server = 0;
    if (!(children >> server)) return -1;
    return process_cpu_seconds(server);
}

std::vector<std::string> strace_command(const std::filesystem::path& strace, const std::filesystem::path& trace_prefix,
                                        int string_bytes) {
    return {strace.string(), "-ff", "-ttt", "-qq", "-e", "signal=none", "-s", std::to_string(string_bytes),
            "-o", trace_prefix.string(), "--"};
}

std::optional<std::filesystem::path> find_strace() { return find_program("strace"); }

namespace {

bool is_stdout_write(const TracedCall& call) {
    return (call.name == "write" || call.name == "writev") && call.arguments.starts_with("1, ");
}

// Which call wrote the announce line. With the time the runner saw it: the last write to
// stdout that started before then -- a banner may share that write, and strace shows only
// its first bytes. Without it (a trace read on its own): the first write that starts with it.
std::optional<std::size_t> find_announce_write(const std::vector<TracedCall>& calls, double announce_seen_at) {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const TracedCall& call = calls[i];
        if (!is_stdout_write(call)) continue;
        if (announce_seen_at > 0) {
            if (call.timestamp <= announce_seen_at && (!found || call.timestamp > calls[*found].timestamp)) found = i;
        } else if (call.arguments.starts_with("1, \"listening on") &&
                   (!found || call.timestamp < calls[*found].timestamp)) {
            found = i;
        }
    }
    return found;
}

}  // namespace

TraceCounts count_traced_calls(const std::vector<std::filesystem::path>& files, double window_start,
                               double window_end, double announce_seen_at) {
    std::vector<TracedCall> calls;
    for (const auto& file : files) {
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);)
            if (auto call = parse_strace_line(line)) calls.push_back(std::move(*call));
    }
    double announced_at = 0;
    if (auto announce = find_announce_write(calls, announce_seen_at)) {
        announced_at = calls[*announce].timestamp;
        // The announce itself belongs to the contract, not to the I/O model.
        calls.erase(calls.begin() + static_cast<std::ptrdiff_t>(*announce));
    }
    TraceCounts counts;
    counts.tasks = static_cast<int>(files.size());
    for (const auto& call : calls) {
        ++counts.whole_run[call.name];
        if (call.timestamp >= announced_at) {
            ++counts.after_announce[call.name];
            bool ok = call.result && *call.result >= 0;
            if ((call.name == "accept" || call.name == "accept4") && ok) {
                ++counts.accepted;
                if (call.arguments.find("SOCK_NONBLOCK") != std::string::npos) ++counts.accepted_nonblocking;
            }
            if (call.name == "fcntl" && ok && call.arguments.find("F_SETFL") != std::string::npos &&
                call.arguments.find("O_NONBLOCK") != std::string::npos)
                ++counts.set_nonblocking;
        }
        if (call.timestamp >= window_start && call.timestamp <= window_end) ++counts.in_window[call.name];
    }
    return counts;
}

}  // namespace c10k::grader
