#include "2-runner/announce.hpp"

#include <charconv>

namespace c10k::grader {
namespace {

std::optional<std::uint16_t> port_after_last_colon(const std::string& line) {
    auto colon = line.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(line.data() + colon + 1, line.data() + line.size(), port);
    if (ec != std::errc{} || ptr != line.data() + line.size() || port == 0 || port > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

}  // namespace

AnnounceScan scan_for_announce(const std::string& head) {
    AnnounceScan scan;
    for (std::size_t start = 0; start < head.size();) {
        std::size_t end = head.find('\n', start);
        if (end == std::string::npos) break;  // an incomplete line: wait for the rest
        std::string line = head.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.starts_with("listening on ")) continue;
        if ((scan.port = port_after_last_colon(line))) return scan;
        if (scan.malformed.empty()) scan.malformed = line;
    }
    return scan;
}

}  // namespace c10k::grader
