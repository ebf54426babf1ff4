#include "grade/origin_process.hpp"

#include "deadline.hpp"

namespace c10k::grader {

std::filesystem::path origin_binary() {
    std::error_code ignored;
    auto beside = std::filesystem::read_symlink("/proc/self/exe", ignored).parent_path() / "c10k-origin";
    return std::filesystem::exists(beside, ignored) ? beside : std::filesystem::path(C10K_ORIGIN_BINARY);
}

std::uint16_t start_origin(std::optional<SandboxedProcess>& origin, SandboxLimits& limits,
                           std::vector<std::string>& server_args) {
    origin.emplace(std::vector<std::string>{origin_binary().string(), "--port", "0"}, limits);
    std::uint16_t port = origin->wait_for_announce(Deadline(Seconds(5)));
    server_args.insert(server_args.begin(), {"--upstream", "127.0.0.1:" + std::to_string(port)});
    // The proxy reaches the origin on 127.0.0.1: both in one network namespace.
    if (limits.own_network) limits.join_network_of = origin->pid();
    limits.own_network = false;
    return port;
}

}  // namespace c10k::grader
