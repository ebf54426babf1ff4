#include "2-runner/announce.hpp"

#include <charconv>

#include "test_failure.hpp"

namespace c10k::grader {

std::optional<std::uint16_t> find_announced_port(const std::string& head) {
    const std::string prefix = "listening on ";
    for (std::size_t start = 0; start < head.size();) {
        std::size_t end = head.find('\n', start);
        if (end == std::string::npos) break;  // an incomplete line: wait for the rest
        std::string line = head.substr(start, end - start);
        start = end + 1;
        if (!line.starts_with(prefix)) continue;
        auto colon = line.rfind(':');
        unsigned port = 0;
        auto [ptr, ec] = std::from_chars(line.data() + colon + 1, line.data() + line.size(), port);
        if (colon == std::string::npos || ec != std::errc{} || ptr != line.data() + line.size() || port == 0 ||
            port > 65535)
            throw TestFailure("announce line '" + line + "' has no valid port after the last ':'",
                              "print the port the kernel chose: getsockname() after bind()");
        return static_cast<std::uint16_t>(port);
    }
    return std::nullopt;
}

}  // namespace c10k::grader
