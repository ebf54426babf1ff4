#pragma once
/// @file syscall_families.hpp
/// @brief Syscall families: read, recv, recvfrom ... all count as "read".
///
/// Specs name families so that one rule covers every spelling of an operation
/// (and every architecture: arm64 has ppoll but no poll).

#include <string>
#include <string_view>
#include <vector>

namespace c10k::grader {

/// A named group of system calls that do the same job.
struct SyscallFamily {
    std::string name;                   ///< e.g. "read"
    std::vector<std::string> syscalls;  ///< e.g. read, recv, recvfrom, readv, recvmsg
};

/// Every family the grader knows, in report order.
const std::vector<SyscallFamily>& syscall_families();

/// The family @p syscall belongs to, or the syscall's own name when it has none.
std::string family_of(std::string_view syscall);

/// The syscalls an entry of a spec list stands for. An entry is one or more
/// alternatives separated by '|', each a family name or a plain syscall name:
/// "epoll_wait|epoll_pwait" or "read".
std::vector<std::string> expand_syscall_alternatives(std::string_view entry);

}  // namespace c10k::grader
