#pragma once
/// @file syscall_error.hpp
/// @brief Errors that name the system call that failed.

#include <cerrno>
#include <string>
#include <system_error>

namespace c10k {

/// A failed system call: what() reads "accept: Too many open files".
class SyscallError : public std::system_error {
public:
    /// @param call the system call's name, e.g. "bind"
    /// @param err  the errno value it failed with
    SyscallError(std::string call, int err);
    /// The system call's name.
    [[nodiscard]] const std::string& call() const noexcept { return call_; }

private:
    std::string call_;
};

/// Returns @p result unchanged, or throws SyscallError(@p call, errno) when it is -1.
///
/// Usage: `int fd = check_syscall(socket(AF_INET, SOCK_STREAM, 0), "socket");`
template <typename T>
T check_syscall(T result, const char* call) {
    if (result == static_cast<T>(-1)) throw SyscallError(call, errno);
    return result;
}

/// Prints one line "server: CALL: errno text" to stderr (the contract's error format).
void log_syscall_error(const char* call, int err) noexcept;

}  // namespace c10k
