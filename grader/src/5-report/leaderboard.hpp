#pragma once
/// @file leaderboard.hpp
/// @brief Gradescope's leaderboard (c10k-grade --reference): what each audit measured of
/// the student's server as a multiple of the reference's, on the same machine, in the same
/// audit -- so a class sees who beats whom, and the machine's speed cancels out.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "5-report/grade_report.hpp"

namespace c10k::grader {

/// For each audit the reference ran: requests (or messages) per second and CPU time per
/// request in the audit's window, yours over the reference's. An audit of yours that
/// measured nothing (its load failed) ranks 0 for speed and has no CPU entry.
std::vector<LeaderboardEntry> leaderboard_entries(const std::vector<SyscallSummary>& yours,
                                                  const std::vector<SyscallSummary>& reference);

/// Gradescope's "leaderboard" array: {"name", "value"}, and "order": "asc" where lower is better.
nlohmann::json leaderboard_json(const GradeReport& report);

/// The text report's lines: "  io_uring req/s (x reference)   1.08x", one per entry, or the
/// note that says why there is none.
std::string leaderboard_text(const GradeReport& report);

}  // namespace c10k::grader
