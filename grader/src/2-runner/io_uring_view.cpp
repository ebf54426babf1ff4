#include "2-runner/io_uring_view.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <iterator>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace c10k::grader {
namespace {

constexpr unsigned long kSqesOffset = 0x10000000;  // IORING_OFF_SQES: where a ring's SQE array is mapped
constexpr std::size_t kSqeSize = 64;               // without IORING_SETUP_SQE128

struct Range {
    unsigned long start = 0, end = 0;
};

// The SQE arrays: mappings of an io_uring file at offset IORING_OFF_SQES.
std::vector<Range> sqe_arrays(pid_t pid) {
    std::vector<Range> found;
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    for (std::string line; std::getline(maps, line);) {
        if (line.find("[io_uring]") == std::string::npos) continue;
        std::istringstream fields(line);
        std::string range, perms, offset;
        fields >> range >> perms >> offset;
        if (std::stoul(offset, nullptr, 16) != kSqesOffset) continue;
        auto dash = range.find('-');
        found.push_back({std::stoul(range.substr(0, dash), nullptr, 16), std::stoul(range.substr(dash + 1), nullptr, 16)});
    }
    return found;
}

}  // namespace

std::string opcode_name(std::uint8_t opcode) {
    // The ABI's order (enum io_uring_op), up to Linux 6.1.
    static const char* const names[] = {
        "NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED",
        "POLL_ADD", "POLL_REMOVE", "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT",
        "TIMEOUT_REMOVE", "ACCEPT", "ASYNC_CANCEL", "LINK_TIMEOUT", "CONNECT", "FALLOCATE",
        "OPENAT", "CLOSE", "FILES_UPDATE", "STATX", "READ", "WRITE",
        "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2", "EPOLL_CTL",
        "SPLICE", "PROVIDE_BUFFERS", "REMOVE_BUFFERS", "TEE", "SHUTDOWN", "RENAMEAT",
        "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT", "MSG_RING", "FSETXATTR",
        "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET", "URING_CMD", "SEND_ZC",
        "SENDMSG_ZC"};
    return opcode < std::size(names) ? names[opcode] : std::to_string(opcode);
}

bool has_sqpoll_thread(pid_t pid) {
    std::error_code ignored;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ignored)) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        if (std::getline(comm, name) && name.starts_with("iou-sqp")) return true;
    }
    return false;
}

RingEntries submitted_opcodes(pid_t pid) {
    RingEntries entries;
    std::vector<Range> arrays;
    try {
        arrays = sqe_arrays(pid);
    } catch (const std::exception&) {  // a maps line we do not understand: nothing seen
    }
    entries.rings = static_cast<int>(arrays.size());
    if (arrays.empty()) return entries;
    int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    for (const Range& array : arrays) {
        std::vector<std::uint8_t> sqes(array.end - array.start);
        ssize_t n = mem < 0 ? -1 : ::pread(mem, sqes.data(), sqes.size(), static_cast<off_t>(array.start));
        if (n <= 0) entries.readable = false;
        for (std::size_t at = 0; n > 0 && at + kSqeSize <= static_cast<std::size_t>(n); at += kSqeSize) {
            bool untouched = true;  // a slot never used is all zeros (opcode 0 is NOP)
            for (std::size_t i = 0; i < kSqeSize && untouched; ++i) untouched = sqes[at + i] == 0;
            if (!untouched) entries.opcodes.insert(sqes[at]);
        }
    }
    if (mem >= 0) ::close(mem);
    return entries;
}

}  // namespace c10k::grader
