#include "c10k/syscall_error.hpp"

#include <cstdio>
#include <cstring>

namespace c10k {

SyscallError::SyscallError(std::string call, int err)
    : std::system_error(err, std::generic_category(), call), call_(std::move(call)) {}

void log_syscall_error(const char* call, int err) noexcept {
    std::fprintf(stderr, "server: %s: %s\n", call, std::strerror(err));
}

}  // namespace c10k
