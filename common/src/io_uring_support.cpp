#include "c10k/io_uring_support.hpp"

#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace c10k {

std::string io_uring_unavailable_reason(int error) {
    std::string reason = std::string("io_uring_setup: ") + std::strerror(error) + ": io_uring is not available here";
    int disabled = 0;
    std::ifstream("/proc/sys/kernel/io_uring_disabled") >> disabled;
    if (disabled != 0)
        return reason + " (kernel.io_uring_disabled = " + std::to_string(disabled) +
               "; as root: sysctl -w kernel.io_uring_disabled=0)";
    if (error == ENOSYS || error == EPERM)
        return reason + " (a seccomp filter blocks it, as Docker's and podman's default profiles do: "
                        "use `make docker-shell`, which runs with docker/seccomp-io_uring.json)";
    return reason;
}

std::optional<std::string> probe_io_uring() {
    io_uring_params params{};
    long fd = ::syscall(SYS_io_uring_setup, 1, &params);
    if (fd >= 0) {
        ::close(static_cast<int>(fd));
        return std::nullopt;
    }
    return io_uring_unavailable_reason(errno);
}

}  // namespace c10k
