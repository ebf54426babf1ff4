#pragma once
/// @file io_uring_view.hpp
/// @brief What a running server's io_uring rings show from outside: whether a kernel
/// SQPOLL thread serves them, and which operations were submitted. strace sees neither
/// (with SQPOLL nothing is entered; SQEs never pass through a syscall's arguments).

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>

namespace c10k::grader {

/// True when process @p pid has an io_uring SQPOLL thread (a task named iou-sqp-PID).
bool has_sqpoll_thread(pid_t pid);

/// What the submission queue entries of process @p pid's rings hold.
struct RingEntries {
    int rings = 0;         ///< SQE arrays mapped
    bool readable = true;  ///< false: /proc/PID/mem refused (a platform forbidding ptrace)
    std::set<std::uint8_t> opcodes;
};

/// The opcodes found in the SQE arrays of every ring process @p pid has mapped (read
/// through /proc/PID/mem). The kernel leaves each slot as it was last submitted, so this
/// is what the ring carried recently.
RingEntries submitted_opcodes(pid_t pid);

/// "SEND_ZC" for IORING_OP_SEND_ZC; the number for opcodes newer than Linux 6.1's.
std::string opcode_name(std::uint8_t opcode);

}  // namespace c10k::grader
