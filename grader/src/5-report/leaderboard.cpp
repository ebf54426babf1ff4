#include "5-report/leaderboard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace c10k::grader {
namespace {

// "--model io_uring" -> "io_uring"; an audit without a name is the server's only one.
std::string audit_label(const SyscallSummary& audit) {
    if (audit.name.empty()) return "server";
    return audit.name.starts_with("--model ") ? audit.name.substr(8) : audit.name;
}

double per_second(const SyscallSummary& audit) {
    return audit.measured && audit.seconds > 0 ? double(audit.messages) / audit.seconds : 0;
}

double cpu_per_message(const SyscallSummary& audit) {
    return audit.measured && audit.cpu_seconds > 0 && audit.messages > 0 ? audit.cpu_seconds / double(audit.messages)
                                                                          : -1;
}

}  // namespace

std::vector<LeaderboardEntry> leaderboard_entries(const std::vector<SyscallSummary>& yours,
                                                  const std::vector<SyscallSummary>& reference) {
    std::vector<LeaderboardEntry> entries;
    for (const SyscallSummary& theirs : reference) {
        if (per_second(theirs) <= 0) continue;
        auto mine = std::ranges::find(yours, theirs.name, &SyscallSummary::name);  // absent: its load failed
        std::string label = audit_label(theirs);
        std::string unit = theirs.unit == "request" ? "req/s" : "msgs/s";
        double speed = mine == yours.end() ? 0 : per_second(*mine) / per_second(theirs);
        entries.push_back({label + " " + unit + " (x reference)", speed, false});
        double cpu = mine == yours.end() ? -1 : cpu_per_message(*mine), reference_cpu = cpu_per_message(theirs);
        if (cpu > 0 && reference_cpu > 0)
            entries.push_back({label + " CPU per " + theirs.unit + " (x reference)", cpu / reference_cpu, true});
    }
    return entries;
}

nlohmann::json leaderboard_json(const GradeReport& report) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& entry : report.leaderboard) {
        nlohmann::json item = {{"name", entry.name}, {"value", std::round(entry.value * 1000) / 1000}};
        if (entry.ascending) item["order"] = "asc";
        entries.push_back(item);
    }
    return entries;
}

std::string leaderboard_text(const GradeReport& report) {
    if (report.leaderboard.empty() && report.leaderboard_note.empty()) return {};
    std::string out = "\nagainst the reference (the same audits on this machine, under strace; Gradescope's leaderboard):\n";
    if (!report.leaderboard_note.empty()) return out + "  " + report.leaderboard_note + "\n";
    for (const auto& entry : report.leaderboard) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-40s %.2fx%s\n", entry.name.c_str(), entry.value,
                      entry.ascending ? "  (lower is better)" : "");
        out += line;
    }
    return out;
}

}  // namespace c10k::grader
