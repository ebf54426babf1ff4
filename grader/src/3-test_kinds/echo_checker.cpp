#include "3-test_kinds/echo_checker.hpp"

#include <algorithm>
#include <cstdio>

namespace c10k::grader {

Bytes random_bytes(std::size_t size, std::mt19937_64& random) {
    Bytes bytes(size);
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word = random();
        for (int b = 0; b < 8; ++b) bytes[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
    }
    for (std::uint64_t word = random(); i < size; ++i, word >>= 8)
        bytes[i] = static_cast<std::uint8_t>(word);
    return bytes;
}

std::optional<std::size_t> first_difference(std::span<const std::uint8_t> expected,
                                            std::span<const std::uint8_t> received) {
    std::size_t common = std::min(expected.size(), received.size());
    auto [at, _] = std::mismatch(expected.begin(), expected.begin() + common, received.begin());
    if (at == expected.begin() + common) return std::nullopt;
    return static_cast<std::size_t>(at - expected.begin());
}

std::optional<std::string> describe_echo_mismatch(std::span<const std::uint8_t> expected,
                                                  std::span<const std::uint8_t> received) {
    char line[160];
    if (auto offset = first_difference(expected, received)) {
        std::snprintf(line, sizeof line, "byte %zu differs: expected 0x%02x, got 0x%02x", *offset,
                      expected[*offset], received[*offset]);
        return line;
    }
    if (received.size() < expected.size()) {
        std::snprintf(line, sizeof line, "got %zu of %zu bytes (all %zu correct)", received.size(),
                      expected.size(), received.size());
        return line;
    }
    if (received.size() > expected.size()) {
        std::snprintf(line, sizeof line, "got %zu bytes, %zu more than the %zu sent",
                      received.size(), received.size() - expected.size(), expected.size());
        return line;
    }
    return std::nullopt;
}

}  // namespace c10k::grader
