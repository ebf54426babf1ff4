#pragma once
/// @file io_uring_support.hpp
/// @brief Is io_uring usable here, and if not, what to tell the person at the keyboard.

#include <optional>
#include <string>

namespace c10k {

/// One line naming why io_uring_setup failed with @p error (a positive errno) and the fix:
/// a container's seccomp profile (ENOSYS), the kernel.io_uring_disabled sysctl (EPERM), ...
std::string io_uring_unavailable_reason(int error);

/// Tries io_uring_setup once (a tiny ring, closed at once). nullopt when io_uring works;
/// otherwise io_uring_unavailable_reason() of the failure.
std::optional<std::string> probe_io_uring();

}  // namespace c10k
