#include "4-audit/syscall_families.hpp"

#include <algorithm>

namespace c10k::grader {

const std::vector<SyscallFamily>& syscall_families() {
    static const std::vector<SyscallFamily> families = {
        {"accept", {"accept", "accept4"}},
        {"read", {"read", "recv", "recvfrom", "readv", "recvmsg", "recvmmsg", "preadv", "preadv2"}},
        {"write", {"write", "send", "sendto", "writev", "sendmsg", "sendmmsg", "pwritev", "pwritev2"}},
        {"select", {"select", "pselect6", "_newselect"}},
        {"poll", {"poll", "ppoll"}},
        {"epoll_create", {"epoll_create", "epoll_create1"}},
        {"epoll_ctl", {"epoll_ctl"}},
        {"epoll_wait", {"epoll_wait", "epoll_pwait", "epoll_pwait2"}},
        {"io_uring_setup", {"io_uring_setup"}},
        {"io_uring_enter", {"io_uring_enter"}},
        {"io_uring_register", {"io_uring_register"}},
        {"clone", {"clone", "clone3", "fork", "vfork"}},
        {"close", {"close", "shutdown"}},
        {"fcntl", {"fcntl", "fcntl64"}},
    };
    return families;
}

std::string family_of(std::string_view syscall) {
    for (const auto& family : syscall_families())
        if (std::ranges::find(family.syscalls, syscall) != family.syscalls.end()) return family.name;
    return std::string(syscall);
}

std::vector<std::string> expand_syscall_alternatives(std::string_view entry) {
    std::vector<std::string> syscalls;
    while (!entry.empty()) {
        auto bar = entry.find('|');
        std::string_view name = entry.substr(0, bar);
        auto family = std::ranges::find(syscall_families(), name, &SyscallFamily::name);
        if (family != syscall_families().end())
            syscalls.insert(syscalls.end(), family->syscalls.begin(), family->syscalls.end());
        else if (!name.empty())
            syscalls.emplace_back(name);
        entry = bar == std::string_view::npos ? std::string_view{} : entry.substr(bar + 1);
    }
    return syscalls;
}

}  // namespace c10k::grader
