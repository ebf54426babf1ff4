#pragma once
/// @file syscall_audit.hpp
/// @brief The syscall audit: the server under strace, a bounded load, counts by family.
///
/// Correctness tests run without strace (it costs 30-120 us per traced call); this is
/// a separate run. Only calls inside the load's measurement window count towards the
/// per-message budget, so start-up and shutdown cost nothing. Required families may
/// appear anywhere (io_uring_setup happens at start-up); forbidden ones are checked
/// from the announce line on.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "1-spec/lab_spec.hpp"
#include "4-audit/traced_calls.hpp"
#include "5-report/grade_report.hpp"
#include "grade/grading.hpp"

namespace c10k::grader {

/// The mechanism and budget verdicts for @p counts, given the audited messages.
/// Appends up to two TestResults to @p report and one SyscallSummary to report.syscalls.
void judge_syscalls(const SyscallSpec& spec, const TraceCounts& counts, long messages,
                    GradeReport& report);

/// Runs the whole audit (strace, load, judge) and appends its results to @p report.
/// When strace is missing or cannot trace, the audit's tests fail saying so.
void audit_syscalls(const LabSpec& lab, const SyscallSpec& spec, const GradeOptions& options,
                    GradeReport& report);

}  // namespace c10k::grader
