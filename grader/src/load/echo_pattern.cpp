#include "load/echo_pattern.hpp"

#include <algorithm>
#include <cstring>
#include <random>

namespace c10k::grader {

EchoPattern::EchoPattern(std::uint64_t seed, std::size_t size) : block_(std::max<std::size_t>(size, 1)) {
    std::mt19937_64 random(seed);
    for (auto& byte : block_) byte = static_cast<std::uint8_t>(random());
}

std::size_t EchoPattern::position(std::uint64_t connection, std::uint64_t offset) const {
    // 7919 is prime: neighbouring connections start far apart in the block.
    return static_cast<std::size_t>((connection * 7919 + offset) % block_.size());
}

std::span<const std::uint8_t> EchoPattern::bytes(std::uint64_t connection, std::uint64_t offset,
                                                 std::size_t max) const {
    std::size_t at = position(connection, offset);
    return {block_.data() + at, std::min(max, block_.size() - at)};
}

std::uint8_t EchoPattern::expected(std::uint64_t connection, std::uint64_t offset) const {
    return block_[position(connection, offset)];
}

std::optional<std::size_t> EchoPattern::first_mismatch(std::uint64_t connection, std::uint64_t offset,
                                                       std::span<const std::uint8_t> received) const {
    std::size_t checked = 0;
    while (checked < received.size()) {
        auto want = bytes(connection, offset + checked, received.size() - checked);
        if (std::memcmp(want.data(), received.data() + checked, want.size()) != 0) {
            for (std::size_t i = 0; i < want.size(); ++i)
                if (want[i] != received[checked + i]) return checked + i;
        }
        checked += want.size();
    }
    return std::nullopt;
}

std::optional<std::uint64_t> EchoPattern::repeats_from(std::uint64_t connection, std::uint64_t offset,
                                                       std::span<const std::uint8_t> received) const {
    // Eight bytes of a random stream matching by chance at one of 64 Ki offsets: ~2^-48.
    const std::size_t needed = std::min<std::size_t>(received.size(), 8);
    if (needed < 4) return std::nullopt;
    const std::uint64_t earliest = offset > 65536 ? offset - 65536 : 0;
    for (std::uint64_t from = offset; from-- > earliest;) {
        std::size_t i = 0;
        while (i < needed && expected(connection, from + i) == received[i]) ++i;
        if (i == needed) return from;
    }
    return std::nullopt;
}

}  // namespace c10k::grader
