#pragma once
/// @file process_table.hpp
/// @brief What /proc says about processes: one reader of /proc/PID/stat for the runner's
/// group teardown, the escaped-child reaper, the thread count and the CPU time.

#include <sys/types.h>

#include <optional>
#include <vector>

namespace c10k::grader {

/// One process as /proc/PID/stat shows it.
struct ProcessEntry {
    pid_t pid = 0, parent = 0, group = 0;
    bool zombie = false;
    double cpu_seconds = 0;  ///< user + system, all threads (clock-tick resolution)
};

/// Process @p pid now, or nullopt when it does not exist (any more).
std::optional<ProcessEntry> read_process(pid_t pid);

/// Every process on the machine now (those that vanish while we read are skipped).
std::vector<ProcessEntry> list_processes();

/// CPU time (user + system, all threads) process @p pid has used, in seconds; -1 if it
/// cannot be read.
double process_cpu_seconds(pid_t pid);

/// True while a process of group @p group is alive (zombies do not count): a SIGKILLed
/// process still runs until the kernel has torn it down.
bool group_has_live_members(pid_t group);

/// Threads of every process in group @p group.
int group_thread_count(pid_t group);

/// Descriptors process @p pid holds open now (-1 if unknown).
int open_fd_count(pid_t pid);

/// Resident memory of process @p pid in KiB (VmRSS), 0 if unknown.
long resident_kib(pid_t pid);

/// Address space of process @p pid in KiB (VmSize: every mapping, thread stacks included),
/// 0 if unknown.
long virtual_kib(pid_t pid);

/// The soft RLIMIT_NOFILE of process @p pid (it may have raised it), -1 if unknown.
long open_file_limit(pid_t pid);

/// CPU seconds (user + system) used so far by every process of group @p group, leaving out
/// io_uring's SQPOLL threads (iou-sqp-*): the kernel's poller spins by design until its
/// idle timeout. Threads that ended count too; processes that ended do not.
double group_cpu_seconds_without_sqpoll(pid_t group);

}  // namespace c10k::grader
