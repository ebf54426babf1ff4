#pragma once
/// @file open_files.hpp
/// @brief Room for thousands of descriptors: every socket is one.

#include <sys/resource.h>

namespace c10k {

/// Raises the soft RLIMIT_NOFILE to the hard limit and returns the new soft limit.
/// Shells usually start programs with 1024 descriptors; a server for thousands of
/// clients needs more. Throws SyscallError if the limit cannot be read or set.
rlim_t raise_open_file_limit();

}  // namespace c10k
