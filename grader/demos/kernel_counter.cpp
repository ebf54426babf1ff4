#include "kernel_counter.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace c10k::demo {
namespace {

// Where the kernel lists its tracepoints' ids; the second is the older mount point.
const char* const kTracefs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

std::optional<long> tracepoint_id(const std::string& name) {
    auto colon = name.find(':');
    if (colon == std::string::npos) return std::nullopt;
    for (const char* root : kTracefs) {
        std::ifstream file(std::string(root) + "/events/" + name.substr(0, colon) + "/" + name.substr(colon + 1) + "/id");
        long id = -1;
        if (file >> id) return id;
    }
    return std::nullopt;
}

int open_counter(perf_event_attr attr, pid_t pid, bool inherit, const std::string& what) {
    attr.size = sizeof attr;
    attr.inherit = inherit ? 1 : 0;
    attr.exclude_hv = 1;
    long fd = ::syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        std::string line = "perf_event_open(" + what + "): " + std::strerror(error);
        if (error == EACCES || error == EPERM)
            line += ": counting kernel events needs root, or `sysctl kernel.perf_event_paranoid=1` (as root)";
        throw std::runtime_error(line);
    }
    return static_cast<int>(fd);
}

}  // namespace

KernelCounter KernelCounter::tracepoint(const std::string& name, pid_t pid, bool inherit) {
    auto id = tracepoint_id(name);
    if (!id)
        throw std::runtime_error("no tracepoint " + name + " under /sys/kernel/tracing/events (not mounted? as root: "
                                 "mount -t tracefs nodev /sys/kernel/tracing, or make deps-race)");
    perf_event_attr attr{};
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = static_cast<std::uint64_t>(*id);
    return KernelCounter(open_counter(attr, pid, inherit, name));
}

KernelCounter KernelCounter::software(std::uint64_t config, pid_t pid, bool inherit) {
    perf_event_attr attr{};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = config;
    return KernelCounter(open_counter(attr, pid, inherit, "software event " + std::to_string(config)));
}

long KernelCounter::value() const {
    std::uint64_t count = 0;
    if (::read(fd_.get(), &count, sizeof count) != static_cast<ssize_t>(sizeof count)) return -1;
    return static_cast<long>(count);
}

std::optional<std::string> tracepoints_unavailable() {
    try {
        (void)KernelCounter::tracepoint("raw_syscalls:sys_enter", 0, false);
        return std::nullopt;
    } catch (const std::runtime_error& error) {
        return std::string(error.what());
    }
}

bool tracepoint_exists(const std::string& name) { return tracepoint_id(name).has_value(); }

}  // namespace c10k::demo
